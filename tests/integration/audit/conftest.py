"""Audit fixtures: one service's log published to the embedded broker, with checkpoints and evidence."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from shared.broker import ensure_topics, topic_for
from shared.metrics import KernelMetrics
from shared.relay import Relay
from shared.settings import KernelSettings
from tests.integration.audit.test_verify_tampering import Log
from tests.integration.construction.conftest import start as start_construction


@pytest.fixture
def log(kafka, tmp_path):
    """12 events relayed to the topic, checkpoints at 4, 8 and 12 published, one evidence object."""
    log = Log(kafka, tmp_path)
    asyncio.run(log.publish())
    yield log
    log.engine.dispose()


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
    site = start_construction(tmp_path, sqlite_url, bootstrap=kafka.bootstrap_servers)
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
