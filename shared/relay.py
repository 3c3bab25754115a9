"""The outbox relay: publishes the service's log to its topic in order, never losing an event."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError, OffsetOutOfRangeError
from faststream.kafka import KafkaBroker
from sqlalchemy.engine import Engine

from shared.broker import ensure_topics
from shared.envelope import utc_now
from shared.eventstore import EventStore
from shared.metrics import KernelMetrics
from shared.schema import relay_checkpoint
from shared.settings import KernelSettings

log = logging.getLogger("renovation.relay")


@dataclass(frozen=True)
class Checkpoint:
    """How far the broker has acknowledged the log, and where the last event landed."""

    position: int
    partition: int | None = None
    offset: int | None = None
    event_id: str | None = None


class Relay:
    """Reads the events table after its checkpoint and publishes each event, key = project.

    The checkpoint moves only after the broker acknowledged (acks=all). While the broker
    is down the relay backs off and retries; events wait in the store, none are lost.
    The embedded broker forgets everything when it restarts, so the relay checks that
    the broker still holds the last event it acknowledged and re-sends the whole log if
    not (consumers deduplicate by event_id).
    """

    def __init__(
        self,
        *,
        engine: Engine,
        broker: KafkaBroker,
        topic: str,
        settings: KernelSettings,
        metrics: KernelMetrics,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        check_seconds: float = 5.0,
    ) -> None:
        self.engine = engine
        self.broker = broker
        self.topic = topic
        self.settings = settings
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.check_seconds = check_seconds
        self.store = EventStore()
        # None until the first round: "connecting", which a status page should not call "down".
        self.broker_up: bool | None = None
        self.last_error: str | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def notify(self) -> None:
        """Wake the relay now (safe to call from any thread, e.g. after a commit)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set, backing off while the broker is unreachable."""
        self._loop = asyncio.get_running_loop()
        backoff, checked_at = 0.1, 0.0
        while not stop.is_set():
            try:
                if self._loop.time() - checked_at >= self.check_seconds:
                    await self.check_broker_retention()
                    checked_at = self._loop.time()
                # Cleared before reading, so a commit during the publish wakes the next round.
                self._wake.clear()
                published = await self.publish_pending()
                self._mark_up()
                backoff = 0.1
                if published < self.batch_size:
                    await self._sleep(stop, self.poll_seconds)
            except (KafkaError, OSError, asyncio.TimeoutError) as error:
                self._mark_down(error)
                checked_at = 0.0  # after an outage, check what the broker kept
                await self._sleep(stop, backoff)
                backoff = min(backoff * 2, 5.0)

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
        futures = [
            await self.broker.publish(
                row.body.encode("utf-8"),
                self.topic,
                key=row.project_id.encode("utf-8"),
                # Stamped with the event's own time (CreateTime), also when re-sent after a
                # broker lost its data: auditors seek the topics by it (shared/audit/replay.py).
                timestamp_ms=_millis(row.occurred_at),
                headers={"event_type": row.event_type, "event_id": row.event_id,
                         "position": str(row.position), "content-type": "application/json"},
                no_confirm=True,
            )
            for row in rows
        ]
        acks = await asyncio.wait_for(asyncio.gather(*futures), timeout=30)
        last = Checkpoint(rows[-1].position, acks[-1].partition, acks[-1].offset, rows[-1].event_id)
        await asyncio.to_thread(self.save_checkpoint, last)
        self.metrics.relay_published.inc(len(rows))
        self._set_lag(head, last.position)
        return len(rows)

    def _set_lag(self, head: int, position: int) -> None:
        self.metrics.log_position.set(head)
        self.metrics.relay_position.set(position)
        self.metrics.relay_lag.set(max(head - position, 0))

    def _pending(self) -> tuple[Checkpoint, int, list]:
        with self.engine.connect() as conn:
            checkpoint = self.load_checkpoint(conn)
            head, _ = self.store.head(conn)
            rows = self.store.read_raw(conn, after=checkpoint.position, limit=self.batch_size)
        return checkpoint, head, rows

    def load_checkpoint(self, conn) -> Checkpoint:
        """The relay's checkpoint (position 0 before anything was published)."""
        row = conn.execute(
            sa.select(relay_checkpoint).where(relay_checkpoint.c.relay == self.topic)
        ).first()
        if row is None:
            return Checkpoint(0)
        return Checkpoint(row.position, row.last_partition, row.last_offset, row.last_event_id)

    def save_checkpoint(self, checkpoint: Checkpoint, *, republished: bool = False) -> None:
        """Record how far the broker acknowledged (or, on loss, go back to the start)."""
        values = {
            "position": checkpoint.position, "last_partition": checkpoint.partition,
            "last_offset": checkpoint.offset, "last_event_id": checkpoint.event_id,
            "updated_at": utc_now().isoformat(),
        }
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            updated = conn.execute(
                relay_checkpoint.update()
                .where(relay_checkpoint.c.relay == self.topic)
                .values(**values, republished=relay_checkpoint.c.republished + int(republished))
            ).rowcount
            if not updated:
                conn.execute(relay_checkpoint.insert().values(
                    relay=self.topic, republished=int(republished), **values))

    async def check_broker_retention(self) -> bool:
        """Whether the broker still holds the last acknowledged event; if not, re-send all."""
        # A restarted embedded broker has no topics either; auto-creation is off.
        await ensure_topics(self.settings)
        checkpoint = await asyncio.to_thread(self._checkpoint_now)
        if checkpoint.position == 0 or checkpoint.offset is None:
            return True
        found = await self._event_id_at(checkpoint.partition, checkpoint.offset)
        if found == checkpoint.event_id:
            return True
        log.warning(
            "broker lost %s up to position %d (found %r at %d/%d): re-publishing the log",
            self.topic, checkpoint.position, found, checkpoint.partition, checkpoint.offset)
        await asyncio.to_thread(self.save_checkpoint, Checkpoint(0), republished=True)
        self.metrics.relay_republish.inc()
        return False

    def _checkpoint_now(self) -> Checkpoint:
        with self.engine.connect() as conn:
            return self.load_checkpoint(conn)

    async def _event_id_at(self, partition: int, offset: int) -> str | None:
        # ListOffsets is not trusted here: tansu 0.6 answers "latest" with the last batch's
        # base offset. Reading the record itself is exact on any broker.
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, enable_auto_commit=False,
            auto_offset_reset="none", fetch_max_wait_ms=10, request_timeout_ms=10_000)
        await consumer.start()
        try:
            tp = TopicPartition(self.topic, partition)
            if partition not in (consumer.partitions_for_topic(self.topic) or set()):
                await consumer._client.force_metadata_update()
                if partition not in (consumer.partitions_for_topic(self.topic) or set()):
                    return None
            consumer.assign([tp])
            consumer.seek(tp, offset)
            try:
                batch = await consumer.getmany(tp, timeout_ms=3_000, max_records=1)
            except OffsetOutOfRangeError:
                return None
            for record in batch.get(tp, []):
                if record.offset == offset:
                    return dict(record.headers or []).get("event_id", b"").decode() or None
            return None
        finally:
            await consumer.stop()


def _millis(occurred_at: str) -> int:
    return int(datetime.fromisoformat(occurred_at).timestamp() * 1000)
