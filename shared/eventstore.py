"""The append-only event store: stream versions, a gap-free log, and the hash chain over it."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.actor import Actor
from shared.envelope import GENESIS_HASH, Envelope, stored_body_problem
from shared.errors import ConcurrencyError
from shared.log_sql import LogRow, RawLog
from shared.placing import NewEvent, Template
from shared.schema import events

# The envelope's compiled validator, called directly: the same validation as
# `Envelope.model_validate_json`, without its per-call Python wrapper (~15% of a parsed read).
_parse = Envelope.__pydantic_validator__.validate_json
# The log head each engine's last append in this process placed after it: a guess, checked by the
# database on use (see `EventStore._after_known_head`), never trusted.
_KNOWN_HEADS: weakref.WeakKeyDictionary[Engine, tuple[int, str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking a log: how far it is sound, and the first broken place."""

    checked: int
    broken_position: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the whole log verified."""
        return self.broken_position is None


class EventStore:
    """Appends and reads envelopes inside the caller's transaction."""

    def head(self, conn: Connection) -> tuple[int, str]:
        """The last position and hash of the log (0 and the genesis hash when empty)."""
        raw = RawLog(conn)
        try:
            return raw.head()
        finally:
            raw.close()

    def stream_version(self, conn: Connection, stream_id: str) -> int:
        """The version of a stream: how many events it holds."""
        raw = RawLog(conn)
        try:
            return raw.stream_version(stream_id)
        finally:
            raw.close()

    def append(
        self, conn: Connection, *, stream_id: str, expected_version: int, batch: Sequence[Envelope]
    ) -> list[Envelope]:
        """Append drafted envelopes to a stream if it still is at `expected_version`; return them placed."""
        for offset, draft in enumerate(batch, start=1):
            if draft.stream_id != stream_id or draft.stream_version != expected_version + offset:
                raise ValueError(f"envelope {draft.event_id} does not continue stream {stream_id}")
        drafted = [(Template.of(draft), NewEvent(draft.event_id, draft.event_type, draft.schema_version,
                                                 draft.occurred_at, draft.payload)) for draft in batch]
        return self._place(conn, stream_id=stream_id, expected_version=expected_version, events=drafted)

    def record(
        self, conn: Connection, *, stream_id: str, expected_version: int, events: Sequence[NewEvent],
        project_id: str, actor: Actor, correlation_id: str, causation_id: str | None = None,
    ) -> list[Envelope]:
        """Append a command's new events to a stream if it still is at `expected_version`; return them placed.

        The same as `append` with drafted envelopes, without drafting them: what the events share
        is escaped once, and each envelope is built (and validated) once, placed.
        """
        template = Template(stream_id=stream_id, project_id=project_id, actor=actor,
                            correlation_id=correlation_id, causation_id=causation_id)
        return self._place(conn, stream_id=stream_id, expected_version=expected_version,
                           events=[(template, event) for event in events])

    def _place(self, conn: Connection, *, stream_id: str, expected_version: int,
               events: list[tuple[Template, NewEvent]]) -> list[Envelope]:
        raw = RawLog(conn)
        try:
            if (raw.dialect == "postgresql" and len(events) == 1
                    and (placed := self._after_known_head(raw, conn, stream_id, expected_version, events[0]))):
                return placed
            position, prev_hash, actual = raw.head_and_version(stream_id)
            if actual != expected_version:
                raise ConcurrencyError(
                    f"数据已被他人修改（期望版本 {expected_version}，实际版本 {actual}），请刷新后重试",
                    details={"stream_id": stream_id, "expected": expected_version, "actual": actual},
                )
            if not events:
                return []
            placed: list[Envelope] = []

            def rows() -> Iterator[tuple]:
                chain = prev_hash
                for offset, (template, event) in enumerate(events, start=1):
                    envelope, row = template.place(event, stream_version=expected_version + offset,
                                                   position=position + offset, prev_hash=chain)
                    chain = envelope.hash
                    placed.append(envelope)
                    yield row

            try:
                raw.append(rows(), count=len(events))  # placed as the database takes them
            except raw.errors as error:
                raise ConcurrencyError("数据已被他人修改，请刷新后重试", details={"stream_id": stream_id}) from error
            _KNOWN_HEADS[conn.engine] = (placed[-1].position, placed[-1].hash)
            return placed
        finally:
            raw.close()

    @staticmethod
    def _after_known_head(raw: RawLog, conn: Connection, stream_id: str, expected_version: int,
                          event: tuple[Template, NewEvent]) -> list[Envelope] | None:
        """PostgreSQL, one event: placed after the head this process last wrote, in one round trip.

        Most commands append one event, and a service's appends come from its own process, so
        the head it wrote last is usually still the head. The statement checks that (and the
        stream's version) as it moves the head; when it does not hold, None: nothing was
        written and the locked path places the event again after the real head. A remembered
        head that never committed (a rolled-back append) only ever fails that check.
        """
        known = _KNOWN_HEADS.get(conn.engine)
        if known is None:
            return None
        template, new_event = event
        envelope, row = template.place(new_event, stream_version=expected_version + 1, position=known[0] + 1,
                                       prev_hash=known[1])
        try:
            added = raw.append_after_known_head(row, stream_id=stream_id, expected_version=expected_version,
                                                known=known)
        except raw.errors as error:
            raise ConcurrencyError("数据已被他人修改，请刷新后重试", details={"stream_id": stream_id}) from error
        if not added:
            return None
        _KNOWN_HEADS[conn.engine] = (envelope.position, envelope.hash)
        return [envelope]

    def load_stream(self, conn: Connection, stream_id: str, *, after_version: int = 0) -> list[Envelope]:
        """The events of one stream after `after_version` (all of them by default), in version order."""
        raw = RawLog(conn)
        try:
            bodies = raw.stream_bodies(stream_id, after_version=after_version)
        finally:
            raw.close()
        return [_parse(body) for body in bodies]

    def read(
        self, conn: Connection, *, after: int = 0, limit: int = 1000, project_id: str | None = None
    ) -> list[Envelope]:
        """Envelopes in log order after a position (optionally one project's only)."""
        if project_id is None:
            raw = RawLog(conn)
            try:
                return [_parse(body) for body in raw.bodies(after=after, limit=limit)]
            finally:
                raw.close()
        query = sa.select(events.c.body).where(events.c.position > after, events.c.project_id == project_id)
        rows = conn.execute(query.order_by(events.c.position).limit(limit))
        return [Envelope.from_json(row.body) for row in rows]

    def read_raw(self, conn: Connection, *, after: int = 0, limit: int = 1000) -> list[LogRow]:
        """Rows (position, event_id, project_id, event_type, body, occurred_at) for the relay: no parsing."""
        raw = RawLog(conn)
        try:
            return raw.relay_rows(after=after, limit=limit)  # gap-free: see RawLog
        finally:
            raw.close()

    def iter_all(self, conn: Connection, *, chunk: int = 2000) -> Iterator[Envelope]:
        """Every envelope of the log in order, fetched in chunks of stored bodies, each parsed when reached.

        Parsing as the caller goes keeps one envelope alive at a time, not a chunk of them: a
        chunk of parsed envelopes outlives the collector's young generation and made every
        full replay pay for repeated collections of all of them (~30% of a parsed read).
        """
        raw = RawLog(conn)
        try:
            after = 0
            while bodies := raw.bodies(after=after, limit=chunk):
                for body in bodies:
                    envelope = _parse(body)
                    yield envelope
                after = envelope.position
        finally:
            raw.close()

    def verify(self, conn: Connection, *, chunk: int = 2000) -> VerifyResult:
        """Check positions, the hash chain and the indexed columns; name the first break."""
        expected_position, prev_hash, after = 1, GENESIS_HASH, 0
        while True:
            rows = list(
                conn.execute(
                    sa.select(events).where(events.c.position > after).order_by(events.c.position).limit(chunk)
                )
            )
            if not rows:
                break
            for row in rows:
                problem = _check_row(row, expected_position=expected_position, prev_hash=prev_hash)
                if problem:
                    return VerifyResult(expected_position - 1, expected_position, problem)
                prev_hash, expected_position = row.hash, expected_position + 1
            after = rows[-1].position
        head_position, head_hash = self.head(conn)
        last = expected_position - 1
        if head_position != last or (last and head_hash != prev_hash):
            return VerifyResult(last, last + 1 if head_position > last else head_position,
                                f"log head says position {head_position}, log ends at {last}")
        return VerifyResult(last)


def _check_row(row: sa.Row, *, expected_position: int, prev_hash: str) -> str | None:
    if row.position != expected_position:
        return f"position {expected_position} is missing (next stored is {row.position})"
    # The stored bytes themselves are checked, not a model parsed from them (which would
    # forgive extra fields, duplicate keys and other spellings of the same value).
    problem = stored_body_problem(row.body, prev_hash=prev_hash)
    if problem:
        return problem
    envelope = Envelope.from_json(row.body)
    if envelope.position != row.position:
        return f"body says position {envelope.position}, stored at {row.position}"
    if row.prev_hash != prev_hash:
        return "chain broken: prev_hash does not match the previous event's hash"
    if row.hash != envelope.hash:
        return "hash does not match the event's content"
    if (str(envelope.event_id), envelope.stream_id, envelope.stream_version, envelope.event_type) != (
        row.event_id, row.stream_id, row.stream_version, row.event_type
    ):
        return "indexed columns differ from the stored body"
    return None
