"""Integration fixtures: a real embedded Kafka-protocol broker on a free loopback port."""

from __future__ import annotations

import pytest

from shared.embedded import EmbeddedBroker, free_port


@pytest.fixture
def kafka(tmp_path):
    """A fresh tansu broker for one test (memory only: restart() empties it)."""
    broker = EmbeddedBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    yield broker
    broker.stop()
