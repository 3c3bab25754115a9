"""Complaints' pages (zh-CN, phone first): the operator's queue and intake form, a complaint, the supervisor's board."""

from __future__ import annotations

from datetime import UTC

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.complaints.adapters import queries
from services.complaints.adapters.community import sites
from services.complaints.adapters.supervision import figures
from services.complaints.api.deps import OPERATOR_ROLES, VIEWER_ROLES, CtxDep
from services.complaints.api.views import local_time, present, visible, with_photo_urls
from services.complaints.domain.category import ASSIGNEE_ZH, CATEGORIES, LEVEL_ZH, RATING_ZH, URGENCY_ZH
from shared.auth import OptionalActor
from shared.errors import Forbidden, NotFound
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """Render a complaints page in the shell."""
    base = {"categories": CATEGORIES, "urgencies": {str(k): v for k, v in URGENCY_ZH.items()},
            "ratings": {str(k): v for k, v in RATING_ZH.items()}, "assignee_kinds": ASSIGNEE_ZH,
            "level_names": LEVEL_ZH, "local_time": local_time}
    return request.app.state.templates.render(request, f"complaints/{name}", base | context, status_code=status_code)


def _staff(actor, roles=VIEWER_ROLES) -> None:
    if actor is None or actor.role not in roles:
        raise Forbidden("此页面仅限热线及监管人员登录后查看", code="staff_only")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep, ctx: CtxDep, actor: OptionalActor) -> HTMLResponse:
    """Staff: the queue, most urgent clock first, and the triage list. Everyone else: the ways in."""
    staff = actor is not None and actor.role in VIEWER_ROLES
    context = {"staff": staff, "queue": [], "triage": [], "sites": []}
    if staff:
        with service.engine.connect() as conn:
            rows = queries.queue(conn, contractor=actor.id if actor.role == "contractor" else None)
            triage = queries.triage(conn) if actor.role in OPERATOR_ROLES else []
            contacts = ctx.vault.open_many(conn, [(r["person_id"], r["contact_sealed"]) for r in rows + triage])
            context["sites"] = sites(conn)
        now = ctx.now()
        context["queue"] = [present(r, role=actor.role, ctx=ctx, contact=contacts.get(r["person_id"]), now=now)
                            for r in rows]
        context["triage"] = [present(r, role=actor.role, ctx=ctx, contact=contacts.get(r["person_id"]), now=now)
                             for r in triage]
    return render(request, "home.html", context)


@router.get("/intake", response_class=HTMLResponse)
def intake_form(request: Request, service: ServiceDep, actor: OptionalActor) -> HTMLResponse:
    """The one-screen form for a hotline call."""
    _staff(actor, OPERATOR_ROLES)
    with service.engine.connect() as conn:
        known = sites(conn)
    return render(request, "intake.html", {"sites": known, "form": {}, "errors": [], "page_title": "受理来电"})


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(complaint_id: str, request: Request, service: ServiceDep, ctx: CtxDep, actor: OptionalActor,
                   error: str | None = None, done: str | None = None) -> HTMLResponse:
    """One complaint: who (as the role may see), where, the clock, the history, and the next actions."""
    _staff(actor)
    with service.engine.connect() as conn:
        row = queries.get(conn, complaint_id)
        if row is None or not visible(conn, actor.role, actor.id, [row]):
            raise NotFound(f"工单 {complaint_id} 不存在")
        contact = ctx.vault.open(conn, row["person_id"], row["contact_sealed"])
        shown = with_photo_urls(ctx, present(row, role=actor.role, ctx=ctx, contact=contact))
        suggested = queries.get(conn, row["suggested_duplicate_of"]) if row["suggested_duplicate_of"] else None
        context = {"c": shown, "steps": queries.steps(conn, complaint_id, public_only=False),
                   "duplicates": queries.duplicates_of(conn, complaint_id), "suggested": suggested,
                   "sites": sites(conn) if row["community_id"] is None else [],
                   "operator": actor.role in OPERATOR_ROLES, "role": actor.role,
                   "errors": [error] if error else [], "done": done, "page_title": row["tracking_no"]}
    return render(request, "complaint.html", context)


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor(request: Request, service: ServiceDep, ctx: CtxDep, actor: OptionalActor) -> HTMLResponse:
    """Cards (open, overdue, escalations, satisfaction, reopen rate) and the list of breaches."""
    _staff(actor)
    with service.engine.connect() as conn:
        context = figures(conn, now=ctx.now().astimezone(UTC).isoformat())
        context["breaches"] = queries.breaches(conn)
    return render(request, "supervisor.html", context | {"page_title": "监管看板"})
