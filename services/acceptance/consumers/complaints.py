"""What acceptance reads of the complaints service: open safety and quality complaints hold it back."""

from __future__ import annotations

from typing import ClassVar

from services.acceptance.consumers.reader import Reader


class SafetyComplaintOpened(Reader):
    """complaints.SafetyComplaintOpened v1 (published again when a complaint is reopened)."""

    event_type: ClassVar[str] = "complaints.SafetyComplaintOpened"
    complaint_id: str
    project_id: str
    category: str = "safety"


class SafetyComplaintClosed(Reader):
    """complaints.SafetyComplaintClosed v1."""

    event_type: ClassVar[str] = "complaints.SafetyComplaintClosed"
    complaint_id: str
    project_id: str
    outcome: str = "resolved"


READERS = (SafetyComplaintOpened, SafetyComplaintClosed)
