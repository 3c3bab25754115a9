"""Event ids: UUIDv7 (RFC 9562), ordered as they are made, carrying the millisecond they were made in."""

from __future__ import annotations

import time
from uuid import UUID

from shared.envelope import new_event_id


def _millisecond(event_id: UUID) -> int:
    return event_id.int >> 80


def test_event_ids_made_in_a_burst_are_ordered_and_keep_the_clocks_time():
    # A rebuild or a batch of 100 events makes thousands of ids within a few milliseconds. They
    # must sort in the order they were made, and their time must stay the clock's: a generator
    # that moves the timestamp on by 1 ms per id puts a burst of 5,000 seconds into the future.
    before = time.time_ns() // 1_000_000
    ids = [new_event_id() for _ in range(5_000)]
    after = time.time_ns() // 1_000_000
    assert all(isinstance(event_id, UUID) and event_id.version == 7 for event_id in ids)
    assert all(earlier < later for earlier, later in zip(ids, ids[1:], strict=False))
    assert len({str(event_id) for event_id in ids}) == len(ids)
    assert before <= _millisecond(ids[0]), "an id is older than the moment it was made"
    assert _millisecond(ids[-1]) <= after + 2, (
        f"the last id of the burst is {_millisecond(ids[-1]) - after} ms ahead of the clock")
