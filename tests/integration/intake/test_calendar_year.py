"""The turn of the year in intake: a notice opened on a provisional calendar, 2027 loaded by an official."""

from __future__ import annotations

from datetime import date

import pytest

from shared.eventstore import EventStore
from tests.calendar_2027 import schedule_bytes
from tests.integration.intake import flow
from tests.integration.intake.conftest import Clock, build
from tests.integration.intake.flow import ok

SMALL = {"buildings": 2, "units": 1, "storeys": 6, "per_floor": 1}


@pytest.fixture
def intake(tmp_path, sqlite_url, monkeypatch):
    # Cut at 2026: the test means the same once the calendar package ships 2027.
    monkeypatch.setenv("RENOVATION_CALENDAR_OFFICIAL_THROUGH", "2026")
    built = build(sqlite_url, tmp_path, clock=Clock(date(2027, 1, 4)))
    yield built
    built.service.engine.dispose()


def events(intake, event_type: str) -> list:
    with intake.service.engine.connect() as conn:
        return [e for e in EventStore().iter_all(conn) if e.event_type == event_type]


def test_a_notice_opened_on_4_january_2027_waits_for_the_2027_calendar_before_it_ends(intake):
    h = intake.headers
    _, project_id, notice_id = flow.to_notice(intake.client, h, flow.community(**SMALL), start=date(2027, 1, 4))
    notice = ok(intake.client.get(f"/api/notices/{notice_id}", headers=h["official"]))
    assert (notice["end"], notice["end_provisional"]) == ("2027-01-21", True)
    assert events(intake, "intake.PlanNoticePublished")[0].payload["end_provisional"] is True
    page = intake.client.get(f"/notices/{notice_id}", headers=h["official"])
    assert "暂定" in page.text

    # Long past the provisional end, the notice clock still does not end it, nor may staff.
    intake.clock.today = date(2027, 2, 1)
    intake.tick()
    assert ok(intake.client.get(f"/api/notices/{notice_id}", headers=h["official"]))["status"] == "open"
    refused = intake.client.post(f"/api/notices/{notice_id}/end", headers=h["community"])
    assert refused.status_code == 422 and refused.json()["error"] == "notice_end_provisional"
    assert "暂定" in refused.json()["detail"] and "2027年" in refused.json()["detail"]
    assert ok(intake.client.get("/api/calendar", headers=h["official"]))["provisional_years"] == [2027, 2028]

    # Only an official loads a year; a malformed file is refused with the reason.
    assert intake.client.post("/api/calendar/years", content=schedule_bytes(),
                              headers=h["community"]).status_code == 403
    bad = intake.client.post("/api/calendar/years", content=schedule_bytes(workdays=[{"date": "2027-01-06",
                             "name": "x"}]), headers=h["official"])
    assert bad.status_code == 422 and bad.json()["error"] == "calendar_file_invalid"
    assert "2027-01-06 is a weekday" in bad.json()["detail"]
    loaded = ok(intake.client.post("/api/calendar/years", content=schedule_bytes(), headers=h["official"]), 201)
    assert loaded["year"] == 2027 and len(loaded["sha256"]) == 64
    again = intake.client.post("/api/calendar/years", content=schedule_bytes(), headers=h["official"])
    assert again.status_code == 422 and again.json()["error"] == "calendar_year_unchanged"

    # Without a restart: the kernel loads it and intake recomputes the end as an event.
    assert intake.service.calendar_keeper.sync() == [2027]
    [recomputed] = events(intake, "intake.NoticeEndRecomputed")
    assert recomputed.payload["end_provisional"] is False and recomputed.payload["end"] == "2027-01-21"
    notice = ok(intake.client.get(f"/api/notices/{notice_id}", headers=h["official"]))
    assert notice["end_provisional"] is False
    intake.tick()
    assert ok(intake.client.get(f"/api/notices/{notice_id}", headers=h["official"]))["status"] == "ended"
    assert ok(intake.client.get(f"/api/projects/{project_id}", headers=h["official"]))["status"] == "noticed"


def test_the_calendar_page_takes_an_officials_upload(intake):
    h = intake.headers
    page = intake.client.get("/calendar", headers=h["official"])
    assert page.status_code == 200 and "载入年度节假日安排" in page.text and "2027" in page.text
    files = {"file": ("2027.json", b'{"year": 2027,', "application/json")}
    refused = intake.client.post("/calendar", files=files, headers=h["official"])
    assert refused.status_code == 422 and "cannot be read as JSON" in refused.text
    files = {"file": ("2027.json", schedule_bytes(), "application/json")}
    done = intake.client.post("/calendar", files=files, headers=h["official"], follow_redirects=False)
    assert done.status_code == 303
    assert len(events(intake, "intake.CalendarYearLoaded")) == 1
    assert "载入年度节假日安排" not in intake.client.get("/calendar", headers=h["community"]).text


def test_an_oversized_or_empty_body_is_refused_with_a_reason(intake):
    h = intake.headers["official"]
    big = intake.client.post("/api/calendar/years", content=b" " * (300 * 1024), headers=h)
    assert big.status_code == 422 and "过大" in big.json()["detail"]
    empty = intake.client.post("/api/calendar/years", content=b"", headers=h)
    assert empty.status_code == 422 and "cannot be read as JSON" in empty.json()["detail"]
