"""Domain event base class, the registry of event types and versions, and upcasting on read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from shared.envelope import Envelope

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    """An envelope names an event type (or a version) that no class is registered for."""


class DomainEvent(BaseModel):
    """A fact that happened. Subclasses set `event_type` and `schema_version`.

    Declared nested in their aggregate so they read like the domain
    (`Community.Registered`), and registered on definition.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            registry.register(cls)


class EventRegistry:
    """Maps `event_type` to the current class, and (type, old version) to upcasters."""

    def __init__(self) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: type[DomainEvent]) -> None:
        """Make `cls` the current class of its event type."""
        known = self._classes.get(cls.event_type)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"{cls.event_type} is already registered to {known.__qualname__}")
        self._classes[cls.event_type] = cls

    def upcaster(self, event_type: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorate a function turning a payload of `from_version` into `from_version + 1`."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return decorate

    def class_for(self, event_type: str) -> type[DomainEvent]:
        """The current class of an event type."""
        try:
            return self._classes[event_type]
        except KeyError:
            raise UnknownEventType(f"no event class registered for {event_type!r}") from None

    def knows(self, event_type: str) -> bool:
        """Whether a class is registered for this event type."""
        return event_type in self._classes

    def upcast(self, event_type: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Bring a stored payload up to the current schema version, one step at a time."""
        current = self.class_for(event_type).schema_version
        if version > current:
            raise UnknownEventType(
                f"{event_type} v{version} is newer than this code knows (v{current})"
            )
        while version < current:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {event_type} from v{version}")
            payload = step(dict(payload))
            version += 1
        return payload

    def load(self, envelope: Envelope) -> DomainEvent:
        """The domain event inside an envelope, upcast to the current class."""
        cls = self.class_for(envelope.event_type)
        payload = self.upcast(envelope.event_type, envelope.schema_version, envelope.payload)
        return cls.model_validate(payload)


registry = EventRegistry()
