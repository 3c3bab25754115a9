"""`bench flow`: a command's event applied in another service, beside bare FastStream, at a fixed rate."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaMessage

from shared.bench import machine_facts
from shared.bench.store import ACTOR, NO_READ_MODELS, BenchNote
from shared.broker import ensure_topics, make_broker
from shared.consumer import IdempotentConsumer
from shared.db import create_engine
from shared.embedded import EmbeddedBroker, free_port
from shared.envelope import Envelope
from shared.metrics import KernelMetrics
from shared.relay import Relay
from shared.schema import metadata as kernel_metadata
from shared.settings import KernelSettings
from shared.unit_of_work import Projection, UnitOfWork

# ARCHITECTURE.md: tansu does not wake a waiting fetch, so both sides poll every 10 ms.
FETCH_MAX_WAIT_MS = 10
DRAIN_SECONDS = 30.0
WARM_UP_SECONDS = 60.0

bench_applied = sa.Table(
    "bench_applied", sa.MetaData(),
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
)
APPLIED = Projection(bench_applied)


@APPLIED.on("bench.Noted")
def _note_applied(conn: sa.Connection, envelope: Envelope) -> None:
    conn.execute(bench_applied.insert().values(
        event_id=str(envelope.event_id), seq=envelope.payload["seq"]))


@dataclass(frozen=True)
class Latency:
    """One side of the flow bench: latencies in milliseconds and the send rate achieved."""

    name: str
    sent: int
    received: int
    achieved_rate: float
    p50: float
    p90: float
    p99: float
    max: float


@dataclass(frozen=True)
class FlowBenchResult:
    """Both sides of `bench flow`, and the conditions they ran under."""

    rate: float
    seconds: float
    broker: str
    fetch_max_wait_ms: int
    kernel: Latency
    bare: Latency
    machine: dict[str, str]


class _TimedConsumer(IdempotentConsumer):
    """The idempotent consumer, noting when each bench event's transaction has committed."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.done: dict[int, float] = {}

    def apply(self, envelope: Envelope, source_offset: int = -1) -> str:
        """Apply as the kernel does, then note the moment it became visible."""
        outcome = super().apply(envelope, source_offset)
        if outcome == "applied":
            self.done[envelope.payload["seq"]] = time.perf_counter()
        return outcome


async def run_flow_bench(
    *, rate: float = 200.0, seconds: float = 30.0, bootstrap: str | None = None
) -> FlowBenchResult:
    """Latency of command → relay → broker → idempotent consumer, and of bare FastStream."""
    tag = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="renovation-flow-") as folder:
        embedded = None
        if bootstrap is None:
            embedded = EmbeddedBroker(port=free_port(), log_path=Path(folder) / "tansu.log")
            embedded.start()
        servers = bootstrap or embedded.bootstrap_servers
        settings = KernelSettings(kafka_bootstrap_servers=servers,
                                  consumer_fetch_max_wait_ms=FETCH_MAX_WAIT_MS)
        topics = [f"renovation.bench-{tag}", f"renovation.bench-{tag}.bare"]
        try:
            await ensure_topics(settings, topics)
            kernel = await _kernel_flow(settings, Path(folder), topics[0], rate=rate, seconds=seconds)
            bare = await _bare_flow(settings, topics[1], rate=rate, seconds=seconds)
        finally:
            if embedded:
                embedded.stop()
            else:
                await _delete_topics(settings, topics)
    broker = f"embedded tansu on {servers} (started by the bench)" if embedded else servers
    return FlowBenchResult(rate=rate, seconds=seconds, broker=broker,
                           fetch_max_wait_ms=FETCH_MAX_WAIT_MS, kernel=kernel, bare=bare,
                           machine=machine_facts())


async def _kernel_flow(settings: KernelSettings, folder: Path, topic: str, *,
                       rate: float, seconds: float) -> Latency:
    """A producing service commits, its relay publishes, a consuming service applies."""
    source, target = _engine(folder / "producer.db"), _engine(folder / "consumer.db")
    metrics = KernelMetrics()
    producer = make_broker(settings, client_id="bench-producer")
    relay = Relay(engine=source, broker=producer, topic=topic, settings=settings, metrics=metrics,
                  batch_size=settings.relay_batch_size)
    consumer_broker = make_broker(settings, client_id="bench-consumer")
    consumer = _TimedConsumer(name=topic.removeprefix("renovation."), engine=target,
                              projection=APPLIED, settings=settings, metrics=KernelMetrics())
    consumer.subscribe(consumer_broker, [topic])

    def committed(envelopes: list[Envelope]) -> None:
        # The path Service._committed takes after every commit: count, then wake the relay.
        for envelope in envelopes:
            metrics.events_appended.labels(envelope.event_type).inc()
        relay.notify()

    def command(seq: int) -> None:
        note = BenchNote.start()
        note.note(seq=seq)
        with UnitOfWork(engine=source, projection=NO_READ_MODELS, actor=ACTOR,
                        on_commit=committed) as work:
            work.save(note, project_id=f"p-{seq % 5}")
            work.commit()

    stop = asyncio.Event()
    await producer.start()
    await consumer_broker.start()
    relay_task = asyncio.create_task(relay.run(stop))
    try:
        # Warm up until the group has joined: its first fetch is not what a steady flow sees.
        await asyncio.to_thread(command, -1)
        await _wait_for(lambda: -1 in consumer.done, WARM_UP_SECONDS)
        # A request handler runs the command in a worker thread, as FastAPI runs a sync route.
        due, elapsed = await _paced(lambda seq: asyncio.to_thread(command, seq),
                                    rate=rate, seconds=seconds)
        await _wait_for(lambda: due.keys() <= consumer.done.keys(), DRAIN_SECONDS)
    finally:
        stop.set()
        await relay_task
        await consumer_broker.stop()
        await producer.stop()
        source.dispose()
        target.dispose()
    return _latency("kernel: command → relay → consumer", due, consumer.done, elapsed)


async def _bare_flow(settings: KernelSettings, topic: str, *, rate: float, seconds: float) -> Latency:
    """FastStream publish → subscribe on the same broker, same message size, no database."""
    body = _sample_body()
    publisher = make_broker(settings, client_id="bench-bare-publisher")
    subscriber = make_broker(settings, client_id="bench-bare-subscriber")
    done: dict[int, float] = {}

    @subscriber.subscriber(topic, group_id=topic.removeprefix("renovation."),
                           auto_offset_reset="earliest", fetch_max_wait_ms=FETCH_MAX_WAIT_MS)
    async def on_message(msg: KafkaMessage) -> None:
        done[int(msg.headers["seq"])] = time.perf_counter()

    async def publish(seq: int) -> None:
        await publisher.publish(body, topic, key=f"p-{seq % 5}".encode(), headers={"seq": str(seq)})

    await publisher.start()
    await subscriber.start()
    try:
        await publish(-1)
        await _wait_for(lambda: -1 in done, WARM_UP_SECONDS)
        due, elapsed = await _paced(publish, rate=rate, seconds=seconds)
        await _wait_for(lambda: due.keys() <= done.keys(), DRAIN_SECONDS)
    finally:
        await subscriber.stop()
        await publisher.stop()
    return _latency("bare FastStream publish → subscribe", due, done, elapsed)


async def _paced(action: Callable[[int], Awaitable[object]], *, rate: float,
                 seconds: float) -> tuple[dict[int, float], float]:
    """Start action(i) at begin + i/rate and note that due time; return due times and elapsed.

    The schedule is absolute, so a late call does not shift the ones after it, and latency is
    measured from when a call was due: time spent waiting behind a slow call counts.
    """
    count = max(int(rate * seconds), 2)
    begin = time.perf_counter() + 0.01
    due_at: dict[int, float] = {}
    for seq in range(count):
        due = begin + seq / rate
        while (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        due_at[seq] = due
        await action(seq)
    return due_at, time.perf_counter() - begin


def _latency(name: str, due: dict[int, float], done: dict[int, float], elapsed: float) -> Latency:
    millis = sorted((done[seq] - at) * 1000 for seq, at in due.items() if seq in done)
    if len(millis) < 2:
        raise RuntimeError(f"{name}: only {len(millis)} of {len(due)} messages arrived")
    cuts = statistics.quantiles(millis, n=100, method="inclusive")
    return Latency(name=name, sent=len(due), received=len(millis), achieved_rate=len(due) / elapsed,
                   p50=cuts[49], p90=cuts[89], p99=cuts[98], max=millis[-1])


async def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def _engine(path: Path) -> sa.Engine:
    engine = create_engine(f"sqlite:///{path}")
    kernel_metadata.create_all(engine)
    bench_applied.metadata.create_all(engine)
    return engine


def _sample_body() -> bytes:
    """An envelope as the relay would send it, so both sides carry the same bytes per message."""
    note = BenchNote.start()
    note.note(seq=0)
    [draft] = [Envelope(event_id=uuid.uuid4(), event_type=e.event_type, schema_version=1,
                        stream_id=note.stream_id, stream_version=1, project_id="p-0",
                        occurred_at=time.time_ns() and _now(), actor=ACTOR, correlation_id="bench",
                        payload=e.model_dump(mode="json")) for e in note.collect()]
    return draft.chained(position=1, prev_hash="0" * 64).to_json()


async def _delete_topics(settings: KernelSettings, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        await admin.start()
        await admin.delete_topics(topics)
    except KafkaError:
        pass  # a broker that cannot delete topics keeps two small bench topics
    finally:
        await admin.close()
