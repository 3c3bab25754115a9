"""Intake and construction, both real, on one real broker: the contract between them holds."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import pytest

from shared.broker import ensure_topics
from shared.settings import KernelSettings
from tests.integration.construction.conftest import start as start_construction
from tests.integration.intake import flow
from tests.integration.intake.conftest import build as build_intake
from tests.integration.intake.test_api import SMALL

pytestmark = pytest.mark.broker


def eventually(probe, *, timeout: float = 20.0, what: str):
    """The first truthy answer of `probe`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = probe()
        if answer:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout}s: {what}")


def test_an_approved_project_opens_in_construction_and_a_design_change_is_noticed_by_intake(kafka, tmp_path):
    asyncio.run(ensure_topics(KernelSettings(kafka_bootstrap_servers=kafka.bootstrap_servers)))
    (tmp_path / "intake").mkdir()
    (tmp_path / "construction").mkdir()
    intake = build_intake(f"sqlite:///{tmp_path / 'intake' / 'intake.db'}", tmp_path / "intake",
                          kafka=kafka.bootstrap_servers, notice_tick_seconds=0.2)
    site = start_construction(tmp_path / "construction", f"sqlite:///{tmp_path / 'construction' / 'c.db'}",
                              bootstrap=kafka.bootstrap_servers)
    body = flow.community(**SMALL)
    with intake.client, site.client:
        _, project_id, _ = flow.to_notice(intake.client, intake.headers, body, start=date(2025, 9, 26))
        intake.clock.today = date(2025, 10, 22)
        intake.tick()
        flow.vote_and_review(intake.client, intake.headers, body, project_id)
        approved = flow.ok(intake.client.post(f"/api/projects/{project_id}/approval",
                                              headers=intake.headers["official"]))

        off, con = site.as_("off"), site.as_("con")
        project = eventually(lambda: (r := site.client.get(f"/api/projects/{project_id}", headers=off)).status_code
                             == 200 and r.json(), what="construction opens the approved project")
        assert project["community_name"] == body["name"]
        intake_items = flow.ok(intake.client.get(f"/api/projects/{project_id}", headers=intake.headers["official"]))
        assert len(project["items"]) == len(intake_items["plan"]["items"]) > 0, (approved, project)

        parties = {"contractor": "沈阳建工", "supervision_unit": "华信监理", "designer": "市设计院",
                   "pipeline_units": ["自来水公司"],
                   "accounts": {"contractor": ["con"], "supervision_engineer": ["eng"], "inspector": ["insp"]}}
        assert site.client.put(f"/api/projects/{project_id}/parties", json=parties, headers=off).status_code == 204
        contract = {"contract_no": "HT-1", "amount_fen": 4_000_000, "signed_on": "2026-11-02"}
        assert site.client.post(f"/api/projects/{project_id}/contract", json=contract, headers=off).status_code == 204
        change = site.client.post(f"/api/projects/{project_id}/design-changes", headers=con, json={
            "title": "雨水管改线", "reason": "原线位与古树根系冲突，改走东侧", "cost_delta_fen": 900_000})
        change_id = change.json()["id"]
        assert site.client.post(f"/api/design-changes/{change_id}/approve", json={}, headers=off).status_code == 204

        def status() -> dict:
            changes = site.client.get(f"/api/projects/{project_id}/design-changes", headers=con).json()
            return next(c for c in changes if c["change_id"] == change_id)

        noticed = eventually(lambda: status()["notice_end"] and status(), what="intake publishes the notice")
        assert noticed["status"] != "effective", "a major change waits for its notice"
        intake.clock.today = date.fromisoformat(noticed["notice_end"]) + timedelta(days=1)
        effective = eventually(lambda: status()["status"] == "effective" and status(),
                               what="intake ends the notice and the change takes effect")
    assert effective["objections"] == 0
    for running in (intake, site):
        assert running.service.status()["dead_letters"] == 0
