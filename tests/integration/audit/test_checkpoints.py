"""Signed checkpoints on a ticker: issued while the log grows, published to the checkpoint topic, all consistent."""

from __future__ import annotations

import asyncio

import pytest

from shared.audit.checkpoint import CHECKPOINT_TOPIC, CheckpointPublisher, SignedCheckpoint
from shared.audit.merkle import verify_consistency
from shared.audit.topics import read_topic
from shared.audit.tree import StoredTree
from shared.broker import ensure_topics, make_broker
from shared.envelope import utc_now

pytestmark = pytest.mark.broker


def test_the_ticker_signs_the_growing_log_and_each_checkpoint_extends_the_last(kafka, tmp_path):
    from tests.integration.audit.test_verify_tampering import Log

    log = Log(kafka, tmp_path)

    async def run() -> None:
        await ensure_topics(log.kernel)
        broker = make_broker(log.kernel, client_id="intake")
        await broker.start()
        connected, stop = asyncio.Event(), asyncio.Event()
        publisher = CheckpointPublisher(engine=log.engine, broker=broker, signer=log.signer, clock=utc_now,
                                        seconds=0.2)
        task = asyncio.create_task(publisher.run(stop, connected))
        connected.set()
        for start in (1, 4, 7):
            await asyncio.to_thread(log.append, start, 3)
            await asyncio.sleep(0.5)  # a tick or two
        stop.set()
        await task
        await broker.stop()

    asyncio.run(run())
    checkpoints = [SignedCheckpoint.from_json(r.value) for r in read_topic(kafka.bootstrap_servers, CHECKPOINT_TOPIC)]
    sizes = [c.size for c in checkpoints]
    assert sizes == sorted(set(sizes)) and sizes[-1] == 9 and len(sizes) >= 3
    with log.engine.connect() as conn:
        tree = StoredTree(conn)
        for earlier, later in zip(checkpoints, checkpoints[1:], strict=False):
            earlier.verify(log.keys)
            verify_consistency(earlier.size, later.size, earlier.root_bytes, later.root_bytes,
                               tree.consistency(earlier.size, later.size))
    log.engine.dispose()
