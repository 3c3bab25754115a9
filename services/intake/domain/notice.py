"""Public notice (公示): a window of working days on the official calendar, objections and answers.

The plan's notice and a design change's notice work the same way (`002` 三(三), 三(五)):
this module holds what they share; each aggregate records its own events.

An end that falls in a year whose official holiday schedule is not loaded is provisional
(`end_provisional`): the notice runs, takes objections and is shown as 暂定, but it is never
ended on that date. When the year is loaded the end is recomputed (`NoticeEndRecomputed`) and
kept at the later of the two dates, so nobody loses a day the published notice promised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import InvalidCommand
from shared.event import DomainEvent


class WorkingDays(Protocol):
    """The part of shared.calendar.WorkingDayCalendar a notice needs."""

    def notice_end(self, start: date, n: int) -> date:
        """The last day of a notice of n working days from start."""

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end]."""

    def provisional_between(self, start: date, end: date) -> bool:
        """Whether a year in [start, end] has no official schedule loaded."""


class NoticeWindow(BaseModel):
    """When a notice runs: from `start` to `end` inclusive, `working_days` working days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    working_days: int = Field(ge=1)
    end_provisional: bool = False


class NoticeEndRecomputed(DomainEvent):
    """A provisional notice end was recomputed on the calendar loaded for its year."""
    event_type = "intake.NoticeEndRecomputed"

    project_id: str
    notice_id: str
    change_id: str | None = None
    previous_end: date
    end: date
    working_days: int
    end_provisional: bool
    reason: str


def recomputed_window(calendar: WorkingDays, window: NoticeWindow) -> NoticeWindow | None:
    """The window on the calendar as now loaded, never ending before the published end; None if unchanged."""
    if not window.end_provisional:
        return None
    requested = window.working_days
    end = max(calendar.notice_end(window.start, requested), window.end)
    provisional = calendar.provisional_between(window.start, end)
    if end == window.end and provisional:
        return None
    return NoticeWindow(start=window.start, end=end, working_days=calendar.working_days_between(window.start, end),
                        end_provisional=provisional)


def open_window(calendar: WorkingDays, *, start: date, working_days: int, minimum: int,
                today: date) -> NoticeWindow:
    """A window of at least `minimum` working days from `start`, which may not lie in the past.

    An end in a year whose official schedule is not loaded is computed provisionally and
    flagged `end_provisional`: the notice is opened, but not ended on that date.
    """
    if working_days < minimum:
        raise InvalidCommand(f"公示期不得少于 {minimum} 个工作日（申请 {working_days} 个）",
                             code="notice_too_short", details={"minimum": minimum})
    if start < today:
        raise InvalidCommand(f"公示开始日期 {start.isoformat()} 早于今天 {today.isoformat()}，不能补登过去的公示",
                             code="notice_start_in_past")
    end = calendar.notice_end(start, working_days)
    return NoticeWindow(start=start, end=end, working_days=calendar.working_days_between(start, end),
                        end_provisional=calendar.provisional_between(start, end))


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
        return not self.ended and not self.window.end_provisional and today > self.window.end

    def check_end(self, today: date) -> None:
        """Refuse ending a notice before its last day has passed, or while that day is provisional."""
        if self.ended:
            raise InvalidCommand("公示已结束", code="notice_already_ended")
        if today <= self.window.end:
            raise InvalidCommand(f"公示期至 {self.window.end.isoformat()}，尚未结束", code="notice_running")
        if self.window.end_provisional:
            raise InvalidCommand(
                f"公示截止日 {self.window.end.isoformat()} 是暂定的："
                f"{self.window.end.year}年的国务院节假日安排尚未载入，"
                "截止日可能推后，因此不能结束公示。请载入该年的工作日历（renovation calendar load 或“工作日历”页面），"
                "截止日会自动重算", code="notice_end_provisional", details={"year": self.window.end.year})

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
