"""Acceptance's pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.acceptance.adapters.community import list_community_rolls
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep) -> HTMLResponse:
    """The overview page."""
    with service.engine.connect() as conn:
        communities = list_community_rolls(conn)
    return request.app.state.templates.render(request, "acceptance/home.html", {"communities": communities})
