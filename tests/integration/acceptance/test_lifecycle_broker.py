"""One project's whole life across the four services on one real broker, no event injected by hand.

Registered in intake, noticed, voted, reviewed and approved; built in construction with a hidden
work photographed, accepted and concealed and a defect rectified; a safety complaint filed and
closed in complaints; accepted by every party, evaluated by its residents, paid and filed in
acceptance; its archive verified offline and against every service's store. On the way, the
acceptance is refused while real construction and complaints events leave something missing.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

import pytest

from services.acceptance.adapters import bundle as archive
from services.acceptance.verify import verify_live
from shared.broker import ensure_topics
from shared.settings import KernelSettings
from tests.integration.acceptance.conftest import start as start_acceptance
from tests.integration.acceptance.test_acceptance_api import PARTY_USERS
from tests.integration.complaints.conftest import start as start_complaints
from tests.integration.construction.conftest import TAKEN, start as start_construction
from tests.integration.construction.test_flow import checklist
from tests.integration.intake import flow
from tests.integration.intake.conftest import build as build_intake
from tests.unit.construction.photos import jpeg

pytestmark = [pytest.mark.broker, pytest.mark.e2e]
SMALL = {"buildings": 2, "units": 1, "storeys": 6, "per_floor": 1}  # 12 households


def eventually(probe, *, timeout: float = 30.0, what: str):
    """The first truthy answer of `probe`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = probe()
        if answer:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout}s: {what}")


@pytest.fixture
def four(kafka, tmp_path):
    """Intake, construction, complaints and acceptance, each with its own database, on one broker."""
    asyncio.run(ensure_topics(KernelSettings(kafka_bootstrap_servers=kafka.bootstrap_servers)))
    for name in ("intake", "construction", "complaints", "acceptance"):
        (tmp_path / name).mkdir()
    db = {name: f"sqlite:///{tmp_path / name / 'service.db'}" for name in ("intake", "construction", "complaints",
                                                                            "acceptance")}
    intake = build_intake(db["intake"], tmp_path / "intake", kafka=kafka.bootstrap_servers, notice_tick_seconds=0.2)
    site = start_construction(tmp_path / "construction", db["construction"], bootstrap=kafka.bootstrap_servers)
    hotline = start_complaints(tmp_path / "complaints", db["complaints"], bootstrap=kafka.bootstrap_servers)
    acc = start_acceptance(tmp_path / "acceptance", db["acceptance"], bootstrap=kafka.bootstrap_servers)
    with intake.client, site.client, hotline.client, acc.client:
        yield intake, site, hotline, acc, db


def approve_in_intake(intake, body) -> str:
    _, project_id, _ = flow.to_notice(intake.client, intake.headers, body, start=date(2025, 9, 26))
    intake.clock.today = date(2025, 10, 22)
    intake.tick()
    flow.vote_and_review(intake.client, intake.headers, body, project_id)
    flow.ok(intake.client.post(f"/api/projects/{project_id}/approval", headers=intake.headers["official"]))
    return project_id


def build_it(site, project_id: str) -> str:
    """Parties, contract, works in order, the hidden work photographed and accepted; returns it (not concealed)."""
    off, con, eng = site.as_("off"), site.as_("con"), site.as_("eng")
    parties = {"contractor": "沈阳建工", "supervision_unit": "华信监理", "designer": "沈阳市建筑设计院",
               "pipeline_units": ["自来水公司"],
               "accounts": {"contractor": ["con"], "supervision_engineer": ["eng"], "inspector": ["insp"]}}
    assert site.client.put(f"/api/projects/{project_id}/parties", json=parties, headers=off).status_code == 204
    contract = {"contract_no": "HT-2026-001", "amount_fen": 400_000_000, "signed_on": "2026-11-02"}
    assert site.client.post(f"/api/projects/{project_id}/contract", json=contract, headers=off).status_code == 204
    start_check = {"zone": "site", "kind": "start_check", "items": checklist()}
    assert site.client.post(f"/api/projects/{project_id}/inspections", json=start_check,
                            headers=site.as_("insp")).status_code == 201
    items = site.client.get(f"/api/projects/{project_id}", headers=off).json()["items"]
    under = next(i for i in items if i["layer"] == "underground")
    started = site.client.post(f"/api/projects/{project_id}/items/{under['item_id']}/start", headers=con)
    assert started.status_code == 204, started.text
    hid = site.declare(project_id, item_id=under["item_id"], location="1号楼北侧雨水管")
    site.photos(hid, 41, 42, 43)
    assert site.client.post(f"/api/hidden-works/{hid}/accept", json={}, headers=eng).status_code == 204
    inspection = {"zone": "site", "kind": "routine", "items": checklist(fail={"dust_noise.cover": "minor"})}
    assert site.client.post(f"/api/projects/{project_id}/inspections", json=inspection,
                            headers=site.as_("insp")).status_code == 201
    return hid


def fix_defects(site, project_id: str) -> None:
    """The contractor fixes each open rectification order with a photo; the inspector verifies it."""
    for order in site.client.get(f"/api/projects/{project_id}/rectifications", headers=site.as_("con")).json():
        photo = [("files", ("fix.jpg", jpeg(50, taken=TAKEN), "image/jpeg"))]
        assert site.client.post(f"/api/rectifications/{order['order_id']}/submissions", data={"note": "已覆盖防尘网"},
                                files=photo, headers=site.as_("con")).status_code == 204
        assert site.client.post(f"/api/rectifications/{order['order_id']}/verify", json={},
                                headers=site.as_("insp")).status_code == 204


def test_a_project_from_registration_to_the_archived_dossier(four):
    intake, site, hotline, acc, db = four
    body = flow.community(name="幸福里小区", **SMALL)
    project_id = approve_in_intake(intake, body)
    eventually(lambda: site.client.get(f"/api/projects/{project_id}", headers=site.as_("off")).status_code == 200,
               what="construction opens the approved project")
    eventually(lambda: acc.client.get(f"/api/projects/{project_id}/acceptance", headers=acc.as_("off")).status_code
               == 200, what="acceptance opens the project's file")
    hid = build_it(site, project_id)

    # A safety complaint by the hotline, routed to the project through what complaints read on the broker.
    call = {"phone": "13812345678", "name": "王建国", "category": "safety_hazard", "urgency": "normal",
            "text": "1号楼北侧沟槽没有围挡，孩子放学经过很危险", "community_id": eventually(
                lambda: _community(intake, project_id), what="community id")}
    filed = eventually(lambda: _file(hotline, call), what="complaints knows the community and its project")
    convene = {"parties": _roll()}
    refused = eventually(lambda: (r := acc.client.post(f"/api/projects/{project_id}/acceptance", json=convene,
                                                         headers=acc.as_("off"))).status_code == 422
                         and {"hidden_work", "rectification_order", "complaint", "completion"}
                         <= {g["kind"] for g in r.json()["details"]["missing"]}
                         and r.json(), what="acceptance refuses while construction and complaints events say so")
    assert "隐蔽工程“1号楼北侧雨水管”未验收并隐蔽（已验收未隐蔽）" in refused["detail"]
    assert f"安全投诉 {filed['complaint_id']} 尚未办结" in refused["detail"]

    assert "整改单“" in refused["detail"]

    _close_complaint(hotline, filed)
    fix_defects(site, project_id)
    _finish(site, project_id, hid)
    eventually(lambda: acc.client.post(f"/api/projects/{project_id}/acceptance", json=convene,
                                       headers=acc.as_("off")).status_code == 201,
               what="every precondition holds once construction and complaints say so")
    _accept(acc, project_id, flow.household_ids(body))

    document = acc.client.get(f"/api/projects/{project_id}/archive", headers=acc.as_("aud")).json()
    services = {leaf["event"]["event_type"].split(".")[0] for leaf in document["leaves"] if leaf["kind"] == "event"}
    assert services == {"intake", "construction", "complaints", "acceptance"}
    kinds = {leaf["event"]["event_type"] for leaf in document["leaves"] if leaf["kind"] == "event"}
    photos = {leaf["evidence"]["subject"].split(":")[0] for leaf in document["leaves"] if leaf["kind"] == "evidence"}
    assert photos == {"hidden_work", "order", "check"}
    assert {"intake.CommunityRegistered", "intake.ProjectApproved", "construction.HiddenWorkConcealed",
            "complaints.SafetyComplaintClosed", "acceptance.FinalAcceptancePassed", "acceptance.TranchePaid"} <= kinds
    assert archive.verify(document)["ok"]
    token = acc.as_("aud")["Authorization"].removeprefix("Bearer ")
    assert verify_live(document, client=acc.client, token=token, stores=db) == []
    forged = dict(document, leaves=document["leaves"][:-1], size=document["size"] - 1)
    problems = verify_live(forged, client=acc.client, token=token)
    assert problems and "根哈希与档案包不符" in problems[0]["reason"]
    for running in (intake, site, hotline, acc):
        assert running.service.status()["dead_letters"] == 0


def _community(intake, project_id: str) -> str | None:
    response = intake.client.get(f"/api/projects/{project_id}", headers=intake.headers["official"])
    return response.json().get("community_id") if response.status_code == 200 else None


def _file(hotline, call: dict) -> dict | None:
    response = hotline.client.post("/api/complaints", json=call, headers=hotline.as_("op"))
    assert response.status_code == 201, response.text
    filed = response.json()
    return filed if hotline.get(filed["complaint_id"])["project_id"] else None


def _close_complaint(hotline, filed: dict) -> None:
    cid = filed["complaint_id"]
    assert hotline.post(cid, "acknowledge").status_code == 204
    assert hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈阳建工"}).status_code == 204
    assert hotline.post(cid, "respond", {"response": "已设置硬质围挡并安排专人值守"}).status_code == 204
    assert hotline.post(cid, "resolve", {"resolution": "围挡已设置"}).status_code == 204
    k = filed["track_url"].split("k=")[1]
    assert hotline.client.post(f"/api/track/{filed['tracking_no']}/rating",
                               json={"k": k, "rating": "satisfied"}).status_code == 204


def _finish(site, project_id: str, hid: str) -> None:
    con = site.as_("con")
    assert site.client.post(f"/api/hidden-works/{hid}/conceal", headers=con).status_code == 204
    items = site.client.get(f"/api/projects/{project_id}", headers=site.as_("off")).json()["items"]
    for item in sorted(items, key=lambda i: i["layer"] != "underground"):
        if item["status"] == "planned":
            assert site.client.post(f"/api/projects/{project_id}/items/{item['item_id']}/start",
                                    headers=con).status_code == 204
        assert site.client.post(f"/api/projects/{project_id}/items/{item['item_id']}/finish",
                                headers=con).status_code == 204
    assert site.client.post(f"/api/projects/{project_id}/completion", headers=con).status_code == 204


def _roll() -> list[dict]:
    return [{"party": party, "organisation": party.removeprefix("pipeline:"), "accounts": [user]}
            for party, user in PARTY_USERS.items()]


def _accept(acc, project_id: str, households: list[str]) -> None:
    base, off = f"/api/projects/{project_id}", acc.as_("off")
    view = acc.client.get(f"{base}/acceptance", headers=off).json()
    taken = acc.clock.moment.replace(tzinfo=None)
    for n, check in enumerate(view["checks"]):
        files = [("files", (f"c{n}.jpg", jpeg(60 + n, taken=taken), "image/jpeg"))]
        assert acc.client.post(f"{base}/acceptance/checks/{check['check_id']}", data={"result": "pass"}, files=files,
                               headers=off).status_code == 204
    assert acc.client.post(f"{base}/evaluation", headers=acc.as_("comm")).status_code == 201
    for household in households[:9]:
        assert acc.client.post(f"{base}/evaluation/voices", headers=acc.as_("comm"),
                               json={"household_id": household, "score": 5, "channel": "paper_form"}).status_code == 204
    assert acc.client.post(f"{base}/evaluation/close", headers=acc.as_("comm")).json()["passed"]
    root = acc.client.get(f"{base}/acceptance", headers=off).json()["dossier_root"]
    for party, user in PARTY_USERS.items():
        assert acc.client.post(f"{base}/acceptance/verdicts", headers=acc.as_(user), json={
            "party": party, "verdict": "pass", "dossier_root": root}).status_code == 204
    assert acc.client.post(f"{base}/acceptance/final", headers=off).status_code == 204, \
        acc.client.post(f"{base}/acceptance/final", headers=off).text
    today = acc.clock.today().isoformat()
    assert acc.client.post(f"{base}/filing", headers=off, json={"filed_on": today, "filing_no": "BA-1",
                                                                "authority": "和平区住建局"}).status_code == 204
    money = acc.client.get(f"{base}/acceptance", headers=off).json()["money"]
    for tranche in money["tranches"]:
        if tranche["due_on"]:
            payment = {"amount_fen": tranche["amount_fen"], "paid_on": today, "voucher": f"V-{tranche['key']}"}
            assert acc.client.post(f"{base}/tranches/{tranche['key']}/payment", headers=off,
                                   json=payment).status_code == 204
    assert acc.client.get(f"{base}/acceptance", headers=off).json()["money"]["paid_fen"] > 0


