"""Which broker a Kafka client talks to (its cluster id, checked per connection) and what it holds."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, TopicPartition
from aiokafka.client import ConnectionGroup
from aiokafka.errors import KafkaConnectionError, KafkaError, OffsetOutOfRangeError
from aiokafka.protocol.metadata import MetadataRequest

log = logging.getLogger("renovation.broker")

# Decides about a connection to the broker with this cluster id: True to use it.
Verdict = Callable[[str | None], bool]


async def cluster_id_of(conn) -> str | None:
    """Ask the broker behind one connection for its cluster id (None if it has none)."""
    response = await conn.send(MetadataRequest([], allow_auto_topic_creation=False))
    return getattr(response, "cluster_id", None)


class BrokerIdentity:
    """Tags every connection a client opens with its broker's cluster id before it is used.

    The embedded broker gets a fresh cluster id on every start and forgets every message
    when it stops. A connection is a TCP stream to one broker process, so checking the
    identity once per connection, before the client sends anything else on it, checks
    every request: nothing can reach a restarted broker unnoticed. `verdict` decides
    whether a connection to a given cluster may be used; a refused one is closed.
    """

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self._tags: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._pending: dict[int, asyncio.Future] = {}

    def install(self, client: AIOKafkaClient) -> None:
        """Route the client's connection look-ups through the identity check."""
        original = client._get_conn  # aiokafka opens and caches every connection here

        async def checked(node_id, *, group=ConnectionGroup.DEFAULT, no_hint=False):
            conn = await original(node_id, group=group, no_hint=no_hint)
            if conn is None:
                return None
            try:
                cluster = await self.tag(conn)
            except (TimeoutError, KafkaError, OSError) as error:
                log.debug("identity check failed on %s: %r", node_id, error)
                conn.close()
                return None
            if not self.verdict(cluster):
                conn.close()
                return None
            return conn

        client._get_conn = checked

    async def tag(self, conn) -> str | None:
        """The cluster id behind `conn`, asked once per connection."""
        if conn in self._tags:
            return self._tags[conn]
        key = id(conn)
        if key not in self._pending:
            self._pending[key] = asyncio.ensure_future(cluster_id_of(conn))
        try:
            cluster = await asyncio.shield(self._pending[key])
        finally:
            if key in self._pending and self._pending[key].done():
                del self._pending[key]
        self._tags[conn] = cluster
        return cluster

    async def current(self, client: AIOKafkaClient) -> str | None:
        """The cluster id of the broker the client reaches now (through the check)."""
        node = client.get_random_node()
        if node is None:
            await client.force_metadata_update()
            node = client.get_random_node()
        conn = await client._get_conn(node) if node is not None else None
        if conn is None:
            raise KafkaConnectionError("no usable connection to the broker")
        return self._tags.get(conn)


async def event_id_at(bootstrap_servers: str, topic: str, partition: int, offset: int) -> str | None:
    """The event_id header of the record at topic/partition@offset, or None if it is not there."""
    # ListOffsets is not trusted here: tansu 0.6 answers "latest" with the last batch's
    # base offset. Reading the record itself is exact on any broker.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
        auto_offset_reset="none", fetch_max_wait_ms=10, request_timeout_ms=10_000)
    await consumer.start()
    try:
        tp = TopicPartition(topic, partition)
        if partition not in (consumer.partitions_for_topic(topic) or set()):
            await consumer._client.force_metadata_update()
            if partition not in (consumer.partitions_for_topic(topic) or set()):
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
