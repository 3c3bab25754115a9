"""Time limits (办理时限) per category and urgency, in hours or working days, and the escalation ladder.

DOMAIN.md "Complaint handling (12345 practice)": emergency 2 h, utility outage 24 h,
consultation 1 working day, complaint 5 working days, complex 15 working days with a stated
reason; an expired limit escalates 催办 → 督办 → 通报. Working days come from the official
calendar (make-up days count, holidays do not). A limit that falls in a year whose schedule is
not loaded is *provisional*: recorded with the flag, never escalated on, recomputed once loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from services.complaints.domain.category import Urgency
from shared.calendar import CHINA, CalendarUnknown

LEVELS = ("reminder", "supervision", "public_notice")
_SPEC = re.compile(r"^\s*(\d{1,4})\s*(h|wd)\s*$")


class Calendar(Protocol):
    """The part of the working-day calendar a limit needs."""

    def deadline_after(self, received: datetime, n_working_days: int) -> datetime: ...


@dataclass(frozen=True)
class Limit:
    """A time limit: `amount` hours or working days, and which rule chose it."""

    rule: str
    amount: int
    unit: str  # "h" | "wd"

    @classmethod
    def parse(cls, rule: str, spec: str) -> "Limit":
        """`2h` or `5wd`; anything else is a configuration error named with its rule."""
        match = _SPEC.match(spec)
        if not match or int(match.group(1)) == 0:
            raise ValueError(f"time limit {rule!r} must be like '2h' or '5wd', got {spec!r}")
        return cls(rule=rule, amount=int(match.group(1)), unit=match.group(2))

    @property
    def label(self) -> str:
        """What people read: “2 小时” / “5 个工作日”."""
        return f"{self.amount} 小时" if self.unit == "h" else f"{self.amount} 个工作日"


@dataclass(frozen=True)
class Due:
    """When the limit runs out, and whether that rests on a provisional calendar year."""

    at: datetime
    provisional: bool


def choose(*, category: str, urgency: Urgency, limits: dict[str, str], by_category: dict[str, str]) -> Limit:
    """The limit of a complaint: emergency, then outage, then consultation, then the category's or 5 wd."""
    if urgency == Urgency.EMERGENCY:
        return Limit.parse("emergency", limits["emergency"])
    if category == "utility_outage":
        return Limit.parse("outage", limits["outage"])
    if urgency == Urgency.CONSULTATION:
        return Limit.parse("consultation", limits["consultation"])
    if category in by_category:
        return Limit.parse(f"category:{category}", by_category[category])
    return Limit.parse("complaint", limits["complaint"])


def due_after(start: datetime, limit: Limit, calendar: Calendar) -> Due:
    """The instant the limit runs out, counted from `start` (receipt, or a reopening)."""
    if limit.unit == "h":
        return Due(at=start + timedelta(hours=limit.amount), provisional=False)
    try:
        at = calendar.deadline_after(start, limit.amount)
    except CalendarUnknown:
        return Due(at=_weekdays_after(start, limit.amount), provisional=True)
    provisional_between = getattr(calendar, "provisional_between", None)
    provisional = bool(provisional_between and provisional_between(start.astimezone(CHINA).date(),
                                                                    at.astimezone(CHINA).date()))
    return Due(at=at, provisional=provisional)


def _weekdays_after(start: datetime, n: int) -> datetime:
    # Only used while the calendar cannot answer at all: weekdays, flagged provisional.
    day = start.astimezone(CHINA).date()
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return datetime.combine(day, time.max, tzinfo=CHINA)


def levels_reached(*, now: datetime, due: datetime, supervision_after: timedelta,
                   public_notice_after: timedelta) -> tuple[str, ...]:
    """The escalation levels a clock that ran out at `due` has reached by `now`, in order."""
    if now <= due:
        return ()
    reached = ["reminder"]
    if now > due + supervision_after:
        reached.append("supervision")
    if now > due + public_notice_after:
        reached.append("public_notice")
    return tuple(reached)
