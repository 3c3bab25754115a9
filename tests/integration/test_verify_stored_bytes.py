"""verify checks the stored bytes: every edit that a parsed model would forgive is named."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from shared.actor import Actor
from shared.envelope import Envelope, new_event_id
from shared.eventstore import EventStore
from shared.schema import events

BROKEN = 4


def _draft(version: int) -> Envelope:
    return Envelope(
        event_id=new_event_id(), event_type="test.FundsAllocated", schema_version=1,
        stream_id="fund-1", stream_version=version, project_id="p1",
        occurred_at=datetime(2026, 11, 29, 6, 30, version, 123456, tzinfo=UTC),
        actor=Actor(id="wang", role="official"), correlation_id="c-1",
        payload={"amount": 9000.0, "note": "第一笔", "items": [1, 2]},
    )


@pytest.fixture
def engine(kernel_engine):
    with kernel_engine.begin() as conn:
        EventStore().append(conn, stream_id="fund-1", expected_version=0,
                            batch=[_draft(v) for v in range(1, 7)])
    return kernel_engine


def _stored(engine, position: int) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(events.c.body).where(events.c.position == position)).scalar()


def _edit(engine, position: int, edit) -> tuple[int | None, str | None]:
    body = _stored(engine, position)
    edited = edit(body)
    assert edited != body, "the edit must change the stored bytes"
    with engine.begin() as conn:
        conn.execute(events.update().where(events.c.position == position).values(body=edited))
    with engine.connect() as conn:
        result = EventStore().verify(conn)
    return result.broken_position, result.reason


def _once(pattern: str, replacement, body: str) -> str:
    edited, count = re.subn(pattern, replacement, body, count=1)
    assert count == 1, f"{pattern!r} not in {body}"
    return edited


def _added_top_level_field(body: str) -> str:
    return _once(r"^\{", '{"accepted":true,', body)


def _added_actor_field(body: str) -> str:
    return _once(r'"actor":\{', '"actor":{"delegate":"li",', body)


def _occurred_at_in_beijing_time(body: str) -> str:
    def to_beijing(match: re.Match) -> str:
        instant = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        return f'"occurred_at":"{instant.astimezone(timezone(timedelta(hours=8))).isoformat()}"'
    return _once(r'"occurred_at":"([^"]+)"', to_beijing, body)


def _event_id_upper_case(body: str) -> str:
    return _once(r'"event_id":"([0-9a-f-]+)"', lambda m: f'"event_id":"{m.group(1).upper()}"', body)


def _duplicated_payload(body: str) -> str:
    return _once(r'"payload":', '"payload":{"amount":1},"payload":', body)


def _number_respelled(body: str) -> str:
    return _once(r'"amount":9000(\.0)?([,}])', r'"amount":9e3\2', body)


@pytest.mark.parametrize(("edit", "reason"), [
    (_added_top_level_field, "field 'accepted' is not part of the envelope"),
    (_added_actor_field, "field 'actor.delegate' is not part of the envelope"),
    (_occurred_at_in_beijing_time, "'occurred_at' reads"),
    (_event_id_upper_case, "'event_id' reads"),
    (_duplicated_payload, "stored body is not in canonical form: duplicate key 'payload'"),
    (_number_respelled, "stored body is not in canonical form: at byte"),
], ids=["top-level-field", "actor-field", "occurred-at-zone", "event-id-case", "duplicate-payload",
        "number-9e3"])
def test_each_edit_of_the_stored_bytes_is_named_at_its_position(engine, edit, reason):
    with engine.connect() as conn:
        assert EventStore().verify(conn).ok
    position, why = _edit(engine, BROKEN, edit)
    assert position == BROKEN
    assert reason in why


def test_stored_body_is_the_canonical_form_the_hash_covers(engine):
    from shared.canonical import canonical_json
    from shared.envelope import chain_hash

    body = _stored(engine, 2)
    envelope = Envelope.from_json(body)
    assert body.encode() == canonical_json(envelope.model_dump(mode="json"))
    assert '"amount":9000,' in body
    assert chain_hash(envelope) == envelope.hash
