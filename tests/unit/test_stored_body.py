"""A sound envelope's stored bytes always pass the stored-byte check, whatever numbers its payload holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.actor import Actor
from shared.envelope import GENESIS_HASH, Envelope, new_event_id, stored_body_problem, utc_now

numbers = st.one_of(
    st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e16, 9007199254740992.0, -1e300, 5e-324, 0.0, -0.0, 9000.0]),
)


def _stored(payload: dict) -> str:
    envelope = Envelope(event_id=new_event_id(), event_type="test.NumberRecorded", schema_version=1,
                        stream_id="s", stream_version=1, project_id="p", occurred_at=utc_now(),
                        actor=Actor.system(), correlation_id="c", payload=payload)
    return envelope.chained(position=1, prev_hash=GENESIS_HASH).to_json()


def test_an_integral_double_past_two_to_the_53_verifies():
    assert stored_body_problem(_stored({"x": 1e16, "y": 9007199254740992.0}), prev_hash=GENESIS_HASH) is None


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), numbers, max_size=6))
def test_every_number_a_payload_may_hold_verifies(payload):
    assert stored_body_problem(_stored(payload), prev_hash=GENESIS_HASH) is None
