"""Acceptance under test: the app on SQLite or PostgreSQL, an account per role, a clock the test moves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.acceptance.bootstrap import create_app
from services.acceptance.settings import AcceptanceSettings
from shared.actor import Actor
from shared.clock import CHINA
from shared.envelope import Envelope, new_event_id, utc_now
from shared.settings import KernelSettings
from tests.service_harness import metric_value, session_identity

USERS = {"off": "official", "street": "street_office", "comm": "community", "owners": "owners_committee",
         "des": "designer", "con": "contractor", "eng": "supervision_engineer", "pipe": "pipeline_unit",
         "res": "resident", "res2": "resident", "sup": "supervisor", "aud": "auditor", "insp": "inspector",
         "street2": "street_office"}
ROLL = [{"party": "street_office", "organisation": "南市街道办事处", "accounts": ["street"]},
        {"party": "residents_committee", "organisation": "南市社区居委会", "accounts": ["comm"]},
        {"party": "owners_committee", "organisation": "幸福里业主代表", "accounts": ["owners"]},
        {"party": "designer", "organisation": "市设计院", "accounts": ["des"]},
        {"party": "contractor", "organisation": "沈阳建工", "accounts": ["con"]},
        {"party": "supervision", "organisation": "华信监理", "accounts": ["eng"]},
        {"party": "pipeline:自来水公司", "organisation": "自来水公司", "accounts": ["pipe"]}]
BUILDINGS = [{"building": "1", "storeys": 2, "units": [{"unit": "1", "rooms": ["101", "102", "201", "202"]}]},
             {"building": "2", "storeys": 2, "units": [{"unit": "1", "rooms": ["101", "102", "201", "202"]}]},
             {"building": "3", "storeys": 1, "units": [{"unit": "1", "rooms": ["101", "102"]}]}]
HOUSEHOLDS = [f"{b['building']}-{u['unit']}-{r}" for b in BUILDINGS for u in b["units"] for r in u["rooms"]]


@dataclass
class TestClock:
    """The kernel clock's interface, at an instant the test sets."""

    moment: datetime = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.astimezone(CHINA).date()

    def advance(self, days: int) -> None:
        self.moment += timedelta(days=days)


def approved_payload(project_id: str, **overrides) -> dict:
    """intake.ProjectApproved v1 as docs/events.md shows it (with fields acceptance does not read)."""
    return {
        "project_id": project_id, "community_id": f"c-{project_id}", "community_name": f"幸福里小区{project_id}",
        "district": "和平区", "street_office": "南市街道", "plan_year": 2026,
        "location": {"address": "和平区南市路 1 号", "latitude": 41.79, "longitude": 123.43, "geofence_radius_m": 300},
        "household_count": len(HOUSEHOLDS), "items": [
            {"item_id": "pipes", "kind": "rain_sewage_separation", "name": "雨污分流改造", "budget_fen": 1_800_000},
            {"item_id": "road", "kind": "road", "name": "道路修缮", "budget_fen": 900_000}],
        "budget_fen": 5_200_003, "funding": [{"source": "government", "amount_fen": 4_000_001},
                                            {"source": "residents", "amount_fen": 1_200_002}],
        "parties": {"construction_unit": "和平区住房和城乡建设局", "designer": "市设计院"},
        "buildings": BUILDINGS, "something_new": {"ignored": True}, **overrides}


@dataclass
class Running:
    """The acceptance app with helpers a test drives it with."""

    app: object
    client: TestClient
    clock: TestClock
    sent: list[Envelope] = field(default_factory=list)

    @property
    def service(self):
        return self.app.state.service

    def as_(self, username: str) -> dict[str, str]:
        token = self.app.state.auth.tokens.issue(username=username, role=USERS[username], display_name=username)
        return {"Authorization": f"Bearer {token}"}

    def foreign(self, event_type: str, payload: dict, *, key: str) -> Envelope:
        """Apply another service's event as the consumer would (the broker tests use real ones)."""
        envelope = Envelope(event_id=new_event_id(), event_type=event_type, schema_version=1,
                            stream_id=f"x-{uuid.uuid4().hex[:8]}", stream_version=1, project_id=key,
                            occurred_at=utc_now(), actor=Actor(id="x", role="official"),
                            correlation_id=str(new_event_id()), payload=payload, position=len(self.sent) + 1)
        previous = self.sent[-1].hash if self.sent else "0" * 64
        envelope = envelope.chained(position=len(self.sent) + 1, prev_hash=previous)
        assert self.service.consumer.apply(envelope) == "applied"
        self.sent.append(envelope)
        return envelope

    def view(self, project_id: str = "p1", user: str = "off") -> dict:
        response = self.client.get(f"/api/projects/{project_id}/acceptance", headers=self.as_(user))
        assert response.status_code == 200, response.text
        return response.json()

    def metric(self, line_start: str) -> float:
        return metric_value(self.client, line_start)


def identity_url() -> str:
    """The acceptance harness's accounts, one database for the session."""
    return session_identity(USERS, name="acceptance")


def start(tmp_path, db_url: str, *, bootstrap: str = "127.0.0.1:9", **settings) -> Running:
    """Acceptance on `db_url`; the broker is unreachable unless a test starts one."""
    clock = TestClock()
    kernel = KernelSettings(var_dir=tmp_path, evidence_dir=tmp_path / "evidence",
                            identity_database_url=identity_url(), kafka_bootstrap_servers=bootstrap)
    app = create_app(AcceptanceSettings(database_url=db_url, **settings), kernel, clock=clock)
    return Running(app=app, client=TestClient(app), clock=clock)


@pytest.fixture
def acc(tmp_path, sqlite_url) -> Running:
    """Acceptance on SQLite with the local evidence folder."""
    running = start(tmp_path, sqlite_url)
    yield running
    running.service.engine.dispose()


@pytest.fixture
def acc_any_db(tmp_path, db_url) -> Running:
    """Acceptance on SQLite and on PostgreSQL."""
    running = start(tmp_path, db_url)
    yield running
    running.service.engine.dispose()
