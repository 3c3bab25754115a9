"""What construction reads of the complaints service's events (a tolerant reader; see ROADMAP.md)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from services.construction.application.inspection_task import open_task
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


class ComplaintFiled(BaseModel):
    """complaints.ComplaintFiled v1: only what an inspection task needs."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str] = "complaints.ComplaintFiled"

    complaint_id: str
    project_id: str | None = None
    category: str
    summary: str = ""


def on_complaint_filed(envelope: Envelope, uow: UnitOfWork) -> None:
    """A quality or safety complaint about a project opens an inspection task for its inspector."""
    complaint = ComplaintFiled.model_validate(envelope.payload)
    project_id = complaint.project_id or envelope.project_id
    if project_id:
        open_task(uow, project_id=project_id, complaint_id=complaint.complaint_id,
                  category=complaint.category, summary=complaint.summary)


POLICIES = {ComplaintFiled.event_type: on_complaint_filed}
