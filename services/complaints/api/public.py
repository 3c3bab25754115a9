"""The right to know: a redacted list per project and per community, readable without logging in."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.complaints.adapters import queries
from services.complaints.adapters.community import sites
from services.complaints.api.pages import render
from services.complaints.api.views import public
from services.complaints.domain.category import CATEGORIES
from services.complaints.adapters.tables import complaint_table as ct
from shared.paging import PageQuery, answer, paginate
from shared.service import ServiceDep

router = APIRouter(tags=["public 公开"])


@router.get("/api/public/complaints", summary="公开投诉清单 The public, redacted list (no login)")
def public_complaints(service: ServiceDep, page: PageQuery, request: Request, response: Response,
                      community_id: str | None = None, project_id: str | None = None) -> list[dict]:
    """Category, state, dates and the response, one page; never a name, a phone or a secret."""
    query = queries.public_query(community_id=community_id, project_id=project_id)
    with service.engine.connect() as conn:
        found = paginate(conn, query, page, sortable=queries.PUBLIC_SORTS, default_sort="-received",
                         search=[ct.c.text], tiebreak=ct.c.complaint_id)
    found.items = [public(r) for r in found.items]
    return answer(found, request, response)


@router.get("/api/public/categories", summary="投诉类别 Categories with their Open311 codes")
def categories() -> list[dict]:
    """What a complaint can be about."""
    return [{"code": c.code, "name": c.name, "description": c.description, "group": c.group} for c in CATEGORIES]


@router.get("/public", response_class=HTMLResponse, include_in_schema=False)
def public_page(request: Request, service: ServiceDep, community_id: str | None = None,
                project_id: str | None = None) -> HTMLResponse:
    """The public list, filtered by community or project."""
    with service.engine.connect() as conn:
        rows = [public(r) for r in queries.public_list(conn, community_id=community_id, project_id=project_id)]
        known = sites(conn)
    chosen = next((s for s in known
                   if s["community_id"] == community_id or (project_id and s["project_id"] == project_id)), None)
    return render(request, "public.html", {"rows": rows, "sites": known, "chosen": chosen,
                                           "page_title": "投诉公开"})


@router.get("/public/projects/{project_id}", response_class=HTMLResponse, include_in_schema=False)
def public_project(project_id: str, request: Request, service: ServiceDep) -> HTMLResponse:
    """The public list of one project."""
    return public_page(request, service, project_id=project_id)
