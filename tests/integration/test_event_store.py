"""The event store on real SQLite and PostgreSQL: concurrency, the hash chain, upcasting."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from shared.actor import Actor
from shared.aggregate import Aggregate
from shared.errors import ConcurrencyError
from shared.event import DomainEvent, EventRegistry
from shared.eventstore import EventStore
from shared.schema import events
from shared.unit_of_work import Projection, UnitOfWork

counters = sa.Table(
    "test_counter", sa.MetaData(), sa.Column("id", sa.String, primary_key=True), sa.Column("n", sa.Integer)
)
test_registry = EventRegistry()


class Counter(Aggregate):
    """A tiny aggregate to exercise the store."""

    class Incremented(DomainEvent):
        event_type = "test.CounterIncremented"
        schema_version = 2
        by: int
        note: str

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.total = 0

    def increment(self, by: int) -> None:
        self._record(self.Incremented(by=by, note="n"))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case Counter.Incremented(by=by):
                self.total = getattr(self, "total", 0) + by


test_registry.register(Counter.Incremented)


@test_registry.upcaster("test.CounterIncremented", from_version=1)
def _v1_to_v2(payload: dict) -> dict:
    # v1 called the field "amount" and had no note.
    return {"by": payload.pop("amount"), "note": "upcast from v1"}


projection = Projection(counters)


@projection.on("test.CounterIncremented")
def _count(conn, envelope) -> None:
    updated = conn.execute(
        counters.update().where(counters.c.id == envelope.stream_id).values(n=counters.c.n + 1)
    ).rowcount
    if not updated:
        conn.execute(counters.insert().values(id=envelope.stream_id, n=1))


@pytest.fixture
def engine(kernel_engine):
    counters.metadata.create_all(kernel_engine)
    return kernel_engine


def uow(engine) -> UnitOfWork:
    return UnitOfWork(engine=engine, projection=projection, actor=Actor(id="u1", role="official"),
                      registry=test_registry)


def bump(engine, stream: str, times: int = 1) -> None:
    with uow(engine) as work:
        counter = work.find(Counter, stream) or Counter(stream)
        for _ in range(times):
            counter.increment(1)
        work.save(counter, project_id="p1")
        work.commit()


def test_stale_expected_version_fails_and_writes_nothing(engine):
    bump(engine, "c-1")
    with uow(engine) as first:
        stale = first.get(Counter, "c-1", missing="无")
    bump(engine, "c-1")  # somebody else moved the stream on
    with uow(engine) as work:
        stale.increment(5)
        with pytest.raises(ConcurrencyError) as caught:
            work.save(stale, project_id="p1")
        assert caught.value.status == 409
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 2
        assert conn.execute(sa.select(counters.c.n)).scalar() == 2
        assert EventStore().verify(conn).ok


def test_a_batch_refused_by_the_database_writes_none_of_its_events(engine):
    """A batch (COPY on PostgreSQL) whose second event reuses a stored event id fails whole."""
    from shared.envelope import Envelope, new_event_id, utc_now

    bump(engine, "c-dup")
    with engine.connect() as conn:
        [stored] = EventStore().read(conn)

    def draft(version: int, event_id) -> Envelope:
        return Envelope(event_id=event_id, event_type="test.CounterIncremented", schema_version=2,
                        stream_id="c-batch", stream_version=version, project_id="p1", occurred_at=utc_now(),
                        actor=Actor(id="u1", role="official"), correlation_id="c",
                        payload={"by": 1, "note": "n"})

    batch = [draft(1, new_event_id()), draft(2, stored.event_id), draft(3, new_event_id())]
    with pytest.raises(ConcurrencyError), engine.connect() as conn, conn.begin():  # the error rolls back
        EventStore().append(conn, stream_id="c-batch", expected_version=0, batch=batch)
    with engine.connect() as conn:
        assert [e.event_id for e in EventStore().read(conn)] == [stored.event_id]
        assert EventStore().head(conn) == (1, stored.hash) and EventStore().verify(conn).ok
    bump(engine, "c-batch", times=3)  # the stream is still free at version 0
    with engine.connect() as conn:
        assert EventStore().stream_version(conn, "c-batch") == 3 and EventStore().verify(conn).ok


def test_a_batch_whose_last_event_cannot_be_placed_writes_none_of_it(engine):
    """Rows are placed as the database takes them (COPY on PostgreSQL): a failure after the
    first rows went out still leaves the log, its head and the stream as they were."""
    from pydantic_core import PydanticSerializationError

    from shared.envelope import new_event_id, utc_now
    from shared.placing import NewEvent

    bump(engine, "c-before")
    with engine.connect() as conn:
        head = EventStore().head(conn)

    def event(payload) -> NewEvent:
        return NewEvent(new_event_id(), "test.CounterIncremented", 2, utc_now(), payload)

    # 40 rows of ~2.5 KB: past psycopg's 32 KB COPY buffer, so the first ones reach the server.
    good = {"by": 1, "note": "n" * 2000}
    batch = [event(good) for _ in range(40)] + [event({"by": object()})]
    with pytest.raises(PydanticSerializationError), engine.connect() as conn, conn.begin():
        EventStore().record(conn, stream_id="c-broken", expected_version=0, events=batch, project_id="p1",
                            actor=Actor(id="u1", role="official"), correlation_id="c")
    with engine.connect() as conn:
        assert EventStore().head(conn) == head and EventStore().stream_version(conn, "c-broken") == 0
        assert EventStore().verify(conn).ok
    bump(engine, "c-broken", times=2)
    with engine.connect() as conn:
        assert EventStore().stream_version(conn, "c-broken") == 2 and EventStore().verify(conn).ok


def test_events_and_read_model_commit_together_or_not_at_all(engine):
    with uow(engine) as work:
        counter = Counter("c-2")
        counter.increment(1)
        work.save(counter, project_id="p1")
        # no commit: leaving the block rolls back both the event and the read model
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(counters)).scalar() == 0


def test_positions_are_gap_free_and_chain_verifies(engine):
    for i in range(5):
        bump(engine, f"c-{i}", times=2)
    with engine.connect() as conn:
        positions = [p for (p,) in conn.execute(sa.select(events.c.position).order_by(events.c.position))]
        result = EventStore().verify(conn)
    assert positions == list(range(1, 11))
    assert result.ok and result.checked == 10


def _tamper(engine, statement) -> int | None:
    with engine.begin() as conn:
        conn.execute(statement)
    with engine.connect() as conn:
        return EventStore().verify(conn).broken_position


def _body(engine, position: int) -> dict:
    with engine.connect() as conn:
        return json.loads(conn.execute(sa.select(events.c.body).where(events.c.position == position)).scalar())


def test_changed_payload_is_named(engine):
    bump(engine, "c-1", times=6)
    body = _body(engine, 4)
    body["payload"]["by"] = 1000
    assert _tamper(engine, events.update().where(events.c.position == 4).values(body=json.dumps(body))) == 4


def test_swapped_order_is_named(engine):
    bump(engine, "c-1", times=6)
    third, fourth = _body(engine, 3), _body(engine, 4)
    with engine.begin() as conn:
        conn.execute(events.update().where(events.c.position == 3).values(body=json.dumps(fourth)))
        conn.execute(events.update().where(events.c.position == 4).values(body=json.dumps(third)))
    with engine.connect() as conn:
        assert EventStore().verify(conn).broken_position == 3


def test_deleted_event_is_named(engine):
    bump(engine, "c-1", times=6)
    assert _tamper(engine, events.delete().where(events.c.position == 5)) == 5


def test_deleted_last_event_is_named(engine):
    bump(engine, "c-1", times=6)
    assert _tamper(engine, events.delete().where(events.c.position == 6)) == 6


def test_rehashed_forgery_still_breaks_the_chain(engine):
    """Re-computing a tampered event's own hash does not help: the next link breaks."""
    from shared.envelope import Envelope, chain_hash

    bump(engine, "c-1", times=4)
    forged = Envelope.model_validate(_body(engine, 2))
    forged = forged.model_copy(update={"payload": {"by": 99, "note": "n"}})
    forged = forged.model_copy(update={"hash": chain_hash(forged)})
    statement = events.update().where(events.c.position == 2).values(
        body=forged.to_json().decode(), hash=forged.hash)
    assert _tamper(engine, statement) == 3


def test_upcaster_turns_stored_v1_into_current_class(engine):
    from shared.envelope import Envelope, new_event_id, utc_now

    old = Envelope(event_id=new_event_id(), event_type="test.CounterIncremented", schema_version=1,
                   stream_id="c-old", stream_version=1, project_id="p1", occurred_at=utc_now(),
                   actor=Actor(id="u1", role="official"), correlation_id="c", payload={"amount": 7})
    with engine.begin() as conn:
        EventStore().append(conn, stream_id="c-old", expected_version=0, batch=[old])
    with uow(engine) as work:
        counter = work.get(Counter, "c-old", missing="无")
        stored = work.store.load_stream(work.conn, "c-old")[0]
        loaded = test_registry.load(stored)
    assert isinstance(loaded, Counter.Incremented)
    assert loaded.by == 7 and loaded.note == "upcast from v1"
    assert counter.total == 7 and counter.version == 1
    assert stored.schema_version == 1  # the stored fact is never rewritten


def test_concurrent_writers_to_one_stream_never_both_win(engine):
    """Many threads racing on one stream: each version is written once, the log stays whole."""
    import threading

    bump(engine, "c-race")
    wins, conflicts = [], []

    def racer() -> None:
        try:
            bump(engine, "c-race")
            wins.append(1)
        except ConcurrencyError:
            conflicts.append(1)

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        versions = [v for (v,) in conn.execute(
            sa.select(events.c.stream_version).where(events.c.stream_id == "c-race").order_by(events.c.stream_version))]
        assert EventStore().verify(conn).ok
    assert versions == list(range(1, len(wins) + 2))
    assert len(wins) + len(conflicts) == 8 and wins


def test_rebuild_replays_own_and_foreign_events_in_first_applied_order(engine):
    """A foreign event applied after own event N replays between N and N + 1."""
    from shared.envelope import Envelope, new_event_id, utc_now
    from shared.rebuild import replay_order
    from shared.schema import inbox

    def foreign(after: int) -> dict:
        envelope = Envelope(event_id=new_event_id(), event_type="other.Happened", schema_version=1,
                            stream_id=f"o-{after}", stream_version=1, project_id="p1", occurred_at=utc_now(),
                            actor=Actor(id="u", role="official"), correlation_id="c", payload={"after": after})
        return dict(consumer="me", event_id=str(envelope.event_id), event_type=envelope.event_type,
                    source_position=1, after_position=after, status="applied",
                    body=envelope.to_json().decode(), applied_at=utc_now().isoformat())

    with engine.begin() as conn:
        conn.execute(inbox.insert(), [foreign(0), foreign(2), foreign(3)])
    for stream in ("a", "b", "c"):
        bump(engine, stream)
    with engine.connect() as conn:
        order = [e.payload.get("after", f"own{e.position}") for e in replay_order(conn, consumer="me")]
    assert order == [0, "own1", "own2", 2, "own3", 3]


def _chain(engine) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        assert EventStore().verify(conn).ok
        return [tuple(row) for row in conn.execute(
            sa.select(events.c.position, events.c.stream_id, events.c.prev_hash).order_by(events.c.position))]


def test_a_single_event_after_this_process_own_last_append_takes_one_statement(postgres_url, monkeypatch):
    """PostgreSQL: the head this process wrote last is checked as the event goes in, not read first."""
    from shared.db import create_engine
    from shared.log_sql import RawLog
    from shared.schema import metadata

    engine = create_engine(postgres_url)
    metadata.create_all(engine)
    counters.metadata.create_all(engine)
    try:
        bump(engine, "c-1")
        locked_reads = []
        original = RawLog.head_and_version
        monkeypatch.setattr(RawLog, "head_and_version",
                            lambda self, stream_id: locked_reads.append(stream_id) or original(self, stream_id))
        bump(engine, "c-1")
        bump(engine, "c-2")
        assert locked_reads == []
        assert [(position, stream) for position, stream, _ in _chain(engine)] == [(1, "c-1"), (2, "c-1"), (3, "c-2")]
    finally:
        engine.dispose()


def test_an_append_after_another_writer_moved_the_head_is_placed_after_the_real_head(postgres_url):
    """Two processes (two engines) on one PostgreSQL log: each one's remembered head goes stale in turn."""
    from shared.db import create_engine
    from shared.schema import metadata

    first, second = create_engine(postgres_url), create_engine(postgres_url)
    metadata.create_all(first)
    counters.metadata.create_all(first)
    try:
        bump(first, "c-1")
        bump(second, "c-2")
        bump(first, "c-1")  # first remembers position 1: the head is at 2
        bump(second, "c-2")
        stale = Counter("c-2")  # as if c-2 had no events: a stale version is refused on either path
        stale.increment(1)
        with pytest.raises(ConcurrencyError), uow(first) as work:
            work.save(stale, project_id="p1")
        chain = _chain(first)
        assert [position for position, _, _ in chain] == [1, 2, 3, 4]
        with first.connect() as conn:
            assert EventStore().stream_version(conn, "c-1") == 2 and EventStore().stream_version(conn, "c-2") == 2
    finally:
        first.dispose()
        second.dispose()


def test_an_append_rolled_back_leaves_the_next_one_chained_to_the_committed_head(engine):
    with uow(engine) as work:
        counter = Counter("c-gone")
        counter.increment(1)
        work.save(counter, project_id="p1")  # placed, never committed
    bump(engine, "c-1")
    bump(engine, "c-1")
    assert [(position, stream) for position, stream, _ in _chain(engine)] == [(1, "c-1"), (2, "c-1")]


def test_threads_appending_to_their_own_streams_all_land_on_one_unbroken_chain(engine):
    """One engine, many threads, from an empty log: each waits on the log head, none is refused or misplaced."""
    import threading

    failures = []
    start = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            start.wait()  # the first appends meet on the empty log
            for _ in range(5):
                bump(engine, f"c-own-{n}")
        except Exception as error:  # noqa: BLE001 - collected, asserted below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [], [str(error.__cause__)[:200] for error in failures]
    chain = _chain(engine)
    assert [position for position, _, _ in chain] == list(range(1, 31))
    with engine.connect() as conn:
        assert all(EventStore().stream_version(conn, f"c-own-{n}") == 5 for n in range(6))
