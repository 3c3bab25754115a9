"""Every intake read model is a projection: rebuilt from the events, it comes out the same."""

from __future__ import annotations

from datetime import date

from services.intake.adapters.projection import projection
from shared.actor import Actor
from shared.envelope import Envelope, new_event_id, utc_now
from shared.rebuild import rebuild, snapshot
from tests.integration.intake import flow
from tests.integration.intake.flow import ok
from tests.integration.intake.test_api import SMALL


def design_change_requested(project_id: str) -> Envelope:
    """construction.DesignChangeNoticeRequested as construction would publish it."""
    return Envelope(
        event_id=new_event_id(), event_type="construction.DesignChangeNoticeRequested", schema_version=1,
        stream_id="change-dc-1", stream_version=1, project_id=project_id, occurred_at=utc_now(),
        actor=Actor(id="wang.engineer", role="supervision_engineer"), correlation_id="c-1", position=7,
        payload={"project_id": project_id, "change_id": "dc-1", "title": "雨水管改线",
                 "description": "3 号楼北侧雨水管改线", "cost_delta_fen": 1_250_000, "working_days": 5,
                 "drawing": "S-12"})


def test_a_rebuilt_projection_equals_the_live_one(intake_any_db):
    intake, h, client = intake_any_db, intake_any_db.headers, intake_any_db.client
    body = flow.community(**SMALL)
    community_id, project_id, notice_id = flow.to_notice(client, h, body, start=date(2025, 9, 26), agree=9)
    ok(client.post(f"/api/communities/{community_id}/households/1-1-101/accounts",
                   json={"account_id": "resident", "evidence": "property_certificate"}, headers=h["community"]), 201)
    ok(client.put(f"/api/communities/{community_id}/households/1-1-101/needs",
                  json={"needs": ["parking", "elevator_retrofit"]}, headers=h["resident"]))
    ok(client.put(f"/api/communities/{community_id}/households/1-1-101/consent", json={"answer": "disagree"},
                  headers=h["resident"]))
    intake.clock.today = date(2025, 10, 9)
    objection = ok(client.post(f"/api/notices/{notice_id}/objections",
                               json={"text": "反对", "household_id": "1-1-101"}, headers=h["resident"]), 201)
    ok(client.post(f"/api/notices/{notice_id}/objections/{objection['objection_id']}/answer",
                   json={"answer": "已上门解释"}, headers=h["community"]))
    assert client.post(f"/api/communities/{community_id}/projects", json={"plan_year": 2026},
                       headers=h["street"]).status_code == 422
    intake.clock.today = date(2025, 10, 22)
    intake.tick()
    flow.vote_and_review(client, h, body, project_id, votes_for=10)
    ok(client.post(f"/api/projects/{project_id}/approval", headers=h["official"]))
    assert intake.service.consumer.apply(design_change_requested(project_id)) == "applied"
    live = snapshot(intake.service.engine, projection)
    assert live["notice"] and live["household"] and live["review"] and live["declaration_refusal"]

    replayed = rebuild(intake.service.engine, projection, consumer="intake")
    assert replayed >= 44 and len(live["notice"]) == 2, "the plan's notice and the design change's"
    assert snapshot(intake.service.engine, projection) == live
