"""JSON API: the communities construction knows from intake's events."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.construction.adapters.listing import site_page
from services.construction.consumers.intake import CommunityRegistered
from shared.auth import CurrentActor
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(prefix="/api/communities", tags=["communities 小区"])


class SiteRead(CommunityRegistered):
    """One community as construction sees it: the fields its reader of intake's event keeps."""

    registered_at: str


@router.get("", summary="已知小区 Communities known to construction")
def get_communities(_: CurrentActor, service: ServiceDep, page: PageQuery, request: Request, response: Response,
                    district: str | None = None) -> list[SiteRead]:
    """One page of the communities registered in intake that reached this service, newest first."""
    with service.engine.connect() as conn:
        found = site_page(conn, page, district=district)
    return [SiteRead(**row) for row in answer(found, request, response)]
