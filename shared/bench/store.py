"""`bench store`: our event store beside the eventsourcing library's, on the same database."""

from __future__ import annotations

import importlib.util
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate as LibraryAggregate
from eventsourcing.domain import event
from eventsourcing.sqlite import SQLiteConnectionPool, SQLiteFactory

from shared.actor import Actor
from shared.aggregate import Aggregate
from shared.bench import machine_facts
from shared.db import create_engine
from shared.event import DomainEvent
from shared.eventstore import EventStore
from shared.schema import metadata as kernel_metadata
from shared.unit_of_work import Projection, UnitOfWork

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# About 1 KB of payload per event: the size ARCHITECTURE.md's write figures were measured with.
TEXT = ("inspection note: east stairwell handrail re-welded, primed and painted; photos attached. "
        * 12)[:1000]
ACTOR = Actor(id="bench", role="official")
NO_READ_MODELS = Projection()
PHASES = {"single": "append, 1 event/tx", "batched": "append, {batch} events/tx",
          "read": "read all, parsed", "verify": "verify chain"}


class BenchNote(Aggregate):
    """A stream of notes: the benches' stand-in for a domain aggregate."""

    stream_prefix = "note"

    class Noted(DomainEvent):
        event_type = "bench.Noted"

        seq: int
        text: str

    @classmethod
    def start(cls) -> "BenchNote":
        """A new, empty note stream."""
        return cls(cls.stream_for(uuid.uuid4().hex))

    def note(self, *, seq: int, text: str = TEXT) -> None:
        """Record one note."""
        self._record(self.Noted(seq=seq, text=text))

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case BenchNote.Noted():
                self.last_seq = event.seq


class LibraryNote(LibraryAggregate):
    """The same note in the eventsourcing library's model."""

    @event("Started")
    def __init__(self, seq: int, text: str) -> None:
        self.seq = seq

    @event("Noted")
    def note(self, seq: int, text: str) -> None:
        """Record one note."""
        self.seq = seq


class _DurablePool(SQLiteConnectionPool):
    def _create_connection(self):
        connection = super()._create_connection()
        connection.cursor().execute("PRAGMA synchronous=FULL")
        return connection


class DurableSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory with synchronous FULL on every connection, as ours has."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = _DurablePool(db_name=pool.db_name, lock_timeout=pool.lock_timeout)
        pool.close()


@dataclass(frozen=True)
class Phase:
    """One measured phase: events per second for us and for the library (median of rounds)."""

    name: str
    ours: float
    theirs: float | None
    note: str = ""
    bare: float | None = None  # a bare SQLAlchemy insert of the same rows, same transactions

    @property
    def ratio(self) -> float | None:
        """Ours divided by theirs (above 1: we are faster)."""
        return self.ours / self.theirs if self.theirs else None

    @property
    def bare_ratio(self) -> float | None:
        """Ours divided by the bare insert of the same rows."""
        return self.ours / self.bare if self.bare else None


@dataclass(frozen=True)
class StoreBenchResult:
    """Everything `bench store` measured, and the conditions it measured under."""

    database: str
    events: int
    batch: int
    rounds: int
    phases: list[Phase]
    durability: dict[str, str]
    machine: dict[str, str]
    seconds: float


class _Ours:
    """Our side: UnitOfWork + EventStore, as a command handler uses them."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        kernel_metadata.create_all(self.engine)
        self.store = EventStore()

    def _save(self, note: BenchNote) -> None:
        with UnitOfWork(engine=self.engine, projection=NO_READ_MODELS, actor=ACTOR) as work:
            work.save(note, project_id=f"p-{note.last_seq % 5}")
            work.commit()

    def single(self, count: int) -> int:
        for seq in range(count):
            note = BenchNote.start()
            note.note(seq=seq)
            self._save(note)
        return count

    def batched(self, count: int, batch: int) -> int:
        for first in range(0, count, batch):
            note = BenchNote.start()
            for seq in range(first, min(first + batch, count)):
                note.note(seq=seq)
            self._save(note)
        return count

    def read(self) -> int:
        with self.engine.connect() as conn:
            return sum(1 for _ in self.store.iter_all(conn))

    def verify(self) -> int:
        with self.engine.connect() as conn:
            result = self.store.verify(conn)
        if not result.ok:
            raise RuntimeError(f"bench log broken at {result.broken_position}: {result.reason}")
        return result.checked

    def durability(self) -> str:
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                commit, fsync = (conn.exec_driver_sql(f"SHOW {name}").scalar()
                                 for name in ("synchronous_commit", "fsync"))
                return f"synchronous_commit={commit}, fsync={fsync}, row lock on the log head"
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        return f"journal_mode={journal}, synchronous={_SYNC.get(sync, sync)}, BEGIN IMMEDIATE"

    def close(self) -> None:
        self.engine.dispose()


class _Theirs:
    """The eventsourcing library's side: an Application saving aggregates through its recorder."""

    def __init__(self, env: dict[str, str]) -> None:
        self.app: Application = Application(env=env)

    def single(self, count: int) -> int:
        for seq in range(count):
            self.app.save(LibraryNote(seq=seq, text=TEXT))
        return count

    def batched(self, count: int, batch: int) -> int:
        for first in range(0, count, batch):
            note = LibraryNote(seq=first, text=TEXT)
            for seq in range(first + 1, min(first + batch, count)):
                note.note(seq=seq, text=TEXT)
            self.app.save(note)
        return count

    def read(self) -> int:
        count, after = 0, 0
        while page := self.app.recorder.select_notifications(
            start=after, limit=2000, inclusive_of_start=False
        ):
            for notification in page:
                self.app.mapper.to_domain_event(notification)
            count, after = count + len(page), page[-1].id
        return count

    def verify(self) -> None:
        return None  # the library keeps no hash chain: nothing comparable to verify

    def durability(self) -> str:
        datastore = self.app.factory.datastore
        if not isinstance(getattr(datastore, "pool", None), SQLiteConnectionPool):
            return "the same server as ours"
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            sync = cursor.fetchone()[0]
        return f"journal_mode={journal}, synchronous={_SYNC.get(sync, sync)}, BEGIN (deferred)"

    def close(self) -> None:
        self.app.close()


class _Bare:
    """A bare SQLAlchemy insert of the rows our store writes (made beforehand), in the same transactions."""

    def __init__(self, url: str, *, events: int) -> None:
        self.engine = create_engine(url)
        if self.engine.dialect.name == "postgresql":
            bare_events.metadata.drop_all(self.engine, tables=[bare_events])
        bare_events.metadata.create_all(self.engine, tables=[bare_events])
        self.rows = _rows_like_ours(events)
        self.next = 0

    def _take(self, count: int) -> list[dict]:
        rows = []
        for _ in range(count):
            row = dict(self.rows[self.next % len(self.rows)])
            row["position"] = self.next + 1
            row["event_id"] = f"{self.next:036d}"
            row["stream_version"] = self.next + 1
            self.next += 1
            rows.append(row)
        return rows

    def _insert(self, rows: list[dict]) -> None:
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            conn.execute(bare_events.insert(), rows)

    def single(self, count: int) -> int:
        for row in self._take(count):
            self._insert([row])
        return count

    def batched(self, count: int, batch: int) -> int:
        rows = self._take(count)
        for first in range(0, count, batch):
            self._insert(rows[first:first + batch])
        return count

    def close(self) -> None:
        if self.engine.dialect.name == "postgresql":
            bare_events.metadata.drop_all(self.engine, tables=[bare_events])
        self.engine.dispose()


# The events table's columns, indexes and constraints, under another name (nothing else on it).
bare_events = kernel_metadata.tables["events"].to_metadata(sa.MetaData(), name="bare_events")
for _index in bare_events.indexes:
    _index.name = f"bare_{_index.name}" if _index.name else None
for _constraint in bare_events.constraints:
    if _constraint.name and not str(_constraint.name).startswith("bare_"):
        _constraint.name = f"bare_{_constraint.name}"


def _rows_like_ours(count: int) -> list[dict]:
    """The rows our store writes for `count` notes (placed and hashed once, before any timing)."""
    from shared.envelope import Envelope, new_event_id, utc_now
    from shared.log_sql import COLUMNS
    from shared.placing import place, row

    rows, prev = [], "0" * 64
    for seq in range(min(count, 1000)):
        note = BenchNote.start()
        note.note(seq=seq)
        [event] = note.collect()
        draft = Envelope(event_id=new_event_id(), event_type=event.event_type, schema_version=1,
                         stream_id=note.stream_id, stream_version=1, project_id=f"p-{seq % 5}",
                         occurred_at=utc_now(), actor=ACTOR, correlation_id="bench",
                         payload=event.model_dump(mode="json"))
        placed, body = place(draft, position=seq + 1, prev_hash=prev)
        prev = placed.hash
        rows.append(dict(zip(COLUMNS, row(placed, body), strict=True)))
    return rows


_SYNC = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def run_store_bench(
    *, events: int = 4000, batch: int = 100, rounds: int = 3, db: str = "sqlite",
    postgres_url: str = DEFAULT_POSTGRES_URL,
) -> StoreBenchResult:
    """Append (single, batched), read and verify rates, beside the eventsourcing library's."""
    started = time.perf_counter()
    with _databases(db, postgres_url) as (our_url, their_env, missing):
        ours = _Ours(our_url)
        theirs = None if missing else _Theirs(their_env)
        bare = _Bare(our_url.replace("ours.db", "bare.db") if db == "sqlite" else our_url, events=events)
        try:
            runs = _measure(ours, theirs, events=events, batch=batch, rounds=rounds, bare=bare)
            durability = {"ours": ours.durability(),
                          "eventsourcing": theirs.durability() if theirs else missing}
        finally:
            ours.close()
            bare.close()
            if theirs:
                theirs.close()
    notes = {"verify": "library has no chain"} if not missing else {}
    phases = [
        Phase(label.format(batch=batch), statistics.median(runs[name]["ours"]),
              statistics.median(runs[name]["theirs"]) if runs[name]["theirs"] else None,
              notes.get(name, "library not measured" if missing else ""),
              statistics.median(runs[name]["bare"]) if runs[name]["bare"] else None)
        for name, label in PHASES.items()
    ]
    return StoreBenchResult(
        database=db, events=events, batch=batch, rounds=rounds, phases=phases,
        durability=durability, machine=machine_facts(), seconds=time.perf_counter() - started)


APPEND_SLICES = 10  # an append phase's events, in slices the sides take turns on


def _measure(ours: _Ours, theirs: _Theirs | None, *, events: int, batch: int, rounds: int,
             bare: "_Bare | None" = None):
    """Rates per phase and side, one per round.

    The append phases are fsync-bound, and a shared disk's fsync time can swing 3× within a
    minute: each round's events go in slices, and the sides take turns slice by slice (the
    order rotating), so a slow spell of the disk falls on every side alike.
    """
    runs: dict[str, dict[str, list[float]]] = {name: {"ours": [], "theirs": [], "bare": []} for name in PHASES}
    step = max(batch, events // APPEND_SLICES // batch * batch)
    slices = [min(step, events - first) for first in range(0, events, step)]
    calls: dict[str, Callable[[Any, int], int | None]] = {
        "single": lambda side, count: side.single(count),
        "batched": lambda side, count: side.batched(count, batch),
        "read": lambda side, _count: side.read(),
        "verify": lambda side, _count: side.verify(),
    }
    for round_no in range(rounds):
        sides = [("ours", ours), ("theirs", theirs)] if theirs else [("ours", ours)]
        sides += [("bare", bare)] if bare else []
        for name in PHASES:
            taking_part = [(key, side) for key, side in sides if key != "bare" or name in ("single", "batched")]
            counts = slices if name in ("single", "batched") else [events]
            spent = {key: 0.0 for key, _ in taking_part}
            counted = {key: 0 for key, _ in taking_part}
            for turn, count in enumerate(counts):
                shift = (round_no + turn) % len(taking_part)  # neither side always goes first
                for key, side in taking_part[shift:] + taking_part[:shift]:
                    began = time.perf_counter()
                    done = calls[name](side, count)
                    spent[key] += time.perf_counter() - began
                    counted[key] += done or 0
            for key, _ in taking_part:
                if counted[key]:
                    runs[name][key].append(counted[key] / spent[key])
    return runs


@contextmanager
def _databases(db: str, postgres_url: str) -> Iterator[tuple[str, dict[str, str], str]]:
    """Fresh databases for both sides: (our URL, the library's env, why the library is missing)."""
    if db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="renovation-bench-") as folder:
            env = {"PERSISTENCE_MODULE": f"{__name__}:DurableSQLiteFactory",
                   "SQLITE_DBNAME": str(Path(folder) / "eventsourcing.db")}
            yield f"sqlite:///{Path(folder) / 'ours.db'}", env, ""
        return
    if db != "postgres":
        raise ValueError(f"unknown database {db!r}: sqlite or postgres")
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    names = [f"renovation_bench_{uuid.uuid4().hex[:10]}_{side}" for side in ("ours", "lib")]
    created: list[str] = []
    try:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                created.append(name)
        url = sa.engine.make_url(postgres_url)
        env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": names[1],
               "POSTGRES_HOST": url.host or "127.0.0.1", "POSTGRES_PORT": str(url.port or 5432),
               "POSTGRES_USER": url.username or "postgres", "POSTGRES_PASSWORD": url.password or ""}
        missing = "" if importlib.util.find_spec("psycopg_pool") else (
            "not measured: eventsourcing.postgres needs psycopg_pool, which is not installed")
        yield url.set(database=names[0]).render_as_string(hide_password=False), env, missing
    finally:
        if created:
            with admin.connect() as conn:
                for name in created:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
