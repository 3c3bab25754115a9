"""No input gives a 5xx: every path and query parameter has a range; free text refuses hidden characters."""

from __future__ import annotations

import pytest

from tests.integration.construction.conftest import start as start_construction
from tests.integration.intake.conftest import build as build_intake

COMMUNITY = {"name": "红旗街小区", "district": "铁西区", "street_office": "兴华街道", "residents_committee": "兴华社区",
             "address": "铁西区兴华北街 8 号", "built_year": 1992, "building_count": 6, "household_count": 210,
             "floor_area_m2": 15800.0, "latitude": 41.80, "longitude": 123.35}


@pytest.fixture
def intake(tmp_path, db_url):
    built = build_intake(db_url, tmp_path)
    yield built
    built.service.engine.dispose()


def _refused(answer) -> dict:
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    body = answer.json()
    assert body["error"] in ("invalid_input", "rule_violated") and "有误" in body["detail"] or "不能" in body["detail"]
    return body


@pytest.mark.parametrize("path", [
    "/api/annual-plans/0", "/api/annual-plans/-1", "/api/annual-plans/0/csv", "/api/annual-plans/-1/csv",
    "/api/annual-plans/99999", "/api/projects?plan_year=" + "9" * 30, "/api/library?plan_year=" + "9" * 30,
    "/api/communities/%00", "/api/communities/" + "x" * 300, "/api/projects/%E2%80%AEevil",
    "/api/communities?district=%00",
])
def test_out_of_range_parameters_are_refused_with_422(intake, path):
    answer = intake.client.get(path, headers=intake.headers["official"])
    _refused(answer)


def test_a_plan_year_in_range_still_answers(intake):
    assert intake.client.get("/api/annual-plans/2026", headers=intake.headers["official"]).status_code == 200


@pytest.mark.parametrize("field", ["name", "address", "district"])
@pytest.mark.parametrize("hidden", ["\x00", "\u202e", "\x1b", "\n"])
def test_a_name_hiding_control_or_bidi_characters_is_refused_and_not_stored(intake, field, hidden):
    body = {**COMMUNITY, field: COMMUNITY[field][:2] + hidden + COMMUNITY[field][2:]}

    answer = intake.client.post("/api/communities", json=body, headers=intake.headers["official"])

    assert _refused(answer)["details"]["problems"][0].startswith(field)
    assert intake.client.get("/api/communities", headers=intake.headers["official"]).json() == []


def test_a_reason_hiding_a_right_to_left_override_is_refused(intake):
    created = intake.client.post("/api/communities", json=COMMUNITY, headers=intake.headers["official"])
    community_id = created.json()["community_id"]
    declared = intake.client.post(f"/api/communities/{community_id}/projects", json={"plan_year": 2026},
                                  headers=intake.headers["official"])
    project_id = declared.json().get("project_id", "p-unknown")
    refused = intake.client.post(f"/api/projects/{project_id}/withdrawal", json={"reason": "撤回\u202e原因"},
                                 headers=intake.headers["official"])
    _refused(refused)


@pytest.fixture
def construction(tmp_path, sqlite_url):
    running = start_construction(tmp_path, sqlite_url)
    yield running
    running.service.engine.dispose()


@pytest.mark.parametrize(("path", "body"), [
    ("/api/projects/p-1/parties", {"contractor": "某某\x00建设", "supervision_unit": "监理公司"}),
    ("/api/projects/p-1/site-contact", {"hotline": "024-12345678", "contact_name": "王\u202e工"}),
    ("/api/projects/p-1/design-changes", {"title": "改\u2066线", "reason": "原因说明四个字以上"}),
])
def test_construction_free_text_refuses_hidden_characters(construction, path, body):
    method = construction.client.put if path.endswith(("parties", "site-contact")) else construction.client.post
    _refused(method(path, json=body, headers=construction.as_("off")))  # an official may call all three


def test_audit_downloads_say_503_when_the_broker_is_unreachable_instead_of_hanging(intake):
    auth = intake.app.state.auth
    auth.store.add_user(username="aud", password="password-123", role="auditor")
    headers = {"Authorization": f"Bearer {auth.token_for('aud')}"}

    for path in ("/audit/projects/p-1/proofs.json", "/audit/export.csv"):
        answer = intake.client.get(path, headers=headers)
        assert answer.status_code == 503 and answer.json()["error"] == "broker_unavailable", answer.text
