"""Loading aggregates for a report without taking the writers' lock."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.engine import Connection

from shared.aggregate import Aggregate
from shared.errors import NotFound
from shared.event import registry
from shared.eventstore import EventStore

A = TypeVar("A", bound=Aggregate)


class Reader:
    """find/get like the unit of work's, on a plain read connection (pages, previews)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.store = EventStore()

    def find(self, cls: type[A], stream_id: str) -> A | None:
        """The aggregate with this stream id, or None if it has no events."""
        envelopes = self.store.load_stream(self.conn, stream_id)
        if not envelopes:
            return None
        return cls.rehydrate(stream_id, [registry.load(e) for e in envelopes])

    def get(self, cls: type[A], stream_id: str, *, missing: str) -> A:
        """The aggregate with this stream id; `missing` is the zh-CN message if absent."""
        aggregate = self.find(cls, stream_id)
        if aggregate is None:
            raise NotFound(missing, details={"stream_id": stream_id})
        return aggregate
