"""How far the broker acknowledged a service's log: the relay's checkpoint row."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.envelope import utc_now
from shared.schema import relay_checkpoint


@dataclass(frozen=True)
class Checkpoint:
    """How far the broker has acknowledged the log, and where the last event landed."""

    position: int
    partition: int | None = None
    offset: int | None = None
    event_id: str | None = None


def load(conn: Connection, relay: str) -> Checkpoint:
    """The relay's checkpoint (position 0 before anything was published)."""
    row = conn.execute(sa.select(relay_checkpoint).where(relay_checkpoint.c.relay == relay)).first()
    if row is None:
        return Checkpoint(0)
    return Checkpoint(row.position, row.last_partition, row.last_offset, row.last_event_id)


def save(engine: Engine, relay: str, checkpoint: Checkpoint, *, republished: bool = False) -> None:
    """Record how far the broker acknowledged (or, on loss, that the log is re-sent from the start)."""
    values = {
        "position": checkpoint.position, "last_partition": checkpoint.partition,
        "last_offset": checkpoint.offset, "last_event_id": checkpoint.event_id,
        "updated_at": utc_now().isoformat(),
    }
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        updated = conn.execute(
            relay_checkpoint.update()
            .where(relay_checkpoint.c.relay == relay)
            .values(**values, republished=relay_checkpoint.c.republished + int(republished))
        ).rowcount
        if not updated:
            conn.execute(relay_checkpoint.insert().values(relay=relay, republished=int(republished), **values))
