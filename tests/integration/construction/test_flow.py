"""The construction workflow over HTTP, on SQLite and PostgreSQL: nothing is buried unseen."""

from __future__ import annotations

from datetime import timedelta


from services.construction.application.rectification import note_overdue
from services.construction.bootstrap import projection
from services.construction.domain.checklist import ITEMS
from shared.actor import Actor
from shared.rebuild import rebuild, snapshot
from tests.unit.construction.photos import jpeg

from .conftest import NOW, TAKEN


def checklist(*, fail: dict[str, str] | None = None) -> list[dict]:
    fail = fail or {}
    return [{"code": i.code, "result": "fail", "severity": fail[i.code], "notes": "发现问题"} if i.code in fail
            else {"code": i.code, "result": "pass"} for i in ITEMS]


def test_hidden_work_is_accepted_on_photos_before_it_may_be_concealed(site_any_db):
    site = site_any_db
    site.ready()
    con, eng = site.as_("con"), site.as_("eng")
    assert site.client.post("/api/projects/p1/items/pipes/start", headers=con).status_code == 204
    hid = site.declare()

    refused = site.client.post(f"/api/hidden-works/{hid}/conceal", headers=con)
    assert refused.status_code == 422 and "尚未经监理工程师验收" in refused.json()["detail"]
    [event] = site.events("construction.ConcealmentRefused")
    assert event.payload["hidden_work_id"] == hid and event.actor.id == "con"
    assert site.metric("renovation_construction_concealment_refusals_total") == 1

    site.photos(hid, 1, 2)
    too_few = site.client.post(f"/api/hidden-works/{hid}/accept", json={}, headers=eng)
    assert too_few.status_code == 422 and too_few.json()["details"] == {"required": 3, "counted": 2}
    site.photos(hid, 3)
    assert site.client.post(f"/api/hidden-works/{hid}/accept", json={"note": "管道坡度、接口合格"},
                            headers=site.as_("con")).status_code == 403
    assert site.client.post(f"/api/hidden-works/{hid}/accept", json={"note": "合格"}, headers=eng).status_code == 204
    assert site.client.post(f"/api/hidden-works/{hid}/conceal", headers=con).status_code == 204
    assert site.metric('renovation_construction_hidden_works{state="concealed"}') == 1

    assert site.client.post("/api/projects/p1/items/pipes/finish", headers=con).status_code == 204
    assert site.client.post("/api/projects/p1/items/road/start", headers=con).status_code == 204


def test_completion_is_refused_with_what_is_missing_then_declared(site_any_db):
    site = site_any_db
    site.ready()
    con = site.as_("con")
    site.client.post("/api/projects/p1/items/pipes/start", headers=con)
    hid = site.declare()
    refused = site.client.post("/api/projects/p1/completion", headers=con)
    assert refused.status_code == 422
    kinds = sorted((gap["kind"], gap["id"]) for gap in refused.json()["details"]["missing"])
    assert kinds == [("hidden_work", hid), ("work_item", "pipes"), ("work_item", "road")]
    assert "北侧雨水管" in refused.json()["detail"]
    assert len(site.events("construction.CompletionRefused")) == 1

    site.photos(hid, 1, 2, 3)
    site.client.post(f"/api/hidden-works/{hid}/accept", json={}, headers=site.as_("eng"))
    site.client.post(f"/api/hidden-works/{hid}/conceal", headers=con)
    for path in ("items/pipes/finish", "items/road/start", "items/road/finish"):
        assert site.client.post(f"/api/projects/p1/{path}", headers=con).status_code == 204, path
    assert site.client.post("/api/projects/p1/completion", headers=con).status_code == 204
    assert site.client.get("/api/projects/p1", headers=con).json()["status"] == "completed"


def test_a_critical_defect_stops_the_zone_until_a_reinspection_and_orders_run_on_working_days(site_any_db):
    site = site_any_db
    site.ready()
    insp, con = site.as_("insp"), site.as_("con")
    body = {"zone": "site", "kind": "routine",
            "items": checklist(fail={"scaffolding.base": "critical", "dust_noise.cover": "minor"})}
    response = site.client.post("/api/projects/p1/inspections", json=body, headers=insp)
    assert response.status_code == 201, response.text
    inspection_id = response.json()["id"]
    orders = {o["severity"]: o for o in site.client.get("/api/projects/p1/rectifications", headers=con).json()}
    # issued Friday 2026-11-20: 1 working day → Monday, 5 → the next Friday
    assert (orders["critical"]["due_on"], orders["minor"]["due_on"]) == ("2026-11-23", "2026-11-27")
    assert site.metric("renovation_construction_stop_work_orders") == 1
    assert site.metric('renovation_construction_defects_open{severity="critical"}') == 1

    stopped = site.client.post("/api/projects/p1/items/pipes/start", headers=con)
    assert stopped.status_code == 422 and "停工" in stopped.json()["detail"]

    photo = [("files", ("fix.jpg", jpeg(20, taken=TAKEN), "image/jpeg"))]
    order_id = orders["critical"]["order_id"]
    assert site.client.post(f"/api/rectifications/{order_id}/submissions", data={"note": "已加垫板"}, files=photo,
                            headers=con).status_code == 204
    assert site.client.post(f"/api/rectifications/{order_id}/verify", json={}, headers=insp).status_code == 204

    reinspection = {"zone": "site", "kind": "reinspection", "items": checklist()}
    assert site.client.post("/api/projects/p1/inspections", json=reinspection, headers=insp).status_code == 201
    assert site.metric("renovation_construction_stop_work_orders") == 0
    no_check = site.client.post("/api/projects/p1/items/pipes/start", headers=con)
    assert no_check.status_code == 422 and no_check.json()["details"]["rule"] == "safety_check"
    site.start_check()  # the check before a restart
    assert site.client.post("/api/projects/p1/items/pipes/start", headers=con).status_code == 204

    # a week later the minor order is overdue: listed, counted, and noted once as an event
    site.ctx.clock = lambda: NOW + timedelta(days=8)
    overdue = site.client.get("/api/rectifications/overdue", headers=con).json()
    assert overdue["count"] == 1 and overdue["orders"][0]["order_id"] == orders["minor"]["order_id"]
    assert site.metric("renovation_construction_rectifications_overdue") == 1
    for expected in (1, 0):
        uow = site.service.unit_of_work(actor=Actor.system("clock"))
        with uow:
            assert note_overdue(uow, site.ctx) == expected
            uow.commit()
    assert inspection_id and len(site.events("construction.RectificationOverdue")) == 1


def test_a_design_change_round_trip_with_intake(site):
    site.ready()
    con, off = site.as_("con"), site.as_("off")
    minor = site.client.post("/api/projects/p1/design-changes", headers=con, json={
        "title": "检查井移位", "reason": "避开燃气管线，技术上可行且不增加费用", "cost_delta_fen": 50_000})
    major = site.client.post("/api/projects/p1/design-changes", headers=con, json={
        "title": "雨水管改线", "reason": "原线位与古树根系冲突，改走东侧", "cost_delta_fen": 600_000})
    minor_id, major_id = minor.json()["id"], major.json()["id"]
    approved = site.client.post(f"/api/design-changes/{minor_id}/approve", json={}, headers=site.as_("eng"))
    assert approved.status_code == 204
    denied = site.client.post(f"/api/design-changes/{major_id}/approve", json={}, headers=site.as_("eng"))
    assert denied.status_code == 403 and "建设单位" in denied.json()["detail"]
    assert site.client.post(f"/api/design-changes/{major_id}/approve", json={}, headers=off).status_code == 204
    [asked] = site.events("construction.DesignChangeNoticeRequested")
    assert asked.payload == {"project_id": "p1", "change_id": major_id, "title": "雨水管改线", "description": "",
                             "cost_delta_fen": 600_000, "working_days": 5}

    common = {"project_id": "p1", "change_id": major_id, "notice_id": "n-1"}
    site.foreign("intake.DesignChangeNoticePublished",
                 {**common, "start": "2026-11-23", "end": "2026-11-27", "working_days": 5}, project_id="p1")
    site.foreign("intake.DesignChangeNoticeEnded",
                 {**common, "end": "2026-11-27", "objections": 2, "objections_unanswered": 0}, project_id="p1")
    changes = {c["change_id"]: c for c in site.client.get("/api/projects/p1/design-changes", headers=con).json()}
    assert changes[minor_id]["status"] == "effective" and not changes[minor_id]["major"]
    assert changes[major_id]["status"] == "effective" and changes[major_id]["notice_end"] == "2026-11-27"
    assert changes[major_id]["objections"] == 2


def test_a_safety_complaint_opens_an_inspection_task_that_an_inspection_closes(site):
    site.ready()
    site.foreign("complaints.ComplaintFiled", {"complaint_id": "cmp-1", "project_id": "p1", "category": "safety",
                                               "summary": "脚手架晃动", "channel": "hotline"}, project_id="p1")
    site.foreign("complaints.ComplaintFiled", {"complaint_id": "cmp-2", "project_id": "p1", "category": "noise",
                                               "summary": "夜间施工"}, project_id="p1")
    [task] = site.client.get("/api/inspection-tasks?project_id=p1", headers=site.as_("insp")).json()
    assert task["task_id"] == "cmp-1" and task["summary"] == "脚手架晃动"
    body = {"zone": "site", "kind": "complaint", "task_id": "cmp-1", "items": checklist()}
    assert site.client.post("/api/projects/p1/inspections", json=body, headers=site.as_("insp")).status_code == 201
    assert site.client.get("/api/inspection-tasks?project_id=p1", headers=site.as_("insp")).json() == []


def test_a_complaint_before_the_project_reaches_construction_is_kept(site):
    site.foreign("complaints.ComplaintFiled", {"complaint_id": "cmp-9", "project_id": "p9", "category": "quality",
                                               "summary": "路面开裂"}, project_id="p9")
    site.approve("p9")
    open_tasks = site.client.get("/api/inspection-tasks", headers=site.as_("insp")).json()
    assert [t["task_id"] for t in open_tasks] == ["cmp-9"]


def test_project_approved_twice_opens_one_project(site):
    site.approve("p1")
    site.approve("p1")
    assert len(site.events("construction.ProjectOpened")) == 1
    [project] = site.client.get("/api/projects", headers=site.as_("sup")).json()
    assert project["latitude"] == 41.79 and {i["item_id"] for i in site.client.get(
        "/api/projects/p1", headers=site.as_("sup")).json()["items"]} == {"pipes", "road"}


def test_who_may_do_what(site):
    site.ready()
    hid = site.declare()
    anonymous = site.client.post("/api/projects/p1/hidden-works", json={"location": "x", "kind": "drainage"})
    assert anonymous.status_code == 401
    other = site.client.post("/api/projects/p1/hidden-works", json={"location": "南侧", "kind": "drainage"},
                             headers=site.as_("con2"))
    assert other.status_code == 403 and "不是本项目指派的施工单位" in other.json()["detail"]
    resident = site.client.post(f"/api/hidden-works/{hid}/conceal", headers=site.as_("res"))
    assert resident.status_code == 403 and "居民" in resident.json()["detail"]
    unknown = site.client.post("/api/projects/nope/items/x/start", headers=site.as_("con"))
    assert unknown.status_code == 404 and "项目受理" in unknown.json()["detail"]


def test_a_rebuilt_read_model_equals_the_live_one(site_any_db):
    site = site_any_db
    site.ready()
    site.ready("p2")
    con = site.as_("con")
    hid = site.declare()
    site.client.post(f"/api/hidden-works/{hid}/conceal", headers=con)
    site.photos(hid, 1, 2, 3)
    site.upload(site.declare("p2"), ("copy.jpg", jpeg(1, taken=TAKEN), "image/jpeg"))
    site.client.post(f"/api/hidden-works/{hid}/accept", json={}, headers=site.as_("eng"))
    site.client.post("/api/projects/p1/inspections", headers=site.as_("insp"),
                     json={"zone": "site", "items": checklist(fail={"fire_safety.extinguishers": "critical"})})
    site.foreign("complaints.ComplaintFiled", {"complaint_id": "c1", "project_id": "p1", "category": "quality",
                                               "summary": "s"}, project_id="p1")
    site.client.post("/api/projects/p1/design-changes", headers=con,
                     json={"title": "改线", "reason": "避让燃气管线", "cost_delta_fen": 9_000_000})
    site.client.post("/api/projects/p1/completion", headers=con)
    live = snapshot(site.service.engine, projection)
    assert sum(len(rows) for rows in live.values()) > 40
    assert rebuild(site.service.engine, projection, consumer="construction") > 15
    assert snapshot(site.service.engine, projection) == live
