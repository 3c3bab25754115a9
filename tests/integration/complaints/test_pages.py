"""The pages: the operator's queue and one-screen intake form, a complaint's actions, the resident's form."""

from __future__ import annotations

import re

from tests.integration.complaints.conftest import Running

HTML = {"accept": "text/html"}


def page_headers(hotline: Running, user: str) -> dict:
    return HTML | hotline.as_(user)


def test_the_operator_takes_a_call_on_one_screen_and_works_it_from_the_queue(hotline: Running):
    op = page_headers(hotline, "op")
    form = hotline.client.get("/intake", headers=op)
    assert form.status_code == 200 and "幸福里小区" in form.text and 'name="phone"' in form.text
    refused = hotline.client.post("/intake", headers=op, data={
        "phone": "123", "category": "noise", "text": "太吵了啊啊", "community_id": "c-happy"})
    assert refused.status_code == 422 and "电话" in refused.text and 'value="123"' in refused.text
    filed = hotline.client.post("/intake", headers=op, follow_redirects=False, data={
        "phone": "13812345678", "name": "王建国", "category": "noise", "urgency": "normal", "community_id": "c-happy",
        "building": "3号楼", "address": "", "text": "夜里施工噪音太大"})
    assert filed.status_code == 303
    url = filed.headers["location"].split("?")[0]
    page = hotline.client.get(filed.headers["location"], headers=op)
    assert "已受理" in page.text and re.search(r"TS\d{8}-\w{6}", page.text) and "138 1234 5678" in page.text
    assert hotline.client.post(f"{url}/assign", headers=op, data={"kind": "contractor", "assignee": "沈阳建工"},
                               follow_redirects=False).status_code == 303
    bad = hotline.client.post(f"{url}/respond", headers=op, data={"response": "好"}, follow_redirects=False)
    assert "error=" in bad.headers["location"]
    hotline.client.post(f"{url}/respond", headers=op, data={"response": "已要求22点后停工"})
    queue = hotline.client.get("/", headers=op).text
    assert "工单队列" in queue and "已答复" in queue
    contractor = hotline.client.post(f"{url}/merge", headers=page_headers(hotline, "con"), data={"into": "x"},
                                     follow_redirects=False)
    assert "error=" in contractor.headers["location"]


def test_the_queue_is_sorted_by_clock(hotline: Running):
    slow = hotline.call(text="工期拖延很久了")
    urgent = hotline.call(urgency="emergency", category="safety_hazard", text="围挡倒了砸到路人")
    order = [c["complaint_id"] for c in hotline.client.get("/api/complaints", headers=hotline.as_("op")).json()]
    assert order == [urgent["complaint_id"], slow["complaint_id"]]
    first = hotline.client.get("/api/complaints", params={"size": 1}, headers=hotline.as_("op"))
    assert first.headers["X-Total-Count"] == "2"
    assert [c["complaint_id"] for c in first.json()] == [urgent["complaint_id"]]
    found = hotline.client.get("/api/complaints", params={"q": "工期"}, headers=hotline.as_("op")).json()
    assert [c["complaint_id"] for c in found] == [slow["complaint_id"]]
    assert hotline.client.get("/api/complaints", params={"sort": "color"}, headers=hotline.as_("op")).status_code == 422
    public = hotline.client.get("/api/public/complaints", params={"size": 1})
    assert public.headers["X-Total-Count"] == "2" and len(public.json()) == 1
    page = hotline.client.get("/", headers=page_headers(hotline, "op")).text
    assert page.index(urgent["tracking_no"]) < page.index(slow["tracking_no"])


def test_the_resident_files_on_the_form_and_lands_on_the_tracking_page(hotline: Running):
    form = hotline.client.get("/file", headers=HTML)
    assert form.status_code == 200 and 'type="tel"' in form.text
    refused = hotline.client.post("/file", headers=HTML, data={"phone": "13812345678", "category": "noise",
                                                              "text": "", "community_id": "c-happy"})
    assert refused.status_code == 422 and "投诉内容" in refused.text
    filed = hotline.client.post("/file", headers=HTML, follow_redirects=False, data={
        "phone": "13812345678", "category": "dust", "urgency": "normal", "community_id": "c-happy",
        "text": "渣土车没有覆盖，灰尘很大"})
    assert filed.status_code == 303 and "k=" in filed.headers["location"]
    page = hotline.client.get(filed.headers["location"], headers=HTML)
    assert page.status_code == 200 and "投诉已受理" in page.text and 'id="tracking-no"' in page.text


def test_the_supervisor_board_shows_cards_and_breaches(hotline: Running):
    hotline.call(urgency="emergency", category="safety_hazard", text="基坑边没有围挡")
    hotline.clock.advance(hours=3)
    hotline.tick()
    board = hotline.client.get("/supervisor", headers=page_headers(hotline, "sup"))
    assert board.status_code == 200 and "超时未答复" in board.text and "催办" in board.text
    assert hotline.client.get("/supervisor", headers=HTML).status_code in (401, 403, 303)


def test_the_lookup_form_leads_to_the_tracking_page(hotline: Running):
    filed = hotline.call()
    k = filed["track_url"].split("k=")[1]
    found = hotline.client.get("/track", params={"no": filed["tracking_no"].lower(), "k": k}, headers=HTML)
    assert found.status_code == 200 and filed["tracking_no"] in found.text and "王建国" in found.text
    wrong = hotline.client.get("/track", params={"no": filed["tracking_no"], "k": "guess"}, headers=HTML)
    assert wrong.status_code == 403 and "王建国" not in wrong.text
