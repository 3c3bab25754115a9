"""JSON API: the communities complaints knows from intake's events."""

from __future__ import annotations

from fastapi import APIRouter

from services.complaints.adapters.community import list_community_directorys
from services.complaints.consumers.intake import CommunityRegistered
from shared.auth import CurrentActor
from shared.service import ServiceDep

router = APIRouter(prefix="/api/communities", tags=["communities 小区"])


class CommunityDirectoryRead(CommunityRegistered):
    """One community as complaints sees it: the fields its reader of intake's event keeps."""

    registered_at: str


@router.get("", summary="已知小区 Communities known to complaints")
def get_communities(_: CurrentActor, service: ServiceDep) -> list[CommunityDirectoryRead]:
    """Every community registered in intake that reached this service, newest first."""
    with service.engine.connect() as conn:
        return [CommunityDirectoryRead(**row) for row in list_community_directorys(conn)]
