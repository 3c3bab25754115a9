"""JSON API: the communities construction knows from intake's events."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.construction.adapters.community import list_sites
from shared.auth import CurrentActor
from shared.service import ServiceDep

router = APIRouter(prefix="/api/communities", tags=["communities 小区"])


class SiteRead(BaseModel):
    """One community as construction sees it."""

    community_id: str
    name: str
    district: str
    address: str
    latitude: float
    longitude: float
    geofence_radius_m: int
    registered_at: str


@router.get("", summary="已知小区 Communities known to construction")
def get_communities(_: CurrentActor, service: ServiceDep) -> list[SiteRead]:
    """Every community registered in intake that reached this service, newest first."""
    with service.engine.connect() as conn:
        return [SiteRead(**row) for row in list_sites(conn)]
