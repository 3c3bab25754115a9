"""Dead letters: listed with their reason, replayed once through the idempotent consumer; /status for operators only."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from shared.consumer import IdempotentConsumer
from shared.dead_letters import listed, replay
from shared.errors import InvalidCommand, NotFound
from shared.metrics import KernelMetrics
from shared.schema import dead_letter, inbox
from shared.settings import KernelSettings
from shared.unit_of_work import Projection
from tests.integration.construction.conftest import start
from tests.integration.test_relay_and_consumer import append_notes, count, engine_at

rows = sa.Table("replayed", sa.MetaData(), sa.Column("event_id", sa.String))
broken = {"now": True}
projection = Projection(rows)


@projection.on("intake.Noted")
def _note(conn, envelope) -> None:
    if broken["now"]:
        raise RuntimeError("the read model's table is being rebuilt")
    conn.execute(rows.insert().values(event_id=str(envelope.event_id)))


def record_of(envelope, offset: int) -> SimpleNamespace:
    return SimpleNamespace(topic="renovation.intake", partition=0, offset=offset, key=b"p-0",
                           value=envelope.to_json())


async def test_a_dead_letter_is_listed_with_its_reason_and_replayed_exactly_once(tmp_path):
    source, target = engine_at(tmp_path / "intake.db"), engine_at(tmp_path / "acceptance.db")
    rows.metadata.create_all(target)
    consumer = IdempotentConsumer(name="acceptance", engine=target, projection=projection,
                                  settings=KernelSettings(), metrics=KernelMetrics())
    consumer.backoff_seconds = 0.001
    events = append_notes(source, 2)
    for offset, envelope in enumerate(events):
        await consumer._apply_with_retries(record_of(envelope, offset), envelope)
    [first, second] = listed(consumer)
    assert first["event_id"] == str(events[0].event_id) and first["event_type"] == "intake.Noted"
    assert "being rebuilt" in first["error"] and first["attempts"] == 3
    assert consumer.apply(events[0]) == "duplicate", "a redelivery does not apply a dead event"

    with pytest.raises(InvalidCommand, match="仍然失败"):
        replay(consumer, first["id"])  # the cause is still there: nothing changes
    assert count(target, dead_letter) == 2 and count(target, rows) == 0

    broken["now"] = False
    try:
        assert replay(consumer, first["id"]) == "applied"
        assert replay(consumer, second["id"]) == "applied"
    finally:
        broken["now"] = True
    with pytest.raises(NotFound):
        replay(consumer, first["id"])
    assert count(target, rows) == 2 and count(target, dead_letter) == 0
    assert count(target, inbox, inbox.c.status == "applied") == 2
    assert consumer.apply(events[0]) == "duplicate"


def test_status_and_dead_letters_answer_operators_only(tmp_path, sqlite_url):
    site = start(tmp_path, sqlite_url)
    store = site.app.state.auth.store
    if store.get("ops-admin") is None:
        store.add_user(username="ops-admin", password="pass-word-123", role="admin", display_name="运维")
    admin = {"Authorization": f"Bearer {site.app.state.auth.token_for('ops-admin')}"}
    try:
        assert site.client.get("/status").status_code == 401
        assert site.client.get("/status", headers=site.as_("res")).status_code == 403
        assert site.client.get("/status", headers=site.as_("off")).status_code == 403
        assert site.client.get("/status", headers=admin).json()["service"] == "construction"
        assert site.client.get("/dlq").status_code == 401
        assert site.client.get("/dlq", headers=admin).json() == []
        assert site.client.post("/dlq/1/replay", headers=site.as_("off")).status_code == 403
        assert site.client.post("/dlq/1/replay", headers=admin).status_code == 404
    finally:
        site.service.engine.dispose()
