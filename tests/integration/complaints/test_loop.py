"""The 12345 loop through the API: filed, routed, clocked, assigned, answered, closed only with the resident's word."""

from __future__ import annotations

import re

import pytest

from tests.integration.complaints.conftest import Running


def test_a_hotline_call_is_routed_to_the_project_and_clocked_on_working_days(hotline: Running):
    filed = hotline.call()
    assert filed["tracking_no"].startswith("TS20261120-")
    c = hotline.get(filed["complaint_id"])
    assert (c["community_id"], c["project_id"], c["route_method"]) == ("c-happy", "p-happy", "community")
    # Friday 20 Nov 2026 + 5 working days = Friday 27 Nov, end of day (China time).
    assert c["due_at"].startswith("2026-11-27T15:59:59") and c["limit_label"] == "5 个工作日"
    assert c["contact"] == {"name": "王建国", "phone": "138 1234 5678", "masked": False, "erased": False}
    assert c["contractor"] == "沈阳建工"


def test_the_full_loop_closes_only_with_the_residents_word(hotline: Running):
    filed = hotline.call()
    cid = filed["complaint_id"]
    assert hotline.post(cid, "acknowledge").status_code == 204
    assert hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈阳建工"}).status_code == 204
    refused = hotline.post(cid, "transfer", {"kind": "street_office", "assignee": "南市街道", "reason": "短"})
    assert refused.status_code == 422 and "理由" in refused.json()["detail"]
    assert hotline.post(cid, "transfer", {"kind": "street_office", "assignee": "南市街道",
                                          "reason": "涉及夜间施工审批，由街道协调"}).status_code == 204
    assert hotline.post(cid, "respond", {"response": "已要求施工单位22点后停止高噪声作业"}).status_code == 204
    assert hotline.post(cid, "resolve", {"resolution": "夜间施工已停止"}).status_code == 204
    k = filed["track_url"].split("k=")[1]
    no = filed["tracking_no"]
    wrong = hotline.client.post(f"/api/track/{no}/rating", json={"k": "nope", "rating": "satisfied"})
    assert wrong.status_code == 403 and "链接" in wrong.json()["detail"]
    unhappy = hotline.client.post(f"/api/track/{no}/rating", json={"k": k, "rating": "not_satisfied",
                                                                  "comment": "昨晚又施工到1点"})
    assert unhappy.status_code == 204
    back = hotline.get(cid)
    assert back["state"] == "assigned" and back["reopen_count"] == 1 and back["cycle"] == 2
    hotline.post(cid, "respond", {"response": "已处罚并约谈项目经理"})
    hotline.post(cid, "resolve", {"resolution": "已连续三晚无夜间施工"})
    assert hotline.client.post(f"/api/track/{no}/rating", json={"k": k, "rating": "satisfied"}).status_code == 204
    twice = hotline.client.post(f"/api/track/{no}/rating", json={"k": k, "rating": "satisfied"})
    assert twice.status_code == 422 and "重复评价" in twice.json()["detail"]
    tracked = hotline.client.get(f"/api/track/{no}", params={"k": k}).json()
    assert tracked["state"] == "closed" and tracked["rating"] == "satisfied"
    types = [e.event_type for e in hotline.events() if e.stream_id == f"complaint-{cid}"]
    assert types.count("complaints.ComplaintConfirmed") == 2 and "complaints.ComplaintReopened" in types
    assert types[-1] == "complaints.ComplaintClosed"
    assert hotline.metric("renovation_complaints_reopen_ratio") == 1.0
    assert hotline.metric("renovation_complaints_satisfaction_ratio") == 1.0


def test_every_supervisor_figure_is_exposed_as_declared(hotline: Running):
    from services.complaints.adapters.metrics import FAMILIES

    cid = hotline.call()["complaint_id"]
    hotline.post(cid, "acknowledge")
    text = hotline.client.get("/metrics").text
    suffix = {"counter": "_total", "gauge": "", "histogram": "_bucket"}
    for name, kind, _labels in FAMILIES:
        assert f"\n{name}{suffix[kind]}" in text, name
        assert re.search(rf"# TYPE {name}(_total)? {kind}\n", text), name
    assert 'renovation_complaints_open{category="noise",state="acknowledged"} 1.0' in text
    assert 'renovation_complaints_time_to_acknowledge_seconds_bucket{le="900"} 1.0' in text
    assert 'renovation_complaints_received_total{channel="hotline"} 1.0' in text


def test_the_read_models_rebuild_from_the_events_and_the_vault_survives(hotline: Running):
    from services.complaints.adapters import queries
    from shared.rebuild import rebuild

    first = hotline.call()
    hotline.post(first["complaint_id"], "assign", {"kind": "contractor", "assignee": "沈阳建工"})
    hotline.clock.advance(days=10)
    hotline.tick()
    hotline.call(phone="13987654321", name="李丽", category="dust", text="渣土车不覆盖")
    with hotline.service.engine.connect() as conn:
        before = (queries.queue(conn), queries.breaches(conn),
                  queries.steps(conn, first["complaint_id"], public_only=False))
    rebuild(hotline.service.engine, hotline.service.projection, consumer="complaints")
    with hotline.service.engine.connect() as conn:
        after = (queries.queue(conn), queries.breaches(conn),
                 queries.steps(conn, first["complaint_id"], public_only=False))
    assert after == before and len(after[1]) == 2  # 催办 and 督办: 58 h past the limit
    assert hotline.get(first["complaint_id"])["contact"]["name"] == "王建国", "personal data is not a read model"


@pytest.mark.postgres
def test_the_loop_on_postgresql(tmp_path, postgres_url):
    from tests.integration.complaints.conftest import start

    hotline = start(tmp_path, postgres_url)
    hotline.sites()
    try:
        cid = hotline.call(address="很" * 200, building="楼" * 50)["complaint_id"]
        assert hotline.post(cid, "extend", {"reason": "长" * 1500}).status_code == 204
        hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈" * 200})
        hotline.clock.advance(days=40)
        assert hotline.tick()["escalated"] == 3
        with hotline.service.engine.connect() as conn:
            from shared.eventstore import EventStore
            assert EventStore().verify(conn).ok
    finally:
        hotline.service.engine.dispose()
