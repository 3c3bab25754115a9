"""Pages of one community: overview with eligibility, survey form, households and their answers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.adapters.community import get_assessment, get_community, get_survey, refusals
from services.intake.adapters.household import consent_tally
from services.intake.adapters.project import list_projects
from services.intake.api.deps import Assessor, IntakeDep, Staff, work
from services.intake.api.forms import FormFields, attempt, back, may
from services.intake.api.survey_form import boundary_text, buildings_text, parse_boundary, parse_buildings
from services.intake.application.community import SurveyCommunity, survey_community
from services.intake.application.eligibility import assess_eligibility, eligibility_now
from services.intake.application.project import DeclareProject, declare_project
from services.intake.domain import vocabulary as v
from services.intake.domain.ratio import percent
from shared.actor import Role
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)
STAFF = (Role.OFFICIAL, Role.STREET_OFFICE, Role.COMMUNITY)


def base(service, community_id: str) -> dict[str, Any]:
    """What every page of a community shows: the community, its survey and live consent."""
    with service.engine.connect() as conn:
        community = get_community(conn, community_id)
        if community is None:
            raise NotFound(f"小区 {community_id} 不存在")
        consent = consent_tally(conn, community_id)
        share = percent(Fraction(consent["agree"], consent["households"])) if consent["households"] else ""
        return {"c": community, "survey": get_survey(conn, community_id), "consent": consent,
                "share": share, "v": v}


def page(request: Request, template: str, context: dict, errors: list[str] | None = None,
          form: dict | None = None) -> HTMLResponse:
    """Render a community page with its crumbs, errors and the form as typed."""
    context |= {"errors": errors or [], "form": form or {}, "done": request.query_params.get("done"),
                "page_title": context["c"]["name"],
                "crumbs": [("/", "小区台账"), (f"/communities/{context['c']['community_id']}", context["c"]["name"])]}
    return request.app.state.templates.render(request, template, context, status_code=422 if errors else 200)


def overview(request: Request, service, intake, actor, community_id: str, **extra) -> HTMLResponse:
    """The community page: facts, survey, consent, eligibility report, projects."""
    context = base(service, community_id)
    rules, _ = eligibility_now(service.engine, community_id=community_id, rules=intake.rules)
    with service.engine.connect() as conn:
        context |= {"assessment": get_assessment(conn, community_id), "rules": rules,
                    "projects": list_projects(conn, community_id=community_id),
                    "refusals": refusals(conn, community_id), "year": intake.today().year + 1,
                    "can_assess": may(actor, Role.OFFICIAL, Role.STREET_OFFICE), "can_declare": may(actor, *STAFF),
                    "threshold": intake.rules.consent}
    return page(request, "intake/community.html", context, **extra)


@router.get("/communities/{community_id}", response_class=HTMLResponse)
def community_page(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                   actor: CurrentActor) -> HTMLResponse:
    """The community page."""
    return overview(request, service, intake, actor, community_id)


@router.post("/communities/{community_id}/eligibility", response_class=HTMLResponse)
def assess(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
           actor: Assessor) -> HTMLResponse:
    """Record an eligibility assessment."""
    _, errors = attempt(lambda: assess_eligibility(work(service, actor, request), community_id=community_id,
                                                   rules=intake.rules, today=intake.today()))
    if errors:
        return overview(request, service, intake, actor, community_id, errors=errors)
    return back(f"/communities/{community_id}", "assessed")


@router.post("/communities/{community_id}/projects", response_class=HTMLResponse)
def declare(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                  actor: Staff, form: FormFields) -> HTMLResponse:
    """Declare a project; a refused duplicate shows why (and stays on record)."""
    project_id, errors = attempt(lambda: declare_project(
        DeclareProject.model_validate(form), work(service, actor, request), community_id=community_id,
        today=intake.today()))
    if errors:
        return overview(request, service, intake, actor, community_id, errors=errors, form=form)
    return back(f"/projects/{project_id}", "declared")


@router.get("/communities/{community_id}/survey", response_class=HTMLResponse)
def survey_page(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                actor: Staff) -> HTMLResponse:
    """The survey form, filled with the current survey if there is one."""
    context = base(service, community_id)
    survey = context["survey"]
    form = {"surveyed_on": intake.today().isoformat(), "fee_collection_rate": "", "facilities": []}
    if survey:
        form = {**survey, "fee_collection_rate": percent_text(survey["fee_collection_rate"]),
                "buildings": buildings_text(survey["buildings"]),
                "site_boundary": boundary_text(survey["site_boundary"])}
    return page(request, "intake/survey.html", context, form=form)


def percent_text(rate: str) -> str:
    """A stored rate "0.625" as the form shows it, "62.5%"."""
    return f"{(Decimal(rate) * 100).normalize():f}%"


@router.post("/communities/{community_id}/survey", response_class=HTMLResponse)
def survey_submit(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                        actor: Staff, form: FormFields) -> HTMLResponse:
    """Record the survey from the form; on bad input show it again with the reasons."""

    def run() -> None:
        facilities = form.get("facilities", [])
        command = SurveyCommunity.model_validate({
            **{k: form.get(k) for k in ("surveyed_on", "land_status", "property_management", "fee_collection_rate")},
            **{k: k in form for k in ("in_built_up_area", "on_demolition_plan", "dangerous_building_rebuild")},
            "facilities": [facilities] if isinstance(facilities, str) else facilities,
            "buildings": parse_buildings(form.get("buildings", "")),
            "site_boundary": parse_boundary(form.get("site_boundary", ""))})
        survey_community(command, work(service, actor, request), community_id=community_id, today=intake.today())

    _, errors = attempt(run)
    if errors:
        return page(request, "intake/survey.html", base(service, community_id), errors=errors, form=form)
    return back(f"/communities/{community_id}", "saved")
