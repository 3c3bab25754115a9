"""Request bodies of complaints' JSON API (free text refuses control and bidi characters)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.complaints.domain.category import Rating, Urgency
from shared.text import FreeText, LineText

Line = Annotated[LineText, Field(max_length=200)]
Text = Annotated[FreeText, Field(max_length=2000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComplaintCreate(_Body):
    """A hotline call as the operator types it."""

    phone: Annotated[LineText, Field(max_length=30)]
    name: Annotated[LineText, Field(max_length=50)] = ""
    category: Annotated[LineText, Field(max_length=40)]
    urgency: Urgency = Urgency.NORMAL
    text: Text
    community_id: Annotated[LineText, Field(max_length=64)] | None = None
    building: Annotated[LineText, Field(max_length=50)] = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    address: Line = ""


class RouteBody(_Body):
    """Route a triaged complaint."""

    community_id: Annotated[LineText, Field(max_length=64)]


class AssignBody(_Body):
    """派单."""

    kind: Literal["contractor", "street_office", "department"]
    assignee: Annotated[LineText, Field(max_length=200)]
    note: Line = ""


class TransferBody(_Body):
    """转办."""

    kind: Literal["contractor", "street_office", "department"]
    assignee: Annotated[LineText, Field(max_length=200)]
    reason: Text


class ReasonBody(_Body):
    """A reason (extension, reopening)."""

    reason: Text


class RespondBody(_Body):
    """答复; `from_inspection` confirms construction's finding as the response."""

    response: Text
    from_inspection: bool = False


class ResolveBody(_Body):
    """办结."""

    resolution: Text


class RatingBody(_Body):
    """The resident's word (or the return visit's)."""

    rating: Rating
    comment: Annotated[FreeText, Field(max_length=500)] = ""


class ResidentRating(RatingBody):
    """The rating through the secret link."""

    k: Annotated[LineText, Field(max_length=100)]


class ResidentReopen(_Body):
    """Send it back through the secret link."""

    k: Annotated[LineText, Field(max_length=100)]
    reason: Text


class MergeBody(_Body):
    """Merge into the open case."""

    into: Annotated[LineText, Field(max_length=64)]


class ErasureBody(_Body):
    """Erase a complainant's personal data."""

    phone: Annotated[LineText, Field(max_length=30)]
    reason: Annotated[LineText, Field(max_length=200)]


class ClientCreate(_Body):
    """Register an Open311 client app."""

    name: Annotated[LineText, Field(max_length=100)]
