"""What complaints reads of intake's published events (a tolerant reader of docs/events.md)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


class _Reader(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CommunityRegistered(_Reader):
    """intake.CommunityRegistered v1: only the fields complaints needs; others are ignored."""

    event_type: ClassVar[str] = "intake.CommunityRegistered"

    community_id: str
    name: str
    district: str
    street_office: str
    residents_committee: str
    address: str


class CommunityPlace(_Reader):
    """Where the community lies (the same event, read for routing)."""

    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    geofence_radius_m: int | None = None


class ApprovedLocation(_Reader):
    """The project's centre, radius and (when surveyed) the site boundary as [[latitude, longitude], …]."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    geofence_radius_m: int = 300
    boundary: list[tuple[float, float]] | None = None


class ProjectApproved(_Reader):
    """intake.ProjectApproved v1: the project entered the library (项目库)."""

    event_type: ClassVar[str] = "intake.ProjectApproved"

    project_id: str
    community_id: str
    community_name: str
    district: str | None = None
    street_office: str | None = None
    location: ApprovedLocation
