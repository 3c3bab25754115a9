"""The resident's form without an account: routing by community or point, photos, bad input, rate limits, duplicates."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from shared.objectstore import evidence_key
from tests.integration.complaints.conftest import Running, start


def jpeg(seed: int = 1) -> bytes:
    image = Image.new("RGB", (64, 48), (seed * 40 % 255, 120, 200))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


FORM = {"phone": "13812345678", "category": "noise", "urgency": "normal",
        "text": "3号楼东侧工地夜里12点还在施工，噪音太大睡不着"}


def file(hotline: Running, files=None, **changes):
    data = {k: v for k, v in (FORM | changes).items() if v is not None}
    return hotline.client.post("/api/resident/complaints", data=data, files=files)


def test_routing_by_boundary_by_nearest_site_and_refusal_outside(hotline: Running):
    inside = file(hotline, latitude="41.8005", longitude="123.4005")
    assert inside.status_code == 201, inside.text
    near = file(hotline, latitude="41.8000", longitude="123.4060", category="dust", text="和平里门口扬尘很大",
                phone="13900000001")
    assert near.status_code == 201, near.text
    rows = {r["tracking_no"]: r for r in hotline.client.get("/api/complaints", headers=hotline.as_("op")).json()}
    first, second = rows[inside.json()["tracking_no"]], rows[near.json()["tracking_no"]]
    assert (first["community_id"], first["project_id"], first["route_method"]) == ("c-happy", "p-happy", "boundary")
    assert (second["community_id"], second["project_id"], second["route_method"]) == ("c-peace", None, "nearest")
    before = len(hotline.events())
    far = file(hotline, latitude="41.9", longitude="123.6", phone="13900000002")
    assert far.status_code == 422 and "不在任何改造小区" in far.json()["detail"]
    nowhere = file(hotline, phone="13900000003")
    assert nowhere.status_code == 422 and "小区" in nowhere.json()["detail"]
    assert len(hotline.events()) == before


def test_an_operator_call_without_a_known_place_waits_in_triage_until_routed(hotline: Running):
    filed = hotline.call(community_id=None, building="", address="南市路东边那个工地")
    cid = filed["complaint_id"]
    triage = hotline.client.get("/api/complaints/triage", headers=hotline.as_("op")).json()
    assert [t["complaint_id"] for t in triage] == [cid]
    assert hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈阳建工"}).status_code == 422
    assert hotline.post(cid, "route", {"community_id": "c-happy"}).status_code == 204
    assert hotline.client.get("/api/complaints/triage", headers=hotline.as_("op")).json() == []
    assert hotline.get(cid)["route_method"] == "operator"


def test_bad_input_is_refused_with_a_reason_and_nothing_recorded(hotline: Running):
    before = len(hotline.events())
    cases = [
        (dict(text=""), 422, "投诉内容"),
        (dict(category="graffiti"), 422, "类别"),
        (dict(community_id="c-nowhere"), 404, "小区"),
        (dict(phone="12"), 422, "电话"),
        (dict(text="噪声\u202e扰民严重"), 422, "双向"),
        (dict(community_id="c-happy", latitude="north"), 422, "纬度"),
    ]
    for changes, status, word in cases:
        changes.setdefault("community_id", "c-happy")
        response = file(hotline, **changes)
        assert response.status_code == status and word in response.json()["detail"], (changes, response.text)
    photos = [("photos", ("ok.jpg", jpeg(7), "image/jpeg"))]
    good_photo_bad_place = file(hotline, community_id="c-nowhere", files=photos)
    assert good_photo_bad_place.status_code == 404
    assert not hotline.ctx.store.exists(evidence_key(hashlib.sha256(jpeg(7)).hexdigest())), "no orphan object"
    fake = file(hotline, community_id="c-happy", files=[("photos", ("p.jpg", b"not a picture at all", "image/jpeg"))])
    assert fake.status_code == 422 and "p.jpg" in fake.json()["detail"]
    assert len(hotline.events()) == before


def test_photos_are_proven_and_kept_write_once(hotline: Running):
    filed = file(hotline, community_id="c-happy", files=[("photos", ("night.jpg", jpeg(), "image/jpeg"))])
    assert filed.status_code == 201, filed.text
    [received] = hotline.events("complaints.ComplaintReceived")
    [photo] = received.payload["photos"]
    assert photo["media_type"] == "image/jpeg" and len(photo["sha256"]) == 64 and photo["width"] == 64
    assert hotline.ctx.store.exists(photo["object_key"])
    row = hotline.client.get("/api/complaints", headers=hotline.as_("op")).json()[0]
    page = hotline.client.get(f"/complaints/{row['complaint_id']}", headers={"accept": "text/html"} | hotline.as_("op"))
    link = next(part.split('"')[0] for part in page.text.split('href="')[1:] if "/objects/" in part or "sig=" in part)
    image = hotline.client.get(link.replace("&amp;", "&"))
    assert image.status_code == 200 and image.content == jpeg()
    public = hotline.client.get("/public", params={"community_id": "c-happy"}).text
    assert "sig=" not in public and photo["sha256"] not in public


def test_oversized_photo_is_refused_413(tmp_path, sqlite_url):
    small = start(tmp_path, sqlite_url, max_photo_bytes=2048)
    small.sites()
    big = file(small, community_id="c-happy", files=[("photos", ("big.jpg", b"\xff\xd8" + b"0" * 5000, "image/jpeg"))])
    assert big.status_code == 413 and "MB" in big.json()["detail"]
    assert small.events("complaints.ComplaintReceived") == []


def test_rate_limits_per_client_and_per_phone(tmp_path, sqlite_url):
    limited = start(tmp_path, sqlite_url, rate_per_client_per_hour=4, rate_per_phone_per_day=2)
    limited.sites()
    assert file(limited, community_id="c-happy").status_code == 201
    assert file(limited, community_id="c-happy", text="白天也很吵，电钻声不停").status_code == 201
    third = file(limited, community_id="c-happy", text="第三次反映噪音问题")
    assert third.status_code == 429 and "该号码" in third.json()["detail"]
    assert file(limited, community_id="c-happy", phone="13900000009").status_code == 201
    fifth = file(limited, community_id="c-happy", phone="13900000010")
    assert fifth.status_code == 429 and "每小时" in fifth.json()["detail"]
    assert len(limited.events("complaints.ComplaintReceived")) == 3


def test_a_similar_complaint_is_suggested_merged_and_its_complainant_sees_the_outcome(hotline: Running):
    first = file(hotline, community_id="c-happy", building="3号楼").json()
    unrelated = file(hotline, community_id="c-happy", phone="13900000020",
                     text="小区门口的路灯坏了好几天没人修").json()
    repeat = file(hotline, community_id="c-happy", phone="13900000021",
                  text="晚上十二点了3号楼旁边还在施工噪音很大，孩子睡不着觉").json()
    rows = {r["tracking_no"]: r for r in hotline.client.get("/api/complaints", headers=hotline.as_("op")).json()}
    primary_id = rows[first["tracking_no"]]["complaint_id"]
    repeat_row = rows[repeat["tracking_no"]]
    assert repeat_row["suggested_duplicate_of"] == primary_id and repeat_row["duplicate_score"] >= 50
    assert rows[unrelated["tracking_no"]]["suggested_duplicate_of"] is None
    page = hotline.client.get(f"/complaints/{repeat_row['complaint_id']}", headers=hotline.as_("op")).text
    assert "疑似重复" in page
    assert hotline.post(repeat_row["complaint_id"], "merge", {"into": primary_id}, user="con").status_code == 403
    assert hotline.post(repeat_row["complaint_id"], "merge", {"into": primary_id}).status_code == 204
    assert hotline.post(repeat_row["complaint_id"], "merge", {"into": primary_id}).status_code == 422
    hotline.post(primary_id, "assign", {"kind": "contractor", "assignee": "沈阳建工"})
    hotline.post(primary_id, "respond", {"response": "已责令夜间22点后停工"})
    hotline.post(primary_id, "resolve", {"resolution": "夜间施工已停止"})
    k = repeat["track_url"].split("k=")[1]
    seen = hotline.client.get(f"/api/track/{repeat['tracking_no']}", params={"k": k}).json()
    assert seen["state"] == "merged" and seen["outcome"]["state"] == "resolved"
    assert seen["outcome"]["response"] == "已责令夜间22点后停工" and "contact" not in seen["outcome"]
    page = hotline.client.get(f"/track/{repeat['tracking_no']}", params={"k": k}).text
    assert "合并办理的结果" in page and "已责令夜间22点后停工" in page
    assert hotline.client.get(f"/track/{repeat['tracking_no']}", params={"k": "wrong"}).status_code == 403


@pytest.mark.parametrize("path", ["/", "/file", "/track", "/public"])
def test_public_pages_need_no_login(hotline: Running, path: str):
    assert hotline.client.get(path, headers={"accept": "text/html"}).status_code == 200
