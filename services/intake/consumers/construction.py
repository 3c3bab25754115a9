"""What intake reads of construction's published events (a tolerant reader of the contract)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.intake.application.context import Intake
from services.intake.application.design_change import publish_design_change_notice
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


class DesignChangeNoticeRequested(BaseModel):
    """construction.DesignChangeNoticeRequested v1: the fields intake needs; others are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str] = "construction.DesignChangeNoticeRequested"

    project_id: str
    change_id: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1)
    description: str = ""
    cost_delta_fen: int = 0
    working_days: int = Field(default=0, ge=0)


def on_construction_event(intake: Intake):
    """The policies intake runs on construction's events, by event type."""

    def design_change_requested(envelope: Envelope, uow: UnitOfWork) -> None:
        request = DesignChangeNoticeRequested.model_validate(envelope.payload)
        publish_design_change_notice(
            uow, project_id=request.project_id, change_id=request.change_id, title=request.title,
            description=request.description, cost_delta_fen=request.cost_delta_fen,
            requested_working_days=request.working_days, received_at=envelope.occurred_at, intake=intake)

    return {DesignChangeNoticeRequested.event_type: design_change_requested}
