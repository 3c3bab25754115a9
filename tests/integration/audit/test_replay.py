"""`audit replay` from the topics alone: as of a moment between two events it equals what the service showed then."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from shared.audit.replay import BeforeFirstEvent, UnknownProject, replay_project
from shared.audit.view import project_state
from shared.broker import ensure_topics, topic_for
from shared.calendar import WorkingDayCalendar
from shared.cli.main import app
from shared.metrics import KernelMetrics
from shared.relay import Relay
from shared.settings import KernelSettings
from tests.integration.construction.conftest import start as start_construction

pytestmark = pytest.mark.broker


def relay_all(engine, bootstrap: str) -> None:
    """Publish the service's whole log with the real relay, as a running service does."""
    settings = KernelSettings(kafka_bootstrap_servers=bootstrap)

    async def run() -> None:
        await ensure_topics(settings)
        relay = Relay(engine=engine, topic=topic_for("construction"), settings=settings, metrics=KernelMetrics(),
                      poll_seconds=0.05)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        from shared.eventstore import EventStore

        while True:
            with engine.connect() as conn:
                if relay.load_checkpoint(conn).position >= EventStore().head(conn)[0]:
                    break
            await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(run())


@pytest.fixture
def site_history(kafka, tmp_path, sqlite_url):
    """A hidden work declared and photographed; a moment and what the service showed; then accepted, concealed."""
    site = start_construction(tmp_path, sqlite_url)
    site.ready("p1")
    con = site.as_("con")
    assert site.client.post("/api/projects/p1/items/pipes/start", headers=con).status_code == 204
    work = site.declare("p1")
    site.photos(work, 1, 2, 3)
    time.sleep(0.01)
    moment = datetime.now(UTC)
    then = site.client.get(f"/api/hidden-works/{work}", headers=con).json()
    time.sleep(0.01)
    assert site.client.post(f"/api/hidden-works/{work}/accept", json={"note": "合格"},
                            headers=site.as_("eng")).status_code == 204
    assert site.client.post(f"/api/hidden-works/{work}/conceal", headers=con).status_code == 204
    relay_all(site.service.engine, kafka.bootstrap_servers)
    yield site, work, moment, then
    site.service.engine.dispose()


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
