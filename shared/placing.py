"""Placing events in the log: each one's canonical body (RFC 8785), its hash, its row and its envelope.

The envelope's keys are fixed ASCII names, so their canonical order is known: a body is
written field by field from a template, and only the payload goes through the general
encoder. What all events of one append share (actor, correlation, stream, project) is
escaped once per append. The hash covers the body without `hash`; the stored body is that
form with `"hash":"…"` in its sorted place. A value the template cannot spell exactly as
RFC 8785 does (a non-UTC time, an out-of-range integer, an unusual type) takes the general
path, which gives the same bytes or the same error (tests/unit/test_canonical.py proves both).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, NamedTuple
from uuid import UUID

from shared.actor import Actor
from shared.canonical import CanonicalizationError, canonical_text
from shared.envelope import Envelope

_MAX_SAFE = 2**53 - 1
# The envelope's compiled validator, called directly (the placed envelope is validated once).
_validate = Envelope.__pydantic_validator__.validate_python

# The template spells exactly these fields; a model that gains one falls back to the general path.
_TEMPLATE_FITS = (list(Envelope.model_fields) == [
    "event_id", "event_type", "schema_version", "stream_id", "stream_version", "project_id", "occurred_at",
    "actor", "correlation_id", "causation_id", "payload", "position", "prev_hash", "hash"]
    and list(Actor.model_fields) == ["id", "role"])


class NewEvent(NamedTuple):
    """An event a command records: what is its own; the append gives what the batch shares."""

    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: datetime
    payload: dict[str, Any]


class Template:
    """The canonical body of the events of one append, with their shared fields escaped once."""

    def __init__(self, *, stream_id: str, project_id: str, actor: Actor, correlation_id: str,
                 causation_id: str | None) -> None:
        self.shared = {"stream_id": stream_id, "project_id": project_id, "actor": actor,
                       "correlation_id": correlation_id, "causation_id": causation_id}
        self.fits = (_TEMPLATE_FITS and type(actor) is Actor
                     and all(type(value) is str for value in (stream_id, project_id, correlation_id))
                     and (causation_id is None or type(causation_id) is str))
        if not self.fits:
            return
        text = encode_basestring
        causation = "null" if causation_id is None else text(causation_id)
        self.opening = (f'{{"actor":{{"id":{text(actor.id)},"role":{text(actor.role)}}},"causation_id":'
                        f'{causation},"correlation_id":{text(correlation_id)},"event_id":"')
        self.project = f',"project_id":{text(project_id)},"schema_version":'
        self.stream = f',"stream_id":{text(stream_id)},"stream_version":'

    @classmethod
    def of(cls, draft: Envelope) -> "Template":
        """The template of a drafted envelope's shared fields."""
        return cls(stream_id=draft.stream_id, project_id=draft.project_id, actor=draft.actor,
                   correlation_id=draft.correlation_id, causation_id=draft.causation_id)

    def place(self, event: NewEvent, *, stream_version: int, position: int, prev_hash: str) -> tuple[Envelope, tuple]:
        """The event placed at `position` after `prev_hash`: its envelope and its row (COLUMNS order)."""
        event_id, event_type, schema_version, occurred_at, payload = event
        if not (self.fits and isinstance(event_id, UUID) and type(event_type) is str and type(payload) is dict
                and type(occurred_at) is datetime and occurred_at.tzinfo is UTC
                and type(schema_version) is int and 1 <= schema_version <= _MAX_SAFE
                and type(stream_version) is int and 1 <= stream_version <= _MAX_SAFE
                and type(position) is int and 0 < position <= _MAX_SAFE):
            return self._place_generic(event, stream_version=stream_version, position=position, prev_hash=prev_hash)
        try:
            payload_text = canonical_text(payload)
        except CanonicalizationError:  # a value only pydantic's JSON mode can spell (a date, a NaN)
            return self._place_generic(event, stream_version=stream_version, position=position, prev_hash=prev_hash)
        identifier, moment = str(event_id), occurred_at.isoformat()
        # An aware UTC time: pydantic's JSON mode writes ISO 8601 with `Z` where isoformat has `+00:00`.
        head = f'{self.opening}{identifier}","event_type":{encode_basestring(event_type)}'
        tail = (f'"occurred_at":"{moment[:-6]}Z","payload":{payload_text},"position":{position},'
                f'"prev_hash":{encode_basestring(prev_hash)}{self.project}{schema_version}{self.stream}'
                f'{stream_version}}}')
        digest = hashlib.sha256(f"{prev_hash}{head},{tail}".encode()).hexdigest()
        shared = self.shared
        envelope = _validate({
            "event_id": event_id, "event_type": event_type, "schema_version": schema_version,
            "stream_id": shared["stream_id"], "stream_version": stream_version, "project_id": shared["project_id"],
            "occurred_at": occurred_at, "actor": shared["actor"], "correlation_id": shared["correlation_id"],
            "causation_id": shared["causation_id"], "payload": payload, "position": position,
            "prev_hash": prev_hash, "hash": digest})
        return envelope, (position, identifier, event_type, schema_version, shared["stream_id"], stream_version,
                          shared["project_id"], moment, f'{head},"hash":"{digest}",{tail}', prev_hash, digest)

    def _place_generic(self, event: NewEvent, *, stream_version: int, position: int,
                       prev_hash: str) -> tuple[Envelope, tuple]:
        draft = Envelope(**self.shared, **event._asdict(), stream_version=stream_version)  # validates, as ever
        envelope, body = place_generic(draft, position=position, prev_hash=prev_hash)
        return envelope, row(envelope, body)


def place(draft: Envelope, *, position: int, prev_hash: str) -> tuple[Envelope, str]:
    """A drafted envelope placed at `position` after `prev_hash`, with its hash, and its stored body."""
    event = NewEvent(draft.event_id, draft.event_type, draft.schema_version, draft.occurred_at, draft.payload)
    envelope, placed_row = Template.of(draft).place(event, stream_version=draft.stream_version, position=position,
                                                    prev_hash=prev_hash)
    return envelope, placed_row[8]


def place_generic(draft: Envelope, *, position: int, prev_hash: str) -> tuple[Envelope, str]:
    """The general placing: the whole envelope through the general canonical encoder."""
    fields = draft.model_dump(mode="json")
    fields["position"], fields["prev_hash"] = position, prev_hash
    del fields["hash"]
    # The top-level keys are plain ASCII names: "hash" sorts between these two halves.
    before = canonical_text({key: value for key, value in fields.items() if key < "hash"})
    after = canonical_text({key: value for key, value in fields.items() if key > "hash"})
    digest = hashlib.sha256(prev_hash.encode("ascii") + f"{before[:-1]},{after[1:]}".encode()).hexdigest()
    body = f'{before[:-1]},"hash":"{digest}",{after[1:]}'
    envelope = draft.model_copy(update={"position": position, "prev_hash": prev_hash, "hash": digest})
    return envelope, body


def row(envelope: Envelope, body: str) -> tuple:
    """The stored row of a placed envelope, in COLUMNS order."""
    return (envelope.position, str(envelope.event_id), envelope.event_type, envelope.schema_version,
            envelope.stream_id, envelope.stream_version, envelope.project_id, envelope.occurred_at.isoformat(),
            body, envelope.prev_hash, envelope.hash)
