"""The relay writes its checkpoint seldom; a checkpoint that lags re-sends, never loses."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer

from shared.broker import ensure_topics, make_broker, topic_for
from shared.consumer import IdempotentConsumer
from shared.metrics import KernelMetrics
from shared.relay import Relay
from tests.integration.test_relay_and_consumer import (
    append_notes, applied, count, engine_at, projection, settings_for, wait_for,
)

pytestmark = pytest.mark.broker


class CountingRelay(Relay):
    """A relay that counts its checkpoint writes."""

    saves = 0

    def save_checkpoint(self, checkpoint, *, republished: bool = False) -> None:
        """Count, then write as the relay does."""
        self.saves += 1
        super().save_checkpoint(checkpoint, republished=republished)


class CrashingRelay(Relay):
    """A relay killed before it ever wrote its checkpoint: the database still says 0."""

    async def flush_checkpoint(self) -> None:
        """Never reaches the database."""


async def everything_on(kafka, topic: str, *, quiet: float = 2.0) -> list:
    """Every record on the topic: read until nothing more arrives for `quiet` seconds."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap_servers, auto_offset_reset="earliest",
                                enable_auto_commit=False, fetch_max_wait_ms=10)
    await consumer.start()
    records: list = []
    try:
        while batch := await consumer.getmany(timeout_ms=quiet * 1000):
            records += [record for part in batch.values() for record in part]
    finally:
        await consumer.stop()
    return records


def stored_position(relay: Relay) -> int:
    with relay.engine.connect() as conn:
        return relay.load_checkpoint(conn).position


async def running(relay: Relay, stop: asyncio.Event) -> asyncio.Task:
    await ensure_topics(relay.settings)
    return asyncio.create_task(relay.run(stop))


async def test_the_checkpoint_is_written_seldom_and_nothing_is_sent_twice_meanwhile(kafka, tmp_path):
    source = engine_at(tmp_path / "intake.db")
    relay = CountingRelay(engine=source, topic=topic_for("intake"), settings=settings_for(kafka),
                          metrics=KernelMetrics(), poll_seconds=0.05, check_seconds=3600, checkpoint_seconds=3600)
    stop = asyncio.Event()
    task = await running(relay, stop)
    try:
        for round_ in range(3):
            append_notes(source, 10, start=10 * round_)
            relay.notify()
            await wait_for(lambda n=10 * (round_ + 1): relay.acknowledged == n)
        assert relay.saves <= 1, "a checkpoint write per batch"
        assert stored_position(relay) < 30
    finally:
        stop.set()
        await task
    assert stored_position(relay) == 30, "stopping writes the acknowledged position"
    positions = sorted(int(dict(r.headers)["position"]) for r in await everything_on(kafka, topic_for("intake")))
    assert positions == list(range(1, 31)), "the relay re-sent what the broker had acknowledged"


async def test_a_checkpoint_lost_in_a_crash_re_sends_and_every_event_is_applied_once(kafka, tmp_path):
    settings = settings_for(kafka)
    source, target = engine_at(tmp_path / "intake.db"), engine_at(tmp_path / "construction.db")
    crashed = CrashingRelay(engine=source, topic=topic_for("intake"), settings=settings, metrics=KernelMetrics(),
                            poll_seconds=0.05, check_seconds=3600)
    stop = asyncio.Event()
    task = await running(crashed, stop)
    try:
        append_notes(source, 20)
        crashed.notify()
        await wait_for(lambda: crashed.acknowledged == 20)
    finally:
        stop.set()
        await task
    assert stored_position(crashed) == 0

    consumer_broker = make_broker(settings, client_id="construction")
    consumer = IdempotentConsumer(name="construction", engine=target, projection=projection, settings=settings,
                                  metrics=KernelMetrics())
    consumer.subscribe(consumer_broker, [topic_for("intake")])
    await consumer_broker.start()
    restarted = Relay(engine=source, topic=topic_for("intake"), settings=settings, metrics=KernelMetrics(),
                      poll_seconds=0.05, check_seconds=3600)
    stop = asyncio.Event()
    task = await running(restarted, stop)
    try:
        append_notes(source, 5, start=20)
        restarted.notify()
        await wait_for(lambda: count(target, applied) >= 25)
        await asyncio.sleep(0.5)  # any further duplicate arrives meanwhile
    finally:
        stop.set()
        await task
        await consumer_broker.stop()
    assert len(await everything_on(kafka, topic_for("intake"))) == 45, "the first 20 went out twice"
    with target.connect() as conn:
        ids = conn.execute(sa.select(applied.c.event_id)).scalars().all()
    assert len(ids) == 25 and len(set(ids)) == 25, "an event was lost or applied twice"
