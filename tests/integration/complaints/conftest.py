"""Complaints under test: the app on SQLite, users per role, a movable clock, sites as intake and construction send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.complaints.bootstrap import create_app
from services.complaints.settings import ComplaintsSettings
from shared.actor import Actor
from shared.envelope import Envelope, new_event_id, utc_now
from shared.settings import KernelSettings
from tests.service_harness import metric_value, session_identity

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in China
USERS = {"op": "hotline_operator", "con": "contractor", "con2": "contractor", "sup": "supervisor", "adm": "admin",
         "off": "official",
         "res": "resident"}
# 幸福里: a small square site around (41.800, 123.400); 和平里 400 m east, by radius only.
HAPPY = [(41.7990, 123.3990), (41.7990, 123.4010), (41.8010, 123.4010), (41.8010, 123.3990)]


class MovableClock:
    """A fixed instant a test moves forward."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@dataclass
class Running:
    """The complaints app with helpers a test drives it with."""

    app: object
    client: TestClient
    clock: MovableClock

    @property
    def ctx(self):
        return self.app.state.complaints

    @property
    def service(self):
        return self.app.state.service

    def as_(self, username: str) -> dict[str, str]:
        token = self.app.state.auth.tokens.issue(username=username, role=USERS[username], display_name=username)
        return {"Authorization": f"Bearer {token}"}

    def foreign(self, event_type: str, payload: dict, *, project_id: str) -> None:
        """Apply another service's event as the consumer would (inbox, projection, policy)."""
        envelope = Envelope(event_id=new_event_id(), event_type=event_type, schema_version=1,
                            stream_id=f"x-{uuid.uuid4().hex[:8]}", stream_version=1, project_id=project_id,
                            occurred_at=utc_now(), actor=Actor(id="other", role="official"),
                            correlation_id=str(new_event_id()), payload=payload, position=1)
        assert self.service.consumer.apply(envelope) == "applied"

    def sites(self) -> None:
        """Two communities: 幸福里 with a project under construction and a boundary; 和平里 without a project."""
        known = (("c-happy", "幸福里小区", 41.800, 123.400), ("c-peace", "和平里小区", 41.800, 123.4048))
        for cid, name, lat, lon in known:
            self.foreign("intake.CommunityRegistered", {
                "community_id": cid, "name": name, "district": "和平区", "street_office": "南市街道",
                "residents_committee": "南市社区", "address": "和平区南市路", "built_year": 1995,
                "latitude": lat, "longitude": lon, "geofence_radius_m": 150}, project_id=cid)
        self.foreign("intake.ProjectApproved", {
            "project_id": "p-happy", "community_id": "c-happy", "community_name": "幸福里小区", "district": "和平区",
            "street_office": "南市街道", "location": {"address": "南市路 1 号", "latitude": 41.8, "longitude": 123.4,
                                                    "geofence_radius_m": 150, "boundary": [list(p) for p in HAPPY]},
            "items": [], "budget_fen": 1}, project_id="p-happy")
        opened = {"project_id": "p-happy", "community_id": "c-happy", "community_name": "幸福里小区", "location": {}}
        self.foreign("construction.ProjectOpened", opened, project_id="p-happy")
        self.foreign("construction.PartiesAssigned", {"parties": {
            "contractor": "沈阳建工", "supervision_unit": "华信监理", "accounts": {"contractor": ["con"]}}},
            project_id="p-happy")

    def call(self, **overrides) -> dict:
        """A hotline call filed by the operator."""
        body = {"phone": "13812345678", "name": "王建国", "category": "noise", "urgency": "normal",
                "text": "3号楼东侧工地夜里12点还在施工，噪音太大睡不着", "community_id": "c-happy", "building": "3号楼"}
        response = self.client.post("/api/complaints", json=body | overrides, headers=self.as_("op"))
        assert response.status_code == 201, response.text
        return response.json()

    def post(self, complaint_id: str, action: str, body: dict | None = None, user: str = "op"):
        return self.client.post(f"/api/complaints/{complaint_id}/{action}", json=body or {}, headers=self.as_(user))

    def get(self, complaint_id: str, user: str = "op") -> dict:
        response = self.client.get(f"/api/complaints/{complaint_id}", headers=self.as_(user))
        assert response.status_code == 200, response.text
        return response.json()

    def events(self, event_type: str | None = None) -> list[Envelope]:
        from shared.eventstore import EventStore

        with self.service.engine.connect() as conn:
            return [e for e in EventStore().iter_all(conn) if event_type is None or e.event_type == event_type]

    def tick(self) -> dict:
        from services.complaints.application.ticker import tick

        return tick(self.service, self.ctx)

    def metric(self, line_start: str) -> float:
        return metric_value(self.client, line_start)


def identity_url() -> str:
    """The complaints harness's accounts, one database for the session."""
    return session_identity(USERS, name="complaints")


def start(tmp_path, db_url: str, *, bootstrap: str = "127.0.0.1:9", official_through: int | None = None,
          **settings) -> Running:
    kernel = KernelSettings(var_dir=tmp_path, evidence_dir=tmp_path / "evidence", identity_database_url=identity_url(),
                            kafka_bootstrap_servers=bootstrap, calendar_official_through=official_through)
    app = create_app(ComplaintsSettings(database_url=db_url, **settings), kernel)
    clock = MovableClock(NOW)
    app.state.complaints.clock = clock
    return Running(app=app, client=TestClient(app), clock=clock)


@pytest.fixture
def hotline(tmp_path, sqlite_url) -> Running:
    """Complaints on SQLite with two known sites."""
    running = start(tmp_path, sqlite_url)
    running.sites()
    yield running
    running.service.engine.dispose()
