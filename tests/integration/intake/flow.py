"""Driving intake over HTTP from survey to approval: shared by the API, rebuild, broker and e2e tests.

Works with any client that has get/post/put like httpx (TestClient included).
"""

from __future__ import annotations

from datetime import date, timedelta

SURVEYED_ON = "2025-09-01"


def community(name: str = "幸福里小区", *, buildings: int = 3, units: int = 2, storeys: int = 5, per_floor: int = 3,
              built_year: int = 1995, grade: str = "B", fee: str = "62%", **overrides) -> dict:
    """A registration with its survey: buildings × units × storeys × per_floor households."""
    households = buildings * units * storeys * per_floor
    survey = {
        "surveyed_on": SURVEYED_ON, "land_status": "state_owned", "in_built_up_area": True,
        "on_demolition_plan": False, "dangerous_building_rebuild": False, "property_management": "company",
        "fee_collection_rate": fee, "facilities": ["parking"],
        "buildings": [{"building": str(b), "storeys": storeys, "safety_grade": grade, "unit_count": units,
                       "per_floor": per_floor} for b in range(1, buildings + 1)],
    }
    body = {
        "name": name, "district": "和平区", "street_office": "南市街道", "residents_committee": "南市社区",
        "address": "和平区南市路 1 号", "built_year": built_year, "built_month": 6, "building_count": buildings,
        "household_count": households, "floor_area_m2": 36000.5, "latitude": 41.79, "longitude": 123.43,
        "survey": survey,
    }
    return body | overrides


def household_ids(body: dict) -> list[str]:
    """Every household id of a registration made by `community()`, in survey order."""
    ids = []
    for b in body["survey"]["buildings"]:
        for unit in range(1, b["unit_count"] + 1):
            ids += [f"{b['building']}-{unit}-{floor}{pos:02d}" for floor in range(1, b["storeys"] + 1)
                    for pos in range(1, b["per_floor"] + 1)]
    return ids


def ok(response, status: int = 200):
    """The JSON of a response that must have succeeded."""
    assert response.status_code == status, response.text
    return response.json()


def register(client, headers, body: dict) -> str:
    """Register a community; its id."""
    return ok(client.post("/api/communities", json=body, headers=headers), 201)["community_id"]


def consent(client, headers, community_id: str, households: list[str], answer: str = "agree") -> None:
    """Record the same answer for each household (as staff with paper forms)."""
    for household in households:
        ok(client.put(f"/api/communities/{community_id}/households/{household}/consent",
                      json={"answer": answer, "channel": "paper_form"}, headers=headers))


def plan(budget_fen: int = 520_000_000) -> dict:
    """A plan of three items whose funding adds up to the budget exactly."""
    return {
        "summary": "雨污分流、屋面防水、电动自行车充电，先地下后地上。",
        "items": [
            {"kind": "rain_sewage_separation", "quantity": 1200, "unit": "m", "budget_fen": budget_fen - 200_000_000},
            {"kind": "roof_waterproofing", "quantity": 9000, "budget_fen": 150_000_000},
            {"kind": "ebike_charging", "quantity": 80, "budget_fen": 50_000_000},
        ],
        "funding": [{"source": "government", "amount_fen": budget_fen - 120_000_000},
                    {"source": "residents", "amount_fen": 20_000_000},
                    {"source": "utilities", "amount_fen": 100_000_000}],
        "after_care": "property_management",
        "parties": {"construction_unit": "和平区住房和城乡建设局", "street_office": "南市街道办事处",
                    "residents_committee": "南市社区居委会", "owners_committee": "幸福里业主代表",
                    "designer": "沈阳市建筑设计院"},
    }


DEPARTMENTS = ["housing", "development_reform", "finance", "civil_affairs", "natural_resources", "pipeline_owners"]


def to_notice(client, headers, body: dict, *, start: date, agree: int | None = None) -> tuple[str, str, str]:
    """Register, collect consent, assess, declare, draw up the plan, publish: (community, project, notice)."""
    community_id = register(client, headers["official"], body)
    ids = household_ids(body)
    consent(client, headers["community"], community_id, ids[: agree if agree is not None else len(ids)])
    assert ok(client.post(f"/api/communities/{community_id}/eligibility", headers=headers["official"]))["eligible"]
    project_id = ok(client.post(f"/api/communities/{community_id}/projects", json={"plan_year": start.year + 1},
                                headers=headers["street"]), 201)["project_id"]
    ok(client.put(f"/api/projects/{project_id}/plan", json=plan(), headers=headers["community"]))
    notice = ok(client.post(f"/api/projects/{project_id}/notice", json={"start": start.isoformat()},
                            headers=headers["community"]), 201)
    return community_id, project_id, notice["notice_id"]


def vote_and_review(client, headers, body: dict, project_id: str, *, votes_for: int | None = None) -> None:
    """Open the vote, cast ballots (for, by default everyone), close it; every department approves."""
    ids = household_ids(body)
    ok(client.post(f"/api/projects/{project_id}/vote", headers=headers["community"]), 201)
    for household in ids[: votes_for if votes_for is not None else len(ids)]:
        ok(client.put(f"/api/projects/{project_id}/vote/ballots/{household}", json={"choice": "for",
                      "channel": "paper_form"}, headers=headers["community"]))
    ok(client.post(f"/api/projects/{project_id}/vote/close", headers=headers["community"]))
    for department in DEPARTMENTS:
        ok(client.put(f"/api/projects/{project_id}/reviews/{department}", json={"opinion": "approve"},
                      headers=headers["official"]))


def after(day: date, days: int = 1) -> date:
    """A later day."""
    return day + timedelta(days=days)
