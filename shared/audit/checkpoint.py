"""Signed checkpoints (service, size, root, time): issued from the stored tree, published to the checkpoint topic.

A checkpoint is the canonical JSON of its statement, signed with the service's Ed25519
key; on the topic it travels as {"statement": …, "signature": …} with key = service.
The service records what it signed (audit_checkpoint) and publishes like an outbox:
what the broker has not acknowledged is sent again, and everything is sent again after
the relay found that the broker lost its data (the embedded broker forgets on restart).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from aiokafka.errors import KafkaError
from sqlalchemy.engine import Connection, Engine

from shared.audit.signing import PinnedKeys, Signer
from shared.audit.tree import StoredTree, catch_up
from shared.canonical import canonical_json
from shared.eventstore import EventStore
from shared.schema import audit_checkpoint, relay_checkpoint

CHECKPOINT_TOPIC = "renovation.audit.checkpoints"
STATEMENT_FORMAT = "renovation-checkpoint/1"

log = logging.getLogger("renovation.audit")


class CheckpointRefused(ValueError):
    """A checkpoint that is malformed or not signed by its service's pinned key."""


@dataclass(frozen=True)
class SignedCheckpoint:
    """A signed statement of a service's log: its size and Merkle root at a time."""

    service: str
    size: int
    root: str
    time: str
    key_id: str
    signature: str

    @property
    def statement(self) -> dict:
        """What is signed."""
        return {"format": STATEMENT_FORMAT, "service": self.service, "size": self.size,
                "root": self.root, "time": self.time, "key_id": self.key_id}

    @property
    def signed_bytes(self) -> bytes:
        """The canonical JSON (RFC 8785) the signature covers."""
        return canonical_json(self.statement)

    def to_dict(self) -> dict:
        """The checkpoint as it travels: statement and signature."""
        return {"statement": self.statement, "signature": self.signature}

    def to_json(self) -> bytes:
        """The topic message."""
        return json.dumps(self.to_dict(), ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_dict(cls, data: dict) -> SignedCheckpoint:
        """Read a checkpoint (CheckpointRefused if it is not one)."""
        try:
            s = data["statement"]
            if s["format"] != STATEMENT_FORMAT:
                raise CheckpointRefused(f"unknown checkpoint format {s['format']!r}")
            size, root = int(s["size"]), str(s["root"])
            if size < 0 or len(bytes.fromhex(root)) != 32:
                raise CheckpointRefused("size or root out of range")
            return cls(str(s["service"]), size, root, str(s["time"]), str(s["key_id"]), str(data["signature"]))
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, CheckpointRefused):
                raise
            raise CheckpointRefused(f"not a checkpoint: {error!r}") from error

    @classmethod
    def from_json(cls, raw: bytes | str) -> SignedCheckpoint:
        """Parse a topic message."""
        try:
            return cls.from_dict(json.loads(raw))
        except json.JSONDecodeError as error:
            raise CheckpointRefused(f"not JSON: {error}") from error

    def verify(self, keys: PinnedKeys) -> None:
        """Raise SignatureRefused unless the pinned key of `service` signed this statement."""
        keys.verify(self.service, self.signed_bytes, self.signature)

    @property
    def root_bytes(self) -> bytes:
        """The root as 32 bytes."""
        return bytes.fromhex(self.root)


def issue(conn: Connection, *, signer: Signer, now: datetime) -> SignedCheckpoint:
    """Sign the log as it stands (or return the checkpoint already signed at this size)."""
    size, _ = EventStore().head(conn)
    existing = conn.execute(sa.select(audit_checkpoint).where(audit_checkpoint.c.size == size)).first()
    if existing is not None:
        return SignedCheckpoint.from_dict({"statement": json.loads(existing.body),
                                           "signature": existing.signature})
    catch_up(conn, upto=size)  # the tree is grown here, not by each append
    root = StoredTree(conn).root(size).hex()
    unsigned = SignedCheckpoint(signer.service, size, root, now.isoformat(), signer.key_id, "")
    signed = SignedCheckpoint(**{**unsigned.__dict__, "signature": signer.sign(unsigned.signed_bytes)})
    conn.execute(audit_checkpoint.insert().values(
        size=size, root=root, signed_at=signed.time, body=signed.signed_bytes.decode("utf-8"),
        signature=signed.signature, published=0))
    return signed


def recorded(conn: Connection, *, published: bool | None = None) -> list[SignedCheckpoint]:
    """The checkpoints this service signed, oldest first."""
    query = sa.select(audit_checkpoint).order_by(audit_checkpoint.c.size)
    if published is not None:
        query = query.where(audit_checkpoint.c.published == int(published))
    return [SignedCheckpoint.from_dict({"statement": json.loads(r.body), "signature": r.signature})
            for r in conn.execute(query)]


class CheckpointPublisher:
    """Issues a checkpoint every `seconds` while the log grows, and on demand; publishes them."""

    def __init__(self, *, engine: Engine, broker, signer: Signer, clock, seconds: float) -> None:
        self.engine, self.broker, self.signer, self.clock = engine, broker, signer, clock
        self.seconds = seconds
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._republished_seen: int | None = None

    def issue_now(self) -> SignedCheckpoint:
        """Sign the log now (called by the on-demand endpoint) and wake the publisher."""
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            checkpoint = issue(conn, signer=self.signer, now=self.clock())
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)
        return checkpoint

    async def run(self, stop: asyncio.Event, connected: asyncio.Event) -> None:
        """Until stopped: wait for the broker, then checkpoint and publish on each tick."""
        self._loop = asyncio.get_running_loop()
        await _first(connected.wait(), stop.wait())
        while not stop.is_set():
            try:
                await asyncio.to_thread(self._tick)
                await self.publish_pending()
            except (KafkaError, OSError, TimeoutError) as error:
                log.warning("%s: checkpoint not published yet: %r", self.signer.service, error)
            self._wake.clear()
            await _first(self._wake.wait(), stop.wait(), timeout=self.seconds)

    def _tick(self) -> None:
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            republished = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(
                relay_checkpoint.c.republished), 0))).scalar()
            if self._republished_seen is not None and republished > self._republished_seen:
                # The broker lost its data: the relay re-sent the log, send every checkpoint again.
                conn.execute(audit_checkpoint.update().values(published=0))
            self._republished_seen = republished
            size, _ = EventStore().head(conn)
            if size:
                issue(conn, signer=self.signer, now=self.clock())

    async def publish_pending(self) -> int:
        """Send the checkpoints the broker has not acknowledged; return how many."""
        pending = await asyncio.to_thread(self._pending)
        for checkpoint in pending:
            await self.broker.publish(checkpoint.to_json(), CHECKPOINT_TOPIC,
                                      key=checkpoint.service.encode("utf-8"),
                                      headers={"content-type": "application/json"})
            await asyncio.to_thread(self._mark, checkpoint.size)
        return len(pending)

    def _pending(self) -> list[SignedCheckpoint]:
        with self.engine.connect() as conn:
            return recorded(conn, published=False)

    def _mark(self, size: int) -> None:
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            conn.execute(audit_checkpoint.update().where(audit_checkpoint.c.size == size).values(published=1))


async def _first(*waits, timeout: float | None = None) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
