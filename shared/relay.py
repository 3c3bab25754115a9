"""The outbox relay: publishes the service's log to its topic in order, never losing an event."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import sqlalchemy as sa
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.partitioner import murmur2
from sqlalchemy.engine import Engine

from shared import relay_checkpoint as checkpoints
from shared.broker import ensure_topics
from shared.broker_identity import event_id_at
from shared.eventstore import EventStore
from shared.metrics import KernelMetrics
from shared.relay_checkpoint import Checkpoint
from shared.relay_link import BrokerForgot, RelayLink
from shared.settings import KernelSettings

__all__ = ["BrokerForgot", "Checkpoint", "Relay"]

log = logging.getLogger("renovation.relay")


class Relay:
    """Reads the events table after its checkpoint and publishes each event, key = project.

    The checkpoint moves only after the broker acknowledged (acks=all). The relay reads on
    from the position it holds in memory and writes the checkpoint to the database at most
    every `checkpoint_seconds` (and when it stops), not after every batch: each write is a
    durable transaction on the writer commands wait for. A checkpoint that lags after a
    crash only makes the relay re-send what the broker already has, which consumers drop
    by event_id; it never skips an event. While the broker
    is down the relay backs off and retries; events wait in the store, none are lost.
    The embedded broker forgets everything when it restarts. Before anything is published
    the relay verifies that the broker still holds the last acknowledged record and learns
    the broker's cluster id; from then on every connection its producer opens is checked
    against that id before use (shared/broker_identity.py), so not one record reaches a
    broker that forgot. Then the relay goes back to position 1 and re-sends the log in
    order, to the same partitions (consumers deduplicate by event_id). Acknowledged
    offsets going backwards are the backstop for a broker that forgot but kept its id.
    The producer and that check are `shared/relay_link.py`; the checkpoint row is
    `shared/relay_checkpoint.py`.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        topic: str,
        settings: KernelSettings,
        metrics: KernelMetrics,
        broker: object | None = None,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        check_seconds: float = 5.0,
        checkpoint_seconds: float = 0.5,
    ) -> None:
        # `broker` (the service's FastStream broker) is not used to publish: the relay owns
        # its producer, so a producer that may hold records for a forgotten broker is dropped.
        self.engine = engine
        self.topic = topic
        self.settings = settings
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.check_seconds = check_seconds
        self.checkpoint_seconds = checkpoint_seconds
        self.store = EventStore()
        # None until the first round: "connecting", which a status page should not call "down".
        self.broker_up: bool | None = None
        self.last_error: str | None = None
        self.link = RelayLink(topic=topic, settings=settings)
        self._acked: dict[int, int] = {}
        self._partitions = settings.topic_partitions
        self._checked_now = False
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        # What the broker acknowledged (None: read it from the database), and whether the
        # database's checkpoint is behind it.
        self._position: Checkpoint | None = None
        self._unsaved = False
        self._saved_at = 0.0

    def notify(self, position: int | None = None) -> None:
        """Wake the relay now (safe to call from any thread, e.g. after a commit).

        `position`, the last one the commit placed, spares a read of the log when the relay
        has already published it (it read the event while its wake-up was on the way).
        """
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake_for, position)

    def _wake_for(self, position: int | None) -> None:
        if position is None or self._position is None or position > self._position.position:
            self._wake.set()

    @property
    def acknowledged(self) -> int | None:
        """The last log position the broker acknowledged, as the relay knows it (None: not yet read)."""
        return self._position.position if self._position is not None else None

    def lag(self, head: int, position: int) -> int | None:
        """Events not yet acknowledged, or None while unknown (broker down or not yet checked)."""
        return max(head - position, 0) if self.broker_up and self.link.cluster_id is not None else None

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set, backing off while the broker is unreachable."""
        self._loop = asyncio.get_running_loop()
        backoff, checked_at = 0.1, 0.0
        try:
            while not stop.is_set():
                try:
                    await self._round(stop, checked_at)
                    if self.link.cluster_id is not None and self._checked_now:
                        checked_at = self._loop.time()
                    backoff = 0.1
                except BrokerForgot as error:
                    log.warning("relay for %s: %s", self.topic, error)
                    await self.link.reset()
                except (TimeoutError, KafkaError, OSError) as error:
                    self._mark_down(error)
                    await self.link.reset()
                    await self._sleep(stop, backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            await self.link.discard()
            try:
                await self.flush_checkpoint()
            except sa.exc.SQLAlchemyError as error:  # re-sent after a restart, never lost
                log.warning("relay for %s: checkpoint not saved on stop: %r", self.topic, error)

    async def _round(self, stop: asyncio.Event, checked_at: float) -> None:
        if self.link.producer is None:
            await self.link.start()
        self._checked_now = self.link.cluster_id is None or self._loop.time() - checked_at >= self.check_seconds
        if self._checked_now:
            await self.check_broker_retention()
        else:
            await self.link.current_cluster()  # cheap: a new connection is checked on the way
        # Cleared before reading, so a commit during the publish wakes the next round.
        self._wake.clear()
        published = await self.publish_pending()
        self._mark_up()
        if self._unsaved and self._loop.time() - self._saved_at >= self.checkpoint_seconds:
            await self.flush_checkpoint()
        if published < self.batch_size:
            # Caught up: sleep until woken, or until the checkpoint is due to be written.
            due = self._saved_at + self.checkpoint_seconds - self._loop.time() if self._unsaved else None
            await self._sleep(stop, self.poll_seconds if due is None else max(min(due, self.poll_seconds), 0))

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    def _mark_up(self) -> None:
        self.broker_up, self.last_error = True, None
        self.metrics.broker_up.set(1)

    def _mark_down(self, error: BaseException) -> None:
        if self.broker_up or self.last_error is None:
            log.warning("relay for %s cannot reach the broker: %r", self.topic, error)
        self.broker_up, self.last_error = False, repr(error)
        self.metrics.broker_up.set(0)
        self.metrics.relay_errors.inc()

    async def publish_pending(self) -> int:
        """Publish one batch after the checkpoint; return how many events were sent."""
        checkpoint, head, rows = await asyncio.to_thread(self._pending)
        self._set_lag(head, checkpoint.position)
        if not rows:
            return 0
        futures = []
        for row in rows:
            key = row.project_id.encode("utf-8")
            futures.append(await self.link.producer.send(
                self.topic, row.body.encode("utf-8"), key=key, partition=self._partition_for(key),
                # Stamped with the event's own time (CreateTime), also when re-sent after a
                # broker lost its data: auditors seek the topics by it (shared/audit/replay.py).
                timestamp_ms=_millis(row.occurred_at),
                headers=[("event_type", row.event_type.encode()), ("event_id", row.event_id.encode()),
                         ("position", str(row.position).encode()),
                         ("content-type", b"application/json")]))
        acks = await self.link.acknowledged(futures)
        if not await self._offsets_moved_on(acks):
            return 0
        self._position = Checkpoint(rows[-1].position, acks[-1].partition, acks[-1].offset, rows[-1].event_id)
        self._unsaved = True
        self.metrics.relay_published.inc(len(rows))
        self._set_lag(head, self._position.position)
        return len(rows)

    async def flush_checkpoint(self) -> None:
        """Write the acknowledged position to the database if it is ahead of what is there."""
        if self._unsaved and self._position is not None:
            await asyncio.to_thread(self.save_checkpoint, self._position)
            self._unsaved = False
        self._saved_at = asyncio.get_running_loop().time()

    def _partition_for(self, key: bytes) -> int:
        # Fixed by the key and the configured partition count, not by what a restarted broker
        # happens to report, so a re-sent log lands where it was before.
        return (murmur2(key) & 0x7FFFFFFF) % self._partitions

    async def _offsets_moved_on(self, acks: list) -> bool:
        for ack in acks:
            last = self._acked.get(ack.partition)
            if last is not None and ack.offset <= last:
                await self._restart_log(f"offsets went back on partition {ack.partition} "
                                        f"({last} acknowledged before, now {ack.offset})")
                raise BrokerForgot("the broker acknowledged at an earlier offset: it forgot")
            self._acked[ack.partition] = ack.offset
        return True

    async def _restart_log(self, reason: str) -> None:
        log.warning("broker lost %s (%s): re-publishing the log from position 1", self.topic, reason)
        await asyncio.to_thread(self.save_checkpoint, Checkpoint(0), republished=True)
        self._position, self._unsaved = Checkpoint(0), False
        self._acked = {}
        self.metrics.relay_republish.inc()

    def _set_lag(self, head: int, position: int) -> None:
        self.metrics.log_position.set(head)
        self.metrics.relay_position.set(position)
        self.metrics.relay_lag.set(max(head - position, 0))

    def _pending(self) -> tuple[Checkpoint, int, list]:
        with self.engine.connect() as conn, conn.begin():  # one snapshot: head and rows agree
            checkpoint = self._position if self._position is not None else self.load_checkpoint(conn)
            rows = self.store.read_raw(conn, after=checkpoint.position, limit=self.batch_size)
            # The log has no gaps: a short read ends at the head.
            head = rows[-1].position if 0 < len(rows) < self.batch_size else (
                checkpoint.position if not rows else self.store.head(conn)[0])
        return checkpoint, head, rows

    def load_checkpoint(self, conn) -> Checkpoint:
        """The relay's checkpoint (position 0 before anything was published)."""
        return checkpoints.load(conn, self.topic)

    def save_checkpoint(self, checkpoint: Checkpoint, *, republished: bool = False) -> None:
        """Record how far the broker acknowledged (or, on loss, go back to the start)."""
        checkpoints.save(self.engine, self.topic, checkpoint, republished=republished)

    async def check_broker_retention(self) -> bool:
        """Whether the broker still holds the last acknowledged event; if not, re-send all.

        The broker's identity is read before and after the record: if it changed between,
        the answer is not trusted and the check runs again.
        """
        await ensure_topics(self.settings)  # a restarted embedded broker has no topics either
        before = await self.link.current_cluster()
        await self.flush_checkpoint()  # the check reads the last acknowledged record from the database
        checkpoint = await asyncio.to_thread(self._checkpoint_now)
        kept, found = True, None
        if checkpoint.position and checkpoint.offset is not None:
            found = await event_id_at(self.settings.kafka_bootstrap_servers, self.topic,
                                      checkpoint.partition, checkpoint.offset)
            kept = found == checkpoint.event_id
        if await self.link.current_cluster() != before:
            raise KafkaConnectionError("the broker changed during the retention check")
        if not kept:
            await self._restart_log(f"up to position {checkpoint.position}; found {found!r} at "
                                    f"{checkpoint.partition}/{checkpoint.offset}")
        else:
            self._position = checkpoint
            self._acked = {} if checkpoint.offset is None else {checkpoint.partition: checkpoint.offset}
        partitions = await self.link.producer.partitions_for(self.topic)
        self._partitions = min(len(partitions), self.settings.topic_partitions) if partitions \
            else self.settings.topic_partitions
        self.link.cluster_id = before or ""  # "": checked, but this broker names no cluster
        return kept

    def _checkpoint_now(self) -> Checkpoint:
        with self.engine.connect() as conn:
            return self.load_checkpoint(conn)


def _millis(occurred_at: str) -> int:
    return int(datetime.fromisoformat(occurred_at).timestamp() * 1000)
