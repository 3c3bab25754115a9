"""Public notice (公示): a window of working days on the official calendar, objections and answers.

The plan's notice and a design change's notice work the same way (`002` 三(三), 三(五)):
this module holds what they share; each aggregate records its own events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import InvalidCommand


class WorkingDays(Protocol):
    """The part of shared.calendar.WorkingDayCalendar a notice needs."""

    def notice_end(self, start: date, n: int) -> date:
        """The last day of a notice of n working days from start."""

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end]."""


class NoticeWindow(BaseModel):
    """When a notice runs: from `start` to `end` inclusive, `working_days` working days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    working_days: int = Field(ge=1)


def open_window(calendar: WorkingDays, *, start: date, working_days: int, minimum: int,
                today: date) -> NoticeWindow:
    """A window of at least `minimum` working days from `start`, which may not lie in the past.

    A start or end in a year whose official schedule is unknown raises CalendarUnknown:
    the end of a notice is never guessed.
    """
    if working_days < minimum:
        raise InvalidCommand(f"公示期不得少于 {minimum} 个工作日（申请 {working_days} 个）",
                             code="notice_too_short", details={"minimum": minimum})
    if start < today:
        raise InvalidCommand(f"公示开始日期 {start.isoformat()} 早于今天 {today.isoformat()}，不能补登过去的公示",
                             code="notice_start_in_past")
    end = calendar.notice_end(start, working_days)
    return NoticeWindow(start=start, end=end, working_days=calendar.working_days_between(start, end))


class Objection(BaseModel):
    """An objection raised during a notice, and its answer once given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    objection_id: str
    household_id: str | None
    text: str
    raised_on: date
    answer: str | None = None
    answered_on: date | None = None


@dataclass
class NoticeBoard:
    """The state of one notice: its window, objections and whether it has ended."""

    notice_id: str
    window: NoticeWindow
    objections: dict[str, Objection] = field(default_factory=dict)
    ended: bool = False

    def check_objection(self, *, objection_id: str, today: date) -> None:
        """An objection is taken only while the notice runs."""
        if today < self.window.start:
            raise InvalidCommand(f"公示自 {self.window.start.isoformat()} 开始，尚不能提出异议",
                                 code="notice_not_started")
        if self.ended or today > self.window.end:
            raise InvalidCommand(f"公示已于 {self.window.end.isoformat()} 结束，不能再提出异议",
                                 code="notice_over")
        if objection_id in self.objections:
            raise InvalidCommand("该异议已登记", code="objection_exists")

    def check_answer(self, objection_id: str) -> None:
        """Each objection gets one answer."""
        objection = self.objections.get(objection_id)
        if objection is None:
            raise InvalidCommand(f"异议 {objection_id} 不存在", code="objection_unknown")
        if objection.answer is not None:
            raise InvalidCommand("该异议已答复", code="objection_answered")

    def due(self, today: date) -> bool:
        """Whether the notice should now be declared ended (its last day is past)."""
        return not self.ended and today > self.window.end

    def check_end(self, today: date) -> None:
        """Refuse ending a notice before its last day has passed."""
        if self.ended:
            raise InvalidCommand("公示已结束", code="notice_already_ended")
        if today <= self.window.end:
            raise InvalidCommand(f"公示期至 {self.window.end.isoformat()}，尚未结束", code="notice_running")

    @property
    def unanswered(self) -> int:
        """Objections still without an answer."""
        return sum(1 for o in self.objections.values() if o.answer is None)

    def raised(self, objection: Objection) -> None:
        """Apply: an objection was raised."""
        self.objections[objection.objection_id] = objection

    def answered(self, objection_id: str, answer: str, on: date) -> None:
        """Apply: an objection was answered."""
        self.objections[objection_id] = self.objections[objection_id].model_copy(
            update={"answer": answer, "answered_on": on})
