"""Through the real (embedded) broker: intake's approval opens a project; our notice request goes out."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaConsumer

from shared.broker import ensure_topics, make_broker, topic_for
from shared.envelope import Envelope

from .conftest import approved_payload, start

pytestmark = pytest.mark.broker


async def wait_for(predicate, timeout: float = 30.0, why=lambda: "") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(predicate):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached in time {why()}")
        await asyncio.sleep(0.05)


async def test_project_approved_through_the_broker_opens_a_project_and_notices_go_back(kafka, tmp_path, sqlite_url):
    site = start(tmp_path, sqlite_url, bootstrap=kafka.bootstrap_servers)
    service = site.service
    await ensure_topics(service.kernel)
    stop = asyncio.Event()
    running = asyncio.create_task(service.run_background(stop))
    intake = make_broker(service.kernel, client_id="intake-test")
    await intake.start()
    try:
        envelope = Envelope.model_validate({
            "event_id": "01938f3e-0000-7000-8000-000000000001", "event_type": "intake.ProjectApproved",
            "schema_version": 1, "stream_id": "project-p1", "stream_version": 1, "project_id": "p1",
            "occurred_at": "2026-11-20T02:00:00+00:00", "actor": {"id": "demo-official", "role": "official"},
            "correlation_id": "c-1", "payload": approved_payload("p1"), "position": 7})
        await intake.publish(envelope.to_json(), topic_for("intake"), key=b"p1")
        await wait_for(lambda: site.client.get("/api/projects/p1", headers=site.as_("sup")).status_code == 200)

        off = site.as_("off")
        await asyncio.to_thread(site.client.put, "/api/projects/p1/parties", json={
            "contractor": "沈阳建工", "supervision_unit": "华信监理", "accounts": {"contractor": ["con"]}}, headers=off)
        change = await asyncio.to_thread(site.client.post, "/api/projects/p1/design-changes", headers=off, json={
            "title": "增设消防通道", "reason": "消防部门审查意见", "cost_delta_fen": 0, "major_content": True})
        change_id = change.json()["id"]
        assert (await asyncio.to_thread(site.client.post, f"/api/design-changes/{change_id}/approve", json={},
                                        headers=off)).status_code == 204
        await wait_for(lambda: service.status()["relay_lag"] == 0, timeout=15, why=service.status)
        published = await read_until(kafka, "construction.DesignChangeNoticeRequested")
        assert published["payload"]["change_id"] == change_id and published["project_id"] == "p1"
        assert service.status()["events_applied"] == 1
    finally:
        stop.set()
        await running
        await intake.stop()
        await service.broker.stop()
        service.engine.dispose()


async def read_until(kafka, event_type: str, timeout: float = 20.0) -> dict:
    consumer = AIOKafkaConsumer(topic_for("construction"), bootstrap_servers=kafka.bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=10)
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                for record in batch:
                    body = json.loads(record.value)
                    if body["event_type"] == event_type:
                        return body
    finally:
        await consumer.stop()
    raise AssertionError(f"{event_type} not published")
