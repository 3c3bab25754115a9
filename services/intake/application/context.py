"""What intake's handlers need besides a unit of work: the configured rules, the calendar, today."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from services.intake.domain.notice import WorkingDays
from services.intake.domain.rules import Rules
from shared.calendar import CHINA


def china_today() -> date:
    """Today's date in China: notices and deadlines run on China dates."""
    return datetime.now(CHINA).date()


@dataclass(frozen=True)
class Intake:
    """The rules, the official working-day calendar and the clock, built once by the bootstrap."""

    rules: Rules
    calendar: WorkingDays
    clock: Callable[[], date] = china_today

    def today(self) -> date:
        """Today as the clock says (tests and demos may give another clock)."""
        return self.clock()
