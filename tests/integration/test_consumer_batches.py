"""The idempotent consumer applies a fetched batch in one transaction, each event still exactly once."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from shared.consumer import IdempotentConsumer
from shared.metrics import KernelMetrics
from shared.schema import dead_letter, inbox
from shared.settings import KernelSettings
from tests.integration.test_relay_and_consumer import append_notes, count, engine_at, projection

caused = sa.Table("caused", sa.MetaData(), sa.Column("event_id", sa.String),
                  sa.Column("correlation_id", sa.String), sa.Column("causation_id", sa.String))


def consumer_on(engine, policies=None) -> IdempotentConsumer:
    consumer = IdempotentConsumer(name="construction", engine=engine, projection=projection,
                                  settings=KernelSettings(), metrics=KernelMetrics(), policies=policies)
    consumer.backoff_seconds = 0.001
    return consumer


def commits(engine) -> list[int]:
    """A counter of the transactions committed on `engine` from now on."""
    counted = [0]

    @sa.event.listens_for(engine, "commit")
    def _count(_conn) -> None:
        counted[0] += 1

    return counted


def records_of(envelopes) -> list[tuple[SimpleNamespace, object]]:
    return [(SimpleNamespace(topic="renovation.intake", partition=0, offset=offset, key=b"p-0",
                             value=envelope.to_json()), envelope) for offset, envelope in enumerate(envelopes)]


def test_a_batch_is_applied_in_one_transaction_with_an_inbox_row_per_event(tmp_path):
    events = append_notes(engine_at(tmp_path / "intake.db"), 10)
    target = engine_at(tmp_path / "construction.db")
    consumer, counted = consumer_on(target), commits(target)

    assert consumer.apply_batch(events) == ["applied"] * 10

    assert counted[0] == 1, "one commit for the whole batch"
    assert count(target, projection.tables[0]) == 10
    with target.connect() as conn:
        rows = conn.execute(sa.select(inbox.c.event_id, inbox.c.source_position).order_by(inbox.c.seq)).all()
    assert [(row.event_id, row.source_position) for row in rows] == [(str(e.event_id), e.position) for e in events]


def test_a_redelivered_batch_changes_nothing_and_a_repeat_within_a_batch_is_skipped(tmp_path):
    events = append_notes(engine_at(tmp_path / "intake.db"), 6)
    target = engine_at(tmp_path / "construction.db")
    consumer = consumer_on(target)

    assert consumer.apply_batch(events[:4]) == ["applied"] * 4
    # Redelivered after a crash before the offset commit, overlapping new ones, one of them twice.
    outcomes = consumer.apply_batch([*events[2:], events[5], events[0]])

    assert outcomes == ["duplicate", "duplicate", "applied", "applied", "duplicate", "duplicate"]
    assert count(target, projection.tables[0]) == 6, "an event was applied twice"
    assert count(target, inbox) == 6
    assert consumer.apply(events[5]) == "duplicate"


async def test_a_failing_event_rolls_its_batch_back_then_the_others_apply_and_it_is_dead_lettered(tmp_path):
    source = engine_at(tmp_path / "intake.db")
    events = append_notes(source, 2) + append_notes(source, 1, start=2, explode=True) + append_notes(source, 2, start=3)
    target = engine_at(tmp_path / "construction.db")
    consumer = consumer_on(target)

    await consumer._apply_run(records_of(events))

    assert count(target, projection.tables[0]) == 4
    assert count(target, inbox, inbox.c.status == "applied") == 4
    assert count(target, dead_letter) == 1 and count(target, inbox, inbox.c.status == "dead") == 1
    with target.connect() as conn:
        [attempts] = conn.execute(sa.select(dead_letter.c.attempts)).scalars()
    assert attempts == 3, "the failing event still gets its own retries"


def test_a_policy_in_a_batch_runs_in_its_events_chain_and_rebuild_order_is_kept(tmp_path):
    from shared.bench.store import BenchNote
    from shared.eventstore import EventStore
    from shared.rebuild import rebuild, snapshot

    events = append_notes(engine_at(tmp_path / "intake.db"), 3)
    target = engine_at(tmp_path / "construction.db")
    caused.metadata.create_all(target)

    def policy(envelope, work) -> None:
        work.conn.execute(caused.insert().values(event_id=str(envelope.event_id), correlation_id=work.correlation_id,
                                                 causation_id=work.causation_id))
        note = BenchNote.start()
        note.note(seq=envelope.payload["i"])
        work.save(note, project_id=envelope.project_id)  # the policy's own event

    consumer = consumer_on(target, policies={"intake.Noted": policy})
    assert consumer.apply_batch(events) == ["applied"] * 3

    with target.connect() as conn:
        rows = conn.execute(sa.select(caused)).all()
        after = conn.execute(sa.select(inbox.c.after_position).order_by(inbox.c.seq)).scalars().all()
        own = list(EventStore().read(conn))
    assert [(r.correlation_id, r.causation_id) for r in rows] == [(e.correlation_id, str(e.event_id)) for e in events]
    assert [e.causation_id for e in own] == [str(e.event_id) for e in events]
    assert after == [0, 1, 2], "each foreign event sits after the own events that came before it"
    live = snapshot(target, projection)
    assert rebuild(target, projection, consumer="construction") == 6  # 3 own, 3 foreign
    assert snapshot(target, projection) == live


async def test_an_empty_fetch_is_followed_by_waiting_for_records_not_by_a_pause(tmp_path, monkeypatch):
    from faststream.kafka import KafkaBroker
    from faststream.kafka.subscriber import usecase

    async def no_pause(seconds) -> None:
        raise AssertionError(f"paused {seconds} s after an empty fetch: a record arriving meanwhile waits it out")

    class Idle:
        """A Kafka consumer with nothing to fetch."""

        waits: list[int] = []

        async def getmany(self, *, timeout_ms: int, max_records: int | None = None) -> dict:
            self.waits.append(timeout_ms)
            return {}

    monkeypatch.setattr(usecase.anyio, "sleep", no_pause)
    consumer = consumer_on(engine_at(tmp_path / "construction.db"))
    consumer.subscribe(KafkaBroker("127.0.0.1:1"), ["renovation.intake"])
    idle = Idle()

    assert await consumer._subscriber.get_msg(idle) == ()
    assert idle.waits and idle.waits[0] >= 100, "getmany returns as records arrive: it may wait long"
