"""`bench growth`: append, read, verify and rebuild rates as one log grows 10× at a time.

One SQLite log (WAL, synchronous FULL) per size is filled with real appends (the hash chain,
the version check, the log head). Then each log is read whole (parsed), verified whole and a
read model is rebuilt from it, the logs taking turns in every round; and events are appended
to every log (100 per transaction), the logs taking turns slice by slice, as the store
bench's sides do. So a slow spell of the shared disk falls on every size alike (one log
measured after another let such a spell decide which 10× step looked slow). A step is fine
when the per-event rate at the larger size is no worse than 1/1.2 of the rate at the smaller
one. The aggregate row times loading a stream at 10 and at 10,000 events (the kept fold
catches up; the first load replays).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from shared.bench import machine_facts
from shared.bench.store import ACTOR, NO_READ_MODELS, BenchNote
from shared.db import create_engine
from shared.envelope import Envelope
from shared.eventstore import EventStore
from shared.rebuild import rebuild
from shared.schema import metadata as kernel_metadata
from shared.unit_of_work import Projection, UnitOfWork

DEFAULT_SIZES = (10_000, 100_000)
FULL_SIZES = (10_000, 100_000, 1_000_000)
APPEND_SAMPLE = 10_000  # events appended to each log per round
APPEND_SLICES = 10  # a round's appends, in slices the logs take turns on
LIMIT_PER_10X = 1.2

notes_seen = sa.Table("bench_notes_seen", sa.MetaData(),
                      sa.Column("event_id", sa.String(36), primary_key=True),
                      sa.Column("seq", sa.Integer, nullable=False))
SEEN = Projection(notes_seen)


@SEEN.on("bench.Noted")
def _seen(conn: sa.Connection, envelope: Envelope) -> None:
    conn.execute(notes_seen.insert().values(event_id=str(envelope.event_id), seq=envelope.payload["seq"]))


@dataclass(frozen=True)
class GrowthResult:
    """Events per second of each operation at each size, and the worst slowdown per 10× step."""

    sizes: tuple[int, ...]
    rates: dict[str, dict[int, float]]
    aggregate_ms: dict[int, float]
    machine: dict[str, str]
    seconds: float
    steps: dict[str, list[float]] = field(default_factory=dict)

    def worst(self, operation: str) -> float:
        """The largest rate(smaller size) / rate(next size) of one operation (1.0: no slowdown)."""
        return max(self.steps[operation], default=1.0)


class _Log:
    def __init__(self, path: Path) -> None:
        self.engine = create_engine(f"sqlite:///{path}")
        kernel_metadata.create_all(self.engine)
        SEEN.tables[0].metadata.create_all(self.engine)
        self.store, self.size, self.seq = EventStore(), 0, 0

    def append(self, count: int, batch: int = 100) -> None:
        for first in range(0, count, batch):
            note = BenchNote.start()
            for _ in range(min(batch, count - first)):
                note.note(seq=self.seq)
                self.seq += 1
            with UnitOfWork(engine=self.engine, projection=NO_READ_MODELS, actor=ACTOR) as work:
                work.save(note, project_id=f"p-{self.seq % 5}")
                work.commit()
        self.size += count

    def settle(self) -> None:
        """Let the fill's writes reach the disk before a size is measured, as at every size.

        Filling to 1 M events writes ~0.5 GB: without this, the operating system is still
        writing it back while the appends at that size are timed, and they pay for the fill.
        """
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        os.sync()

    def read(self) -> int:
        with self.engine.connect() as conn:
            return sum(1 for _ in self.store.iter_all(conn))

    def verify(self) -> int:
        with self.engine.connect() as conn:
            result = self.store.verify(conn)
        if not result.ok:
            raise RuntimeError(f"growth log broken at {result.broken_position}: {result.reason}")
        return result.checked

    def rebuild(self) -> int:
        return rebuild(self.engine, SEEN, consumer="bench-growth")


def run_growth_bench(*, sizes: tuple[int, ...] = DEFAULT_SIZES, rounds: int = 3) -> GrowthResult:
    """Rates at each size (medians of `rounds`) and the aggregate load times."""
    started = time.perf_counter()
    rates: dict[str, dict[int, float]] = {op: {} for op in ("append", "read", "verify", "rebuild")}
    with tempfile.TemporaryDirectory(prefix="renovation-growth-") as folder:
        logs: dict[int, _Log] = {}
        try:
            for size in sizes:
                logs[size] = log = _Log(Path(folder) / f"growth-{size}.db")
                log.append(size, batch=1000)
                log.settle()
            for operation in ("read", "verify", "rebuild"):
                rates[operation] = _whole_log_rates(logs, operation, rounds)
            for log in logs.values():
                log.settle()  # the rebuilds' writes too
            rates["append"] = _append_rates(logs, rounds)
            aggregate_ms = _aggregate_loads(logs[sizes[-1]].engine)
        finally:
            for log in logs.values():
                log.engine.dispose()
    steps = {op: [by_size[a] / by_size[b] for a, b in zip(sizes, sizes[1:], strict=False)]
             for op, by_size in rates.items()}
    return GrowthResult(sizes=tuple(sizes), rates=rates, aggregate_ms=aggregate_ms, machine=machine_facts(),
                        seconds=time.perf_counter() - started, steps=steps)


def _whole_log_rates(logs: dict[int, _Log], operation: str, rounds: int) -> dict[int, float]:
    """Events per second of one whole-log operation at each size, the median of `rounds`; in each
    round every log takes its turn, the order rotating."""
    per_round: dict[int, list[float]] = {size: [] for size in logs}
    order = list(logs)
    for round_no in range(rounds):
        shift = round_no % len(order)
        for size in order[shift:] + order[:shift]:
            began = time.perf_counter()
            count = getattr(logs[size], operation)()
            per_round[size].append(count / (time.perf_counter() - began))
    return {size: statistics.median(found) for size, found in per_round.items()}


def _append_rates(logs: dict[int, _Log], rounds: int) -> dict[int, float]:
    """Append rate of each log, the median of `rounds`; within a round the logs take turns slice
    by slice, the order rotating, so none always goes first."""
    per_round: dict[int, list[float]] = {size: [] for size in logs}
    order = list(logs)
    slice_size = APPEND_SAMPLE // APPEND_SLICES
    for round_no in range(rounds):
        spent = dict.fromkeys(logs, 0.0)
        for turn in range(APPEND_SLICES):
            shift = (round_no + turn) % len(order)
            for size in order[shift:] + order[:shift]:
                began = time.perf_counter()
                logs[size].append(slice_size)
                spent[size] += time.perf_counter() - began
        for size, seconds in spent.items():
            per_round[size].append(slice_size * APPEND_SLICES / seconds)
    return {size: statistics.median(found) for size, found in per_round.items()}


def _aggregate_loads(engine: sa.Engine, lengths: tuple[int, ...] = (10, 10_000),
                     rounds: int = 15) -> dict[int, float]:
    """Milliseconds to load (and save one more event to) a stream of each length: the streams take
    turns, and each figure is the median of `rounds` (one commit is ~0.4 ms, most of it the fsync,
    whose spread five samples did not settle)."""
    notes = {}
    for length in lengths:
        note = BenchNote.start()
        for first in range(0, length, 1000):
            for seq in range(first, min(first + 1000, length)):
                note.note(seq=seq)
            with UnitOfWork(engine=engine, projection=NO_READ_MODELS, actor=ACTOR) as work:
                work.save(note, project_id="p-agg")
                work.commit()
        notes[length] = note.stream_id
    timings: dict[int, list[float]] = {length: [] for length in lengths}
    for _ in range(rounds):
        for length, stream_id in notes.items():
            began = time.perf_counter()
            with UnitOfWork(engine=engine, projection=NO_READ_MODELS, actor=ACTOR) as work:
                loaded = work.get(BenchNote, stream_id, missing="bench")
                loaded.note(seq=loaded.version)
                work.save(loaded, project_id="p-agg")
                work.commit()
            timings[length].append((time.perf_counter() - began) * 1000)
    return {length: statistics.median(found) for length, found in timings.items()}
