"""`renovation bench replay`: the audit replay over a topic beside a bare kafka-python read of the same topic.

One run, one broker, one topic that grows step by step (10 k → 100 k → 1 M by default):
at each size both sides read the whole topic from the first offset — the bare side only
receives the messages, ours parses each envelope into a fact and folds it into every
project's state (what `renovation audit replay` and the auditor's list do).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from shared.audit.replay import fact_from_json
from shared.audit.topics import iter_topic
from shared.broker import ensure_topics
from shared.canonical import canonical_json
from shared.embedded import EmbeddedBroker, free_port
from shared.settings import KernelSettings

PROJECTS = 1000
TYPES = ("construction.HiddenWorkDeclared", "construction.HiddenWorkEvidenceAttached",
         "construction.HiddenWorkAccepted", "construction.HiddenWorkConcealed")


@dataclass
class Step:
    """One size: events/s of both sides and what the fold found."""

    events: int
    bare: float
    ours: float
    ours_seconds: float
    projects: int

    @property
    def ratio(self) -> float:
        """Ours over bare."""
        return self.ours / self.bare if self.bare else 0.0


@dataclass
class ReplayBenchResult:
    """All steps of one run."""

    steps: list[Step] = field(default_factory=list)
    partitions: int = 3
    message_bytes: int = 0


def _envelope(i: int, tag: str) -> bytes:
    project = f"p-{i % PROJECTS}"
    body = {"event_id": f"{tag}-{i:08d}-0000-7000-8000-000000000000", "event_type": TYPES[(i // PROJECTS) % 4],
            "schema_version": 1, "stream_id": f"hw-{i % PROJECTS}-{i // (PROJECTS * 4)}",
            "stream_version": (i // PROJECTS) % 4 + 1, "project_id": project,
            "occurred_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00.{i % 1000000:06d}Z",
            "actor": {"id": "bench", "role": "contractor"}, "correlation_id": tag, "causation_id": None,
            "payload": {"hidden_work_id": f"hw-{i % PROJECTS}", "project_id": project, "location": "3号楼北侧雨水管",
                        "evidence": {"sha256": f"{i:064x}", "media_type": "image/jpeg", "size": 2_400_000}},
            "position": i + 1, "prev_hash": f"{i:064x}", "hash": f"{i + 1:064x}"}
    return canonical_json(body)


def _produce(bootstrap: str, topic: str, start: int, stop: int, tag: str) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=256 * 1024)
    try:
        for i in range(start, stop):
            producer.send(topic, _envelope(i, tag), key=f"p-{i % PROJECTS}".encode())
        producer.flush()
    finally:
        producer.close()


def _bare_read(bootstrap: str, topic: str, expected: int) -> float:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             fetch_max_wait_ms=10, max_poll_records=5000)
    tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    seen, begin = 0, time.perf_counter()
    while seen < expected:
        for messages in consumer.poll(timeout_ms=200).values():
            seen += len(messages)
    elapsed = time.perf_counter() - begin
    consumer.close()
    return seen / elapsed


def _ours(bootstrap: str, topic: str) -> tuple[int, float, int]:
    """Read, parse and fold the whole topic as the audit replay does: (events, seconds, projects)."""
    states: dict[str, Counter] = defaultdict(Counter)
    latest: dict[tuple[str, str], str] = {}
    begin, count = time.perf_counter(), 0
    for record in iter_topic(bootstrap, topic, idle_ms=300):
        fact, _, _ = fact_from_json("construction", record.value)
        states[record.key or ""][fact.event_type] += 1
        latest[(record.key or "", fact.payload.get("hidden_work_id", ""))] = fact.event_type
        count += 1
    return count, time.perf_counter() - begin, len(states)


def run_replay_bench(*, sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000), bootstrap: str | None = None,
                     progress=print) -> ReplayBenchResult:
    """Grow one topic through `sizes`; at each, time the bare read and ours over the whole topic."""
    tag = uuid.uuid4().hex[:8]
    topic = f"renovation.bench-replay-{tag}"
    result = ReplayBenchResult(message_bytes=len(_envelope(0, tag)))
    with tempfile.TemporaryDirectory(prefix="renovation-replay-") as folder:
        embedded = None
        if not bootstrap:
            embedded = EmbeddedBroker(port=free_port(), log_path=Path(folder) / "tansu.log")
            embedded.start()
        servers = bootstrap or embedded.bootstrap_servers
        try:
            asyncio.run(ensure_topics(KernelSettings(kafka_bootstrap_servers=servers), [topic]))
            produced = 0
            for size in sizes:
                progress(f"producing up to {size:,} events …")
                _produce(servers, topic, produced, size, tag)
                produced = size
                progress(f"reading {size:,} events, bare and ours …")
                bare = _bare_read(servers, topic, size)
                count, seconds, projects = _ours(servers, topic)
                result.steps.append(Step(count, bare, count / seconds, seconds, projects))
        finally:
            if embedded is not None:
                embedded.stop()
    return result
