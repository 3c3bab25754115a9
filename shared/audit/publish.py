"""Publishing a service's unpublished checkpoints from the command line (kafka-python), outside the service."""

from __future__ import annotations

import sqlalchemy as sa
from kafka import KafkaProducer

from shared.audit.checkpoint import CHECKPOINT_TOPIC, recorded
from shared.schema import audit_checkpoint


def publish_checkpoints(engine: sa.Engine, bootstrap: str) -> int:
    """Send what the topic has not acknowledged yet; return how many were sent."""
    with engine.connect() as conn:
        pending = recorded(conn, published=False)
    if not pending:
        return 0
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=10_000)
    try:
        for checkpoint in pending:
            producer.send(CHECKPOINT_TOPIC, checkpoint.to_json(), key=checkpoint.service.encode()).get(timeout=10)
            with engine.connect().execution_options(immediate=True) as conn, conn.begin():
                conn.execute(audit_checkpoint.update().where(audit_checkpoint.c.size == checkpoint.size)
                             .values(published=1))
    finally:
        producer.close()
    return len(pending)
