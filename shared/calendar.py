"""The official working-day calendar: statutory holidays and make-up days (调休), in China time."""

from __future__ import annotations

import json
import os
from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chinese_calendar import constants as _package

from shared.errors import InvalidCommand

if TYPE_CHECKING:
    from shared.settings import KernelSettings

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_DIR = Path("var/calendar")
_FILE_KEYS = {"year", "source", "published", "holidays", "workdays"}


class CalendarUnknown(InvalidCommand):
    """The date falls in a year whose official holiday schedule has not been loaded."""

    code = "calendar_unknown"

    def __init__(self, year: int):
        super().__init__(
            f"{year}年的工作日历未知：请先载入国务院办公厅公布的{year}年节假日安排，再计算工作日期限",
            details={"year": year},
        )
        self.year = year


class CalendarDataError(ValueError):
    """A schedule file is malformed; the message names the file and the problem."""


class WorkingDayCalendar:
    """Working days from the `chinese_calendar` package, overridden or extended by JSON files."""

    def __init__(self, data_dir: str | Path | None = None):
        holidays = set(_package.holidays)
        workdays = set(_package.workdays)
        # The package covers every year between its first and last listed holiday.
        years = set(range(min(holidays).year, max(holidays).year + 1))
        schedules = _load_dir(Path(data_dir)) if data_dir is not None else {}
        # A file is the whole official notice for its year, so it replaces the package's
        # days for that year first; entries it lists in a neighbouring year (a make-up day
        # on 31 December) are added after every replacement so none is wiped out.
        holidays = {d for d in holidays if d.year not in schedules}
        workdays = {d for d in workdays if d.year not in schedules}
        for file_holidays, file_workdays in schedules.values():
            holidays |= file_holidays
            workdays |= file_workdays
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._years = frozenset(years | set(schedules))
        self._by_year: dict[int, tuple[date, ...]] = {}

    @classmethod
    def from_settings(cls, settings: KernelSettings | None = None) -> WorkingDayCalendar:
        """The calendar read from RENOVATION_CALENDAR_DIR, else `<var_dir>/calendar`."""
        configured = os.environ.get("RENOVATION_CALENDAR_DIR")
        if configured:
            return cls(configured)
        return cls(Path(settings.var_dir) / "calendar" if settings is not None else DEFAULT_DIR)

    default = from_settings

    def known_years(self) -> list[int]:
        """The years whose official schedule is known, ascending."""
        return sorted(self._years)

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is an official working day."""
        days = self._working_days(d.year)
        i = bisect_left(days, d)
        return i < len(days) and days[i] == d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`, `start` itself not counted (n=0 gives `start`)."""
        _check_count(n, minimum=0)
        if n == 0:
            return start
        after = bisect_right(self._working_days(start.year), start)
        return self._nth_from(start.year, after + n - 1)

    def notice_end(self, start: date, n: int) -> date:
        """The last day of a notice running n working days from `start`, which counts if working."""
        _check_count(n, minimum=1)
        first = bisect_left(self._working_days(start.year), start)
        return self._nth_from(start.year, first + n - 1)

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in [start, end], both ends included; 0 if end < start."""
        if end < start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._working_days(year)
            total += bisect_right(days, end) - bisect_left(days, start)
        return total

    def deadline_after(self, received: datetime, n_working_days: int) -> datetime:
        """The end (23:59:59.999999 China time) of the n-th working day after the day of receipt."""
        if received.tzinfo is None:
            raise ValueError("received must be timezone-aware: a naive time has no China date")
        day = self.add_working_days(received.astimezone(CHINA).date(), n_working_days)
        return datetime.combine(day, time.max, tzinfo=CHINA)

    def _nth_from(self, year: int, index: int) -> date:
        # Walk whole years rather than days: a long count crosses at most a few of them.
        days = self._working_days(year)
        while index >= len(days):
            index -= len(days)
            year += 1
            days = self._working_days(year)
        return days[index]

    def _working_days(self, year: int) -> tuple[date, ...]:
        if year not in self._years:
            raise CalendarUnknown(year)
        if year not in self._by_year:
            first = date(year, 1, 1)
            every = (first + timedelta(i) for i in range((date(year + 1, 1, 1) - first).days))
            self._by_year[year] = tuple(d for d in every if self._works(d))
        return self._by_year[year]

    def _works(self, d: date) -> bool:
        # Listed make-up days win over the weekend; listed holidays include their weekends.
        return d in self._workdays or (d.weekday() < 5 and d not in self._holidays)


def _check_count(n: int, *, minimum: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"a working-day count must be an integer of at least {minimum}, got {n!r}")


def _load_dir(directory: Path) -> dict[int, tuple[set[date], set[date]]]:
    # A missing directory just means no year beyond the package has been published yet.
    if not directory.is_dir():
        return {}
    return dict(_load_file(path) for path in sorted(directory.glob("*.json")))


def _load_file(path: Path) -> tuple[int, tuple[set[date], set[date]]]:
    def bad(problem: str) -> CalendarDataError:
        return CalendarDataError(f"calendar file {path}: {problem}")

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"cannot be read as JSON ({exc})") from exc
    if not isinstance(data, dict) or set(data) != _FILE_KEYS:
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise bad(f"must be an object with exactly the keys {sorted(_FILE_KEYS)}, found {found}")
    year = data["year"]
    if not isinstance(year, int) or isinstance(year, bool) or path.stem != str(year):
        raise bad(f'"year" must be an integer equal to the file name, got {year!r}')
    if not isinstance(data["source"], str) or not data["source"].strip():
        raise bad('"source" must name the official notice, e.g. "国办发明电〔2026〕N号"')
    _parse_date(data["published"], '"published"', bad)
    holidays = _parse_days(data["holidays"], "holidays", year, bad)
    workdays = _parse_days(data["workdays"], "workdays", year, bad)
    if clash := holidays & workdays:
        raise bad(f"{min(clash).isoformat()} is listed both as a holiday and as a workday")
    if weekday := next((d for d in sorted(workdays) if d.weekday() < 5), None):
        raise bad(f"workday {weekday.isoformat()} is a weekday; make-up days are weekends")
    return year, (holidays, workdays)


def _parse_days(entries: object, key: str, year: int, bad) -> set[date]:
    if not isinstance(entries, list):
        raise bad(f'"{key}" must be a list of {{"date": "YYYY-MM-DD", "name": "..."}}')
    days: set[date] = set()
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"date", "name"}:
            raise bad(f'{where} must be an object with exactly "date" and "name"')
        if not isinstance(entry["name"], str) or not entry["name"].strip():
            raise bad(f'{where}.name must be a non-empty string such as "春节"')
        d = _parse_date(entry["date"], f"{where}.date", bad)
        # A notice may reach into the neighbouring year (a make-up day on 31 December), no further.
        if abs(d.year - year) > 1:
            raise bad(f"{where}.date {d.isoformat()} is too far from the year {year}")
        if d in days:
            raise bad(f"{where}.date {d.isoformat()} is listed twice")
        days.add(d)
    return days


def _parse_date(value: object, where: str, bad) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise bad(f"{where} must be a date written YYYY-MM-DD, got {value!r}")
