"""Construction's pages (zh-CN, phone first): sites and projects, a project's board, the inspector's picker."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.construction.adapters import queries
from services.construction.adapters.listing import (
    PROJECT_STATES, districts, evidence_page, inspection_page, overdue_page, project_page as project_list,
    refusal_page, site_figures, site_page, task_page)
from services.construction.api.deps import VIEWER_ROLES, CtxDep
from services.construction.application.context import Construction
from services.construction.domain.checklist import BY_CODE, CATEGORIES, SEVERITY_ZH
from services.construction.domain.design_change import STATUS_ZH as CHANGE_STATUS_ZH
from services.construction.domain.hidden_work import HIDDEN_WORK_KINDS
from services.construction.domain.inspection import KIND_ZH
from shared.actor import Actor
from shared.auth import OptionalActor
from shared.calendar import CHINA
from shared.errors import NotFound
from shared.paging import MAX_PAGE_SIZE, PageQuery, PageRequest
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)
BOARD = ("declared", "rejected", "accepted", "concealed")
# Browsers show these inline; HEIC and MP4 are offered as links to the original.
INLINE = ("image/jpeg", "image/png")


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """Render a construction page in the shell."""
    return request.app.state.templates.render(request, f"construction/{name}", context, status_code=status_code)


def with_urls(ctx: Construction, rows: list[dict], actor: Actor | None) -> list[dict]:
    """Add short-lived viewing URLs to evidence rows, for the roles allowed to see site photos."""
    allowed = actor is not None and actor.role in VIEWER_ROLES
    for row in rows:
        row["view_url"] = ctx.store.url(row["object_key"], media_type=row["media_type"]) if allowed else None
        row["inline"] = row["media_type"] in INLINE
    return rows


def local_time(value: str | None) -> str:
    """An ISO instant as China wall-clock time, to the minute (what people on site read)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return (moment.astimezone(CHINA) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def labels() -> dict:
    """The zh-CN vocabularies the templates show, and the China-time formatter."""
    return {"local_time": local_time, "categories": CATEGORIES,
            "severities": {str(k): v for k, v in SEVERITY_ZH.items()},
            "kinds": HIDDEN_WORK_KINDS, "inspection_kinds": {str(k): v for k, v in KIND_ZH.items()},
            "checks": {code: item.text for code, item in BY_CODE.items()},
            "change_status": {str(k): v for k, v in CHANGE_STATUS_ZH.items()}}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep, ctx: CtxDep, actor: OptionalActor, page: PageQuery,
         district: str | None = None, state: str | None = None) -> HTMLResponse:
    """Key figures, one page of projects with what needs attention, the first overdue orders and sites."""
    filters = {"district": district or None, "state": state if state in PROJECT_STATES else None}
    with service.engine.connect() as conn:
        context = {"projects": project_list(conn, page, **filters), "figures": site_figures(conn, today=ctx.today()),
                   "overdue": overdue_page(conn, PageRequest(size=10), today=ctx.today()),
                   "communities": site_page(conn, PageRequest(size=10)),
                   "districts": [(d, d) for d in districts(conn)]}
    return render(request, "home.html", context | {"req": page, "filters": filters})


@router.get("/inspect", response_class=HTMLResponse)
def pick(request: Request, service: ServiceDep, actor: OptionalActor, page: PageQuery,
         district: str | None = None) -> HTMLResponse:
    """The inspector picks the project to inspect; projects with complaint tasks and stops come first."""
    filters = {"district": district or None}
    with service.engine.connect() as conn:
        projects = project_list(conn, page, state="open", default_sort="-attention", **filters)
        tasks = task_page(conn, PageRequest(size=20))
        options = [(d, d) for d in districts(conn)]
    return render(request, "pick.html", {"projects": projects, "tasks": tasks, "page_title": "选择巡查项目",
                                         "req": page, "filters": filters, "districts": options})


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(project_id: str, request: Request, service: ServiceDep, ctx: CtxDep, actor: OptionalActor,
                 error: str | None = None, done: str | None = None) -> HTMLResponse:
    """The project: stop-work, work items, the hidden-work board, defects and orders, evidence and flags."""
    with service.engine.connect() as conn:
        project = queries.get_project(conn, project_id)
        if project is None:
            raise NotFound(f"项目 {project_id} 不存在：施工监管在收到项目受理的批准后才会建立项目")
        works = queries.hidden_works(conn, project_id)
        context = {
            "project": project, "board": {state: [w for w in works if w["state"] == state] for state in BOARD},
            "orders": queries.orders(conn, project_id=project_id), "today": ctx.today().isoformat(),
            "inspections": inspection_page(conn, PageRequest(size=10), project_id=project_id).items,
            "evidence": with_urls(ctx, evidence_page(conn, PageRequest(size=MAX_PAGE_SIZE),
                                                     project_id=project_id).items, actor),
            "reused_elsewhere": queries.reused_elsewhere(conn, project_id),
            "changes": queries.design_changes(conn, project_id), "tasks": queries.tasks(conn, project_id=project_id),
            "refusals": refusal_page(conn, PageRequest(size=20), project_id=project_id).items,
            "page_title": project["community_name"],
            "role": actor.role if actor else None, "errors": [error] if error else [], "done": done, **labels()}
    return render(request, "project.html", context)


@router.get("/hidden-works/{hidden_work_id}", response_class=HTMLResponse)
def hidden_work_page(hidden_work_id: str, request: Request, service: ServiceDep, ctx: CtxDep,
                     actor: OptionalActor, error: str | None = None, done: str | None = None) -> HTMLResponse:
    """One hidden work: its photos with flags; upload, accept or reject, conceal."""
    with service.engine.connect() as conn:
        work = queries.hidden_work(conn, hidden_work_id)
        if work is None:
            raise NotFound(f"隐蔽工程 {hidden_work_id} 不存在")
        project = queries.get_project(conn, work["project_id"])
    with_urls(ctx, work["evidence"], actor)
    context = {"work": work, "project": project, "role": actor.role if actor else None,
               "errors": [error] if error else [], "done": done,
               "min_photos": ctx.settings.hidden_work_min_photos, "page_title": work["location"], **labels()}
    return render(request, "hidden_work.html", context)


@router.get("/rectifications/{order_id}", response_class=HTMLResponse)
def order_page(order_id: str, request: Request, service: ServiceDep, ctx: CtxDep, actor: OptionalActor,
               error: str | None = None, done: str | None = None) -> HTMLResponse:
    """One rectification order: the defect, its due date, the submitted fix; submit, verify or reject."""
    with service.engine.connect() as conn:
        order = queries.order(conn, order_id)
        if order is None:
            raise NotFound(f"整改单 {order_id} 不存在")
        project = queries.get_project(conn, order["project_id"])
    with_urls(ctx, order["evidence"], actor)
    context = {"order": order, "project": project, "role": actor.role if actor else None,
               "today": ctx.today().isoformat(), "errors": [error] if error else [], "done": done,
               "page_title": f"整改单 {order['description'][:12]}", **labels()}
    return render(request, "order.html", context)
