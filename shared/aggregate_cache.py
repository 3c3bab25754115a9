"""Folded aggregates kept between transactions, so loading a long stream reads only its new events.

An in-process snapshot: after a unit of work commits, each aggregate it loaded or saved
(with nothing pending) is kept at its version. The next load takes it — one unit of work
owns an instance at a time — and applies only the events stored after that version, read
in the loading transaction, so another process's appends are caught up and the store's
version check still guards every write. Nothing is kept from a transaction that rolled
back. tests/unit/test_aggregate_cache.py proves a load equal to a full replay.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine

from shared.aggregate import Aggregate
from shared.event import EventRegistry
from shared.eventstore import EventStore

A = TypeVar("A", bound=Aggregate)
DEFAULT_CAPACITY = 512


class AggregateCache:
    """A bounded, least-recently-used shelf of folded aggregates for one database."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._shelf: OrderedDict[tuple[type, str], Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, cls: type[A], stream_id: str) -> A | None:
        """Remove and return the kept aggregate of this class and stream, if any."""
        with self._lock:
            return self._shelf.pop((cls, stream_id), None)  # type: ignore[return-value]

    def give(self, aggregate: Aggregate) -> None:
        """Keep an aggregate that is the fold of exactly its first `version` stored events."""
        if aggregate.pending or aggregate.version == 0:
            return
        key = (type(aggregate), aggregate.stream_id)
        with self._lock:
            kept = self._shelf.get(key)
            if kept is not None and kept.version > aggregate.version:
                return  # a fresher one is already kept
            self._shelf[key] = aggregate
            self._shelf.move_to_end(key)
            while len(self._shelf) > self.capacity:
                self._shelf.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (a rebuild or a test may want a cold start)."""
        with self._lock:
            self._shelf.clear()

    def __len__(self) -> int:
        return len(self._shelf)


_CACHES: weakref.WeakKeyDictionary[Engine, AggregateCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(engine: Engine) -> AggregateCache:
    """The cache of one engine (one service's database in this process)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = AggregateCache()
        return cache


def load(conn: Connection, cls: type[A], stream_id: str, *, store: EventStore, registry: EventRegistry,
         cache: AggregateCache | None) -> A | None:
    """The aggregate at the stream's stored version: a kept fold caught up, else a full replay."""
    aggregate = cache.take(cls, stream_id) if cache is not None else None
    after = aggregate.version if aggregate is not None else 0
    envelopes = store.load_stream(conn, stream_id, after_version=after)
    if aggregate is None:
        if not envelopes:
            return None
        return cls.rehydrate(stream_id, [registry.load(e) for e in envelopes])
    for envelope in envelopes:
        aggregate.apply(registry.load(envelope))
        aggregate.version += 1
    return aggregate
