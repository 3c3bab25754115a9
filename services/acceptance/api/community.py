"""JSON API: the communities acceptance knows from intake's events."""

from __future__ import annotations

from fastapi import APIRouter

from services.acceptance.adapters.community import list_community_rolls
from services.acceptance.consumers.intake import CommunityRegistered
from shared.auth import CurrentActor
from shared.service import ServiceDep

router = APIRouter(prefix="/api/communities", tags=["communities 小区"])


class CommunityRollRead(CommunityRegistered):
    """One community as acceptance sees it: the fields its reader of intake's event keeps."""

    registered_at: str


@router.get("", summary="已知小区 Communities known to acceptance")
def get_communities(_: CurrentActor, service: ServiceDep) -> list[CommunityRollRead]:
    """Every community registered in intake that reached this service, newest first."""
    with service.engine.connect() as conn:
        return [CommunityRollRead(**row) for row in list_community_rolls(conn)]
