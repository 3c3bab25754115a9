"""What complaints reads of intake's published events (a tolerant reader of the contract)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class CommunityRegistered(BaseModel):
    """intake.CommunityRegistered v1: only the fields complaints needs; others are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str] = "intake.CommunityRegistered"

    community_id: str
    name: str
    district: str
    street_office: str
    residents_committee: str
    address: str
