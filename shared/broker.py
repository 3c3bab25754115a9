"""Kafka wiring every service shares: topic names, the FastStream broker, topic creation."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaClient
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

from shared.settings import SERVICE_NAMES, KernelSettings

TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


def topic_for(service: str) -> str:
    """The topic a service publishes its events to."""
    return f"renovation.{service}"


def dlq_topic(consumer: str) -> str:
    """Where a consumer sends the events it could not apply."""
    return f"renovation.{consumer}.dlq"


def all_topics() -> list[str]:
    """Every service topic, then every dead-letter topic."""
    # The audit's signed checkpoints (shared/audit/checkpoint.py) travel beside the logs.
    return ([topic_for(s) for s in SERVICE_NAMES] + [dlq_topic(s) for s in SERVICE_NAMES]
            + ["renovation.audit.checkpoints"])


def make_broker(
    settings: KernelSettings, *, client_id: str, registry: CollectorRegistry | None = None
) -> KafkaBroker:
    """A FastStream Kafka broker: acks=all, no topic auto-creation, quiet logs."""
    middlewares = (
        [KafkaPrometheusMiddleware(registry=registry, app_name=client_id)] if registry else []
    )
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        # tansu (the embedded broker) rejects InitProducerId; aiokafka keeps one batch in
        # flight per partition, so order holds without it and the inbox absorbs retries.
        enable_idempotence=settings.producer_idempotence,
        allow_auto_create_topics=False,
        metadata_max_age_ms=5_000,
        request_timeout_ms=10_000,
        middlewares=middlewares,
        # FastStream logs "Received"/"Processed" per message at this level: keep them at
        # DEBUG (its INFO default halves subscriber throughput, ARCHITECTURE.md).
        log_level=logging.DEBUG,
        logger=logging.getLogger(f"renovation.broker.{client_id}"),
    )


async def broker_reachable(bootstrap_servers: str) -> None:
    """Raise KafkaConnectionError unless the broker answers a metadata request."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5_000)
    try:
        await client.bootstrap()
    finally:
        await client.close()


async def ensure_topics(settings: KernelSettings, topics: list[str] | None = None) -> list[str]:
    """Create the topics that are missing; return the names created."""
    wanted = topics or all_topics()
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=10_000
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return []
        new = [
            NewTopic(t, 1 if t.endswith(".dlq") else settings.topic_partitions, 1) for t in missing
        ]
        response = await admin.create_topics(new)
        for topic, code, message in _topic_errors(response):
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"could not create topic {topic}: {message} (code {code})")
        return missing
    finally:
        await admin.close()


def _topic_errors(response) -> list[tuple[str, int, str | None]]:
    return [(e[0], e[1], e[2] if len(e) > 2 else None) for e in response.topic_errors]
