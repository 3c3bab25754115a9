"""Each proof on real lifecycles (intake's and construction's own apps) passes; crafted from them, it fails by name."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from shared.audit.replay import store_facts
from shared.audit.rules import consent_and_notice, hidden_works
from shared.calendar import WorkingDayCalendar
from tests.integration.construction.conftest import start as start_construction
from tests.integration.intake import flow
from tests.integration.intake.conftest import build as build_intake

CALENDAR = WorkingDayCalendar()
SMALL = {"buildings": 2, "units": 1, "storeys": 6, "per_floor": 1}  # 12 households (as intake's own API test)


@pytest.fixture
def approved(tmp_path, sqlite_url):
    """A project intake really approved (8 of 12 agree, 14-working-day notice), as intake's log holds it."""
    intake = build_intake(sqlite_url, tmp_path)
    h = intake.headers
    body = flow.community(**SMALL)
    community_id, project_id, notice_id = flow.to_notice(intake.client, h, body, start=date(2025, 9, 26), agree=8)
    intake.clock.today = date(2025, 10, 22)
    intake.tick()
    flow.vote_and_review(intake.client, h, body, project_id, votes_for=9)
    flow.ok(intake.client.post(f"/api/projects/{project_id}/approval", headers=h["official"]))
    facts = store_facts(intake.service.engine, "intake", {project_id, community_id})
    intake.service.engine.dispose()
    return facts


def test_consent_and_notice_hold_on_a_real_approval(approved):
    proof = consent_and_notice(approved, CALENDAR)
    assert proof.status == "pass", proof
    assert "同意 8/12 = 66.7%（按各户同意记录重新计数）≥ 66.7%" in proof.figures[0]
    assert proof.figures[1].startswith("公示 2025-09-26–2025-10-21：14 个工作日")


def test_consent_below_two_thirds_fails_naming_the_approval(approved):
    # Crafted: one household's agreement replaced by a disagreement before the approval.
    agreed = [f for f in approved if f.event_type == "intake.ConsentRecorded"]
    turned = dataclasses.replace(agreed[-1], payload={**agreed[-1].payload, "answer": "disagree"})
    facts = [turned if f is agreed[-1] else f for f in approved]
    proof = consent_and_notice(facts, CALENDAR)
    assert proof.status == "fail"
    assert proof.breaking["event_type"] == "intake.ProjectApproved"
    assert any("7/12" in line and "< 66.7%" in line for line in proof.figures)


def test_a_short_notice_fails_naming_the_approval(approved):
    published = next(f for f in approved if f.event_type == "intake.PlanNoticePublished")
    short = dataclasses.replace(published, payload={**published.payload, "end": "2025-10-14"})
    proof = consent_and_notice([short if f is published else f for f in approved], CALENDAR)
    assert proof.status == "fail" and proof.breaking["event_type"] == "intake.ProjectApproved"
    assert any("9 个工作日" in line and "< 14" in line for line in proof.figures)


@pytest.fixture
def concealed(tmp_path, sqlite_url):
    """A hidden work construction really declared, photographed, accepted and concealed."""
    site = start_construction(tmp_path, sqlite_url)
    site.ready("p1")
    con = site.as_("con")
    assert site.client.post("/api/projects/p1/items/pipes/start", headers=con).status_code == 204
    work = site.declare("p1")
    site.photos(work, 1, 2, 3)
    accepted = site.client.post(f"/api/hidden-works/{work}/accept", json={"note": "合格"}, headers=site.as_("eng"))
    assert accepted.status_code == 204, accepted.text
    assert site.client.post(f"/api/hidden-works/{work}/conceal", headers=con).status_code == 204
    facts = store_facts(site.service.engine, "construction", {"p1"})
    site.service.engine.dispose()
    return facts


def test_hidden_work_proof_holds_on_a_real_concealment(concealed):
    proof = hidden_works(concealed)
    assert proof.status == "pass", proof
    assert "已隐蔽 1 项，其中先验收后隐蔽 1 项" in proof.figures[0]


def test_concealing_without_acceptance_fails_naming_the_concealment(concealed):
    crafted = [f for f in concealed if f.event_type != "construction.HiddenWorkAccepted"]
    proof = hidden_works(crafted)
    cover = next(f for f in concealed if f.event_type == "construction.HiddenWorkConcealed")
    assert proof.status == "fail" and proof.breaking["event_id"] == cover.event_id


def test_acceptance_before_any_photo_fails(concealed):
    accepted = next(f for f in concealed if f.event_type == "construction.HiddenWorkAccepted")
    first = min(f.occurred_at for f in concealed)
    moved = dataclasses.replace(accepted, occurred_at=first - timedelta(seconds=1), position=0)
    crafted = sorted([moved] + [f for f in concealed if f is not accepted], key=lambda f: f.occurred_at)
    assert hidden_works(crafted).status == "fail"

