"""Intake in the stack as a user runs it: survey to public notice over HTTP, pages, metrics, refusals."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest

from shared.calendar import CHINA, WorkingDayCalendar
from tests.integration.intake import flow

pytestmark = pytest.mark.e2e


def load_next_year(workdir) -> int:
    """A schedule file for the year after the package's last: a future year is data, not code.

    (Test data, not the State Council's notice: it only lets a notice near the year's end be counted.)
    """
    year = max(WorkingDayCalendar().known_years()) + 1
    folder = workdir / "var" / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{year}.json").write_text(json.dumps({
        "year": year, "source": "e2e test data", "published": f"{year - 1}-11-01",
        "holidays": [{"date": f"{year}-01-01", "name": "元旦"}], "workdays": []}), encoding="utf-8")
    return year


def test_from_survey_to_public_notice_in_the_running_stack(stack):
    loaded = load_next_year(stack.workdir)
    stack.start()
    url = stack.urls["intake"]
    heads = {name: stack.token(f"demo-{name}") for name in ("official", "community", "street-office", "resident")}
    heads["street"] = heads["street-office"]
    today = datetime.now(CHINA).date()
    with httpx.Client(base_url=url, timeout=30) as client:
        body = flow.community(buildings=2, units=1, storeys=6, per_floor=1)
        community_id = flow.register(client, heads["official"], body)
        ids = flow.household_ids(body)
        flow.consent(client, heads["community"], community_id, ids[:7])
        report = client.post(f"/api/communities/{community_id}/eligibility", headers=heads["official"]).json()
        assert not report["eligible"]
        assert next(r for r in report["rules"] if r["rule"] == "consent")["figures"] == "同意 7/12 = 58.3% < 66.7%"
        refused = client.post(f"/api/communities/{community_id}/projects", json={"plan_year": today.year + 1},
                              headers=heads["street"])
        assert refused.status_code == 422 and "资格评估不合格" in refused.json()["detail"]

        household = f"/api/communities/{community_id}/households/2-1-601"
        client.post(f"{household}/accounts", json={"account_id": "demo-resident", "evidence": "property_certificate"},
                    headers=heads["community"])
        flow.ok(client.put(f"{household}/consent", json={"answer": "agree"}, headers=heads["resident"]))
        assessed = client.post(f"/api/communities/{community_id}/eligibility", headers=heads["official"])
        assert flow.ok(assessed)["eligible"]
        declared = client.post(f"/api/communities/{community_id}/projects", json={"plan_year": today.year + 1},
                               headers=heads["street"])
        project_id = flow.ok(declared, 201)["project_id"]
        flow.ok(client.put(f"/api/projects/{project_id}/plan", json=flow.plan(), headers=heads["community"]))
        notice = flow.ok(client.post(f"/api/projects/{project_id}/notice", json={"start": today.isoformat()},
                                     headers=heads["community"]), 201)
        assert notice["working_days"] == 14 and notice["end"] > today.isoformat()
        assert int(notice["end"][:4]) <= loaded
        objection = flow.ok(client.post(f"/api/notices/{notice['notice_id']}/objections",
                                        json={"text": "希望保留绿地", "household_id": "2-1-601"},
                                        headers=heads["resident"]), 201)
        assert client.post(f"/api/communities/{community_id}/projects", json={"plan_year": today.year + 1},
                           headers=heads["street"]).status_code == 422

        metrics = client.get("/metrics").text
        for line in ["renovation_intake_plans_in_notice 1.0", "renovation_intake_objections_open 1.0",
                     "renovation_intake_duplicate_declarations_refused_total 1.0",
                     'renovation_intake_communities{outcome="eligible"} 1.0']:
            assert line in metrics, line
        page = client.get(f"/notices/{notice['notice_id']}", headers=heads["community"] | {"accept": "text/html"})
        assert page.status_code == 200 and "希望保留绿地" in page.text and "答复" in page.text
        flow.ok(client.post(f"/api/notices/{notice['notice_id']}/objections/{objection['objection_id']}/answer",
                            json={"answer": "绿地保留，充电桩移至西侧"}, headers=heads["community"]))
        assert "renovation_intake_objections_open 0.0" in client.get("/metrics").text

    construction = httpx.get(f"{stack.urls['construction']}/status", headers=stack.token("demo-admin")).json()
    assert construction["dead_letters"] == 0, "intake's new events do not trouble the tolerant readers"
