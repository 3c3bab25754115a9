"""Rectification orders (整改通知): one per defect, due in working days, closed only when verified.

A due date that falls in a year whose official holiday schedule is not loaded is provisional
(`due_provisional`): the order is recorded all the same, shown as 暂定, never noted overdue on
that date, and recomputed (`RectificationDueRecomputed`) when the year's schedule is loaded.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from services.construction.domain.evidence import Evidence
from services.construction.domain.inspection import Defect
from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class OrderStatus(StrEnum):
    """Where a rectification order stands; only `verified` closes it."""

    ISSUED = "issued"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    VERIFIED = "verified"


STATUS_ZH = {OrderStatus.ISSUED: "待整改", OrderStatus.SUBMITTED: "待复核",
             OrderStatus.REJECTED: "复核未通过", OrderStatus.VERIFIED: "已销项"}


class RectificationOrder(Aggregate):
    """The contractor must fix a defect by a working-day due date; an inspector verifies."""

    stream_prefix = "rectification"

    class Issued(DomainEvent):
        event_type = "construction.RectificationOrdered"
        order_id: str
        project_id: str
        inspection_id: str
        defect: Defect
        issued_on: date
        working_days: int
        due_on: date
        due_provisional: bool = False

    class DueRecomputed(DomainEvent):
        event_type = "construction.RectificationDueRecomputed"
        order_id: str
        project_id: str
        previous_due_on: date
        due_on: date
        due_provisional: bool
        reason: str

    class Submitted(DomainEvent):
        event_type = "construction.RectificationSubmitted"
        order_id: str
        project_id: str
        note: str
        evidence: tuple[Evidence, ...]

    class Verified(DomainEvent):
        event_type = "construction.RectificationVerified"
        order_id: str
        project_id: str
        note: str = ""

    class Rejected(DomainEvent):
        event_type = "construction.RectificationRejected"
        order_id: str
        project_id: str
        reason: str

    class FellOverdue(DomainEvent):
        event_type = "construction.RectificationOverdue"
        order_id: str
        project_id: str
        due_on: date
        noted_on: date

    # Containers are created by the first event: the kernel's rehydrate skips __init__.
    issued: Issued | None = None
    status = OrderStatus.ISSUED
    overdue = False
    due_on: date
    due_provisional = False
    evidence: set[str]

    @classmethod
    def issue(cls, *, project_id: str, inspection_id: str, defect: Defect, issued_on: date,
              working_days: int, due_on: date, due_provisional: bool = False) -> "RectificationOrder":
        """Order the defect fixed by `due_on` (on the working-day calendar; provisional if so flagged)."""
        order = cls(cls.stream_for(defect.defect_id))
        order._record(cls.Issued(order_id=defect.defect_id, project_id=project_id, inspection_id=inspection_id,
                                 defect=defect, issued_on=issued_on, working_days=working_days, due_on=due_on,
                                 due_provisional=due_provisional))
        return order

    def recompute_due(self, *, due_on: date, due_provisional: bool, reason: str) -> bool:
        """Replace a provisional due date by the one the loaded calendar gives; False if nothing changes."""
        if not self.due_provisional or not self.is_open:
            return False
        if due_on == self.due_on and due_provisional:
            return False
        self._record(self.DueRecomputed(**self.ids, previous_due_on=self.due_on, due_on=due_on,
                                        due_provisional=due_provisional, reason=reason))
        return True

    @property
    def ids(self) -> dict[str, str]:
        """The ids every event of this order carries."""
        return {"order_id": self.issued.order_id, "project_id": self.issued.project_id}

    @property
    def is_open(self) -> bool:
        """Whether the defect still awaits a verified fix."""
        return self.status != OrderStatus.VERIFIED

    def submit(self, *, note: str, evidence: list[Evidence]) -> None:
        """The contractor reports the fix, with photos of it."""
        if self.status not in (OrderStatus.ISSUED, OrderStatus.REJECTED):
            raise InvalidCommand(f"整改单当前状态为“{STATUS_ZH[self.status]}”，不能提交", code="order_state")
        if not evidence:
            raise InvalidCommand("提交整改结果须附整改后的现场照片", code="fix_without_photos")
        if len(note.strip()) < 2:
            raise InvalidCommand("请说明整改情况", code="fix_note")
        self._record(self.Submitted(**self.ids, note=note.strip(), evidence=tuple(evidence)))

    def verify(self, *, note: str = "") -> None:
        """Close the order: the fix was checked on site."""
        self._expect_submitted()
        self._record(self.Verified(**self.ids, note=note.strip()))

    def reject(self, *, reason: str) -> None:
        """Send the fix back; the original due date still stands."""
        self._expect_submitted()
        if len(reason.strip()) < 2:
            raise InvalidCommand("请写明复核不通过的理由", code="reject_reason")
        self._record(self.Rejected(**self.ids, reason=reason.strip()))

    def note_overdue(self, *, today: date) -> bool:
        """Record, once, that the due date passed with the order still open."""
        # A provisional date may still move later: the contractor is not put in the wrong on it.
        if self.overdue or not self.is_open or self.due_provisional or today <= self.due_on:
            return False
        self._record(self.FellOverdue(**self.ids, due_on=self.due_on, noted_on=today))
        return True

    def _expect_submitted(self) -> None:
        if self.status != OrderStatus.SUBMITTED:
            raise InvalidCommand(f"整改单当前状态为“{STATUS_ZH[self.status]}”，没有待复核的整改结果",
                                 code="order_state")

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case RectificationOrder.Issued():
                self.issued, self.evidence = event, set()
                self.due_on, self.due_provisional = event.due_on, event.due_provisional
            case RectificationOrder.DueRecomputed():
                self.due_on, self.due_provisional = event.due_on, event.due_provisional
            case RectificationOrder.Submitted():
                self.status = OrderStatus.SUBMITTED
                self.evidence |= {e.sha256 for e in event.evidence}
            case RectificationOrder.Verified():
                self.status = OrderStatus.VERIFIED
            case RectificationOrder.Rejected():
                self.status = OrderStatus.REJECTED
            case RectificationOrder.FellOverdue():
                self.overdue = True
