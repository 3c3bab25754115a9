"""Intake over its JSON API: the whole intake on a real database, the rules' answers, who may do what."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.integration.intake import flow
from tests.integration.intake.flow import ok

SMALL = {"buildings": 2, "units": 1, "storeys": 6, "per_floor": 1}  # 12 households


def log_position(intake) -> int:
    return intake.service.status()["log_position"]


def approve_small(intake, *, agree: int = 8) -> tuple[str, str, str]:
    body = flow.community(**SMALL)
    community_id, project_id, notice_id = flow.to_notice(intake.client, intake.headers, body,
                                                         start=date(2025, 9, 26), agree=agree)
    intake.clock.today = date(2025, 10, 22)
    intake.tick()
    flow.vote_and_review(intake.client, intake.headers, body, project_id, votes_for=9)
    ok(intake.client.post(f"/api/projects/{project_id}/approval", headers=intake.headers["official"]))
    return community_id, project_id, notice_id


def test_from_survey_to_an_approved_project_in_the_library(intake_any_db):
    intake, h = intake_any_db, intake_any_db.headers
    body = flow.community(**SMALL)
    community_id, project_id, notice_id = flow.to_notice(intake.client, h, body, start=date(2025, 9, 26), agree=8)
    notice = ok(intake.client.get(f"/api/notices/{notice_id}", headers=h["official"]))
    assert (notice["start"], notice["end"], notice["working_days"]) == ("2025-09-26", "2025-10-21", 14)

    intake.clock.today = date(2025, 10, 9)
    objection = ok(intake.client.post(f"/api/notices/{notice_id}/objections", json={"text": "充电桩离窗户太近"},
                                      headers=h["owners"]), 201)["objection_id"]
    intake.clock.today = date(2025, 10, 21)
    intake.tick()
    assert ok(intake.client.get(f"/api/projects/{project_id}", headers=h["official"]))["status"] == "in_notice"
    intake.clock.today = date(2025, 10, 22)
    intake.tick()
    intake.tick()  # a repeated tick changes nothing
    assert ok(intake.client.get(f"/api/projects/{project_id}", headers=h["official"]))["status"] == "noticed"

    flow.vote_and_review(intake.client, h, body, project_id, votes_for=9)
    refused = intake.client.post(f"/api/projects/{project_id}/approval", headers=h["official"])
    assert refused.status_code == 422 and "尚有 1 条异议未答复" not in refused.text
    assert "未答复 1 条" in refused.json()["detail"]
    ok(intake.client.post(f"/api/notices/{notice_id}/objections/{objection}/answer",
                          json={"answer": "充电桩移至 2 号楼西侧"}, headers=h["community"]))
    approved = ok(intake.client.post(f"/api/projects/{project_id}/approval", headers=h["official"]))
    assert approved["status"] == "approved" and approved["approved_on"] == "2025-10-22"
    figures = approved["approval"]["figures"]
    assert figures["consent"] == {"agreed": 8, "households": 12, "ratio": "0.6667", "threshold": "2/3"}
    assert figures["notice"]["working_days"] == 14 and figures["vote"]["for"] == 9
    library = ok(intake.client.get("/api/library", headers=h["supervisor"]))
    assert [p["project_id"] for p in library] == [project_id]


def test_a_second_declaration_in_the_same_year_is_refused_and_the_refusal_is_recorded(intake):
    h = intake.headers
    community_id, project_id, _ = flow.to_notice(intake.client, h, flow.community(**SMALL), start=date(2025, 9, 26))
    before = log_position(intake)
    again = intake.client.post(f"/api/communities/{community_id}/projects", json={"plan_year": 2026},
                               headers=h["community"])
    assert again.status_code == 422 and again.json()["error"] == "duplicate_declaration"
    assert "杜绝重复申报" in again.json()["detail"] and project_id in again.json()["detail"]
    assert log_position(intake) == before + 1, "the refusal is an event"
    detail = ok(intake.client.get(f"/api/communities/{community_id}", headers=h["official"]))
    assert detail["refused_declarations"][0]["existing_project_id"] == project_id
    assert "renovation_intake_duplicate_declarations_refused_total 1.0" in intake.client.get("/metrics").text
    ok(intake.client.post(f"/api/communities/{community_id}/projects", json={"plan_year": 2027},
                          headers=h["community"]), 201)


def test_consent_is_one_voice_per_household_with_a_live_tally(intake):
    h = intake.headers
    community_id = flow.register(intake.client, h["official"], flow.community(**SMALL))
    url = f"/api/communities/{community_id}/households/1-1-101/consent"
    assert ok(intake.client.put(url, json={"answer": "agree", "channel": "paper_form"},
                                headers=h["community"]))["consent"]["agree"] == 1
    tally = ok(intake.client.put(url, json={"answer": "disagree", "channel": "home_visit"}, headers=h["community"]))
    assert tally["consent"] == {"agree": 0, "disagree": 1, "unanswered": 11, "households": 12}
    households = ok(intake.client.get(f"/api/communities/{community_id}/households", headers=h["community"]))
    first = next(x for x in households["households"] if x["household_id"] == "1-1-101")
    assert first["answers"] == 2 and first["consent_channel"] == "home_visit"


def test_a_resident_answers_only_for_the_household_linked_to_their_account(intake):
    h = intake.headers
    community_id = flow.register(intake.client, h["official"], flow.community(**SMALL))
    url = f"/api/communities/{community_id}/households/2-1-301"
    denied = intake.client.put(f"{url}/consent", json={"answer": "agree"}, headers=h["resident"])
    assert denied.status_code == 403 and "未绑定" in denied.json()["detail"]
    ok(intake.client.post(f"{url}/accounts", json={"account_id": "resident", "evidence": "property_certificate"},
                          headers=h["community"]), 201)
    not_resident = intake.client.post(f"{url}/accounts", json={"account_id": "inspector", "evidence": "other"},
                                      headers=h["community"])
    assert not_resident.status_code == 422 and "不是居民账号" in not_resident.json()["detail"]
    ok(intake.client.put(f"{url}/consent", json={"answer": "agree", "channel": "paper_form"}, headers=h["resident"]))
    row = next(x for x in ok(intake.client.get(f"/api/communities/{community_id}/households",
                                               headers=h["community"]))["households"] if x["household_id"] == "2-1-301")
    assert row["consent_by"] == "resident" and row["consent_channel"] == "online", "a resident's answer came online"
    assert ok(intake.client.get("/api/me/households", headers=h["resident"]))[0]["household_id"] == "2-1-301"
    other = intake.client.put(f"/api/communities/{community_id}/households/2-1-401/consent",
                              json={"answer": "agree"}, headers=h["resident"])
    assert other.status_code == 403


@pytest.mark.parametrize("who, method, path, status", [
    (None, "post", "/api/communities", 401),
    ("resident", "post", "/api/communities", 403),
    ("inspector", "put", "/api/communities/x/households/1-1-101/consent", 403),
    ("community", "post", "/api/projects/x/approval", 403),
    ("street", "put", "/api/projects/x/reviews/finance", 403),
    ("supervisor", "put", "/api/projects/x/plan", 403),
    (None, "get", "/api/annual-plans/2026", 401),
])
def test_who_may_do_what_is_declared_per_endpoint(intake, who, method, path, status):
    answer = intake.client.request(method.upper(), path, json={}, headers=intake.headers.get(who, {}))
    assert answer.status_code == status
    assert ("未登录" if status == 401 else "无权执行此操作") in answer.json()["detail"]


def test_bad_input_is_refused_with_a_reason_and_records_nothing(intake):
    h = intake.headers
    unsurveyed = flow.community(**SMALL) | {"survey": None, "name": "未调查小区"}
    bare = flow.register(intake.client, h["official"], unsurveyed)
    community_id, project_id, _ = flow.to_notice(intake.client, h, flow.community(**SMALL), start=date(2025, 9, 26))
    before = log_position(intake)
    bad_plan = flow.plan() | {"funding": [{"source": "government", "amount_fen": 1}]}
    cases = [
        ("put", f"/api/communities/{bare}/households/1-1-101/consent", {"answer": "agree"}, "请先完成摸底调查"),
        ("put", f"/api/communities/{community_id}/households/9-9-909/consent", {"answer": "agree"}, "不在摸底调查"),
        ("put", f"/api/communities/{community_id}/households/1-1-101/consent", {"answer": "maybe"}, "answer"),
        ("put", f"/api/projects/{project_id}/plan", bad_plan, "与项目预算"),
        ("post", f"/api/projects/{project_id}/notice", {"start": "2025-09-29"}, "方案已在公示中"),
        ("post", f"/api/communities/{bare}/eligibility", None, "请先完成摸底调查"),
        ("put", f"/api/communities/{community_id}/survey", {"surveyed_on": "2025-09-01"}, "必填"),
    ]
    for method, path, body, reason in cases:
        answer = getattr(intake.client, method)(path, json=body, headers=h["official"])
        assert answer.status_code == 422, (path, answer.text)
        assert reason in answer.json()["detail"], (path, answer.text)
    missing = intake.client.get("/api/projects/nope", headers=h["official"])
    assert missing.status_code == 404 and "不存在" in missing.json()["detail"]
    assert log_position(intake) == before


def test_a_plan_notice_must_last_fourteen_working_days_and_may_end_provisionally(intake):
    h = intake.headers
    community_id, project_id, _ = flow.to_notice(intake.client, h, flow.community(**SMALL), start=date(2025, 9, 26))
    ok(intake.client.post(f"/api/projects/{project_id}/reopening", json={"reason": "调整充电桩位置"},
                          headers=h["street"]))
    short = intake.client.post(f"/api/projects/{project_id}/notice", json={"start": "2025-09-29", "working_days": 10},
                               headers=h["community"])
    assert short.status_code == 422 and "不得少于 14 个工作日" in short.json()["detail"]
    # Reaching into a year whose schedule is not loaded, the notice opens with a provisional end.
    intake.clock.today = date(2026, 12, 20)
    year = max(intake.app.state.intake.calendar.official_years()) + 1
    late = ok(intake.client.post(f"/api/projects/{project_id}/notice", json={"start": f"{year - 1}-12-21"},
                                 headers=h["community"]), 201)
    assert ok(intake.client.get(f"/api/notices/{late['notice_id']}", headers=h["official"]))["end_provisional"]


def test_annual_plan_totals_csv_and_deadline(intake):
    approve_small(intake)
    plan = ok(intake.client.get("/api/annual-plans/2026", headers=intake.headers["supervisor"]))
    assert plan["due"] == "2025-09-30" and plan["days_left"] == -22
    assert plan["totals"]["households"] == 12 and plan["totals"]["budget_fen"] == 520_000_000
    answer = intake.client.get("/api/annual-plans/2026/csv?district=和平区", headers=intake.headers["supervisor"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["计划年度", "区/县", "街道", "小区"] and rows[1][3] == "幸福里小区"
    assert rows[1][7] == "5200000.00" and rows[-1][0] == "合计" and rows[-1][7] == "5200000.00"


def test_supervisors_metrics(intake):
    approve_small(intake)
    flow.register(intake.client, intake.headers["official"], flow.community(name="光明里小区", built_year=2005))
    text = intake.client.get("/metrics").text
    for line in ['renovation_intake_communities{outcome="eligible"} 1.0',
                 'renovation_intake_communities{outcome="unassessed"} 1.0',
                 'renovation_intake_projects_approved_total{district="和平区",plan_year="2026"} 1.0',
                 "renovation_intake_plans_in_notice 0.0", "renovation_intake_objections_open 0.0",
                 'renovation_intake_consent_households{answer="agree"} 8.0',
                 'renovation_intake_notices_open{kind="plan"} 0.0']:
        assert line in text, line
    assert "renovation_intake_consent_ratio{community_id=" in text


def test_residents_see_objections_and_answers_but_not_which_neighbour_objected(intake):
    h = intake.headers
    _, _, notice_id = flow.to_notice(intake.client, h, flow.community(**SMALL), start=date(2025, 9, 26))
    intake.clock.today = date(2025, 9, 29)
    ok(intake.client.post(f"/api/notices/{notice_id}/objections",
                          json={"text": "停车位太少", "household_id": "1-1-101"}, headers=h["community"]), 201)
    seen_by_staff = ok(intake.client.get(f"/api/notices/{notice_id}", headers=h["street"]))["objection_list"][0]
    seen_by_resident = ok(intake.client.get(f"/api/notices/{notice_id}", headers=h["resident"]))["objection_list"][0]
    assert seen_by_staff["household_id"] == "1-1-101" and seen_by_resident["text"] == "停车位太少"
    assert seen_by_resident["household_id"] is None and seen_by_resident["raised_by"] is None
    owners = intake.client.post(f"/api/notices/{notice_id}/objections", json={"text": "绿地减少"}, headers=h["owners"])
    assert owners.status_code == 201
    intake.clock.today = date(2025, 10, 22)
    late = intake.client.post(f"/api/notices/{notice_id}/objections", json={"text": "太晚了"}, headers=h["owners"])
    assert late.status_code == 422 and "公示已于 2025-10-21 结束" in late.json()["detail"]


def test_reporting_the_annual_plan_is_recorded_as_an_event_late_only_with_a_reason(intake):
    h = intake.headers
    _, project_id, _ = approve_small(intake)  # approved 2025-10-22: the 2026 plan was due 2025-09-30
    path = "/api/annual-plans/2026/report"
    assert intake.client.post(path, json={}, headers=h["supervisor"]).status_code == 403
    late = intake.client.post(path, json={}, headers=h["official"])
    assert late.status_code == 422 and late.json()["error"] == "annual_plan_late_reason"
    before = log_position(intake)
    reported = ok(intake.client.post(path, json={"note": "联合审查 10 月完成，补报"}, headers=h["official"]), 201)
    assert (reported["revision"], reported["late"], reported["projects"]) == (1, True, [project_id])
    assert reported["reported_on"] == "2025-10-22" and reported["due_on"] == "2025-09-30"
    assert log_position(intake) == before + 1, "the report is an event"
    again = intake.client.post(path, json={"note": "再报一次"}, headers=h["official"])
    assert again.status_code == 422 and again.json()["error"] == "annual_plan_unchanged"
    plan = ok(intake.client.get("/api/annual-plans/2026", headers=h["supervisor"]))
    assert plan["report"]["revision"] == 1 and plan["report"]["late"] is True
    page = intake.client.get("/annual-plan?year=2026", headers=h["official"] | {"accept": "text/html"})
    assert "已于 2025-10-22 上报（第 1 次）" in page.text and "逾期" in page.text
    form = intake.client.post("/annual-plan/report", data={"year": "2026", "note": "再报一次"},
                              headers=h["official"] | {"accept": "text/html"}, follow_redirects=False)
    assert form.status_code == 422 and "无需重复上报" in form.text
    assert intake.client.post("/api/annual-plans/99999/report", json={}, headers=h["official"]).status_code == 422
