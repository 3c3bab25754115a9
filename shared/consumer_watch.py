"""Where a consumer stands on the broker: which cluster its offsets belong to, and how far behind it is."""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from shared.broker_identity import BrokerIdentity
from shared.metrics import KernelMetrics

log = logging.getLogger("renovation.consumer")


class ConsumerWatch:
    """The broker identity and the lag of one consumer group's Kafka consumer.

    The embedded broker can come back empty, under a new cluster id: every committed
    offset then points into nothing, so the consumer reads every partition again from
    the start (the inbox drops what was applied). Lag is behind each partition's high
    watermark, counted from the first record of a batch still being applied; it is
    unknown (None), never 0, until measured and while the broker cannot be reached.
    """

    def __init__(self, name: str, metrics: KernelMetrics) -> None:
        self.name = name
        self.metrics = metrics
        self.lag: dict[tuple[str, int], int] = {}
        self.cluster_id: str | None = None
        # Per partition, the offset of the first record of the batch being applied.
        self.in_flight: dict[tuple[str, int], int] = {}
        self._identity = BrokerIdentity(self._verdict)
        self._watched: object | None = None
        self._measured_at = 0.0

    def watch(self, consumer) -> None:
        """Check the broker identity on every connection this Kafka consumer opens."""
        if consumer is None or consumer is self._watched or not hasattr(consumer, "_client"):
            return
        self._watched = consumer
        self._identity.install(consumer._client)

    def _verdict(self, cluster: str | None) -> bool:
        if cluster is None or cluster == self.cluster_id:
            return True
        if self.cluster_id is not None:
            log.warning("%s: the broker is now cluster %s, not %s: reading every partition again "
                        "from the start (the inbox drops what was applied)", self.name, cluster,
                        self.cluster_id)
            self._rewind()
        self.cluster_id = cluster
        return True

    def _rewind(self) -> None:
        # Synchronous, before the new connection carries a fetch: records fetched for an old
        # position are then discarded by the fetcher.
        self.lag.clear()
        consumer = self._watched
        for tp in list(consumer.assignment()) if consumer is not None else []:
            consumer.seek(tp, 0)

    def batch_fetched(self, consumer, records) -> None:
        """A fetched batch is about to be applied: lag counts from its first record per partition."""
        self.in_flight = {}
        for record in records:
            self.in_flight.setdefault((record.topic, record.partition), record.offset)
        for (topic, partition), first in self.in_flight.items():
            highwater = consumer.highwater(TopicPartition(topic, partition)) if consumer else None
            if highwater is not None:
                behind = max(highwater - first, 0)
                self.lag[(topic, partition)] = behind
                self.metrics.consumer_lag.labels(self.name, topic, str(partition)).set(behind)
                self._measured_at = time.monotonic()

    def batch_done(self) -> None:
        """The fetched batch is applied (or dead-lettered): lag counts from the consumer's position again."""
        self.in_flight = {}

    async def measure(self) -> None:
        """Lag of every assigned partition from its high watermark and the next offset to apply."""
        consumer = self._watched
        if consumer is None:
            return
        try:
            # A cached live connection costs nothing; a broker that is gone raises here.
            await asyncio.wait_for(self._identity.current(consumer._client), timeout=2)
        except (TimeoutError, KafkaError, OSError):
            self.lag = {}
            raise
        measured: dict[tuple[str, int], int] = {}
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                return  # not fetched from this partition yet: unknown
            position = await asyncio.wait_for(consumer.position(tp), timeout=2)
            position = min(position, self.in_flight.get((tp.topic, tp.partition), position))
            measured[(tp.topic, tp.partition)] = max(highwater - position, 0)
        for (topic, partition), behind in measured.items():
            self.metrics.consumer_lag.labels(self.name, topic, str(partition)).set(behind)
        self.lag, self._measured_at = measured, time.monotonic()

    def current(self, *, max_age: float = 10.0) -> int | None:
        """Messages behind, or None while unknown (not measured lately, or no partitions)."""
        if not self.lag or time.monotonic() - self._measured_at > max_age:
            return None
        return sum(self.lag.values())
