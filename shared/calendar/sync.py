"""Keeps every service's working-day calendar current: loaded years arrive as events, no restart.

An official records `intake.CalendarYearLoaded` (the schedule file's content and its SHA-256).
Every service applies it into the kernel table `calendar_year` (intake as its own event, the
others through their subscription to intake); a keeper task loads each new row into the
service's `WorkingDayCalendar` in place, then runs the service's `on_calendar_year` hooks,
which recompute the provisional deadlines the service holds. A hook's success is remembered
per year and hash in `calendar_hook_done`, so a failed or interrupted run is repeated.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.calendar.schedule import Schedule
from shared.calendar.working_days import WorkingDayCalendar
from shared.envelope import Envelope, utc_now
from shared.unit_of_work import Projection

log = logging.getLogger("renovation.calendar")

CALENDAR_EVENT = "intake.CalendarYearLoaded"
CalendarHook = Callable[[Any, int], None]

metadata = sa.MetaData()
calendar_year = sa.Table(
    "calendar_year", metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("schedule", sa.Text, nullable=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("loaded_at", sa.String(40), nullable=False),
)
# Bookkeeping, not a read model: a rebuild must not make every hook run again.
calendar_hook_done = sa.Table(
    "calendar_hook_done", metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("done_at", sa.String(40), nullable=False),
)

projection = Projection(calendar_year)


@projection.on(CALENDAR_EVENT)
def _year_loaded(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(calendar_year.delete().where(calendar_year.c.year == p["year"]))
    conn.execute(calendar_year.insert().values(
        year=p["year"], sha256=p["sha256"], schedule=json.dumps(p, ensure_ascii=False),
        event_id=str(envelope.event_id), loaded_at=envelope.occurred_at.isoformat()))


def ensure_tables(engine: Engine) -> None:
    """Create the kernel's calendar tables where missing (every service has them, none migrates them)."""
    metadata.create_all(engine, checkfirst=True)


def loaded_years(conn: Connection) -> list[dict[str, Any]]:
    """The years loaded by event: year, sha256, source, published, loaded_at, ascending."""
    rows = conn.execute(sa.select(calendar_year).order_by(calendar_year.c.year)).mappings()
    return [{"year": r["year"], "sha256": r["sha256"], "loaded_at": r["loaded_at"],
             **{k: json.loads(r["schedule"])[k] for k in ("source", "published")}} for r in rows]


class CalendarKeeper:
    """Loads new `calendar_year` rows into the calendar and runs the hooks until they succeed."""

    def __init__(self, *, engine: Engine, calendar: WorkingDayCalendar, hooks: Sequence[CalendarHook],
                 owner: Any, poll_seconds: float = 1.0):
        self.engine, self.calendar, self.hooks, self.owner = engine, calendar, tuple(hooks), owner
        self.poll_seconds = poll_seconds
        self._loaded: dict[int, str] = {}
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def loaded_years(self) -> list[int]:
        """The years this keeper has loaded into the calendar so far."""
        return sorted(self._loaded)

    def wake(self) -> None:
        """Look again now (a load was just committed here); safe from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def load(self) -> list[tuple[int, str]]:
        """Load the years that are new or changed into the calendar; answers every (year, sha256) row."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(calendar_year.c.year, calendar_year.c.sha256, calendar_year.c.schedule)
                                .order_by(calendar_year.c.year)).all()
        for year, sha256, schedule in rows:
            if self._loaded.get(year) != sha256:
                self.calendar.load(Schedule.from_payload(json.loads(schedule)))
                self._loaded[year] = sha256
                log.info("calendar: %d is official now (sha256 %s)", year, sha256[:12])
        return [(year, sha256) for year, sha256, _ in rows]

    def sync(self) -> list[int]:
        """Load what is new into the calendar, then run pending hooks; answers the years hooked."""
        rows = self.load()
        with self.engine.connect() as conn:
            done = dict(conn.execute(sa.select(calendar_hook_done.c.year, calendar_hook_done.c.sha256)).all())
        hooked = []
        for year, sha256 in rows:
            if done.get(year) != sha256:
                self._run_hooks(year, sha256)
                hooked.append(year)
        return hooked

    def _run_hooks(self, year: int, sha256: str) -> None:
        for hook in self.hooks:
            hook(self.owner, year)
        with self.engine.begin() as conn:
            conn.execute(calendar_hook_done.delete().where(calendar_hook_done.c.year == year))
            conn.execute(calendar_hook_done.insert().values(year=year, sha256=sha256, done_at=utc_now().isoformat()))

    async def run(self, stop: asyncio.Event) -> None:
        """Sync now and then until stopped; a failing hook is logged and retried next round."""
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.sync)
            except Exception:
                log.exception("calendar: loading a year or its hooks failed; retrying")
            self._wake.clear()
            waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
            await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
