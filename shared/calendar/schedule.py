"""A year's official holiday schedule (the State Council's notice) as data: parsed, checked, hashed.

The same checks serve a file in `var/calendar`, the `renovation calendar load` command and an
official's upload: every problem names the file and what to change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

_FILE_KEYS = {"year", "source", "published", "holidays", "workdays"}


class CalendarDataError(ValueError):
    """A schedule file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Schedule:
    """One year's official holidays and make-up working days, with the SHA-256 of the file read."""

    year: int
    source: str
    published: date
    holidays: dict[date, str]
    workdays: dict[date, str]
    sha256: str

    def payload(self) -> dict[str, Any]:
        """The schedule as an event payload (the file's content, in date order, and its hash)."""
        def days(entries: dict[date, str]) -> list[dict[str, str]]:
            return [{"date": d.isoformat(), "name": n} for d, n in sorted(entries.items())]

        return {"year": self.year, "source": self.source, "published": self.published.isoformat(),
                "holidays": days(self.holidays), "workdays": days(self.workdays), "sha256": self.sha256}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Schedule:
        """The schedule an event recorded, checked again as a file would be."""
        content = {k: payload[k] for k in _FILE_KEYS}
        return parse_schedule(json.dumps(content, ensure_ascii=False).encode(), name=f"event {payload['year']}",
                              sha256=payload["sha256"])


def parse_schedule(raw: bytes, *, name: str, expect_year: int | None = None,
                   sha256: str | None = None) -> Schedule:
    """Check a schedule's bytes; `name` (a file name) appears in every error message."""
    def bad(problem: str) -> CalendarDataError:
        return CalendarDataError(f"calendar file {name}: {problem}")

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"cannot be read as JSON ({exc})") from exc
    if not isinstance(data, dict) or set(data) != _FILE_KEYS:
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise bad(f"must be an object with exactly the keys {sorted(_FILE_KEYS)}, found {found}")
    year = data["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 < year < 2100:
        raise bad(f'"year" must be an integer year such as 2027, got {year!r}')
    if expect_year is not None and year != expect_year:
        raise bad(f'"year" must be an integer equal to the file name, got {year!r}')
    if not isinstance(data["source"], str) or not data["source"].strip():
        raise bad('"source" must name the official notice, e.g. "国办发明电〔2026〕N号"')
    published = _parse_date(data["published"], '"published"', bad)
    holidays = _parse_days(data["holidays"], "holidays", year, bad)
    workdays = _parse_days(data["workdays"], "workdays", year, bad)
    if clash := holidays.keys() & workdays.keys():
        raise bad(f"{min(clash).isoformat()} is listed both as a holiday and as a workday")
    if weekday := next((d for d in sorted(workdays) if d.weekday() < 5), None):
        raise bad(f"workday {weekday.isoformat()} is a weekday; make-up days are weekends")
    return Schedule(year=year, source=data["source"].strip(), published=published, holidays=holidays,
                    workdays=workdays, sha256=sha256 or hashlib.sha256(raw).hexdigest())


def load_file(path: Path) -> Schedule:
    """A schedule file `<year>.json`, checked."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CalendarDataError(f"calendar file {path}: cannot be read as JSON ({exc})") from exc
    expect = int(path.stem) if path.stem.isdigit() else -1
    return parse_schedule(raw, name=str(path), expect_year=expect)


def load_dir(directory: Path) -> dict[int, Schedule]:
    """Every `*.json` schedule of a folder by year; a missing folder holds none."""
    # A missing directory just means no year beyond the package has been published yet.
    if not directory.is_dir():
        return {}
    schedules = [load_file(path) for path in sorted(directory.glob("*.json"))]
    return {s.year: s for s in schedules}


def _parse_days(entries: object, key: str, year: int, bad) -> dict[date, str]:
    if not isinstance(entries, list):
        raise bad(f'"{key}" must be a list of {{"date": "YYYY-MM-DD", "name": "..."}}')
    days: dict[date, str] = {}
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
        days[d] = entry["name"].strip()
    return days


def _parse_date(value: object, where: str, bad) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise bad(f"{where} must be a date written YYYY-MM-DD, got {value!r}")
