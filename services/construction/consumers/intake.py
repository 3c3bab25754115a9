"""What construction reads of intake's published events (a tolerant reader of docs/events.md)."""

from __future__ import annotations

import logging
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.construction.application import design_change, project
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("renovation.construction")


class _Reader(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CommunityRegistered(_Reader):
    """intake.CommunityRegistered v1: only the fields construction needs; others are ignored."""

    event_type: ClassVar[str] = "intake.CommunityRegistered"

    community_id: str
    name: str
    district: str
    address: str
    latitude: float
    longitude: float
    geofence_radius_m: int


class ApprovedLocation(_Reader):
    """Where the community is, and the radius its photos are checked against."""

    address: str = ""
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    geofence_radius_m: int = Field(default=300, ge=1)
    # The site boundary as [[latitude, longitude], …] (docs/events.md); null: the radius is the geofence.
    boundary: list[tuple[float, float]] | None = None


class ApprovedItem(_Reader):
    """One item of the approved plan; `zone` is read if intake ever sends it."""

    item_id: str
    kind: str
    name: str
    category: str | None = None
    budget_fen: int | None = None
    building: str | None = None
    zone: str | None = None


class ProjectApproved(_Reader):
    """intake.ProjectApproved v1: the project entered the library (项目库)."""

    event_type: ClassVar[str] = "intake.ProjectApproved"

    project_id: str
    community_id: str
    community_name: str
    district: str | None = None
    street_office: str | None = None
    plan_year: int | None = None
    location: ApprovedLocation
    items: list[ApprovedItem] = Field(default_factory=list)
    budget_fen: int | None = None
    parties: dict | None = None


class DesignChangeNoticePublished(_Reader):
    """intake.DesignChangeNoticePublished v1."""

    event_type: ClassVar[str] = "intake.DesignChangeNoticePublished"

    project_id: str
    change_id: str
    notice_id: str
    start: date
    end: date


class DesignChangeNoticeEnded(_Reader):
    """intake.DesignChangeNoticeEnded v1."""

    event_type: ClassVar[str] = "intake.DesignChangeNoticeEnded"

    project_id: str
    change_id: str
    notice_id: str
    objections: int = 0
    objections_unanswered: int = 0


def on_project_approved(envelope: Envelope, uow: UnitOfWork) -> None:
    """A project entered the library: open it on site."""
    approved = ProjectApproved.model_validate(envelope.payload)
    if not project.open_project(uow, approved=approved):
        log.info("project %s already open; %s ignored", approved.project_id, envelope.event_id)


def on_notice_published(envelope: Envelope, uow: UnitOfWork) -> None:
    """Intake posted a design-change notice in the community."""
    fact = DesignChangeNoticePublished.model_validate(envelope.payload)
    design_change.notice_published(uow, change_id=fact.change_id, notice_id=fact.notice_id,
                                   start=fact.start, end=fact.end)


def on_notice_ended(envelope: Envelope, uow: UnitOfWork) -> None:
    """A design-change notice period ended."""
    fact = DesignChangeNoticeEnded.model_validate(envelope.payload)
    design_change.notice_ended(uow, change_id=fact.change_id, notice_id=fact.notice_id,
                               objections=fact.objections, unanswered=fact.objections_unanswered)


POLICIES = {
    ProjectApproved.event_type: on_project_approved,
    DesignChangeNoticePublished.event_type: on_notice_published,
    DesignChangeNoticeEnded.event_type: on_notice_ended,
}
