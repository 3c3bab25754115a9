"""One transaction: a command's events and the read-model changes they cause, together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.actor import Actor
from shared.aggregate import Aggregate
from shared.aggregate_cache import cache_for, load as load_aggregate
from shared.envelope import Envelope, new_event_id, utc_now
from shared.errors import NotFound, RecordedRefusal
from shared.event import EventRegistry, registry as default_registry
from shared.eventstore import EventStore
from shared.placing import NewEvent

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")
Updater = Callable[[Connection, Envelope], None]


class Projection:
    """Read-model updaters by event type, own and foreign; replayed to rebuild the tables."""

    def __init__(self, *tables: sa.Table) -> None:
        self.tables = tables
        self._updaters: dict[str, list[Updater]] = defaultdict(list)
        self._every: list[Updater] = []

    @classmethod
    def merge(cls, *projections: "Projection") -> "Projection":
        """One projection holding the tables and updaters of several (one per read model)."""
        merged = cls(*[table for p in projections for table in p.tables])
        for projection in projections:
            for event_type, updaters in projection._updaters.items():
                merged._updaters[event_type].extend(updaters)
            merged._every.extend(projection._every)
        return merged

    def on(self, *event_types: str) -> Callable[[Updater], Updater]:
        """Register a function that updates read models for these event types."""

        def decorate(fn: Updater) -> Updater:
            for event_type in event_types:
                self._updaters[event_type].append(fn)
            return fn

        return decorate

    def on_every(self, fn: Updater) -> Updater:
        """Register a function run for every event, after its type's updaters (e.g. an archive of all events)."""
        self._every.append(fn)
        return fn

    def handles(self, event_type: str) -> bool:
        """Whether any read model reacts to this event type."""
        return bool(self._every) or event_type in self._updaters

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        """Update the read models for one event."""
        for updater in self._updaters.get(envelope.event_type, ()):
            updater(conn, envelope)
        for updater in self._every:
            updater(conn, envelope)


class UnitOfWork:
    """Loads aggregates, appends their events and projects them in one transaction."""

    def __init__(
        self,
        *,
        engine: Engine,
        projection: Projection,
        actor: Actor,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        registry: EventRegistry = default_registry,
        on_commit: Callable[[list[Envelope]], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.projection = projection
        self.actor = actor
        self.correlation_id = correlation_id or str(new_event_id())
        self.causation_id = causation_id
        self.registry = registry
        self.store = EventStore()
        self.appended: list[Envelope] = []
        # Aggregates loaded or saved here go back to the engine's cache once the commit succeeded.
        self.cache = cache_for(engine)
        self._touched: list[Aggregate] = []
        self._on_commit = on_commit
        # The service's clock: in a demo that moved it, events carry the demo's time.
        self.clock = clock
        self.conn: Connection

    def __enter__(self) -> Self:
        self.conn = self.engine.connect().execution_options(immediate=True)
        self._tx = self.conn.begin()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self.conn.close()

    def find(self, cls: type[A], stream_id: str) -> A | None:
        """The aggregate with this stream id, or None if it has no events (a kept fold, caught up)."""
        aggregate = load_aggregate(self.conn, cls, stream_id, store=self.store, registry=self.registry,
                                   cache=self.cache)
        if aggregate is not None:
            self._touched.append(aggregate)
        return aggregate

    def get(self, cls: type[A], stream_id: str, *, missing: str) -> A:
        """The aggregate with this stream id; `missing` is the zh-CN message if absent."""
        aggregate = self.find(cls, stream_id)
        if aggregate is None:
            raise NotFound(missing, details={"stream_id": stream_id})
        return aggregate

    def save(self, aggregate: Aggregate, *, project_id: str) -> list[Envelope]:
        """Append the aggregate's new events and update the read models for them."""
        expected, clock = aggregate.expected_version, self.clock
        events = [NewEvent(new_event_id(), event.event_type, event.schema_version, clock(),
                           event.model_dump(mode="json")) for event in aggregate.collect()]
        placed = self.store.record(
            self.conn, stream_id=aggregate.stream_id, expected_version=expected, events=events,
            project_id=project_id, actor=self.actor, correlation_id=self.correlation_id,
            causation_id=self.causation_id,
        )
        for envelope in placed:
            self.projection.apply(self.conn, envelope)
        self.appended.extend(placed)
        self._touched.append(aggregate)
        return placed

    def commit(self) -> None:
        """Make the events and read-model changes durable together."""
        self._tx.commit()
        for aggregate in self._touched:
            self.cache.give(aggregate)
        self._touched = []
        if self._on_commit and self.appended:
            self._on_commit(self.appended)


def run(uow: UnitOfWork, handler: Callable[..., T], /, **kwargs) -> T:
    """Run one handler in its own transaction; a recorded refusal is committed, then raised."""
    with uow:
        try:
            result = handler(uow, **kwargs)
        except RecordedRefusal:
            uow.commit()
            raise
        uow.commit()
    return result


def attempt(uow: UnitOfWork, aggregate: Aggregate, command: Callable[[], T], *, project_id: str) -> T:
    """Call a command; if the aggregate recorded its refusal, save that before it propagates."""
    try:
        return command()
    except RecordedRefusal:
        uow.save(aggregate, project_id=project_id)
        raise
