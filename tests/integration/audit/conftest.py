"""Audit fixtures: one service's log published to the embedded broker, with checkpoints and evidence."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration.audit.test_verify_tampering import Log


@pytest.fixture
def log(kafka, tmp_path):
    """12 events relayed to the topic, checkpoints at 4, 8 and 12 published, one evidence object."""
    log = Log(kafka, tmp_path)
    asyncio.run(log.publish())
    yield log
    log.engine.dispose()
