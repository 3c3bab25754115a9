"""Aggregate base: commands check invariants and record events; `apply` alone changes state."""

from __future__ import annotations

from typing import Self

from shared.event import DomainEvent


class Aggregate:
    """An event-sourced aggregate: state is the fold of its events over `apply`.

    Subclasses implement `apply(event)` (a `match` on the event class) and command
    methods that validate, then call `_record`. A subclass's `__init__(stream_id)` sets
    the empty state that the first event starts from.
    """

    stream_prefix: str = ""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        self.version = 0
        self.pending: list[DomainEvent] = []

    @classmethod
    def stream_for(cls, key: str) -> str:
        """The stream id of the aggregate with this natural key."""
        return f"{cls.stream_prefix}-{key}" if cls.stream_prefix else key

    @classmethod
    def rehydrate(cls, stream_id: str, events: list[DomainEvent]) -> Self:
        """Rebuild an aggregate from its stored events."""
        aggregate = cls(stream_id)
        for event in events:
            aggregate.apply(event)
            aggregate.version += 1
        return aggregate

    @property
    def expected_version(self) -> int:
        """The version the store must still hold for the pending events to be appended."""
        return self.version - len(self.pending)

    def apply(self, event: DomainEvent) -> None:  # pragma: no cover - abstract
        """Change state by one event."""
        raise NotImplementedError

    def _record(self, event: DomainEvent) -> None:
        self.apply(event)
        self.version += 1
        self.pending.append(event)

    def collect(self) -> list[DomainEvent]:
        """Take the events recorded since the last load or save."""
        events, self.pending = self.pending, []
        return events
