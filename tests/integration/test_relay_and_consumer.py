"""Relay and idempotent consumer against the real embedded broker: order, outages, DLQ."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer

from shared.actor import Actor
from shared.broker import dlq_topic, ensure_topics, make_broker, topic_for
from shared.consumer import IdempotentConsumer
from shared.db import create_engine
from shared.envelope import Envelope, new_event_id, utc_now
from shared.eventstore import EventStore
from shared.metrics import KernelMetrics
from shared.relay import Relay
from shared.schema import dead_letter, inbox, metadata as kernel_metadata
from shared.settings import KernelSettings
from shared.unit_of_work import Projection

pytestmark = pytest.mark.broker

applied = sa.Table("applied", sa.MetaData(), sa.Column("event_id", sa.String), sa.Column("project", sa.String))
projection = Projection(applied)


@projection.on("intake.Noted")
def _note(conn, envelope: Envelope) -> None:
    if envelope.payload.get("explode"):
        raise RuntimeError("this event cannot be applied")
    # Deliberately no unique key: applying an event twice would show as two rows.
    conn.execute(applied.insert().values(event_id=str(envelope.event_id), project=envelope.project_id))


def settings_for(kafka) -> KernelSettings:
    return KernelSettings(kafka_bootstrap_servers=kafka.bootstrap_servers, consumer_max_attempts=3)


def engine_at(path) -> sa.Engine:
    engine = create_engine(f"sqlite:///{path}")
    kernel_metadata.create_all(engine)
    applied.metadata.create_all(engine)
    return engine


def append_notes(engine, count: int, *, start: int = 0, explode: bool = False) -> list[Envelope]:
    """Append `count` events, each its own stream, over five projects."""
    store, placed = EventStore(), []
    for i in range(start, start + count):
        draft = Envelope(
            event_id=new_event_id(), event_type="intake.Noted", schema_version=1, stream_id=f"n-{i}",
            stream_version=1, project_id=f"p-{i % 5}", occurred_at=utc_now(),
            actor=Actor(id="u", role="official"), correlation_id="c", payload={"i": i, "explode": explode})
        with engine.connect().execution_options(immediate=True) as conn, conn.begin():
            placed += store.append(conn, stream_id=draft.stream_id, expected_version=0, batch=[draft])
    return placed


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


async def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


class Pipeline:
    """A producing service (relay) and a consuming service (idempotent consumer)."""

    def __init__(self, kafka, tmp_path) -> None:
        self.settings = settings_for(kafka)
        self.source = engine_at(tmp_path / "intake.db")
        self.target = engine_at(tmp_path / "construction.db")
        self.metrics = KernelMetrics()
        self.producer = make_broker(self.settings, client_id="intake")
        self.relay = Relay(engine=self.source, broker=self.producer, topic=topic_for("intake"),
                           settings=self.settings, metrics=self.metrics, poll_seconds=0.1, check_seconds=0.5)
        self.consumer_broker = make_broker(self.settings, client_id="construction")
        self.consumer = IdempotentConsumer(name="construction", engine=self.target, projection=projection,
                                           settings=self.settings, metrics=KernelMetrics())
        self.consumer.backoff_seconds = 0.01
        self.consumer.subscribe(self.consumer_broker, [topic_for("intake")])
        self.stop = asyncio.Event()

    async def __aenter__(self) -> "Pipeline":
        await ensure_topics(self.settings)
        await self.producer.start()
        await self.consumer_broker.start()
        self.task = asyncio.create_task(self.relay.run(self.stop))
        return self

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        await self.task
        await self.consumer_broker.stop()
        await self.producer.stop()


async def read_topic(kafka, topic: str, expected: int) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=10)
    await consumer.start()
    records: list = []
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records += batch
    finally:
        await consumer.stop()
    return records


async def test_relay_publishes_in_log_order(kafka, tmp_path):
    async with Pipeline(kafka, tmp_path) as pipe:
        placed = append_notes(pipe.source, 60)
        pipe.relay.notify()
        records = await read_topic(kafka, topic_for("intake"), 60)
    assert sorted(int(dict(r.headers)["position"]) for r in records) == [e.position for e in placed]
    by_partition: dict[int, list[int]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        envelope = Envelope.from_json(record.value)
        assert record.key.decode() == envelope.project_id
        by_partition.setdefault(record.partition, []).append(envelope.position)
    for positions in by_partition.values():
        assert positions == sorted(positions), "a partition holds events out of log order"
    assert {Envelope.from_json(r.value).hash for r in records} == {e.hash for e in placed}


async def test_events_survive_broker_outage_and_an_emptied_restart(kafka, tmp_path):
    async with Pipeline(kafka, tmp_path) as pipe:
        append_notes(pipe.source, 20)
        pipe.relay.notify()
        await wait_for(lambda: count(pipe.target, applied) == 20)

        kafka.stop()
        append_notes(pipe.source, 20, start=20)  # commands still succeed while the broker is down
        await wait_for(lambda: not pipe.relay.broker_up, timeout=20)
        assert count(pipe.target, applied) == 20

        kafka.start()  # a new, empty broker on the same port: the first 20 are gone from it
        await wait_for(lambda: count(pipe.target, applied) >= 40, timeout=60)
        await asyncio.sleep(1.0)  # let any re-sent duplicates arrive too

        assert pipe.metrics.relay_republish._value.get() >= 1
    with pipe.target.connect() as conn:
        ids = [row.event_id for row in conn.execute(sa.select(applied.c.event_id))]
    assert len(ids) == 40 and len(set(ids)) == 40, "an event was lost or applied twice"


async def test_redelivered_event_is_applied_once(kafka, tmp_path):
    async with Pipeline(kafka, tmp_path) as pipe:
        [event] = append_notes(pipe.source, 1)
        for _ in range(3):  # the same message delivered three times
            await pipe.producer.publish(event.to_json(), topic_for("intake"), key=b"p-0")
        await wait_for(lambda: count(pipe.target, inbox) == 1)
        pipe.relay.notify()  # and the relay's own copy on top
        await asyncio.sleep(1.0)
    assert count(pipe.target, applied) == 1
    assert pipe.consumer.apply(event) == "duplicate"


async def test_poison_events_go_to_the_dlq_and_the_consumer_goes_on(kafka, tmp_path):
    async with Pipeline(kafka, tmp_path) as pipe:
        await pipe.producer.publish(b"{not json", topic_for("intake"), key=b"p-0")
        append_notes(pipe.source, 1, explode=True)
        append_notes(pipe.source, 3, start=1)
        pipe.relay.notify()
        await wait_for(lambda: count(pipe.target, applied) == 3)
        dlq = await read_topic(kafka, dlq_topic("construction"), 2)
    assert count(pipe.target, dead_letter) == 2
    errors = sorted(dict(r.headers)["error"].decode() for r in dlq)
    assert len(errors) == 2
    assert any("cannot be applied" in e for e in errors) and any("not an event envelope" in e for e in errors)
    with pipe.target.connect() as conn:
        attempts = [row.attempts for row in conn.execute(sa.select(dead_letter.c.attempts).order_by(dead_letter.c.id))]
    assert attempts == [1, 3]  # unparseable: no retry; failing handler: retried to the limit
    assert json.loads(next(r.value for r in dlq if b"explode" in r.value))["payload"]["explode"] is True


async def test_rebuilt_read_models_equal_the_live_ones(kafka, tmp_path):
    """Own and foreign events replayed in their first-applied order give the same tables."""
    from shared.rebuild import rebuild, snapshot

    async with Pipeline(kafka, tmp_path) as pipe:
        append_notes(pipe.source, 12)
        pipe.relay.notify()
        await wait_for(lambda: count(pipe.target, applied) == 12)
    live = snapshot(pipe.target, projection)
    assert sum(len(rows) for rows in live.values()) == 12
    assert rebuild(pipe.target, projection, consumer="construction") == 12
    assert snapshot(pipe.target, projection) == live
