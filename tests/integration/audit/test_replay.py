"""`audit replay` from the topics alone: as of a moment between two events it equals what the service showed then."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from shared.audit.replay import BeforeFirstEvent, UnknownProject, replay_project
from shared.audit.view import project_state
from shared.broker import ensure_topics
from shared.calendar import WorkingDayCalendar
from shared.cli.main import app
from shared.settings import KernelSettings

pytestmark = pytest.mark.broker


def test_replay_as_of_a_moment_between_two_events_equals_the_state_then(site_history, kafka):
    site, work, moment, then = site_history
    replayed = replay_project(kafka.bootstrap_servers, "p1", as_of=moment)
    assert replayed.sources == {"construction": "topic"} and not replayed.notes
    state = project_state("p1", replayed.facts, calendar=WorkingDayCalendar(), as_of=moment)
    assert then["state"] == "declared" and state["hidden_works"][work]["status"] == then["state"]
    assert state["hidden_works"][work]["evidence"] == len(then["evidence"]) == 3
    assert all(f.occurred_at <= moment for f in replayed.facts)
    hidden = next(p for p in state["proofs"] if p["rule"] == "hidden_works")
    assert hidden["status"] == "pending"
    now = project_state("p1", replay_project(kafka.bootstrap_servers, "p1").facts, calendar=WorkingDayCalendar())
    assert now["hidden_works"][work]["status"] == "concealed"
    assert next(p for p in now["proofs"] if p["rule"] == "hidden_works")["status"] == "pass"


def test_bad_input_is_named(site_history, kafka):
    site, work, moment, then = site_history
    with pytest.raises(UnknownProject, match="没有项目 nope"):
        replay_project(kafka.bootstrap_servers, "nope")
    with pytest.raises(BeforeFirstEvent, match="早于项目 p1 的第一个事件"):
        replay_project(kafka.bootstrap_servers, "p1", as_of=moment - timedelta(days=1))


def test_a_topic_that_lost_its_messages_falls_back_to_the_store_and_says_so(site_history, kafka):
    site, work, moment, then = site_history
    kafka.restart()  # the embedded broker forgets everything
    asyncio.run(ensure_topics(KernelSettings(kafka_bootstrap_servers=kafka.bootstrap_servers)))
    replayed = replay_project(kafka.bootstrap_servers, "p1", engines={"construction": site.service.engine})
    assert replayed.sources == {"construction": "store"}
    assert "消息代理丢失了消息" in replayed.notes[0] and "不是独立证据" in replayed.notes[0]
    assert {f.source for f in replayed.facts} == {"store"}


def test_the_cli_prints_the_timeline_and_writes_json_and_html(site_history, kafka, tmp_path, monkeypatch):
    site, work, moment, then = site_history
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RENOVATION_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap_servers)
    monkeypatch.setenv("COLUMNS", "240")
    result = CliRunner().invoke(app, ["audit", "replay", "--project", "p1", "--as-of", moment.isoformat(),
                                      "--json", str(tmp_path / "p1.json"), "--html", str(tmp_path / "p1.html")])
    assert result.exit_code == 0, result.output
    assert "HiddenWorkEvidenceAttached" in result.output and "HiddenWorkConcealed" not in result.output
    assert '"declared"' in (tmp_path / "p1.json").read_text()
    assert "规则证明" in (tmp_path / "p1.html").read_text()
    unknown = CliRunner().invoke(app, ["audit", "replay", "--project", "nope"])
    assert unknown.exit_code == 2 and "没有项目 nope" in unknown.output
    naive = CliRunner().invoke(app, ["audit", "replay", "--project", "p1", "--as-of", "2026-01-01T00:00:00"])
    assert naive.exit_code == 2 and "时区" in naive.output


def test_the_calendar_is_the_official_one_as_published_on_intakes_topic(kafka):
    from kafka import KafkaProducer

    from shared.actor import Actor
    from shared.audit.replay import published_calendar
    from shared.calendar import parse_schedule
    from shared.canonical import canonical_json
    from shared.envelope import GENESIS_HASH, Envelope, new_event_id, utc_now
    from tests.calendar_2027 import schedule_bytes

    settings = KernelSettings(kafka_bootstrap_servers=kafka.bootstrap_servers, calendar_official_through=2026)
    asyncio.run(ensure_topics(settings))
    assert not published_calendar(kafka.bootstrap_servers, settings).is_official(2027)
    payload = parse_schedule(schedule_bytes(), name="2027.json").payload()
    event = Envelope(event_id=new_event_id(), event_type="intake.CalendarYearLoaded", schema_version=1,
                     stream_id="calendar-2027", stream_version=1, project_id="calendar", occurred_at=utc_now(),
                     actor=Actor(id="off", role="official"), correlation_id="c", payload=payload)
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
    body = canonical_json(event.chained(position=1, prev_hash=GENESIS_HASH).model_dump(mode="json"))
    producer.send("renovation.intake", body, key=b"calendar").get(timeout=10)
    producer.close()
    calendar = published_calendar(kafka.bootstrap_servers, settings)
    assert calendar.is_official(2027) and calendar.is_working_day(date(2027, 1, 9))  # its make-up Saturday
