"""The demo's communities in intake: at eligibility, on notice, voting, approved — over HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.actor import Role
from shared.cli.user import demo_username
from shared.demo import DEMO_PREFIX
from shared.demo.session import DemoSession

DEPARTMENTS = ["housing", "development_reform", "finance", "civil_affairs", "natural_resources", "pipeline_owners"]
# Shenyang, Heping district: the site the demo's construction photos are checked against.
SITE = (41.7900, 123.4300)


@dataclass
class Community:
    """A demo community as registered: its id, households and, once declared, its project."""

    name: str
    body: dict
    community_id: str = ""
    project_id: str = ""
    notice_id: str = ""
    notice_end: str = ""
    households: list[str] = field(default_factory=list)


def registration(name: str, *, surveyed_on: date, fee: str = "62%", built_year: int = 1995, offset: int = 0) -> dict:
    """A registration with its survey: two six-storey buildings of one unit, two flats a floor."""
    buildings = [{"building": str(b), "storeys": 6, "safety_grade": "B", "unit_count": 1, "per_floor": 2}
                 for b in (1, 2)]
    survey = {"surveyed_on": surveyed_on.isoformat(), "land_status": "state_owned", "in_built_up_area": True,
              "on_demolition_plan": False, "dangerous_building_rebuild": False, "property_management": "company",
              "fee_collection_rate": fee, "facilities": ["parking"], "buildings": buildings}
    return {"name": f"{DEMO_PREFIX}{name}", "district": "和平区", "street_office": "南市街道",
            "residents_committee": "南市社区", "address": f"和平区南市路 {10 + offset} 号（演示数据）",
            "built_year": built_year, "built_month": 6, "building_count": 2, "household_count": 24,
            "floor_area_m2": 3600.0, "latitude": SITE[0] + offset * 0.004, "longitude": SITE[1],
            "survey": survey}


def households(body: dict) -> list[str]:
    """Every household id of a registration, in survey order (building-unit-floor+position)."""
    return [f"{b['building']}-1-{floor}{pos:02d}" for b in body["survey"]["buildings"]
            for floor in range(1, b["storeys"] + 1) for pos in range(1, b["per_floor"] + 1)]


def plan() -> dict:
    """Rain/sewage separation first (underground), then the roof, then e-bike charging."""
    return {
        "summary": "【演示】雨污分流、屋面防水、电动自行车充电，先地下后地上。",
        "items": [{"kind": "rain_sewage_separation", "quantity": 600, "unit": "m", "budget_fen": 120_000_000},
                  {"kind": "roof_waterproofing", "quantity": 2400, "budget_fen": 60_000_000},
                  {"kind": "ebike_charging", "quantity": 20, "budget_fen": 20_000_000}],
        "funding": [{"source": "government", "amount_fen": 160_000_000},
                    {"source": "residents", "amount_fen": 10_000_000},
                    {"source": "utilities", "amount_fen": 30_000_000}],
        "after_care": "property_management",
        "parties": {"construction_unit": "和平区住房和城乡建设局（演示）", "street_office": "南市街道办事处（演示）",
                    "residents_committee": "南市社区居委会（演示）", "owners_committee": "业主代表（演示）",
                    "designer": "市建筑设计院（演示）"},
    }


def register(demo: DemoSession, community: Community, *, agree: int) -> None:
    """Register, record consent (paper forms), record the eligibility assessment."""
    community.community_id = demo.call(Role.OFFICIAL, "POST", "intake", "/api/communities", expect=201,
                                       json=community.body)["community_id"]
    community.households = households(community.body)
    for household in community.households[:agree]:
        demo.call(Role.COMMUNITY, "PUT", "intake", f"/api/communities/{community.community_id}/households/"
                  f"{household}/consent", json={"answer": "agree", "channel": "paper_form"})
    demo.call(Role.OFFICIAL, "POST", "intake", f"/api/communities/{community.community_id}/eligibility")


def declare_and_notice(demo: DemoSession, community: Community) -> None:
    """Declare the project, draw up the plan and publish its notice from today."""
    today = demo.today()
    community.project_id = demo.call(Role.STREET_OFFICE, "POST", "intake",
                                     f"/api/communities/{community.community_id}/projects", expect=201,
                                     json={"plan_year": today.year + 1})["project_id"]
    demo.call(Role.COMMUNITY, "PUT", "intake", f"/api/projects/{community.project_id}/plan", json=plan())
    notice = demo.call(Role.COMMUNITY, "POST", "intake", f"/api/projects/{community.project_id}/notice", expect=201,
                       json={"start": today.isoformat()})
    community.notice_id, community.notice_end = notice["notice_id"], notice["end"]


def object_and_answer(demo: DemoSession, community: Community) -> None:
    """An objection from the owners' committee, answered by the residents' committee."""
    path = f"/api/notices/{community.notice_id}/objections"
    objection = demo.call(Role.OWNERS_COMMITTEE, "POST", "intake", path, expect=201,
                          json={"text": "【演示】充电桩离 1 号楼窗户太近，建议移到北侧。"})["objection_id"]
    demo.call(Role.COMMUNITY, "POST", "intake", f"{path}/{objection}/answer",
              json={"answer": "【演示】已调整：充电桩移至北侧空地，距住宅 6 米以上。"})


def notice_ended(demo: DemoSession, community: Community) -> bool:
    """Whether intake's notice clock has ended the community's notice."""
    notice = demo.call(Role.OFFICIAL, "GET", "intake", f"/api/notices/{community.notice_id}")
    return notice["status"] == "ended"


def open_vote(demo: DemoSession, community: Community, *, ballots: int) -> None:
    """Open the vote and record paper ballots for the first households."""
    demo.call(Role.COMMUNITY, "POST", "intake", f"/api/projects/{community.project_id}/vote", expect=201)
    for household in community.households[:ballots]:
        demo.call(Role.COMMUNITY, "PUT", "intake", f"/api/projects/{community.project_id}/vote/ballots/{household}",
                  json={"choice": "for", "channel": "paper_form"})


def approve(demo: DemoSession, community: Community) -> None:
    """Close the vote, every department approves in the joint review, the official approves the project."""
    project = f"/api/projects/{community.project_id}"
    demo.call(Role.COMMUNITY, "POST", "intake", f"{project}/vote/close")
    for department in DEPARTMENTS:
        demo.call(Role.OFFICIAL, "PUT", "intake", f"{project}/reviews/{department}", json={"opinion": "approve"})
    demo.call(Role.OFFICIAL, "POST", "intake", f"{project}/approval")


def days_until_after(end: str, today: date) -> int:
    """How far to move the clock so that `end` has passed."""
    return max((date.fromisoformat(end) - today).days + 1, 1)




def link_resident(demo: DemoSession, community: Community, household: str) -> None:
    """Staff link the demo resident's account to a household after checking its papers."""
    demo.call(Role.COMMUNITY, "POST", "intake", f"/api/communities/{community.community_id}/households/{household}"
              "/accounts", expect=201, json={"account_id": demo_username(Role.RESIDENT),
                                             "evidence": "property_certificate"})
