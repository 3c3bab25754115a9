"""The demo's complaints and acceptance: a safety complaint on the site, a finished project's acceptance."""

from __future__ import annotations

from shared.actor import Role
from shared.cli.user import demo_username
from shared.demo import construction_steps as works
from shared.demo.session import DemoSession

PIPELINE_UNIT = "【演示】自来水公司"
# The acceptance roll: each party and the demo account that signs for it.
ROLL = {"street_office": Role.STREET_OFFICE, "residents_committee": Role.COMMUNITY,
        "owners_committee": Role.OWNERS_COMMITTEE, "designer": Role.DESIGNER, "contractor": Role.CONTRACTOR,
        "supervision": Role.SUPERVISION_ENGINEER, f"pipeline:{PIPELINE_UNIT}": Role.PIPELINE_UNIT}


def safety_complaint(demo: DemoSession, community_id: str) -> None:
    """A hotline call about an unfenced trench, acknowledged and assigned to the contractor."""
    call = {"phone": "13800000001", "name": "【演示】王先生", "category": "safety_hazard", "urgency": "normal",
            "text": "【演示】1 号楼北侧沟槽没有围挡，孩子放学经过很危险", "community_id": community_id}
    filed = demo.call(Role.HOTLINE_OPERATOR, "POST", "complaints", "/api/complaints", expect=201, json=call)
    complaint = f"/api/complaints/{filed['complaint_id']}"

    def routed():
        return demo.call(Role.HOTLINE_OPERATOR, "GET", "complaints", complaint).get("project_id")
    demo.wait_for("投诉处理把投诉归到在建项目", routed)
    demo.call(Role.HOTLINE_OPERATOR, "POST", "complaints", f"{complaint}/acknowledge", expect=204, json={})
    demo.call(Role.HOTLINE_OPERATOR, "POST", "complaints", f"{complaint}/assign", expect=204,
              json={"kind": "contractor", "assignee": "【演示】沈阳建工集团"})


def build_and_complete(demo: DemoSession, project_id: str) -> bool:
    """Build every item in order with its hidden work accepted and concealed, then declare completion."""
    project = works.wait_for_project(demo, project_id)
    works.set_up(demo, project_id)
    item = works.start_underground_first(demo, project)
    if not works.hidden_work(demo, project_id, item, drawn=3):
        return False
    items = demo.call(Role.OFFICIAL, "GET", "construction", f"/api/projects/{project_id}")["items"]
    for each in sorted(items, key=lambda i: i["layer"] != "underground"):
        path = f"/api/projects/{project_id}/items/{each['item_id']}"
        if each["status"] == "planned":
            demo.call(Role.CONTRACTOR, "POST", "construction", f"{path}/start", expect=204)
        demo.call(Role.CONTRACTOR, "POST", "construction", f"{path}/finish", expect=204)
    demo.call(Role.CONTRACTOR, "POST", "construction", f"/api/projects/{project_id}/completion", expect=204)
    return True


def convene_acceptance(demo: DemoSession, project_id: str) -> None:
    """The official convenes the joint acceptance once acceptance has heard of the completion."""
    roll = [{"party": party, "organisation": f"【演示】{party.removeprefix('pipeline:')}",
             "accounts": [demo_username(role)]} for party, role in ROLL.items()]
    roll = [r | {"organisation": PIPELINE_UNIT} if r["party"].startswith("pipeline:") else r for r in roll]

    def convened():
        answer = demo.clients["acceptance"].post(f"/api/projects/{project_id}/acceptance", json={"parties": roll},
                                                 headers=demo.headers(Role.OFFICIAL))
        return answer.status_code == 201
    demo.wait_for("竣工验收收到完工申报并召集验收", convened, timeout=90)
