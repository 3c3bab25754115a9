"""Construction's pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.construction.adapters.community import list_sites
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep) -> HTMLResponse:
    """The overview page."""
    with service.engine.connect() as conn:
        communities = list_sites(conn)
    return request.app.state.templates.render(request, "construction/home.html", {"communities": communities})
