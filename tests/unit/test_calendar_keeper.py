"""The kernel's calendar keeper: a loaded year reaches the calendar in place; a failed hook runs again."""

from __future__ import annotations

from datetime import date

import pytest

from shared.actor import Actor
from shared.calendar import WorkingDayCalendar, parse_schedule
from shared.calendar.sync import CALENDAR_EVENT, CalendarKeeper, ensure_tables, projection
from shared.db import create_engine
from shared.envelope import Envelope, new_event_id, utc_now
from shared.launcher import up
from shared.settings import KernelSettings
from tests.calendar_2027 import schedule_bytes


def loaded_event(**overrides) -> Envelope:
    payload = parse_schedule(schedule_bytes(**overrides), name="2027.json").payload()
    return Envelope(event_id=new_event_id(), event_type=CALENDAR_EVENT, schema_version=1,
                    stream_id="calendar-year-2027", stream_version=1, project_id="calendar", occurred_at=utc_now(),
                    actor=Actor(id="o", role="official"), correlation_id=str(new_event_id()), payload=payload,
                    position=1)


def test_a_failed_hook_runs_again_and_a_corrected_schedule_replaces_the_first(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'k.db'}")
    ensure_tables(engine)
    calendar, calls = WorkingDayCalendar(official_through=2026), []

    def hook(owner, year: int) -> None:
        calls.append(year)
        if len(calls) == 1:
            raise RuntimeError("database went away")

    keeper = CalendarKeeper(engine=engine, calendar=calendar, hooks=[hook], owner=None)
    with engine.begin() as conn:
        projection.apply(conn, loaded_event())
    with pytest.raises(RuntimeError):
        keeper.sync()
    assert calendar.is_official(2027) and calendar.is_working_day(date(2027, 1, 9))  # loaded before the hooks
    assert keeper.sync() == [2027] and keeper.sync() == [] and calls == [2027, 2027]

    # A corrected notice for the same year: loaded again, hooks run again.
    with engine.begin() as conn:
        projection.apply(conn, loaded_event(workdays=[]))
    assert keeper.sync() == [2027] and not calendar.is_working_day(date(2027, 1, 9))
    engine.dispose()


def test_the_demo_is_refused_outside_embedded_mode():
    assert up(KernelSettings.model_construct(mode="deployment", demo=False), demo=True) == 2
