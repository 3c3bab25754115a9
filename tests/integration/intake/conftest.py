"""Intake's app on a real database with an account per role and a clock the test can move."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.intake.bootstrap import IntakeSettings, create_app, notice_clock
from shared.actor import Role
from shared.auth import IdentityStore
from shared.settings import KernelSettings

ACCOUNTS = {"official": Role.OFFICIAL, "street": Role.STREET_OFFICE, "community": Role.COMMUNITY,
            "resident": Role.RESIDENT, "neighbour": Role.RESIDENT, "supervisor": Role.SUPERVISOR,
            "owners": Role.OWNERS_COMMITTEE, "inspector": Role.INSPECTOR}


@dataclass
class Clock:
    """Today, as the test says."""

    today: date = date(2025, 9, 22)

    def __call__(self) -> date:
        return self.today


@dataclass
class Intake:
    """A running intake app (without its lifespan), its clients' headers and its clock."""

    app: object
    client: TestClient
    clock: Clock
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def service(self):
        return self.app.state.service

    def tick(self) -> None:
        """Run the notice clock once, as the service's ticker does."""
        notice_clock(self.app.state.intake)(self.service)


_IDENTITY: dict[str, Path] = {}


def identity_file(folder: Path) -> Path:
    """An identity database with one account per entry of ACCOUNTS, hashed once per test session."""
    if "template" not in _IDENTITY:
        template = Path(folder).parent / "intake-identity-template.db"
        store = IdentityStore.from_url(f"sqlite:///{template}")
        store.create_schema()
        for name, role in ACCOUNTS.items():
            store.add_user(username=name, password="password-123", role=role)
        store.engine.dispose()
        _IDENTITY["template"] = template
    target = Path(folder) / "identity.db"
    shutil.copy(_IDENTITY["template"], target)
    return target


def build(url: str, tmp_path, *, clock: Clock | None = None, kafka: str = "127.0.0.1:9", **settings) -> Intake:
    """Intake on `url`, identity in tmp_path, broker at `kafka` (unreachable unless a test starts one)."""
    clock = clock or Clock()
    identity_file(tmp_path)
    kernel = KernelSettings(identity_database_url=f"sqlite:///{tmp_path / 'identity.db'}", var_dir=tmp_path,
                            kafka_bootstrap_servers=kafka)
    app = create_app(IntakeSettings(database_url=url, **settings), kernel, clock=clock)
    tokens = app.state.service.auth.tokens
    headers = {name: {"Authorization": "Bearer " + tokens.issue(username=name, role=role, display_name=name)}
               for name, role in ACCOUNTS.items()}
    return Intake(app=app, client=TestClient(app), clock=clock, headers=headers)


@pytest.fixture
def intake(tmp_path, sqlite_url) -> Intake:
    """Intake on SQLite."""
    built = build(sqlite_url, tmp_path)
    yield built
    built.service.engine.dispose()


@pytest.fixture
def intake_any_db(tmp_path, db_url) -> Intake:
    """Intake on SQLite and on PostgreSQL."""
    built = build(db_url, tmp_path)
    yield built
    built.service.engine.dispose()
