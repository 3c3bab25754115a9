"""Drop a service's read models and rebuild them from its own log and its inbox."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.envelope import Envelope
from shared.eventstore import EventStore
from shared.schema import inbox
from shared.unit_of_work import Projection


def replay_order(conn: Connection, *, consumer: str) -> Iterator[Envelope]:
    """Own events and applied foreign events, in the order they were first applied.

    A foreign event applied when the local log stood at position N came after own event N
    and before N + 1: that is what `after_position` records.
    """
    own = EventStore().iter_all(conn)
    foreign = conn.execute(
        sa.select(inbox.c.after_position, inbox.c.body)
        .where(inbox.c.consumer == consumer, inbox.c.status == "applied")
        .order_by(inbox.c.seq)
    )
    pending_foreign = next(foreign, None)
    for envelope in own:
        while pending_foreign is not None and pending_foreign.after_position < envelope.position:
            yield Envelope.from_json(pending_foreign.body)
            pending_foreign = next(foreign, None)
        yield envelope
    while pending_foreign is not None:
        yield Envelope.from_json(pending_foreign.body)
        pending_foreign = next(foreign, None)


def rebuild(engine: Engine, projection: Projection, *, consumer: str) -> int:
    """Empty the projection's tables and replay everything into them, in one transaction."""
    replayed = 0
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        for table in reversed(projection.tables):
            conn.execute(table.delete())
        # Streamed: the log is read in chunks as it is replayed, so memory does not grow with it.
        for envelope in replay_order(conn, consumer=consumer):
            projection.apply(conn, envelope)
            replayed += 1
    return replayed


def snapshot(engine: Engine, projection: Projection) -> dict[str, list[tuple]]:
    """Every row of every read-model table, sorted: for comparing a rebuild with the live one."""
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
            for table in projection.tables
        }
