"""What construction reads of intake's published events (a tolerant reader of the contract)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class CommunityRegistered(BaseModel):
    """intake.CommunityRegistered v1: only the fields construction needs; others are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str] = "intake.CommunityRegistered"

    community_id: str
    name: str
    district: str
    address: str
    latitude: float
    longitude: float
    geofence_radius_m: int
