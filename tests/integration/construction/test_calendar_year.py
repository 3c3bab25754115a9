"""Inspections at the turn of the year: recorded on a provisional calendar, recomputed when 2027 is loaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.construction.bootstrap import create_app
from services.construction.settings import ConstructionSettings
from shared.calendar import parse_schedule
from shared.settings import KernelSettings
from tests.calendar_2027 import schedule_bytes

from .conftest import Running, identity_url
from .test_flow import checklist


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T04:00:00").replace(tzinfo=UTC)  # noon in China


@pytest.fixture
def site(tmp_path, sqlite_url):
    # The calendar is cut at 2026 so the test means the same once the package ships 2027.
    kernel = KernelSettings(var_dir=tmp_path, evidence_dir=tmp_path / "evidence", identity_database_url=identity_url(),
                            kafka_bootstrap_servers="127.0.0.1:9", calendar_official_through=2026)
    app = create_app(ConstructionSettings(database_url=sqlite_url), kernel)
    running = Running(app=app, client=TestClient(app), tmp=tmp_path)
    yield running
    running.service.engine.dispose()


def inspect(site, day: str, severity: str = "minor") -> dict:
    site.ctx.clock = lambda: at(day)
    body = {"zone": "site", "kind": "routine", "items": checklist(fail={"dust_noise.cover": severity})}
    response = site.client.post("/api/projects/p1/inspections", json=body, headers=site.as_("insp"))
    assert response.status_code == 201, response.text
    orders = site.client.get("/api/projects/p1/rectifications", headers=site.as_("con")).json()
    return next(o for o in orders if o["inspection_id"] == response.json()["id"])


def test_defects_at_the_turn_of_the_year_are_recorded_provisionally_then_recomputed_as_events(site):
    site.ready()
    # Monday 28 December 2026, 5 working days: 29, 30, 31, then 4 and 5 January 2027.
    december = inspect(site, "2026-12-28")
    assert (december["due_on"], december["due_provisional"]) == ("2027-01-05", True)
    # Monday 4 January 2027: 5, 6, 7, 8, 11 January on weekends and statutory days.
    january = inspect(site, "2027-01-04")
    assert (january["due_on"], january["due_provisional"]) == ("2027-01-11", True)
    assert [e.payload["due_provisional"] for e in site.events("construction.RectificationOrdered")] == [True, True]
    page = site.client.get(f"/rectifications/{january['order_id']}", headers=site.as_("con"))
    assert page.status_code == 200 and "暂定" in page.text
    # Never overdue on a provisional date, even once it has passed.
    site.ctx.clock = lambda: at("2027-01-20")
    assert site.client.get("/api/rectifications/overdue", headers=site.as_("con")).json()["count"] == 0
    assert site.metric("renovation_construction_rectifications_overdue") == 0

    # The 2027 notice arrives from intake (Saturday 9 January is worked): no restart.
    site.foreign("intake.CalendarYearLoaded", parse_schedule(schedule_bytes(), name="2027.json").payload(),
                 project_id="calendar")
    assert site.service.calendar_keeper.sync() == [2027]
    assert site.ctx.calendar.is_official(2027)
    recomputed = {e.payload["order_id"]: e.payload for e in site.events("construction.RectificationDueRecomputed")}
    assert recomputed[january["order_id"]]["due_on"] == "2027-01-09"
    assert recomputed[january["order_id"]]["previous_due_on"] == "2027-01-11"
    assert recomputed[december["order_id"]]["due_on"] == "2027-01-05"  # same day, now certain
    assert not any(p["due_provisional"] for p in recomputed.values())
    orders = {o["order_id"]: o for o in site.client.get("/api/projects/p1/rectifications",
                                                       headers=site.as_("con")).json()}
    assert orders[january["order_id"]]["due_on"] == "2027-01-09"
    assert not any(o["due_provisional"] for o in orders.values())
    # Now certain, the passed date counts; the hooks do not run twice for the same schedule.
    assert site.client.get("/api/rectifications/overdue", headers=site.as_("con")).json()["count"] == 2
    assert site.metric("renovation_construction_rectifications_overdue") == 2
    assert site.service.calendar_keeper.sync() == []
    assert len(site.events("construction.RectificationDueRecomputed")) == 2


def test_a_restarted_service_reads_the_loaded_year_back(site, tmp_path, sqlite_url):
    site.foreign("intake.CalendarYearLoaded", parse_schedule(schedule_bytes(), name="2027.json").payload(),
                 project_id="calendar")
    kernel = site.service.kernel
    again = create_app(ConstructionSettings(database_url=sqlite_url), kernel)
    assert again.state.construction.calendar.is_official(2027)
    assert again.state.service.calendar is again.state.construction.calendar
    again.state.service.engine.dispose()


def test_in_demo_mode_events_and_due_dates_follow_the_demo_clock(tmp_path, sqlite_url):
    kernel = KernelSettings(var_dir=tmp_path, evidence_dir=tmp_path / "evidence", identity_database_url=identity_url(),
                            kafka_bootstrap_servers="127.0.0.1:9", demo=True)
    app = create_app(ConstructionSettings(database_url=sqlite_url), kernel)
    site = Running(app=app, client=TestClient(app), tmp=tmp_path)
    try:
        site.service.clock.advance(timedelta(days=40))
        site.ready()  # the consumer's events and the officials' commands
        expected = (datetime.now(UTC) + timedelta(days=40)).date()
        stamped = {e.occurred_at.date() for e in site.events("construction.ProjectOpened")
                   + site.events("construction.ContractSigned")}
        assert stamped and all(abs((day - expected).days) <= 1 for day in stamped)
        assert abs((site.ctx.today() - expected).days) <= 1
    finally:
        site.service.engine.dispose()
