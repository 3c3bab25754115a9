"""`bench flow`: a command's event applied in another service, beside bare FastStream."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaMessage

from shared.bench import Latency, clock, latency, machine_facts, paced, stage, wait_until
from shared.bench.store import ACTOR, NO_READ_MODELS, BenchNote
from shared.broker import ensure_topics, make_broker
from shared.consumer import IdempotentConsumer
from shared.db import create_engine
from shared.embedded import EmbeddedBroker, free_port
from shared.envelope import GENESIS_HASH, Envelope, new_event_id, utc_now
from shared.metrics import KernelMetrics
from shared.relay import Relay
from shared.schema import metadata as kernel_metadata
from shared.settings import KernelSettings
from shared.unit_of_work import Projection, UnitOfWork

# ARCHITECTURE.md: tansu does not wake a waiting fetch, so both sides poll every 10 ms.
FETCH_MAX_WAIT_MS = 10
DRAIN_SECONDS = 30.0
START_SECONDS = 60.0

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
class FlowBenchResult:
    """Both sides of `bench flow`, and the conditions they ran under."""

    rate: float
    seconds: float
    broker: str
    fetch_max_wait_ms: int
    kernel: Latency
    bare: Latency
    machine: dict[str, str]


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
        settings = _settings(servers)
        topics = [f"renovation.bench-{tag}", f"renovation.bench-{tag}.bare"]
        try:
            await ensure_topics(settings, topics)
            kernel = await _kernel_flow(settings, Path(folder), topics[0], rate=rate,
                                        seconds=seconds)
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
    """A producing service commits and its relay publishes; a consuming service applies."""
    async with (_ConsumingService("kernel", settings, topic, folder / "consumer.db") as consuming,
                _ProducingService(settings, folder / "producer.db", topic) as producing):
        await asyncio.to_thread(producing.command, -1)
        await consuming.warmed_up()
        # A request handler runs the command in a worker thread, as FastAPI runs a sync route.
        due, elapsed = await paced(lambda seq: asyncio.to_thread(producing.command, seq),
                                   rate=rate, seconds=seconds)
        began, done = await consuming.drain(len(due))
    stages = {
        "command (due → committed)": stage(due, producing.committed_at),
        # Includes waiting behind earlier events: the consumer applies one at a time.
        "relay → broker → consumer (committed → apply begins)":
            stage(producing.committed_at, began),
        "consumer transaction (apply)": stage(began, done),
    }
    return latency("kernel: command → relay → consumer", due, done, elapsed, stages)


async def _bare_flow(settings: KernelSettings, topic: str, *, rate: float,
                     seconds: float) -> Latency:
    """FastStream publish → subscribe on the same broker, same message size, no database."""
    body = _sample_body()
    publisher = make_broker(settings, client_id="bench-bare-publisher")

    async def publish(seq: int) -> None:
        await publisher.publish(body, topic, key=f"p-{seq % 5}".encode(), headers={"seq": str(seq)})

    async with _ConsumingService("bare", settings, topic, None) as consuming:
        await publisher.start()
        try:
            await publish(-1)
            await consuming.warmed_up()
            due, elapsed = await paced(publish, rate=rate, seconds=seconds)
            _, done = await consuming.drain(len(due))
        finally:
            await publisher.stop()
    return latency("bare FastStream publish → subscribe", due, done, elapsed)


class _ProducingService:
    """The producing side as a service has it: its database, its relay, commands that commit."""

    def __init__(self, settings: KernelSettings, db: Path, topic: str) -> None:
        self.engine = _engine(db)
        self.metrics = KernelMetrics()
        self.broker = make_broker(settings, client_id="bench-producer")
        self.relay = Relay(engine=self.engine, broker=self.broker, topic=topic, settings=settings,
                           metrics=self.metrics, batch_size=settings.relay_batch_size)
        self.committed_at: dict[int, float] = {}
        self._stop = asyncio.Event()

    async def __aenter__(self) -> "_ProducingService":
        await self.broker.start()
        self._relay = asyncio.create_task(self.relay.run(self._stop))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._stop.set()
        await self._relay
        await self.broker.stop()
        self.engine.dispose()

    def command(self, seq: int) -> None:
        """What a command handler does: record an event, commit, wake the relay."""
        note = BenchNote.start()
        note.note(seq=seq)
        with UnitOfWork(engine=self.engine, projection=NO_READ_MODELS, actor=ACTOR,
                        on_commit=self._committed) as work:
            work.save(note, project_id=f"p-{seq % 5}")
            work.commit()
        self.committed_at[seq] = clock()

    def _committed(self, envelopes: list[Envelope]) -> None:
        # The path Service._committed takes after every commit: count, then wake the relay.
        for envelope in envelopes:
            self.metrics.events_appended.labels(envelope.event_type).inc()
        self.relay.notify()


class _ConsumingService:
    """The consuming side in a process of its own, as another service is (no shared GIL)."""

    def __init__(self, kind: str, settings: KernelSettings, topic: str, db: Path | None):
        context = multiprocessing.get_context("spawn")
        self.received = context.Value("i", 0)
        self.pipe, child = context.Pipe()
        self.process = context.Process(
            target=_serve, name=f"bench-{kind}-consumer", daemon=True,
            args=(kind, settings.kafka_bootstrap_servers, topic, str(db or ""), self.received,
                  child))

    async def __aenter__(self) -> "_ConsumingService":
        self.process.start()
        await self._reply(START_SECONDS)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.process.is_alive():
            self.process.terminate()
        await asyncio.to_thread(self.process.join, 10)

    async def warmed_up(self) -> None:
        """Wait for the warm-up message: the group has joined, the first fetch is behind us."""
        if not await wait_until(lambda: self.received.value >= 1, START_SECONDS):
            raise RuntimeError(f"{self.process.name}: no warm-up message in {START_SECONDS:.0f} s")

    async def drain(self, count: int) -> tuple[dict[int, float], dict[int, float]]:
        """Wait for `count` more messages (or the drain timeout), stop, return the stamps."""
        await wait_until(lambda: self.received.value > count, DRAIN_SECONDS)
        self.pipe.send("stop")
        return await self._reply(DRAIN_SECONDS)

    async def _reply(self, timeout: float):
        await wait_until(lambda: self.pipe.poll() or not self.process.is_alive(), timeout)
        if not self.pipe.poll():
            raise RuntimeError(f"{self.process.name} did not answer (exit {self.process.exitcode})")
        return self.pipe.recv()


def _serve(kind: str, servers: str, topic: str, db: str, received, pipe) -> None:
    """The consuming process: subscribe, count and stamp each message until told to stop."""
    # make_broker's log_level is the level FastStream logs every message *at*: keep them out.
    logging.getLogger("renovation.broker").setLevel(logging.ERROR)
    asyncio.run(_consume(kind, _settings(servers), topic, db, received, pipe))


async def _consume(kind: str, settings: KernelSettings, topic: str, db: str, received,
                   pipe) -> None:
    broker = make_broker(settings, client_id=f"bench-{kind}-consumer")
    group = topic.removeprefix("renovation.")
    began: dict[int, float] = {}
    done: dict[int, float] = {}
    if kind == "kernel":
        consumer = _TimedConsumer(name=group, engine=_engine(Path(db)), projection=APPLIED,
                                  settings=settings, metrics=KernelMetrics(), received=received)
        consumer.subscribe(broker, [topic])
        began, done = consumer.began, consumer.done
    else:
        @broker.subscriber(topic, group_id=group, auto_offset_reset="earliest",
                           fetch_max_wait_ms=FETCH_MAX_WAIT_MS)
        async def on_message(msg: KafkaMessage) -> None:
            done[int(msg.headers["seq"])] = clock()
            _count(received)

    await broker.start()
    pipe.send("ready")
    parent = os.getppid()
    await wait_until(lambda: pipe.poll() or os.getppid() != parent, float("inf"))
    await broker.stop()
    pipe.send((began, done))


class _TimedConsumer(IdempotentConsumer):
    """The idempotent consumer, stamping when each bench event's transaction began and ended."""

    def __init__(self, *, received, **kwargs) -> None:
        super().__init__(**kwargs)
        self.received = received
        self.began: dict[int, float] = {}
        self.done: dict[int, float] = {}

    def apply(self, envelope: Envelope, source_offset: int = -1) -> str:
        """Apply as the kernel does, then note the moment it became visible."""
        began = clock()
        outcome = super().apply(envelope, source_offset)
        if outcome == "applied":
            seq = envelope.payload["seq"]
            self.began[seq], self.done[seq] = began, clock()
            _count(self.received)
        return outcome


def _count(received) -> None:
    with received.get_lock():
        received.value += 1


def _settings(servers: str) -> KernelSettings:
    return KernelSettings(kafka_bootstrap_servers=servers,
                          consumer_fetch_max_wait_ms=FETCH_MAX_WAIT_MS)


def _engine(path: Path) -> sa.Engine:
    engine = create_engine(f"sqlite:///{path}")
    kernel_metadata.create_all(engine)
    bench_applied.metadata.create_all(engine)
    return engine


def _sample_body() -> bytes:
    """An envelope as the relay would send it, so both sides carry the same bytes per message."""
    note = BenchNote.start()
    note.note(seq=0)
    [event] = note.collect()
    draft = Envelope(event_id=new_event_id(), event_type=event.event_type, schema_version=1,
                     stream_id=note.stream_id, stream_version=1, project_id="p-0",
                     occurred_at=utc_now(), actor=ACTOR, correlation_id="bench",
                     payload=event.model_dump(mode="json"))
    return draft.chained(position=1, prev_hash=GENESIS_HASH).to_json()


async def _delete_topics(settings: KernelSettings, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        await admin.start()
        await admin.delete_topics(topics)
    except KafkaError:
        pass  # a broker that cannot delete topics keeps two small bench topics
    finally:
        await admin.close()
