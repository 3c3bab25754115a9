"""A quick broker bounce while a consumer lags: nothing missing, nothing applied twice."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa

from shared.broker import ensure_topics, make_broker, topic_for
from shared.consumer import IdempotentConsumer
from shared.envelope import Envelope
from shared.metrics import KernelMetrics
from shared.relay import Relay
from shared.unit_of_work import Projection
from tests.integration.test_relay_and_consumer import append_notes, engine_at, settings_for, wait_for

pytestmark = pytest.mark.broker

seen = sa.Table("bounce_applied", sa.MetaData(), sa.Column("event_id", sa.String), sa.Column("project", sa.String),
                sa.Column("position", sa.Integer))


class Gate:
    """Lets the consumer apply `allowed` events, then holds it (a lagging consumer) until opened."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.passed = 0
        self.open = threading.Event()

    def through(self) -> None:
        self.passed += 1
        if self.passed > self.allowed:
            assert self.open.wait(90), "the consumer was never released"


def gated_projection(gate: Gate) -> Projection:
    projection = Projection(seen)

    @projection.on("intake.Noted")
    def _note(conn, envelope: Envelope) -> None:
        gate.through()
        # No unique key on purpose: an event applied twice shows as two rows.
        conn.execute(seen.insert().values(event_id=str(envelope.event_id), project=envelope.project_id,
                                          position=envelope.position))

    return projection


async def settle(predicate, timeout: float) -> None:
    """Wait until `predicate` holds or `timeout` passes (the assertions then say what is wrong)."""
    for _ in range(int(timeout * 10)):
        if predicate():
            return
        await asyncio.sleep(0.1)


def published(relay: Relay) -> int:
    """The relay's checkpoint: the last log position the broker acknowledged."""
    with relay.engine.connect() as conn:
        return relay.load_checkpoint(conn).position


def rows(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(seen).order_by(seen.c.position)))


@pytest.mark.parametrize("moment", ["new_event_first", "during_publish", "while_down"])
async def test_quick_bounce_with_a_paused_consumer_loses_nothing(kafka, tmp_path, moment):
    settings = settings_for(kafka)
    source, target = engine_at(tmp_path / "intake.db"), engine_at(tmp_path / "acceptance.db")
    seen.metadata.create_all(target)
    gate = Gate(allowed=7)
    metrics = KernelMetrics()
    producer = make_broker(settings, client_id="intake")
    # The periodic loss check is far away: only the relay's per-connection identity check
    # can notice the bounce before something new is published.
    relay = Relay(engine=source, broker=producer, topic=topic_for("intake"), settings=settings,
                  metrics=metrics, poll_seconds=0.1, check_seconds=3600)
    consumer_broker = make_broker(settings, client_id="acceptance")
    consumer = IdempotentConsumer(name="acceptance", engine=target, projection=gated_projection(gate),
                                  settings=settings, metrics=KernelMetrics())
    consumer.backoff_seconds = 0.01
    consumer.subscribe(consumer_broker, [topic_for("intake")])
    stop = asyncio.Event()
    await ensure_topics(settings)
    await producer.start()
    await consumer_broker.start()
    task = asyncio.create_task(relay.run(stop))
    try:
        append_notes(source, 40)
        relay.notify()
        await wait_for(lambda: published(relay) == 40, timeout=30)
        await wait_for(lambda: gate.passed > gate.allowed, timeout=30)  # the consumer is now stuck

        total = 40
        if moment == "during_publish":
            append_notes(source, 300, start=total)
            total += 300
            relay.notify()
            await asyncio.sleep(0.05)
        kafka.kill()
        if moment == "while_down":
            append_notes(source, 5, start=total)
            total += 5
            relay.notify()
            await asyncio.sleep(0.3)
        kafka.start()  # a new, empty broker on the same port, well within a second
        await ensure_topics(settings)
        append_notes(source, 1, start=total)  # a new event goes straight to the new broker
        total += 1
        relay.notify()
        await wait_for(lambda: published(relay) == total, timeout=60)

        gate.open.set()
        await settle(lambda: len(rows(target)) >= total, timeout=60)
        await asyncio.sleep(1.5)  # any re-sent duplicate arrives meanwhile
    finally:
        gate.open.set()
        stop.set()
        await task
        await consumer_broker.stop()
        await producer.stop()
    applied = rows(target)
    ids = [row.event_id for row in applied]
    assert len(set(ids)) == total, f"{total - len(set(ids))} events missing"
    assert len(ids) == total, "an event was applied twice"
    assert metrics.relay_republish._value.get() >= 1


async def test_lag_reads_unknown_while_the_broker_is_down_never_zero(kafka, tmp_path):
    settings = settings_for(kafka)
    source, target = engine_at(tmp_path / "intake.db"), engine_at(tmp_path / "acceptance.db")
    seen.metadata.create_all(target)
    gate = Gate(allowed=5)
    relay = Relay(engine=source, topic=topic_for("intake"), settings=settings, metrics=KernelMetrics(),
                  poll_seconds=0.1, check_seconds=3600)
    consumer_broker = make_broker(settings, client_id="acceptance")
    consumer = IdempotentConsumer(name="acceptance", engine=target, projection=gated_projection(gate),
                                  settings=settings, metrics=KernelMetrics())
    consumer.subscribe(consumer_broker, [topic_for("intake")])
    assert consumer.current_lag() is None, "not measured yet: unknown, not 0"
    stop = asyncio.Event()
    await ensure_topics(settings)
    await consumer_broker.start()
    task = asyncio.create_task(relay.run(stop))
    flusher = asyncio.create_task(consumer.run_commit_flusher(stop))
    try:
        append_notes(source, 30)
        relay.notify()
        await wait_for(lambda: published(relay) == 30 and gate.passed > gate.allowed, timeout=30)
        await wait_for(lambda: consumer.current_lag() is not None and consumer.current_lag() > 0, timeout=10)
        assert relay.lag(30, published(relay)) == 0

        kafka.kill()
        append_notes(source, 3, start=30)
        relay.notify()
        await wait_for(lambda: relay.broker_up is False, timeout=30)
        assert relay.lag(33, published(relay)) is None, "the broker is down: relay lag is unknown"
        await wait_for(lambda: consumer.current_lag() is None, timeout=30)

        kafka.start()
        gate.open.set()
        await wait_for(lambda: relay.lag(33, published(relay)) == 0, timeout=60)
        await wait_for(lambda: consumer.current_lag() == 0, timeout=60)
    finally:
        gate.open.set()
        stop.set()
        await task
        await flusher
        await consumer_broker.stop()
