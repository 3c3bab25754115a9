"""The idempotent consumer: applies another service's events once, retries, dead-letters."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from shared.actor import Actor
from shared.broker import dlq_topic
from shared import inbox
from shared.consumer_watch import ConsumerWatch
from shared.envelope import Envelope, utc_now
from shared.metrics import KernelMetrics
from shared.settings import KernelSettings
from shared.unit_of_work import Projection, UnitOfWork

log = logging.getLogger("renovation.consumer")

# A policy reacts to a foreign event by running commands in the same transaction.
Policy = Callable[[Envelope, UnitOfWork], None]


class PoisonMessage(ValueError):
    """A message that can never be applied: not an envelope at all."""


class IdempotentConsumer:
    """Subscribes a service to other services' topics and applies each event at most once.

    Each fetched batch of messages is applied in one transaction: per event an inbox
    row, its read-model changes and any policy's events; the offsets are committed only
    after it. One commit per batch, not per event, is what keeps up at hundreds of
    events a second. If any event of the batch fails, the batch is rolled back and its
    events are applied one by one, each in its own transaction: a failing event is
    retried a bounded number of times with backoff, then recorded and sent to the
    dead-letter topic, and the consumer goes on. A database that is unreachable is not
    the event's fault: then the consumer waits and retries without dead-lettering.
    """

    def __init__(
        self,
        *,
        name: str,
        engine: Engine,
        projection: Projection,
        settings: KernelSettings,
        metrics: KernelMetrics,
        policies: dict[str, Policy] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.name = name
        self.clock = clock
        self.engine = engine
        self.projection = projection
        self.settings = settings
        self.metrics = metrics
        self.policies = policies or {}
        self.max_attempts = settings.consumer_max_attempts
        self.backoff_seconds = 0.2
        self.broker: KafkaBroker | None = None
        # The broker this consumer's positions belong to (a new one, the embedded broker
        # restarted empty, makes every position meaningless), and how far behind it is.
        self.watch = ConsumerWatch(name, metrics)
        self._subscriber = None
        # Offsets are committed every `commit_every` messages or `commit_seconds`, not per
        # message: a commit is a broker round trip that halved throughput, and the inbox
        # already makes a redelivery after a crash harmless.
        self.commit_every = 100
        self.commit_seconds = 0.5
        self._uncommitted: KafkaMessage | None = None
        self._uncommitted_count = 0
        self._last_commit = 0.0
        # At most this many messages per fetch, applied in one transaction.
        self.batch_size = 200

    def subscribe(self, broker: KafkaBroker, topics: list[str]) -> None:
        """Register the subscription on the broker (one consumer group per service)."""
        self.broker = broker
        subscriber = broker.subscriber(
            *topics,
            group_id=self.name,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            fetch_max_wait_ms=self.settings.consumer_fetch_max_wait_ms,
            # What the fetch returned, up to batch_size: no waiting to fill a batch.
            batch=True, max_records=self.batch_size,
            title=f"{self.name}:consume",
            description=f"The {self.name} service applies these events idempotently.",
        )
        subscriber(self.handle_batch)
        _wait_without_pause(subscriber, max_records=self.batch_size)
        self._subscriber = subscriber

    async def handle_batch(self, _bodies) -> None:
        """Apply a fetched batch of messages in order (poison ones dead-lettered); then commit."""
        # The message is taken from the broker's context, not injected as a `KafkaMessage`
        # parameter: fast_depends resolves such a parameter in a worker thread, two thread
        # hops per fetched batch.
        msg: KafkaMessage = self.broker.context.get_local("message")
        records = msg.raw_message
        if not records:
            return
        consumer = getattr(msg, "consumer", None)
        self.watch.watch(consumer)
        # The fetch moved the consumer's position past the whole batch: until it is applied,
        # lag counts from each partition's first record in it.
        self.watch.batch_fetched(consumer, records)
        try:
            run: list[tuple[object, Envelope]] = []
            for record in records:
                try:
                    run.append((record, self._parse(record.value)))
                except PoisonMessage as error:
                    # Its turn in the order: what came before it is applied first.
                    await self._apply_run(run)
                    run = []
                    await self._dead_letter(record, None, 1, str(error))
            await self._apply_run(run)
        finally:
            self.watch.batch_done()
        await self._commit_soon(msg, len(records))

    async def _commit_soon(self, msg: KafkaMessage, handled: int = 1) -> None:
        self._uncommitted, self._uncommitted_count = msg, self._uncommitted_count + handled
        now = time.monotonic()
        if self._uncommitted_count >= self.commit_every or now - self._last_commit >= self.commit_seconds:
            await self.flush_commits()

    async def flush_commits(self) -> None:
        """Commit the offsets of every message handled so far (all of them are applied)."""
        pending, self._uncommitted, self._uncommitted_count = self._uncommitted, None, 0
        self._last_commit = time.monotonic()
        if pending is not None:
            await pending.ack()

    async def run_commit_flusher(self, stop: asyncio.Event) -> None:
        """Commit what is left uncommitted when messages stop arriving, until stopped."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.commit_seconds)
            except TimeoutError:
                pass
            if self._uncommitted is not None and time.monotonic() - self._last_commit >= self.commit_seconds:
                try:
                    await self.flush_commits()
                except Exception as error:  # noqa: BLE001 - the next round retries
                    log.warning("%s: offset commit failed: %r", self.name, error)
            self.watch.watch(getattr(self._subscriber, "consumer", None))
            try:
                await self.measure_lag()
            except Exception as error:  # noqa: BLE001 - lag stays unknown until it can be measured
                log.debug("%s: lag not measured: %r", self.name, error)

    @staticmethod
    def _parse(body: bytes | None) -> Envelope:
        try:
            return Envelope.from_json(body or b"")
        except (ValidationError, ValueError, UnicodeDecodeError) as error:
            raise PoisonMessage(f"not an event envelope: {error}") from error

    async def _apply_run(self, run: list[tuple[object, Envelope]]) -> None:
        """Apply consecutive envelopes in one transaction; if one fails, each on its own."""
        if len(run) == 1:
            await self._apply_with_retries(*run[0])
            return
        waits = 0
        while run:
            started = time.perf_counter()
            try:
                outcomes = await asyncio.to_thread(self.apply_batch, [envelope for _, envelope in run])
            except sa.exc.OperationalError as error:
                log.warning("%s: database unavailable, retrying a batch of %d: %s", self.name, len(run), error)
                waits += 1
                await asyncio.sleep(min(self.backoff_seconds * 2 ** min(waits, 5), 5.0))
                continue
            except Exception as error:  # noqa: BLE001 - the batch was rolled back: find the culprit
                log.info("%s: a batch of %d failed (%r); applying its events one by one",
                         self.name, len(run), error)
                for record, envelope in run:
                    await self._apply_with_retries(record, envelope)
                return
            seconds = (time.perf_counter() - started) / len(run)
            for (_, envelope), outcome in zip(run, outcomes, strict=True):
                self._observe(envelope, outcome, seconds)
            return

    def _observe(self, envelope: Envelope, outcome: str, seconds: float) -> None:
        self.metrics.apply_seconds.labels(self.name).observe(seconds)
        self.metrics.consumer_events.labels(self.name, envelope.event_type, outcome).inc()
        if outcome == "applied":
            delay = (utc_now() - envelope.occurred_at).total_seconds()
            self.metrics.end_to_end_seconds.labels(self.name).observe(max(delay, 0))

    async def _apply_with_retries(self, record, envelope: Envelope) -> None:
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                outcome = await asyncio.to_thread(self.apply, envelope, record.offset)
            except sa.exc.OperationalError as error:
                log.warning("%s: database unavailable, retrying %s: %s", self.name,
                            envelope.event_id, error)
                await asyncio.sleep(min(self.backoff_seconds * 2 ** min(attempt, 5), 5.0))
                attempt -= 1
                continue
            except Exception as error:  # noqa: BLE001 - any failure of the handler counts
                if attempt >= self.max_attempts:
                    await self._dead_letter(record, envelope, attempt, f"{error.__class__.__name__}: {error}")
                    return
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
                continue
            self._observe(envelope, outcome, time.perf_counter() - started)
            return

    def apply(self, envelope: Envelope, source_offset: int = -1, *, replaying: int | None = None) -> str:
        """Apply one envelope in one transaction; 'applied' or 'duplicate'.

        `replaying` is the id of its dead letter: then the "dead" inbox mark and the dead
        letter go in the same transaction that applies it (shared/dead_letters.py).
        """
        work = UnitOfWork(
            engine=self.engine, projection=self.projection, actor=Actor.system(self.name),
            correlation_id=envelope.correlation_id, causation_id=str(envelope.event_id), clock=self.clock)
        with work:
            had = inbox.status(work.conn, self.name, str(envelope.event_id))
            if had is not None and (replaying is None or had != "dead"):
                return "duplicate"
            if replaying is not None:
                inbox.forget_dead(work.conn, self.name, str(envelope.event_id), replaying)
            head, _ = work.store.head(work.conn)
            self._apply_in(work, envelope, after_position=head)
            work.commit()
        return "applied"

    def apply_batch(self, envelopes: Sequence[Envelope]) -> list[str]:
        """Apply envelopes in order in one transaction; 'applied' or 'duplicate' for each.

        Each applied event gets its own inbox row, as `apply` gives it, so a redelivered
        event is skipped whether it comes again in a later batch or twice in this one.
        """
        first = envelopes[0]
        work = UnitOfWork(
            engine=self.engine, projection=self.projection, actor=Actor.system(self.name),
            correlation_id=first.correlation_id, causation_id=str(first.event_id), clock=self.clock)
        outcomes: list[str] = []
        with work:
            seen = inbox.seen(work.conn, self.name, (str(envelope.event_id) for envelope in envelopes))
            head, _ = work.store.head(work.conn)
            for envelope in envelopes:
                event_id = str(envelope.event_id)
                if event_id in seen:
                    outcomes.append("duplicate")
                    continue
                seen.add(event_id)
                # A policy's command carries this event's chain, as if applied on its own.
                work.correlation_id, work.causation_id = envelope.correlation_id, event_id
                if self._apply_in(work, envelope, after_position=head):
                    head, _ = work.store.head(work.conn)  # the policy appended: rebuild's order
                outcomes.append("applied")
            work.commit()
        return outcomes

    def _apply_in(self, work: UnitOfWork, envelope: Envelope, *, after_position: int) -> bool:
        """Inbox row, read models, policy, inside `work`; whether a policy ran."""
        inbox.mark_applied(work.conn, self.name, envelope, after_position=after_position)
        self.projection.apply(work.conn, envelope)
        policy = self.policies.get(envelope.event_type)
        if policy is not None:
            policy(envelope, work)
        return policy is not None

    async def _dead_letter(self, record, envelope: Envelope | None, attempts: int, error: str) -> None:
        event_id = str(envelope.event_id) if envelope else None
        log.error("%s: dead-lettering %s from %s/%d@%d after %d attempts: %s", self.name,
                  event_id, record.topic, record.partition, record.offset, attempts, error)
        await asyncio.to_thread(inbox.record_dead_letter, self.engine, self.name, record, envelope,
                                attempts=attempts, error=error)
        self.metrics.dead_letters.labels(self.name).inc()
        self.metrics.consumer_events.labels(
            self.name, envelope.event_type if envelope else "unparseable", "dead_lettered").inc()
        if self.broker is None:
            return
        try:
            await self.broker.publish(
                record.value, dlq_topic(self.name), key=record.key,
                headers={"error": error[:1000], "source_topic": record.topic,
                         "source_partition": str(record.partition),
                         "source_offset": str(record.offset), "attempts": str(attempts)})
        except Exception as publish_error:  # noqa: BLE001 - the database row is the record
            log.error("%s: dead letter kept in the database only: %r", self.name, publish_error)

    @property
    def lag(self) -> dict[tuple[str, int], int]:
        """Messages behind, by (topic, partition), as last measured."""
        return self.watch.lag

    async def measure_lag(self) -> None:
        """Lag of every assigned partition from its high watermark and the next offset to apply."""
        await self.watch.measure()

    def current_lag(self, *, max_age: float = 10.0) -> int | None:
        """Messages behind, or None while unknown (not measured lately, or no partitions)."""
        return self.watch.current(max_age=max_age)


def _wait_without_pause(subscriber, *, max_records: int) -> None:
    """Make a batch subscriber wait for records instead of pausing after an empty fetch.

    FastStream's batch subscriber sleeps `batch_timeout_ms` after a fetch that returned
    nothing, and a record arriving meanwhile waits out the sleep: up to that long added
    to an event's way. `getmany` already returns as soon as records arrive, so a long
    timeout and no sleep costs nothing while idle and delays nothing.
    """
    if not hasattr(subscriber, "get_msg"):  # not the FastStream this was written for: keep its own
        return

    async def get_msg(consumer) -> tuple:
        fetched = await consumer.getmany(timeout_ms=500, max_records=max_records)
        return tuple(record for records in fetched.values() for record in records)

    subscriber.get_msg = get_msg
