"""Complaint-clock and signed-dossier proofs on real lifecycles (complaints, acceptance apps) and crafted failures."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from shared.audit.replay import store_facts
from shared.audit.rules import complaint_clocks, dossier_signed
from tests.integration.acceptance.conftest import start as start_acceptance
from tests.integration.acceptance.test_lifecycle_api import accepted_checklist, evaluate, sign_all
from tests.integration.complaints.conftest import start as start_complaints


@pytest.fixture
def answered(tmp_path, sqlite_url):
    """A hotline complaint about the project, acknowledged, assigned and answered within its time limit."""
    hotline = start_complaints(tmp_path, sqlite_url)
    hotline.sites()
    cid = hotline.call()["complaint_id"]
    assert hotline.post(cid, "acknowledge").status_code == 204
    assert hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈阳建工"}).status_code == 204
    hotline.clock.advance(hours=3)
    assert hotline.post(cid, "respond", {"response": "已要求22点后停止高噪声作业"}, user="con").status_code == 204
    facts = store_facts(hotline.service.engine, "complaints", {"p-happy"})
    hotline.service.engine.dispose()
    return facts


def test_a_complaint_answered_in_time_meets_its_clock(answered):
    proof = complaint_clocks(answered, now=max(f.occurred_at for f in answered))
    assert proof.status == "pass", proof
    assert proof.figures[0].startswith("按时 1，")


def test_an_answer_after_the_due_time_without_escalation_fails_naming_the_answer(answered):
    responded = next(f for f in answered if f.event_type == "complaints.ComplaintResponded")
    limit = next(f for f in answered if f.event_type == "complaints.TimeLimitSet")
    late = datetime.fromisoformat(limit.payload["due_at"]) + timedelta(hours=1)
    crafted = [dataclasses.replace(f, payload={**f.payload, "at": late.isoformat()}) if f is responded else f
               for f in answered]
    proof = complaint_clocks(crafted, now=late)
    assert proof.status == "fail" and proof.breaking["event_id"] == responded.event_id
    assert "已超时且未督办" in proof.figures[-1]


@pytest.fixture
def final(tmp_path, sqlite_url):
    """A project acceptance really passed: every party signed, residents satisfied, final acceptance recorded."""
    acc = start_acceptance(tmp_path, sqlite_url)
    accepted_checklist(acc)
    assert evaluate(acc, 7, 1)["passed"]
    sign_all(acc)
    assert acc.client.post("/api/projects/p1/acceptance/final", headers=acc.as_("off")).status_code == 204
    facts = store_facts(acc.service.engine, "acceptance", {"p1"})
    acc.service.engine.dispose()
    return facts


def test_every_party_signed_the_final_dossier(final):
    proof = dossier_signed(final)
    assert proof.status == "pass", proof
    signed = {f.payload["party"] for f in final if f.event_type == "acceptance.PartyVerdictRecorded"}
    assert f"{len(signed)}/{len(signed)} 方签署" in proof.figures[0]


def test_a_party_that_signed_another_dossier_fails_naming_the_final_acceptance(final):
    verdict = next(f for f in final if f.event_type == "acceptance.PartyVerdictRecorded")
    stale = dataclasses.replace(verdict, payload={**verdict.payload, "dossier_root": "00" * 32})
    proof = dossier_signed([stale if f is verdict else f for f in final])
    passed = next(f for f in final if f.event_type == "acceptance.FinalAcceptancePassed")
    assert proof.status == "fail" and proof.breaking["event_id"] == passed.event_id
    assert verdict.payload["party"] in proof.figures[-1]
