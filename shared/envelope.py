"""The event envelope of ARCHITECTURE.md, its canonical JSON (RFC 8785) and the hash chain."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import uuid_utils.compat
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.actor import Actor
from shared.canonical import CanonicalizationError
from shared.canonical import canonical_json as _canonical

GENESIS_HASH = "0" * 64


def new_event_id() -> UUID:
    """A time-ordered UUID (v7): the idempotency key of an event everywhere."""
    return uuid_utils.compat.uuid7()


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
        """The canonical JSON (RFC 8785) of the whole envelope: what is stored and what is sent.

        Canonical so that a verifier can check the stored bytes themselves: they must equal the
        canonical form of what they parse to, and the hash covers all of it but the hash.
        """
        return canonical_json(self.model_dump(mode="json"))

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


class _DuplicateKey(ValueError):
    """A JSON object naming the same key twice: its readers may disagree on which one counts."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_MAX_SAFE_INTEGER = 2**53 - 1


def stored_body_problem(body: bytes | str, *, prev_hash: str) -> str | None:
    """Why stored bytes are not a sound envelope after `prev_hash`, or None when they are.

    Sound means: they are the canonical JSON of what they parse to (no duplicate key, no
    other spelling of a number or string), that value is exactly the envelope's own form (no
    extra field, UTC time, lower-case ids), and the hash covers all of it but the hash itself.
    """
    data = body.encode("utf-8") if isinstance(body, str) else body
    try:
        value = json.loads(data, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant,
                           parse_int=_parse_int)
    except _DuplicateKey as error:
        return f"stored body is not in canonical form: duplicate key '{error.args[0]}'"
    except ValueError as error:
        return f"stored body does not parse: {error}"
    if not isinstance(value, dict):
        return "stored body is not a JSON object"
    try:
        canonical = canonical_json(value)
    except CanonicalizationError as error:
        return f"stored body is not in canonical form: {error}"
    if canonical != data:
        return f"stored body is not in canonical form: {_first_difference(data, canonical)}"
    try:
        envelope = Envelope.model_validate(value)
    except ValidationError as error:
        return f"stored body is not an envelope: {error.errors()[0]['loc']} {error.errors()[0]['msg']}"
    own = envelope.model_dump(mode="json")
    if own != value:  # compared whole first; the walk only names the place
        return f"stored body is not the envelope's own form: {_difference(value, own) or 'a value differs'}"
    if envelope.prev_hash != prev_hash:
        return "chain broken: prev_hash does not match the previous event's hash"
    # The body is canonical and the envelope's own form, so the hash is over these very values.
    unhashed = {key: item for key, item in value.items() if key != "hash"}
    digest = hashlib.sha256(prev_hash.encode("ascii") + canonical_json(unhashed)).hexdigest()
    if digest != envelope.hash:
        return "hash does not match the event's content"
    return None


def _parse_int(text: str) -> int | float:
    # JCS numbers are doubles: an integer past 2**53 can only be the canonical spelling of an
    # integral double (1e16 is written 10000000000000000), never an int the store accepted.
    number = int(text)
    return number if -_MAX_SAFE_INTEGER <= number <= _MAX_SAFE_INTEGER else float(text)


def _first_difference(stored: bytes, canonical: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(stored, canonical, strict=False)) if a != b),
              min(len(stored), len(canonical)))
    start = max(at - 12, 0)
    seen = stored[start:at + 12].decode("utf-8", "replace")
    wanted = canonical[start:at + 12].decode("utf-8", "replace")
    return f"at byte {at} it reads {seen!r} where the canonical form reads {wanted!r}"


def _difference(stored: Any, own: Any, path: str = "") -> str | None:
    """The first place where a parsed body differs from the envelope's own form, named."""
    if isinstance(stored, dict) and isinstance(own, dict):
        for key in sorted(stored.keys() | own.keys()):
            where = f"{path}.{key}" if path else key
            if key not in own:
                return f"field '{where}' is not part of the envelope"
            if key not in stored:
                return f"field '{where}' is missing"
            found = _difference(stored[key], own[key], where)
            if found:
                return found
        return None
    if stored != own or type(stored) is not type(own) and not _same_number(stored, own):
        return f"'{path}' reads {stored!r}, the envelope's form is {own!r}"
    return None


def _same_number(a: Any, b: Any) -> bool:
    return isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool) \
        and not isinstance(b, bool) and a == b
