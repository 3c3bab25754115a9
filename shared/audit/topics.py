"""Reading the topics as an auditor does: kafka-python, from the first offset, nothing trusted but the bytes.

End offsets are only a hint (tansu 0.6 answers "latest" with the last batch's base
offset): a partition is read until it is past its end offset *and* a poll came back
empty. For the same reason seeking by time is done on the events' own time, which is
monotone within one service's log (shared/audit/replay.py).
"""

from __future__ import annotations

import socket
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError


# kafka-python logs every cancelled fetch at INFO when a reader closes: routine, not news.
logging.getLogger("kafka").setLevel(logging.WARNING)


class TopicUnavailable(RuntimeError):
    """The broker cannot be reached or has no such topic."""


@dataclass(frozen=True)
class Record:
    """One message as the broker holds it."""

    partition: int
    offset: int
    key: str | None
    value: bytes
    timestamp_ms: int

    def envelope(self) -> dict:
        """The message parsed as JSON (an envelope on a service topic)."""
        return json.loads(self.value)


def _reachable(bootstrap: str, timeout: float = 1.0) -> bool:
    # kafka-python retries an unreachable bootstrap for tens of seconds: inside a request, ask first.
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


def _consumer(bootstrap: str) -> KafkaConsumer:
    if not _reachable(bootstrap):
        raise TopicUnavailable(f"broker {bootstrap} not reachable")
    try:
        return KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             fetch_max_wait_ms=10, request_timeout_ms=10_000, max_poll_records=5000,
                             consumer_timeout_ms=1_000)
    except KafkaError as error:
        raise TopicUnavailable(f"broker {bootstrap} not reachable: {error!r}") from error


def partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    """The topic's partitions (TopicUnavailable if the broker does not know the topic)."""
    found = consumer.partitions_for_topic(topic)
    if not found:
        raise TopicUnavailable(f"the broker has no topic {topic}")
    return [TopicPartition(topic, p) for p in sorted(found)]


def partition_count(bootstrap: str, topic: str) -> int:
    """How many partitions the topic has."""
    consumer = _consumer(bootstrap)
    try:
        return len(partitions(consumer, topic))
    finally:
        consumer.close()


def iter_topic(bootstrap: str, topic: str, *, only: Callable[[TopicPartition], bool] | None = None,
               stop_at: dict[TopicPartition, int] | None = None, idle_ms: int = 400,
               stall_seconds: float = 15.0) -> Iterator[Record]:
    """Every record of a topic from its first offset (or up to `stop_at` offsets), partition by partition."""
    consumer = _consumer(bootstrap)
    try:
        tps = [tp for tp in partitions(consumer, topic) if only is None or only(tp)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        stop_at = stop_at or {}
        open_tps, idle_since = set(tps), time.monotonic()
        while open_tps:
            batch = consumer.poll(timeout_ms=100)
            got = False
            for tp, messages in batch.items():
                for m in messages:
                    if tp in stop_at and m.offset >= stop_at[tp]:
                        open_tps.discard(tp)
                        consumer.pause(tp)
                        break
                    got = True
                    yield Record(tp.partition, m.offset, m.key.decode("utf-8") if m.key else None,
                                 m.value, m.timestamp)
            if got:
                idle_since = time.monotonic()
                continue
            idle = time.monotonic() - idle_since
            behind = {tp.partition: (consumer.position(tp), ends.get(tp, 0)) for tp in open_tps
                      if consumer.position(tp) < ends.get(tp, 0)}
            if idle > idle_ms / 1000 and not behind:
                break
            if idle > stall_seconds:
                raise TopicUnavailable(f"{topic} stalled: partition (position, end) {behind}")
    finally:
        consumer.close()


def read_topic(bootstrap: str, topic: str, **kw) -> list[Record]:
    """The whole topic as a list."""
    return list(iter_topic(bootstrap, topic, **kw))
