"""Pages of one project: overview with the approval checklist, and the plan editor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.adapters.community import get_survey
from services.intake.adapters.notice import list_notices
from services.intake.adapters.project import ballot_counts, get_project, reviews_of
from services.intake.api.deps import IntakeDep, Official, OfficialOrStreetOffice, Staff, work
from services.intake.api.forms import FormFields, attempt, back, fen, may
from services.intake.application.decision import approval_now, approve_project
from services.intake.application.project import Reason, RevisePlan, reopen_plan, revise_plan, withdraw_project
from services.intake.domain import vocabulary as v
from services.intake.domain.plan import yuan
from shared.actor import Role
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)
STAFF = (Role.OFFICIAL, Role.STREET_OFFICE, Role.COMMUNITY)
EMPTY_ROWS = 3


def project_base(service, project_id: str) -> dict[str, Any]:
    """What every project page shows: the project row, its notices, ballots and reviews."""
    with service.engine.connect() as conn:
        project = get_project(conn, project_id)
        if project is None:
            raise NotFound(f"项目 {project_id} 不存在")
        return {"p": project, "notices": list_notices(conn, project_id=project_id),
                "ballots": ballot_counts(conn, project_id), "reviews": reviews_of(conn, project_id),
                "survey": get_survey(conn, project["community_id"]), "v": v, "yuan": yuan}


def project_page(request: Request, template: str, context: dict, *, errors: list[str] | None = None,
                 form: dict | None = None) -> HTMLResponse:
    """Render a project page with its crumbs, errors and the form as typed."""
    p = context["p"]
    context |= {"errors": errors or [], "form": form or {}, "done": request.query_params.get("done"),
                "page_title": f"{p['community_name']} {p['plan_year']}",
                "crumbs": [("/", "小区台账"), (f"/communities/{p['community_id']}", p["community_name"]),
                           (f"/projects/{p['project_id']}", f"{p['plan_year']} 年度项目")]}
    return request.app.state.templates.render(request, template, context, status_code=422 if errors else 200)


def overview(request: Request, service, intake, actor, project_id: str, **extra) -> HTMLResponse:
    """The project page: stage, plan, approval checklist with figures, the actions of who may act."""
    context = project_base(service, project_id)
    context |= {"checklist": approval_now(service.engine, project_id=project_id, intake=intake),
                "can_approve": may(actor, Role.OFFICIAL), "can_edit": may(actor, *STAFF),
                "can_close": may(actor, Role.OFFICIAL, Role.STREET_OFFICE)}
    return project_page(request, "intake/project.html", context, **extra)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_view(project_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                 actor: CurrentActor) -> HTMLResponse:
    """The project page."""
    return overview(request, service, intake, actor, project_id)


@router.post("/projects/{project_id}/approval", response_class=HTMLResponse)
def approve(project_id: str, request: Request, service: ServiceDep, intake: IntakeDep, actor: Official,
            form: FormFields) -> HTMLResponse:
    """Approve into the project library once confirmed; refused with every gap listed."""
    if "confirm" not in form:
        return overview(request, service, intake, actor, project_id, errors=["请勾选确认后再批准"])
    _, errors = attempt(lambda: approve_project(work(service, actor, request), project_id=project_id,
                                                intake=intake))
    if errors:
        return overview(request, service, intake, actor, project_id, errors=errors)
    return back(f"/projects/{project_id}", "approved")


@router.post("/projects/{project_id}/close", response_class=HTMLResponse)
def close(project_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                actor: OfficialOrStreetOffice, form: FormFields) -> HTMLResponse:
    """Withdraw the project or reopen its plan, with a reason."""
    action = withdraw_project if form.get("action") == "withdraw" else reopen_plan
    _, errors = attempt(lambda: action(Reason.model_validate({"reason": form.get("reason", "")}),
                                       work(service, actor, request), project_id=project_id))
    if errors:
        return overview(request, service, intake, actor, project_id, errors=errors, form=form)
    return back(f"/projects/{project_id}", "withdrawn" if action is withdraw_project else "reopened")


@router.get("/projects/{project_id}/plan", response_class=HTMLResponse)
def plan_editor(project_id: str, request: Request, service: ServiceDep, actor: Staff) -> HTMLResponse:
    """The plan editor, filled with the current revision."""
    context = project_base(service, project_id)
    return project_page(request, "intake/plan.html", context | {"rows": _rows(context["p"]["plan"])},
                        form=_plan_form(context["p"]["plan"]))


def _rows(plan: dict | None, extra: int = EMPTY_ROWS) -> list[dict]:
    items = [dict(item, budget=yuan(item["budget_fen"]).replace(",", "")) for item in (plan or {}).get("items", [])]
    return items + [{} for _ in range(extra)]


def _plan_form(plan: dict | None) -> dict[str, Any]:
    if not plan:
        return {}
    funding = {f"funding_{f['source']}": yuan(f["amount_fen"]).replace(",", "") for f in plan["funding"]}
    parties = {f"party_{k}": value for k, value in plan["parties"].items()}
    return {"summary": plan["summary"], "after_care": plan["after_care"], **funding, **parties}


@router.post("/projects/{project_id}/plan", response_class=HTMLResponse)
def plan_submit(project_id: str, request: Request, service: ServiceDep, actor: Staff, form: FormFields) -> HTMLResponse:
    """Record a revision from the editor; bad input shows the editor again with every reason."""
    _, errors = attempt(lambda: revise_plan(_plan_command(form), work(service, actor, request),
                                            project_id=project_id))
    if errors:
        context = project_base(service, project_id)
        return project_page(request, "intake/plan.html", context | {"rows": _typed_rows(form)},
                            errors=errors, form=form)
    return back(f"/projects/{project_id}", "saved")


def _typed_rows(form: dict[str, Any]) -> list[dict]:
    count = int(form.get("rows", EMPTY_ROWS))
    return [{k: form.get(f"item{i}_{k}", "") for k in ("item_id", "kind", "quantity", "unit", "budget", "building",
                                                        "appraisal_grade", "appraisal_report")} for i in range(count)]


def _plan_command(form: dict[str, Any]) -> RevisePlan:
    items = []
    for i, row in enumerate(_typed_rows(form)):
        if not row["kind"]:
            continue
        items.append({"item_id": form.get(f"item{i}_item_id") or None, "kind": row["kind"],
                      "quantity": row["quantity"] or 0, "unit": row["unit"] or None,
                      "budget_fen": fen(row["budget"], field=f"第 {i + 1} 项预算"),
                      **{k: row[k] or None for k in ("building", "appraisal_grade", "appraisal_report")}})
    return RevisePlan.model_validate({
        "summary": form.get("summary", ""), "items": items, "after_care": form.get("after_care"),
        "funding": [{"source": s.value, "amount_fen": fen(form.get(f"funding_{s.value}"), field=label)}
                    for s, label in v.FUNDING_LABELS.items()],
        "parties": {k: form.get(f"party_{k}", "") for k in ("construction_unit", "street_office",
                                                             "residents_committee", "owners_committee", "designer")}})
