"""Complaints and construction, both real, on the real (embedded) broker: a safety complaint sends the inspector,
what the inspection found comes back to the operator as a response to confirm, and acceptance is told."""

from __future__ import annotations

import asyncio

import pytest

from shared.broker import ensure_topics, make_broker, topic_for
from shared.envelope import Envelope
from tests.integration.complaints.conftest import HAPPY, start as start_complaints
from tests.integration.construction.conftest import approved_payload, start as start_construction
from tests.integration.construction.test_flow import checklist

pytestmark = pytest.mark.broker


async def until(probe, *, what: str, timeout: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await asyncio.to_thread(probe)
        if answer:
            return answer
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.1)


def intake_envelope(n: int, event_type: str, payload: dict, key: str) -> Envelope:
    return Envelope.model_validate({
        "event_id": f"01938f3e-0000-7000-8000-00000000000{n}", "event_type": event_type, "schema_version": 1,
        "stream_id": f"intake-{n}", "stream_version": 1, "project_id": key, "occurred_at": "2026-11-20T01:00:00+00:00",
        "actor": {"id": "demo-official", "role": "official"}, "correlation_id": "c-1", "payload": payload,
        "position": n})


async def test_a_safety_complaint_round_trip_through_construction(kafka, tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "s").mkdir()
    hotline = start_complaints(tmp_path / "c", f"sqlite:///{tmp_path / 'c' / 'complaints.db'}",
                               bootstrap=kafka.bootstrap_servers)
    site = start_construction(tmp_path / "s", f"sqlite:///{tmp_path / 's' / 'construction.db'}",
                              bootstrap=kafka.bootstrap_servers)
    await ensure_topics(hotline.service.kernel)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(s.run_background(stop)) for s in (hotline.service, site.service)]
    intake = make_broker(hotline.service.kernel, client_id="intake-test")
    await intake.start()
    try:
        approved = approved_payload("p1", at=(41.8, 123.4))
        approved["community_id"] = "c-happy"
        approved["location"]["boundary"] = [list(p) for p in HAPPY]
        await intake.publish(intake_envelope(1, "intake.ProjectApproved", approved, "p1").to_json(),
                             topic_for("intake"), key=b"p1")
        await until(lambda: hotline.client.get("/api/public/complaints").status_code == 200 and
                    _site(hotline)["project_status"] == "under_construction",
                    what="complaints learns the project is under construction from construction.ProjectOpened")
        off = site.as_("off")
        parties = {"contractor": "沈阳建工", "supervision_unit": "华信监理", "accounts": {"contractor": ["con"]}}
        assert (await asyncio.to_thread(site.client.put, "/api/projects/p1/parties", json=parties,
                                        headers=off)).status_code == 204
        await until(lambda: _site(hotline)["contractor"] == "沈阳建工", what="complaints learns the contractor")

        # A resident's point inside the published boundary: routed to p1, published to construction.
        filed = await asyncio.to_thread(hotline.client.post, "/api/resident/complaints", data={
            "phone": "13812345678", "category": "safety_hazard", "urgency": "emergency", "latitude": "41.8004",
            "longitude": "123.4004", "text": "3号楼脚手架没有防护网，砖头掉到人行道上"})
        assert filed.status_code == 201, filed.text
        row = (await asyncio.to_thread(hotline.client.get, "/api/complaints", headers=hotline.as_("op"))).json()[0]
        cid = row["complaint_id"]
        assert (row["project_id"], row["route_method"], row["published_to_construction"]) == ("p1", "boundary", True)
        insp = site.as_("insp")
        tasks_seen = await until(lambda: [t for t in site.client.get("/api/inspection-tasks", headers=insp).json()
                                          if t["task_id"] == cid], what="construction opens an inspection task")
        assert tasks_seen[0]["summary"].startswith("3号楼脚手架")

        body = {"zone": "site", "kind": "complaint", "task_id": cid,
                "items": checklist(fail={"scaffolding.guard": "critical"})}
        recorded = await asyncio.to_thread(site.client.post, "/api/projects/p1/inspections", json=body, headers=insp)
        assert recorded.status_code == 201, recorded.text
        finding = await until(lambda: hotline.get(cid)["finding_summary"], what="the finding comes back")
        assert "1 处问题" in finding and "严重" in finding
        assert hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈阳建工"}).status_code == 204
        assert hotline.post(cid, "respond", {"response": finding, "from_inspection": True}).status_code == 204
        answered = hotline.get(cid)
        assert answered["state"] == "responded" and answered["response_source"] == "inspection"
        types = [e.event_type for e in hotline.events()]
        assert {"complaints.ComplaintFiled", "complaints.SafetyComplaintOpened",
                "complaints.InspectionFindingReceived"} <= set(types)
        filed_event = hotline.events("complaints.ComplaintFiled")[0]
        assert filed_event.project_id == "p1" and filed_event.payload["category"] == "safety"
        for running in (hotline, site):
            assert running.service.status()["dead_letters"] == 0
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await intake.stop()
        for running in (hotline, site):
            await running.service.broker.stop()


def _site(hotline) -> dict:
    from services.complaints.adapters.community import site

    with hotline.service.engine.connect() as conn:
        return site(conn, "c-happy") or {"project_status": None, "contractor": None}
