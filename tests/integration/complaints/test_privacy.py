"""Privacy: contacts whole for hotline staff and the complainant only, masked for others, absent in public;
never in clear in an event; erasure makes them unreadable while every hash chain still verifies."""

from __future__ import annotations

import json

from shared.eventstore import EventStore
from tests.integration.complaints.conftest import Running


def test_masking_per_role_and_nothing_personal_in_public(hotline: Running):
    filed = hotline.call(text="夜里施工太吵了，有事请打13812345678找我")
    cid = filed["complaint_id"]
    whole = hotline.get(cid, user="op")["contact"]
    assert whole == {"name": "王建国", "phone": "138 1234 5678", "masked": False, "erased": False}
    for user in ("con", "sup", "off"):
        assert hotline.get(cid, user=user)["contact"] == {"name": "王**", "phone": "138****5678", "masked": True,
                                                          "erased": False}, user
    queue = hotline.client.get("/api/complaints", headers=hotline.as_("con")).json()
    assert queue[0]["contact"]["phone"] == "138****5678" and "contact_sealed" not in queue[0]
    assert hotline.client.get(f"/api/complaints/{cid}", headers=hotline.as_("res")).status_code == 403
    assert hotline.client.get(f"/api/complaints/{cid}").status_code == 401
    # The complainant sees their own contact whole through the secret link.
    k = filed["track_url"].split("k=")[1]
    own = hotline.client.get(f"/api/track/{filed['tracking_no']}", params={"k": k}).json()
    assert own["contact"]["phone"] == "138 1234 5678"
    public = hotline.client.get("/api/public/complaints", params={"community_id": "c-happy"})
    assert public.status_code == 200 and len(public.json()) == 1
    page = hotline.client.get("/public", params={"community_id": "c-happy"}).text
    for text in (public.text, page):
        assert "王" not in text and "13812345678" not in text and "5678" not in text
    assert public.json()[0]["category_zh"] == "噪声扰民"
    contractor_page = hotline.client.get(f"/complaints/{cid}", headers=hotline.as_("con")).text
    assert "138****5678" in contractor_page and "王建国" not in contractor_page


def test_no_name_or_phone_in_any_event_payload(hotline: Running):
    hotline.call(text="夜里施工太吵了，有事请打13812345678找我")
    for envelope in hotline.events():
        raw = json.dumps(envelope.payload, ensure_ascii=False)
        assert "王建国" not in raw and "13812345678" not in raw and "8613812345678" not in raw, envelope.event_type


def test_erasure_makes_the_contact_unreadable_and_every_chain_still_verifies(hotline: Running):
    first = hotline.call()
    second = hotline.call(category="dust", text="渣土车没有覆盖，灰尘很大")
    other = hotline.call(phone="13987654321", name="李丽", category="schedule", text="工期拖了两个月还没完工")
    with hotline.service.engine.connect() as conn:
        before = {e.event_id: e.hash for e in EventStore().iter_all(conn)}
    refused = hotline.client.post("/api/persons/erasure", json={"phone": "138 1234 5678", "reason": "本人申请"},
                                  headers=hotline.as_("con"))
    assert refused.status_code == 403
    erased = hotline.client.post("/api/persons/erasure", json={"phone": "138 1234 5678", "reason": "本人申请"},
                                 headers=hotline.as_("op"))
    assert erased.status_code == 200, erased.text
    for filed in (first, second):
        contact = hotline.get(filed["complaint_id"])["contact"]
        assert contact["erased"] and "王" not in json.dumps(contact, ensure_ascii=False)
    assert hotline.get(other["complaint_id"])["contact"]["name"] == "李丽"
    with hotline.service.engine.connect() as conn:
        store = EventStore()
        after = {e.event_id: e.hash for e in store.iter_all(conn)}
        result = store.verify(conn)
        assert result.ok and result.checked == len(after), result
    assert {k: v for k, v in after.items() if k in before} == before, "no stored event was touched"
    assert [e.event_type for e in hotline.events("complaints.PersonalDataErased")] == ["complaints.PersonalDataErased"]
    again = hotline.client.post("/api/persons/erasure", json={"phone": "13812345678", "reason": "本人申请"},
                                headers=hotline.as_("op"))
    assert again.status_code == 404
    # The same number calling again is a new person: the old complaints stay unlinked.
    fresh = hotline.call(text="又开始夜间施工了，噪音很大")
    assert hotline.get(fresh["complaint_id"])["contact"]["name"] == "王建国"
    assert hotline.get(first["complaint_id"])["contact"]["erased"]


def test_phone_numbers_are_validated(hotline: Running):
    before = len(hotline.events())
    for phone in ("12345", "1381234567", "电话号码", ""):
        body = {"phone": phone, "category": "noise", "text": "夜里施工太吵", "community_id": "c-happy"}
        response = hotline.client.post("/api/complaints", json=body, headers=hotline.as_("op"))
        assert response.status_code == 422 and "电话" in response.json()["detail"], phone
    assert len(hotline.events()) == before


def test_a_contractor_sees_and_answers_only_its_own_projects_complaints(hotline: Running):
    own = hotline.call()["complaint_id"]
    elsewhere = hotline.call(community_id="c-peace", text="和平里门口扬尘很大", category="dust")["complaint_id"]
    seen = hotline.client.get("/api/complaints", headers=hotline.as_("con")).json()
    assert [c["complaint_id"] for c in seen] == [own]
    assert hotline.client.get("/api/complaints", headers=hotline.as_("con2")).json() == []
    assert hotline.client.get(f"/api/complaints/{elsewhere}", headers=hotline.as_("con")).status_code == 404
    assert hotline.client.get(f"/api/complaints/{own}", headers=hotline.as_("con2")).status_code == 404
    hotline.post(own, "assign", {"kind": "street_office", "assignee": "南市街道"})
    refused = hotline.post(own, "respond", {"response": "我们已经处理好了"}, user="con")
    assert refused.status_code == 403 and "未派给施工单位" in refused.json()["detail"]
    hotline.post(own, "transfer", {"kind": "contractor", "assignee": "沈阳建工", "reason": "属施工单位整改范围"})
    assert hotline.post(own, "respond", {"response": "已调整作业时间"}, user="con2").status_code == 403
    assert hotline.post(own, "respond", {"response": "已调整作业时间"}, user="con").status_code == 204
