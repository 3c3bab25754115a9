"""The complaint's events (nested in `Complaint` through this base): what each step of the loop records."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.complaints.domain.category import Channel, Rating, Urgency
from shared.event import DomainEvent


class Place(BaseModel):
    """Where: a community (and building), or a point, or both; the address as given."""

    model_config = ConfigDict(frozen=True)

    community_id: str | None = None
    building: str = ""
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""


class Photo(BaseModel):
    """A photo kept write-once in the evidence store, named by its hash."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    object_key: str
    media_type: str
    size: int
    width: int
    height: int


class ComplaintEvents:
    """The events of a complaint; `Complaint` inherits them so they read `Complaint.Received`."""

    class Received(DomainEvent):
        event_type = "complaints.ComplaintReceived"
        complaint_id: str
        tracking_no: str
        channel: Channel
        category: str
        urgency: Urgency
        text: str
        place: Place
        person_id: str | None = None
        contact_sealed: str | None = None
        secret_digest: str | None = None
        client_id: str | None = None
        photos: tuple[Photo, ...] = ()
        received_at: datetime

    class Routed(DomainEvent):
        event_type = "complaints.ComplaintRouted"
        complaint_id: str
        project_id: str | None
        community_id: str
        method: str  # community | boundary | nearest | operator
        distance_m: float | None = None

    class SentToTriage(DomainEvent):
        event_type = "complaints.ComplaintSentToTriage"
        complaint_id: str
        reason: str

    class TimeLimitSet(DomainEvent):
        event_type = "complaints.TimeLimitSet"
        complaint_id: str
        cycle: int
        rule: str
        amount: int
        unit: str
        started_at: datetime
        due_at: datetime
        due_provisional: bool = False
        reason: str = ""
        recomputed: bool = False

    class Acknowledged(DomainEvent):
        event_type = "complaints.ComplaintAcknowledged"
        complaint_id: str
        at: datetime

    class Assigned(DomainEvent):
        event_type = "complaints.ComplaintAssigned"
        complaint_id: str
        assignee_kind: str
        assignee: str
        note: str = ""

    class Transferred(DomainEvent):
        event_type = "complaints.ComplaintTransferred"
        complaint_id: str
        from_kind: str
        from_assignee: str
        assignee_kind: str
        assignee: str
        reason: str

    class InspectionFindingReceived(DomainEvent):
        event_type = "complaints.InspectionFindingReceived"
        complaint_id: str
        inspection_id: str
        result: str
        summary: str

    class Responded(DomainEvent):
        event_type = "complaints.ComplaintResponded"
        complaint_id: str
        response: str
        source: str = "staff"  # staff | inspection
        inspection_id: str | None = None
        at: datetime

    class Resolved(DomainEvent):
        event_type = "complaints.ComplaintResolved"
        complaint_id: str
        resolution: str
        at: datetime

    class Confirmed(DomainEvent):
        event_type = "complaints.ComplaintConfirmed"
        complaint_id: str
        rating: Rating
        comment: str = ""
        channel: str  # resident | return_visit
        at: datetime

    class Reopened(DomainEvent):
        event_type = "complaints.ComplaintReopened"
        complaint_id: str
        reason: str
        channel: str
        at: datetime

    class Closed(DomainEvent):
        event_type = "complaints.ComplaintClosed"
        complaint_id: str
        rating: Rating
        at: datetime

    class ReturnVisitDue(DomainEvent):
        event_type = "complaints.ReturnVisitDue"
        complaint_id: str
        resolved_at: datetime

    class Escalated(DomainEvent):
        event_type = "complaints.ComplaintEscalated"
        complaint_id: str
        level: str
        cycle: int
        due_at: datetime
        at: datetime

    class DuplicateSuggested(DomainEvent):
        event_type = "complaints.DuplicateSuggested"
        complaint_id: str
        candidate_id: str
        score: float
        distance_m: float | None = None

    class Merged(DomainEvent):
        event_type = "complaints.ComplaintMerged"
        complaint_id: str
        primary_id: str

    class DuplicateAttached(DomainEvent):
        event_type = "complaints.DuplicateAttached"
        complaint_id: str
        duplicate_id: str

    class Filed(DomainEvent):
        """The integration event construction reads (docs/events.md): quality and safety only."""

        event_type = "complaints.ComplaintFiled"
        complaint_id: str
        project_id: str
        community_id: str
        category: str  # quality | safety
        service_code: str
        urgency: Urgency
        summary: str
        filed_at: datetime

    class SafetyComplaintOpened(DomainEvent):
        event_type = "complaints.SafetyComplaintOpened"
        complaint_id: str
        project_id: str
        community_id: str
        category: str
        opened_at: datetime

    class SafetyComplaintClosed(DomainEvent):
        event_type = "complaints.SafetyComplaintClosed"
        complaint_id: str
        project_id: str
        outcome: str  # resolved | merged
        rating: Rating | None = None
        closed_at: datetime

