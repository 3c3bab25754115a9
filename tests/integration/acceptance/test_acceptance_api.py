"""The joint acceptance over HTTP: preconditions named, every party on the state it saw, checks, final, filing."""

from __future__ import annotations

from services.construction.domain.hidden_work import HiddenWork
from services.construction.domain.rectification import RectificationOrder
from tests.integration.acceptance import given
from tests.integration.acceptance.conftest import ROLL
from tests.unit.construction.photos import jpeg

PARTY_USERS = {"street_office": "street", "residents_committee": "comm", "owners_committee": "owners",
               "designer": "des", "contractor": "con", "supervision": "eng", "pipeline:自来水公司": "pipe"}


def convene(acc, project_id="p1"):
    return acc.client.post(f"/api/projects/{project_id}/acceptance", json={"parties": ROLL}, headers=acc.as_("off"))


def sign(acc, party, verdict="pass", *, root=None, user=None, comments="", project_id="p1"):
    root = root or acc.view(project_id)["dossier_root"]
    headers = acc.as_(user or PARTY_USERS[party])
    return acc.client.post(f"/api/projects/{project_id}/acceptance/verdicts", headers=headers,
                           json={"party": party, "verdict": verdict, "dossier_root": root, "comments": comments})


def check(acc, check_id, result="pass", *, note="", seed=1, project_id="p1"):
    files = [("files", (f"c{seed}.jpg", jpeg(seed, taken=acc.clock.moment.replace(tzinfo=None)), "image/jpeg"))]
    return acc.client.post(f"/api/projects/{project_id}/acceptance/checks/{check_id}", headers=acc.as_("off"),
                           data={"result": result, "note": note}, files=files if result == "pass" else None)


def test_a_request_while_preconditions_fail_is_refused_with_what_is_missing_by_name(acc):
    given.approved(acc)
    given.contract(acc)
    given.hidden_work(acc, concealed=False)
    given.order(acc, verified=False)
    acc.foreign("complaints.SafetyComplaintOpened", {"complaint_id": "k1", "project_id": "p1", "category": "safety",
                                                      "opened_at": "2026-11-10T02:00:00+00:00"}, key="p1")
    refused = convene(acc)
    assert refused.status_code == 422
    body = refused.json()
    assert {gap["kind"] for gap in body["details"]["missing"]} == {"hidden_work", "rectification_order", "complaint",
                                                                   "completion"}
    for text in ("隐蔽工程“3号楼北侧雨水管”未验收并隐蔽（已验收未隐蔽）", "整改单“脚手架未设防护网”未销项",
                 "安全投诉 k1 尚未办结", "施工单位尚未申报完工"):
        assert text in body["detail"]
    assert acc.metric('renovation_acceptance_refusals_total{kind="request"}') == 1.0

    given.send(acc, HiddenWork.Concealed(hidden_work_id="hw1", project_id="p1"))
    given.send(acc, RectificationOrder.Verified(order_id="d1", project_id="p1"))
    acc.foreign("complaints.SafetyComplaintClosed", {"complaint_id": "k1", "project_id": "p1", "outcome": "resolved",
                                                      "closed_at": "2026-11-12T02:00:00+00:00"}, key="p1")
    still = convene(acc)
    assert still.status_code == 422 and [g["kind"] for g in still.json()["details"]["missing"]] == ["completion"]
    given.completed(acc)
    assert convene(acc).status_code == 201
    assert acc.view()["stage"] == "convened"


def test_a_roll_without_every_party_is_refused_and_nothing_is_recorded(acc):
    given.ready(acc)
    partial = [p for p in ROLL if p["party"] != "owners_committee"]
    refused = acc.client.post("/api/projects/p1/acceptance", json={"parties": partial}, headers=acc.as_("off"))
    assert refused.status_code == 422 and "业主委员会（业主代表）" in refused.json()["detail"]
    assert acc.view()["stage"] == "waiting"


def test_a_signature_goes_stale_when_the_dossier_changes_and_must_be_given_again(acc_any_db):
    acc = acc_any_db
    given.ready(acc)
    assert convene(acc).status_code == 201
    seen = acc.view()["dossier_root"]
    assert sign(acc, "street_office", root=seen).status_code == 204
    assert next(p for p in acc.view()["parties"] if p["party"] == "street_office")["state"] == "pass"

    assert check(acc, "roads_level", seed=3).status_code == 204  # the dossier changes
    now = acc.view()
    assert now["dossier_root"] != seen
    street = next(p for p in now["parties"] if p["party"] == "street_office")
    assert street["state"] == "stale" and street["state_label"] == "已过期，须重新签署"

    old = sign(acc, "residents_committee", root=seen)
    assert old.status_code == 422 and old.json()["error"] == "dossier_changed"
    assert sign(acc, "street_office", root=now["dossier_root"]).status_code == 204
    assert next(p for p in acc.view()["parties"] if p["party"] == "street_office")["state"] == "pass"


def test_signing_for_a_party_one_does_not_represent_is_refused(acc):
    given.ready(acc)
    convene(acc)
    other_office = sign(acc, "street_office", user="street2")
    assert other_office.status_code == 403 and "不是街道办事处" in other_office.json()["detail"]
    wrong_role = sign(acc, "street_office", user="con")
    assert wrong_role.status_code == 403
    resident = sign(acc, "street_office", user="res")
    assert resident.status_code == 403
    assert all(p["state"] == "missing" for p in acc.view()["parties"])


def test_checklist_rectification_and_final_acceptance_only_when_everything_passed(acc):
    given.ready(acc)
    convene(acc)
    view = acc.view()
    assert len(view["checks"]) == 11 + 2 and view["checks"][0]["title"] == "路要平整"
    no_photo = acc.client.post("/api/projects/p1/acceptance/checks/roads_level", data={"result": "pass"},
                               headers=acc.as_("off"))
    assert no_photo.status_code == 422 and "照片" in no_photo.json()["detail"]
    for n, c in enumerate(view["checks"]):
        if c["check_id"] != "lights_bright":
            assert check(acc, c["check_id"], seed=10 + n).status_code == 204
    assert check(acc, "lights_bright", "fail", note="2号楼路灯不亮").status_code == 204
    item = acc.view()["items"][0]
    assert item["text"] == "灯要明亮：2号楼路灯不亮" and item["state"] == "open"

    refused = acc.client.post("/api/projects/p1/acceptance/final", headers=acc.as_("off"))
    assert refused.status_code == 422
    missing = refused.json()["details"]["missing"]
    assert {"party", "check", "rectification_item", "evaluation"} <= {g["kind"] for g in missing}
    assert "检查“灯要明亮”不合格，整改未销项" in refused.json()["detail"]

    fixed = acc.client.post(f"/api/projects/p1/acceptance/items/{item['item_id']}/fix", data={"note": "已更换灯具"},
                            headers=acc.as_("con"))
    assert fixed.status_code == 204
    assert acc.client.post(f"/api/projects/p1/acceptance/items/{item['item_id']}/recheck",
                           json={"passed": True, "note": "复查合格"}, headers=acc.as_("eng")).status_code == 204
    lights = next(c for c in acc.view()["checks"] if c["check_id"] == "lights_bright")
    assert lights["state"] == "rectified"
    assert acc.metric("renovation_acceptance_rectification_items_open") == 0.0


def test_the_supervisors_metrics_are_every_family_the_dashboard_and_alert_may_use(acc):
    from services.acceptance.adapters.metrics import FAMILIES

    given.ready(acc)
    convene(acc)
    text = acc.client.get("/metrics").text
    exposed = {line.split("{")[0].split(" ")[0] for line in text.splitlines()
               if line.startswith("renovation_acceptance")}
    suffixes = {"counter": "_total", "summary": "_count", "gauge": ""}
    assert {name + suffixes[kind] for name, kind, _ in FAMILIES} <= exposed
    assert acc.metric("renovation_acceptance_parties_missing") == 7.0
    assert acc.metric('renovation_acceptance_projects{stage="convened"}') == 1.0
    assert acc.metric('renovation_acceptance_tranches{state="due"}') == 1.0


def test_a_checklist_photo_is_flagged_when_taken_off_site_or_without_position(acc):
    given.ready(acc)
    convene(acc)
    taken = acc.clock.moment.replace(tzinfo=None)
    files = [("files", ("far.jpg", jpeg(71, taken=taken, at=(41.81, 123.43)), "image/jpeg")),  # 2.2 km north
             ("files", ("here.jpg", jpeg(72, taken=taken), "image/jpeg")),
             ("files", ("nogps.jpg", jpeg(73, taken=taken, at=None), "image/jpeg"))]
    assert acc.client.post("/api/projects/p1/acceptance/checks/greenery_tidy", data={"result": "pass"}, files=files,
                           headers=acc.as_("off")).status_code == 204
    greenery = next(c for c in acc.view()["checks"] if c["check_id"] == "greenery_tidy")
    assert [e["flags"] for e in greenery["evidence"]] == [["outside_geofence"], [], ["no_position"]]


def test_a_households_account_link_leaves_signatures_current_a_construction_event_does_not(acc):
    given.ready(acc)
    convene(acc)
    assert sign(acc, "designer").status_code == 204
    acc.foreign("intake.HouseholdAccountLinked", {"community_id": "c-p1", "household_id": "1-1-101",
                                                   "account_id": "res"}, key="c-p1")
    acc.foreign("complaints.ComplaintAcknowledged", {"complaint_id": "k9", "project_id": "p1"}, key="p1")
    assert next(p for p in acc.view()["parties"] if p["party"] == "designer")["state"] == "pass"
    given.send(acc, HiddenWork.Declared(hidden_work_id="hw9", project_id="p1", zone="site", location="补报的管沟",
                                        kind="buried_pipe"))
    assert next(p for p in acc.view()["parties"] if p["party"] == "designer")["state"] == "stale"
    assert acc.view()["missing"][0]["text"].startswith("隐蔽工程“补报的管沟”")


def test_the_files_list_pages_searches_and_filters(acc):
    for n in range(1, 4):
        given.approved(acc, f"p{n}")
    first = acc.client.get("/api/projects", params={"size": 2, "sort": "community_name"}, headers=acc.as_("sup"))
    assert first.status_code == 200 and first.headers["X-Total-Count"] == "3"
    assert [f["community_name"] for f in first.json()] == ["幸福里小区p1", "幸福里小区p2"]
    assert 'rel="next"' in first.headers["Link"]
    found = acc.client.get("/api/projects", params={"q": "p3"}, headers=acc.as_("sup")).json()
    assert [f["project_id"] for f in found] == ["p3"]
    assert acc.client.get("/api/projects", params={"stage": "filed"}, headers=acc.as_("sup")).json() == []
    refused = acc.client.get("/api/projects", params={"sort": "budget"}, headers=acc.as_("sup"))
    assert refused.status_code == 422 and "无法按“budget”排序" in refused.json()["detail"]
