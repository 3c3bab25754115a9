"""Construction under test: the app on SQLite or PostgreSQL, users per role, a fixed clock, S3 on loopback."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from services.construction.bootstrap import create_app
from services.construction.settings import ConstructionSettings
from shared.actor import Actor
from shared.embedded import free_port
from shared.envelope import Envelope, new_event_id, utc_now
from shared.objectstore import ObjectStoreSettings
from shared.settings import KernelSettings
from tests.service_harness import metric_value, session_identity
from tests.unit.construction.photos import SITE, jpeg

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # Friday, noon in China
TAKEN = datetime(2026, 11, 20, 11, 0)  # an hour earlier, on the camera's (China) clock
USERS = {"off": "official", "con": "contractor", "con2": "contractor", "eng": "supervision_engineer",
         "insp": "inspector", "res": "resident", "sup": "supervisor"}
ITEMS = [
    {"item_id": "pipes", "kind": "rain_sewage_separation", "name": "雨污分流改造", "category": "basic",
     "quantity": 1200.0, "unit": "m", "budget_fen": 1_800_000, "building": None},
    {"item_id": "road", "kind": "road", "name": "道路修缮", "category": "basic", "budget_fen": 900_000,
     "building": None},
]


@pytest.fixture(scope="session")
def moto_server():
    """An S3 server (moto) on a free loopback port for the whole session."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint: str, *, lock: bool = True) -> ObjectStoreSettings:
    """A fresh bucket on the moto server, with object lock and a default retention unless told."""
    from minio import Minio
    from minio.objectlockconfig import DAYS, GOVERNANCE, ObjectLockConfig

    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    settings = ObjectStoreSettings(endpoint=endpoint, secure=False, bucket=bucket, access_key="testing",
                                   secret_key="testing", url_ttl_seconds=120)
    client = Minio(endpoint, access_key="testing", secret_key="testing", secure=False, region="us-east-1")
    client.make_bucket(bucket, object_lock=lock)
    if lock:
        client.set_object_lock_config(bucket, ObjectLockConfig(GOVERNANCE, 30, DAYS))
    return settings


@dataclass
class Running:
    """The construction app with helpers a test drives it with."""

    app: object
    client: TestClient
    tmp: object
    approved: list[str] = field(default_factory=list)

    @property
    def ctx(self):
        return self.app.state.construction

    @property
    def service(self):
        return self.app.state.service

    def as_(self, username: str) -> dict[str, str]:
        token = self.app.state.auth.tokens.issue(username=username, role=USERS[username], display_name=username)
        return {"Authorization": f"Bearer {token}"}

    def foreign(self, event_type: str, payload: dict, *, project_id: str) -> Envelope:
        """Apply another service's event as the consumer would (inbox, projection, policy)."""
        envelope = Envelope(event_id=new_event_id(), event_type=event_type, schema_version=1,
                            stream_id=f"x-{uuid.uuid4().hex[:8]}", stream_version=1, project_id=project_id,
                            occurred_at=utc_now(), actor=Actor(id="intake", role="official"),
                            correlation_id=str(new_event_id()), payload=payload, position=1)
        assert self.service.consumer.apply(envelope) == "applied"
        return envelope

    def approve(self, project_id: str = "p1", *, items=ITEMS, at=SITE, radius: int = 300) -> str:
        """intake.ProjectApproved v1 as docs/events.md shows it."""
        self.foreign("intake.ProjectApproved", approved_payload(project_id, items=items, at=at, radius=radius),
                     project_id=project_id)
        return project_id

    def ready(self, project_id: str = "p1", **kw) -> str:
        """An approved project with parties named and the contract signed."""
        self.approve(project_id, **kw)
        off = self.as_("off")
        parties = {"contractor": "沈阳建工", "supervision_unit": "华信监理", "designer": "市设计院",
                   "pipeline_units": ["自来水公司"],
                   "accounts": {"contractor": ["con"], "supervision_engineer": ["eng"], "inspector": ["insp"]}}
        assert self.client.put(f"/api/projects/{project_id}/parties", json=parties, headers=off).status_code == 204
        contract = {"contract_no": f"HT-{project_id}", "amount_fen": 4_000_000, "signed_on": "2026-11-02"}
        assert self.client.post(f"/api/projects/{project_id}/contract", json=contract, headers=off).status_code == 204
        self.start_check(project_id)
        return project_id

    def start_check(self, project_id: str = "p1", zone: str = "site") -> str:
        """The check before a start or restart, everything in order; answers the inspection id."""
        from services.construction.domain.checklist import ITEMS as CHECKS

        body = {"zone": zone, "kind": "start_check", "items": [{"code": c.code, "result": "pass"} for c in CHECKS]}
        response = self.client.post(f"/api/projects/{project_id}/inspections", json=body, headers=self.as_("insp"))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def declare(self, project_id: str = "p1", *, item_id: str | None = "pipes", location: str = "北侧雨水管") -> str:
        body = {"item_id": item_id, "location": location, "kind": "buried_pipe"}
        response = self.client.post(f"/api/projects/{project_id}/hidden-works", json=body, headers=self.as_("con"))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def upload(self, hidden_work_id: str, *files: tuple[str, bytes, str], user: str = "con"):
        parts = [("files", (name, data, media)) for name, data, media in files]
        return self.client.post(f"/api/hidden-works/{hidden_work_id}/evidence", files=parts, headers=self.as_(user))

    def photos(self, hidden_work_id: str, *seeds: int):
        response = self.upload(hidden_work_id, *[(f"p{s}.jpg", jpeg(s, taken=TAKEN), "image/jpeg") for s in seeds])
        assert response.status_code == 201, response.text
        return response.json()

    def metric(self, line_start: str) -> float:
        return metric_value(self.client, line_start)

    def events(self, event_type: str) -> list[Envelope]:
        from shared.eventstore import EventStore

        with self.service.engine.connect() as conn:
            return [e for e in EventStore().iter_all(conn) if e.event_type == event_type]


def approved_payload(project_id: str, *, items=ITEMS, at=SITE, radius: int = 300) -> dict:
    """The documented ProjectApproved payload (with a field construction does not read)."""
    return {
        "project_id": project_id, "community_id": f"c-{project_id}", "community_name": f"幸福里小区{project_id}",
        "district": "和平区", "street_office": "南市街道", "plan_year": 2026,
        "location": {"address": "和平区南市路 1 号", "latitude": at[0], "longitude": at[1],
                     "geofence_radius_m": radius},
        "household_count": 480, "floor_area_m2": 36000.0, "items": items, "budget_fen": 5_200_000,
        "funding": [{"source": "government", "amount_fen": 4_000_000}], "after_care": "property_management",
        "parties": {"construction_unit": "和平区住房和城乡建设局", "designer": "市设计院"},
        "figures": {"consent": {"agreed": 330, "households": 480}}, "something_new": {"ignored": True},
    }


def identity_url() -> str:
    """The construction harness's accounts, one database for the session."""
    return session_identity(USERS, name="construction")


def start(tmp_path, db_url: str, *, store=None, bootstrap: str = "127.0.0.1:9") -> Running:
    kernel = KernelSettings(var_dir=tmp_path, evidence_dir=tmp_path / "evidence",
                            identity_database_url=identity_url(), kafka_bootstrap_servers=bootstrap)
    app = create_app(ConstructionSettings(database_url=db_url), kernel, store=store)
    app.state.construction.clock = lambda: NOW
    return Running(app=app, client=TestClient(app), tmp=tmp_path)


@pytest.fixture
def site(tmp_path, sqlite_url) -> Running:
    """Construction on SQLite with the local evidence folder."""
    running = start(tmp_path, sqlite_url)
    yield running
    running.service.engine.dispose()


@pytest.fixture
def site_any_db(tmp_path, db_url) -> Running:
    """Construction on SQLite and on PostgreSQL."""
    running = start(tmp_path, db_url)
    yield running
    running.service.engine.dispose()
