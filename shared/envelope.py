"""The event envelope of ARCHITECTURE.md, its canonical JSON (RFC 8785) and the hash chain."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import uuid6
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.actor import Actor
from shared.canonical import canonical_json as _canonical

GENESIS_HASH = "0" * 64


def new_event_id() -> UUID:
    """A time-ordered UUID (v7): the idempotency key of an event everywhere."""
    return uuid6.uuid7()


def utc_now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


class Envelope(BaseModel):
    """One event, as stored and as sent over Kafka.

    `position`, `prev_hash` and `hash` are assigned by the event store when the event
    is appended; before that they are None.
    """

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    event_type: str
    schema_version: int = Field(ge=1)
    stream_id: str
    stream_version: int = Field(ge=1)
    project_id: str
    occurred_at: datetime
    actor: Actor
    correlation_id: str
    causation_id: str | None = None
    payload: dict[str, Any]
    position: int | None = None
    prev_hash: str | None = None
    hash: str | None = None

    @field_validator("occurred_at")
    @classmethod
    def _must_be_aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a UTC offset")
        return value.astimezone(UTC)

    @property
    def service(self) -> str:
        """The producing service: the part of `event_type` before the dot."""
        return self.event_type.split(".", 1)[0]

    def chained(self, *, position: int, prev_hash: str) -> "Envelope":
        """This envelope placed at `position` after `prev_hash`, with its own hash."""
        placed = self.model_copy(update={"position": position, "prev_hash": prev_hash, "hash": None})
        return placed.model_copy(update={"hash": chain_hash(placed)})

    def to_json(self) -> bytes:
        """The JSON bytes of the whole envelope: what is stored and what is sent.

        Not canonical on purpose: canonical JSON is computed once, for the
        hash; a verifier re-canonicalises the parsed envelope, so the stored form is free.
        """
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes | str) -> "Envelope":
        """Parse an envelope from its JSON form (raises pydantic.ValidationError)."""
        return cls.model_validate_json(data)


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON: the same value gives the same bytes on every machine (shared.canonical)."""
    return _canonical(value)


def chain_hash(envelope: Envelope) -> str:
    """sha256(prev_hash ‖ canonical JSON of the envelope without `hash`), hex."""
    body = envelope.model_dump(mode="json", exclude={"hash"})
    digest = hashlib.sha256()
    digest.update((envelope.prev_hash or GENESIS_HASH).encode("ascii"))
    digest.update(canonical_json(body))
    return digest.hexdigest()
