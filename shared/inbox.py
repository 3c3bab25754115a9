"""The consumer's own rows: what it applied (the inbox) and what it gave up on (dead letters)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.envelope import Envelope, utc_now
from shared.schema import dead_letter, inbox

_INSERT = inbox.insert()


def seen(conn: Connection, consumer: str, event_ids: Iterable[str]) -> set[str]:
    """Which of these events the consumer has applied (or dead-lettered) already."""
    return set(conn.execute(sa.select(inbox.c.event_id).where(
        inbox.c.consumer == consumer, inbox.c.event_id.in_(set(event_ids)))).scalars())


def status(conn: Connection, consumer: str, event_id: str) -> str | None:
    """'applied', 'dead', or None for an event the consumer has not had."""
    return conn.execute(sa.select(inbox.c.status).where(
        inbox.c.consumer == consumer, inbox.c.event_id == event_id)).scalar()


def mark_applied(conn: Connection, consumer: str, envelope: Envelope, *, after_position: int) -> None:
    """The inbox row of an applied event, in the transaction that applies it.

    `after_position` is the local log head when it was applied: where a rebuild replays it.
    """
    conn.execute(_INSERT, {
        "consumer": consumer, "event_id": str(envelope.event_id), "event_type": envelope.event_type,
        "source_position": envelope.position or 0, "after_position": after_position, "status": "applied",
        "body": envelope.to_json().decode(), "applied_at": utc_now().isoformat()})


def record_dead_letter(engine: Engine, consumer: str, record, envelope: Envelope | None, *,
                       attempts: int, error: str) -> None:
    """A message given up on, kept with why; an event is marked dead so a redelivery is not tried again."""
    body = record.value.decode("utf-8", errors="replace") if record.value else ""
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        conn.execute(dead_letter.insert().values(
            consumer=consumer, event_id=str(envelope.event_id) if envelope else None,
            topic=record.topic, partition=record.partition, offset=record.offset,
            attempts=attempts, error=error, body=body, created_at=utc_now().isoformat()))
        if envelope is not None:
            conn.execute(_INSERT.values(
                consumer=consumer, event_id=str(envelope.event_id), event_type=envelope.event_type,
                source_position=envelope.position or 0, after_position=-1, status="dead", body=body,
                applied_at=utc_now().isoformat()))


def forget_dead(conn: Connection, consumer: str, event_id: str, dead_letter_id: int) -> None:
    """Remove a dead letter and its "dead" inbox mark (inside the transaction that re-applies it)."""
    conn.execute(inbox.delete().where(inbox.c.consumer == consumer, inbox.c.event_id == event_id,
                                      inbox.c.status == "dead"))
    conn.execute(dead_letter.delete().where(dead_letter.c.id == dead_letter_id))
