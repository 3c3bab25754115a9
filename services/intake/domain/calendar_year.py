"""The official holiday schedule of a year (国务院办公厅节假日安排), loaded by an official.

The State Council publishes each year's holidays and make-up working days around November of
the year before. Until that notice is loaded, dates in the year are provisional (weekends and
statutory holidays only); loading it is recorded here, with the file's SHA-256, and every
service applies it to its calendar and recomputes the provisional deadlines it holds.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from shared.aggregate import Aggregate
from shared.calendar import Schedule
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class Day(BaseModel):
    """A listed date and its name (春节, 国庆节调休...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    name: str


class CalendarYear(Aggregate):
    """One year's schedule; a corrected notice may replace it, the same file twice is refused."""

    stream_prefix = "calendar-year"

    class Loaded(DomainEvent):
        """The year's official schedule was loaded: the file's content as checked, and its hash."""
        event_type = "intake.CalendarYearLoaded"

        year: int
        source: str
        published: date
        holidays: tuple[Day, ...]
        workdays: tuple[Day, ...]
        sha256: str

    sha256: str | None = None

    def load(self, schedule: Schedule) -> None:
        """Record the schedule, unless this very file is already the year's schedule."""
        if self.sha256 == schedule.sha256:
            raise InvalidCommand(f"{schedule.year}年的这份节假日安排已经载入（SHA-256 {schedule.sha256[:12]}…），"
                                 "无需重复载入",
                                 code="calendar_year_unchanged", details={"year": schedule.year})
        self._record(self.Loaded(**schedule.payload()))

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case CalendarYear.Loaded():
                self.sha256 = event.sha256
