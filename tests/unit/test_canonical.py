"""The fast canonical JSON is byte-for-byte the `rfc8785` package's, over generated envelopes and values."""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest
import rfc8785
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shared.actor import Actor
from shared.canonical import canonical_json
from shared.envelope import GENESIS_HASH, Envelope, chain_hash
from shared.placing import place, place_generic

SAFE = 2**53 - 1
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
ASTRAL = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=("Cs",))
HIGH_BMP = st.characters(min_codepoint=0xE000, max_codepoint=0xFFFF, exclude_categories=("Cs",))
ANY_CHAR = st.characters(codec="utf-8")  # every code point but the lone surrogates
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x20) | st.sampled_from('"\\/\x7f\u2028\u2029')
TEXT = st.text(st.one_of(CHINESE, ASTRAL, HIGH_BMP, ANY_CHAR, CONTROL, st.sampled_from("aZ0 ")), max_size=12)
EDGE_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.1, 1e21, 1e20, 9.999999999999999e20, 1e-6, 1e-7, 1.5e-7, 5e-324,
               -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 123456789012345680000.0,
               4.35, 0.000001, 333333333.3333333, float(SAFE), float(2**53 + 2), 1e300, 2**-1074 * 3]


def doubles():
    bits = st.integers(0, 2**64 - 1).map(lambda n: struct.unpack(">d", n.to_bytes(8, "big"))[0])
    finite = bits.filter(lambda f: f == f and f not in (float("inf"), float("-inf")))
    return st.one_of(st.floats(allow_nan=False, allow_infinity=False), finite, st.sampled_from(EDGE_FLOATS))


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-SAFE, SAFE), st.integers(-1000, 1000), doubles(), TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=6),
                    max_leaves=30)


def same(value) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
@example({"\U0001F600": 1, "\uE000": 2, "\uFFFF": 3, "a": 4, "中": 5, "\u00e9": 6})
@example([1e21, 1e-7, 5e-324, -0.0, 123456789012345680000.0, SAFE, -SAFE])
def test_any_json_value_canonicalises_exactly_as_rfc8785(value):
    same(value)


@settings(max_examples=250, deadline=None)
@given(payload=st.dictionaries(TEXT, JSON, max_size=8), stream=TEXT, version=st.integers(1, SAFE),
       seconds=st.integers(0, 10**9), micros=st.integers(0, 999_999), actor_id=TEXT,
       position=st.integers(1, SAFE))
def test_generated_envelopes_hash_exactly_as_with_rfc8785(payload, stream, version, seconds, micros, actor_id,
                                                            position):
    envelope = Envelope(
        event_id="01a2b3c4-0000-7000-8000-000000000001", event_type="construction.工程已登记", schema_version=1,
        stream_id=stream or "s", stream_version=version, project_id="项目-1",
        occurred_at=datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros),
        actor=Actor(id=actor_id or "x", role="official"), correlation_id="c", payload=payload,
        position=position, prev_hash=GENESIS_HASH)
    body = envelope.model_dump(mode="json", exclude={"hash"})
    same(body)
    expected = hashlib.sha256(GENESIS_HASH.encode("ascii") + rfc8785.dumps(body)).hexdigest()
    assert chain_hash(envelope) == expected
    # The store's one-pass placing gives the same hash and, as the body, the canonical envelope.
    draft = envelope.model_copy(update={"position": None, "prev_hash": None})
    placed, stored = place(draft, position=position, prev_hash=GENESIS_HASH)
    assert placed.hash == expected and placed == envelope.model_copy(update={"hash": expected})
    assert stored.encode("utf-8") == rfc8785.dumps(placed.model_dump(mode="json")) == placed.to_json()


@settings(max_examples=300, deadline=None)
@given(payload=st.dictionaries(TEXT, JSON, max_size=8), texts=st.lists(TEXT, min_size=6, max_size=6),
       causation=st.none() | TEXT, seconds=st.integers(-10**10, 10**10), micros=st.integers(0, 999_999),
       offset=st.integers(-14 * 60, 14 * 60), versions=st.lists(st.integers(1, SAFE), min_size=3, max_size=3))
def test_the_templated_placing_equals_the_general_one(payload, texts, causation, seconds, micros, offset, versions):
    """Every field varies (Chinese, astral, controls; any UTC offset): the fast body is the general one."""
    event_type, stream, project, actor_id, role, correlation = texts
    draft = Envelope(
        event_id="01a2b3c4-0000-7000-8000-0000000000ff", event_type=event_type, schema_version=versions[0],
        stream_id=stream, stream_version=versions[1], project_id=project,
        occurred_at=(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros))
        .astimezone(timezone(timedelta(minutes=offset))),
        actor=Actor(id=actor_id, role=role), correlation_id=correlation, causation_id=causation, payload=payload)
    prev = hashlib.sha256(actor_id.encode("utf-8", "surrogatepass")).hexdigest()
    try:
        fast = place(draft, position=versions[2], prev_hash=prev)
    except (ValueError, UnicodeEncodeError) as error:
        with pytest.raises(type(error)):
            place_generic(draft, position=versions[2], prev_hash=prev)
        return
    assert fast == place_generic(draft, position=versions[2], prev_hash=prev)
    assert fast[1].encode("utf-8") == rfc8785.dumps(fast[0].model_dump(mode="json"))


@pytest.mark.parametrize("value", [2**53, -(2**53), 10**30, float("nan"), float("inf"), -float("inf"),
                                   {"a": [1, 2**64]}, "\ud800", {1: "x"}, object()])
def test_what_rfc8785_refuses_is_refused_the_same_way(value):
    with pytest.raises(ValueError) as theirs:
        rfc8785.dumps(value)
    with pytest.raises(ValueError) as ours:
        canonical_json(value)
    if isinstance(theirs.value, rfc8785.CanonicalizationError):
        assert type(ours.value) is type(theirs.value)


def test_every_character_in_a_plain_object_canonicalises_as_rfc8785():
    """Plain objects (ASCII keys, scalar values: most payloads) take orjson's path: every code point agrees."""
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(characters), 8192):
        text = "".join(characters[start:start + 8192])
        same({"text": text, "b": 1, "a": None, "seq": -(2**53 - 1), "yes": True})
