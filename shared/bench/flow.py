"""`bench flow`: a command's event applied in the other services, beside bare FastStream.

As the product runs: one service takes commands and its relay publishes; the other three
each apply the events in a process and a database of their own (their own consumer
group), all beside the broker on the same machine. Bare FastStream gets the same shape:
one publisher, three subscribing processes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import tempfile
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
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
# The product's four services: one takes the commands, the other three apply its events.
CONSUMING_SERVICES = 3

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
    consuming_services: int = CONSUMING_SERVICES


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
    """A producing service commits and its relay publishes; three consuming services apply."""
    async with AsyncExitStack() as stack:
        consuming = [await stack.enter_async_context(
            _ConsumingService("kernel", settings, topic, folder / f"consumer-{n}.db", n))
            for n in range(CONSUMING_SERVICES)]
        producing = await stack.enter_async_context(
            _ProducingService(settings, folder / "producer.db", topic))
        await asyncio.to_thread(producing.command, -1)
        for service in consuming:
            await service.warmed_up()
        # A request handler runs the command in a worker thread, as FastAPI runs a sync route;
        # requests do not wait for each other to start, so neither do the commands here.
        running: list[asyncio.Task] = []

        async def start(seq: int) -> None:
            running.append(asyncio.create_task(asyncio.to_thread(producing.command, seq)))

        due, elapsed = await paced(start, rate=rate, seconds=seconds)
        await asyncio.gather(*running)
        stamps = [await service.drain(len(due)) for service in consuming]
    committed = producing.committed_at
    began, done = _every_service([b for b, _ in stamps]), _every_service([d for _, d in stamps])
    stages = {
        "command (due → committed)": stage(due, committed),
        # Includes waiting behind earlier events in the same fetched batch.
        "relay → broker → consumer (committed → apply begins)":
            stage(_every_service([committed] * len(stamps)), began),
        "consumer transaction (apply)": stage(began, done),
    }
    return _per_command(latency(
        f"kernel: command → relay → applied in each of {CONSUMING_SERVICES} services",
        _every_service([due] * len(stamps)), done, elapsed, stages), due, stamps)


async def _bare_flow(settings: KernelSettings, topic: str, *, rate: float,
                     seconds: float) -> Latency:
    """FastStream publish → subscribe on the same broker, same message size, no database."""
    body = _sample_body()
    publisher = make_broker(settings, client_id="bench-bare-publisher")

    async def publish(seq: int) -> None:
        await publisher.publish(body, topic, key=f"p-{seq % 5}".encode(), headers={"seq": str(seq)})

    # Each publish starts when due and does not wait for the one before, as the kernel's
    # commands do (awaiting each acks=all round trip in turn fell behind the schedule).
    running: list[asyncio.Task] = []

    async def start(seq: int) -> None:
        running.append(asyncio.create_task(publish(seq)))

    async with AsyncExitStack() as stack:
        consuming = [await stack.enter_async_context(_ConsumingService("bare", settings, topic, None, n))
                     for n in range(CONSUMING_SERVICES)]
        await publisher.start()
        try:
            await publish(-1)
            for service in consuming:
                await service.warmed_up()
            due, elapsed = await paced(start, rate=rate, seconds=seconds)
            await asyncio.gather(*running)
            stamps = [await service.drain(len(due)) for service in consuming]
        finally:
            await publisher.stop()
    done = _every_service([d for _, d in stamps])
    return _per_command(latency(
        f"bare FastStream publish → subscribe, {CONSUMING_SERVICES} subscribers",
        _every_service([due] * len(stamps)), done, elapsed), due, stamps)


def _every_service(stamps: list[dict[int, float]]) -> dict[int, float]:
    """Stamps of every service under one key per (command, service); warm-up keys stay negative."""
    return {seq * len(stamps) + (n if seq >= 0 else -n): at
            for n, by_seq in enumerate(stamps) for seq, at in by_seq.items()}


def _per_command(side: Latency, due: dict[int, float], stamps: list[tuple[dict, dict]]) -> Latency:
    """Latencies stay over every (command, service) pair; sent, received and rate count commands."""
    sent = sum(1 for seq in due if seq >= 0)
    received = sum(1 for seq in due if seq >= 0 and all(seq in done for _, done in stamps))
    return replace(side, sent=sent, received=received, achieved_rate=side.achieved_rate * sent / side.sent)


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
        self.relay.notify(envelopes[-1].position)


class _ConsumingService:
    """One consuming service in a process of its own, as another service is (no shared GIL)."""

    def __init__(self, kind: str, settings: KernelSettings, topic: str, db: Path | None, number: int):
        context = multiprocessing.get_context("spawn")
        self.received = context.Value("i", 0)
        self.pipe, child = context.Pipe()
        self.process = context.Process(
            target=_serve, name=f"bench-{kind}-consumer-{number}", daemon=True,
            args=(kind, settings.kafka_bootstrap_servers, topic, f"{topic.removeprefix('renovation.')}-{number}",
                  str(db or ""), self.received, child))

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


def _serve(kind: str, servers: str, topic: str, group: str, db: str, received, pipe) -> None:
    """The consuming process: subscribe, count and stamp each message until told to stop."""
    # make_broker's log_level is the level FastStream logs every message *at*: keep them out.
    logging.getLogger("renovation.broker").setLevel(logging.ERROR)
    asyncio.run(_consume(kind, _settings(servers), topic, group, db, received, pipe))


async def _consume(kind: str, settings: KernelSettings, topic: str, group: str, db: str, received,
                   pipe) -> None:
    broker = make_broker(settings, client_id=f"bench-{group}")
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
        self._stamp([envelope], [outcome], began)
        return outcome

    def apply_batch(self, envelopes: list[Envelope]) -> list[str]:
        """Apply a batch as the kernel does, then note the moment it became visible."""
        began = clock()
        outcomes = super().apply_batch(envelopes)
        self._stamp(envelopes, outcomes, began)
        return outcomes

    def _stamp(self, envelopes: list[Envelope], outcomes: list[str], began: float) -> None:
        done = clock()
        for envelope, outcome in zip(envelopes, outcomes, strict=True):
            if outcome == "applied":
                seq = envelope.payload["seq"]
                self.began[seq], self.done[seq] = began, done
                _count(self.received)


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
