"""Working days on the official calendar, and provisional ones where a year's notice is not loaded.

A year is *official* when its State Council schedule is known: from the `chinese_calendar`
package, a file in `var/calendar`, or an `intake.CalendarYearLoaded` event. Any other year is
*provisional*: weekends plus the statutory holidays (see `statutory`). Counting never fails
because a year is provisional; `provisional_between` tells the caller to record that the date
may move, and the date is recomputed when the year is loaded.
"""

from __future__ import annotations

import os
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chinese_calendar import constants as _package

from shared.calendar.schedule import Schedule, load_dir
from shared.calendar.statutory import FIRST_YEAR, LAST_YEAR, statutory_holidays
from shared.errors import InvalidCommand

if TYPE_CHECKING:
    from shared.settings import KernelSettings

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_DIR = Path("var/calendar")
LOAD_HINT = "用 `renovation calendar load 文件` 或项目受理的“工作日历”页面载入"


class CalendarUnknown(InvalidCommand):
    """The date lies where not even a provisional calendar can be computed."""

    code = "calendar_unknown"

    def __init__(self, year: int):
        super().__init__(
            f"{year}年的工作日历未知，也无法按法定节假日暂定：请先载入国务院办公厅公布的{year}年节假日安排"
            f"（{LOAD_HINT}），再计算工作日期限",
            details={"year": year})
        self.year = year


Days = tuple[frozenset[date], frozenset[date]]


@dataclass(frozen=True)
class _State:
    # Official days by the year of the schedule that listed them (a file may reach into
    # a neighbouring year); swapped whole, so a reader never sees half a load.
    by_source: dict[int, Days]
    holidays: frozenset[date]
    workdays: frozenset[date]
    cache: dict[int, tuple[date, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, by_source: dict[int, Days]) -> _State:
        holidays = frozenset().union(*(h for h, _ in by_source.values()))
        workdays = frozenset().union(*(w for _, w in by_source.values()))
        return cls(by_source=by_source, holidays=holidays, workdays=workdays)


def _package_years(official_through: int | None) -> dict[int, Days]:
    holidays, workdays = set(_package.holidays), set(_package.workdays)
    # The package covers every year between its first and last listed holiday.
    last = max(holidays).year if official_through is None else min(max(holidays).year, official_through)
    return {year: (frozenset(d for d in holidays if d.year == year), frozenset(d for d in workdays if d.year == year))
            for year in range(min(holidays).year, last + 1)}


class WorkingDayCalendar:
    """Working days: official where a year's schedule is known, provisional elsewhere."""

    def __init__(self, data_dir: str | Path | None = None, *, official_through: int | None = None):
        by_source = _package_years(official_through)
        # A file is the whole official notice for its year, so it replaces the package's days.
        for year, schedule in (load_dir(Path(data_dir)) if data_dir is not None else {}).items():
            by_source[year] = _days(schedule)
        self._state = _State.of(by_source)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: KernelSettings | None = None) -> WorkingDayCalendar:
        """The calendar read from RENOVATION_CALENDAR_DIR, else `<var_dir>/calendar`."""
        through = getattr(settings, "calendar_official_through", None)
        configured = os.environ.get("RENOVATION_CALENDAR_DIR")
        if configured:
            return cls(configured, official_through=through)
        folder = Path(settings.var_dir) / "calendar" if settings is not None else DEFAULT_DIR
        return cls(folder, official_through=through)

    default = from_settings

    def load(self, schedule: Schedule) -> None:
        """Make `schedule.year` official, in place: every holder of this calendar sees it at once."""
        with self._lock:
            by_source = dict(self._state.by_source)
            by_source[schedule.year] = _days(schedule)
            self._state = _State.of(by_source)

    def official_years(self) -> list[int]:
        """The years whose official schedule is known, ascending."""
        return sorted(self._state.by_source)

    known_years = official_years

    def is_official(self, year: int) -> bool:
        """Whether `year`'s official schedule is loaded (else its days are provisional)."""
        return year in self._state.by_source

    def provisional_between(self, start: date, end: date) -> bool:
        """Whether any year in [start.year, end.year] lacks its official schedule."""
        first, last = sorted((start.year, end.year))
        return any(year not in self._state.by_source for year in range(first, last + 1))

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is a working day (provisionally so in a year without a schedule)."""
        days = self._working_days(self._state, d.year)
        i = bisect_left(days, d)
        return i < len(days) and days[i] == d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`, `start` itself not counted (n=0 gives `start`)."""
        _check_count(n, minimum=0)
        if n == 0:
            return start
        state = self._state
        after = bisect_right(self._working_days(state, start.year), start)
        return self._nth_from(state, start.year, after + n - 1)

    def notice_end(self, start: date, n: int) -> date:
        """The last day of a notice running n working days from `start`, which counts if working."""
        _check_count(n, minimum=1)
        state = self._state
        first = bisect_left(self._working_days(state, start.year), start)
        return self._nth_from(state, start.year, first + n - 1)

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in [start, end], both ends included; 0 if end < start."""
        if end < start:
            return 0
        state, total = self._state, 0
        for year in range(start.year, end.year + 1):
            days = self._working_days(state, year)
            total += bisect_right(days, end) - bisect_left(days, start)
        return total

    def deadline_after(self, received: datetime, n_working_days: int) -> datetime:
        """The end (23:59:59.999999 China time) of the n-th working day after the day of receipt."""
        if received.tzinfo is None:
            raise ValueError("received must be timezone-aware: a naive time has no China date")
        day = self.add_working_days(received.astimezone(CHINA).date(), n_working_days)
        return datetime.combine(day, time.max, tzinfo=CHINA)

    def _nth_from(self, state: _State, year: int, index: int) -> date:
        # Walk whole years rather than days: a long count crosses at most a few of them.
        days = self._working_days(state, year)
        while index >= len(days):
            index -= len(days)
            year += 1
            days = self._working_days(state, year)
        return days[index]

    def _working_days(self, state: _State, year: int) -> tuple[date, ...]:
        if year not in state.cache:
            official = year in state.by_source
            if not official and not FIRST_YEAR <= year <= LAST_YEAR:
                raise CalendarUnknown(year)
            statutory = frozenset() if official else frozenset(statutory_holidays(year))
            first = date(year, 1, 1)
            every = (first + timedelta(i) for i in range((date(year + 1, 1, 1) - first).days))
            state.cache[year] = tuple(d for d in every if _works(state, d, statutory))
        return state.cache[year]


def _works(state: _State, d: date, statutory: frozenset[date]) -> bool:
    # Listed make-up days win over the weekend; listed holidays include their weekends.
    if d in state.workdays:
        return True
    return d.weekday() < 5 and d not in state.holidays and d not in statutory


def _days(schedule: Schedule) -> Days:
    return frozenset(schedule.holidays), frozenset(schedule.workdays)


def _check_count(n: int, *, minimum: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"a working-day count must be an integer of at least {minimum}, got {n!r}")
