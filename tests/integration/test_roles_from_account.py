"""Roles come from the account on every request; a password or role change revokes tokens; the secret is random."""

from __future__ import annotations

import stat
from datetime import timedelta
from typing import Annotated

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from shared.actor import Actor, Role
from shared.auth import Auth, IdentityStore, TokenService, require_roles
from shared.auth.secret import SECRET_FILE, signing_secret
from shared.errors import RenovationError
from shared.settings import KernelSettings

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
OfficialOnly = Annotated[Actor, Depends(require_roles(Role.OFFICIAL))]


@pytest.fixture
def auth(tmp_path) -> Auth:
    store = IdentityStore.from_url(f"sqlite:///{tmp_path}/identity.db", hasher=FAST_HASHER)
    store.create_schema()
    store.add_user(username="wang.fang", password=PASSWORD, role="resident", display_name="王芳")
    store.add_user(username="zhang.wei", password=PASSWORD, role="official", display_name="张伟")
    tokens = TokenService(secret=SecretStr("x" * 8 + "roles-test-secret-0123456789"), issuer="renovation",
                          ttl=timedelta(hours=12))
    return Auth(store=store, tokens=tokens)


@pytest.fixture
def client(auth) -> TestClient:
    app = FastAPI()
    auth.install(app)

    @app.exception_handler(RenovationError)
    async def _as_json(request: Request, error: RenovationError) -> JSONResponse:
        return JSONResponse(error.to_dict(), status_code=error.status)

    @app.post("/approve")
    def approve(actor: OfficialOnly) -> dict:
        return {"by": actor.model_dump()}

    return TestClient(app)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_validly_signed_token_claiming_official_for_a_resident_gets_403(client, auth):
    forged = auth.tokens.issue(username="wang.fang", role=Role.OFFICIAL, display_name="王芳")

    response = client.post("/approve", headers=_bearer(forged))

    assert response.status_code == 403
    assert response.json()["details"]["role"] == "resident"
    assert "居民" in response.json()["detail"]


def test_the_actor_recorded_has_the_accounts_role_not_the_tokens(client, auth):
    understated = auth.tokens.issue(username="zhang.wei", role=Role.RESIDENT, display_name="张伟")

    assert client.post("/approve", headers=_bearer(understated)).json() == {
        "by": {"id": "zhang.wei", "role": "official"}}


def test_a_token_from_before_a_password_change_is_refused(client, auth):
    before = auth.login(username="zhang.wei", password=PASSWORD).token
    assert client.post("/approve", headers=_bearer(before)).status_code == 200

    auth.store.set_password(username="zhang.wei", password="a new password 2026")

    response = client.post("/approve", headers=_bearer(before))
    assert response.status_code == 401
    assert response.json()["error"] == "token_revoked"
    assert "请重新登录" in response.json()["detail"]
    after = auth.login(username="zhang.wei", password="a new password 2026").token
    assert client.post("/approve", headers=_bearer(after)).status_code == 200


def test_a_role_change_revokes_earlier_tokens_and_a_new_login_acts_in_the_new_role(client, auth):
    before = auth.login(username="wang.fang", password=PASSWORD).token

    auth.store.set_role(username="wang.fang", role=Role.OFFICIAL)

    assert client.post("/approve", headers=_bearer(before)).status_code == 401
    after = auth.login(username="wang.fang", password=PASSWORD).token
    assert client.post("/approve", headers=_bearer(after)).json()["by"]["role"] == "official"


def test_an_identity_database_from_before_revocation_gets_the_column_and_keeps_its_users(tmp_path):
    url = f"sqlite:///{tmp_path}/old-identity.db"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE users (username VARCHAR(64) PRIMARY KEY, display_name VARCHAR(100) NOT NULL, "
            "role VARCHAR(32) NOT NULL, password_hash VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL, "
            "disabled BOOLEAN NOT NULL DEFAULT 0)")
        conn.exec_driver_sql(
            "INSERT INTO users VALUES ('li.na', '李娜', 'auditor', ?, '2026-01-01 00:00:00', 0)",
            (FAST_HASHER.hash(PASSWORD),))
    engine.dispose()
    store = IdentityStore.from_url(url, hasher=FAST_HASHER)
    store.create_schema()

    assert store.authenticate(username="li.na", password=PASSWORD).token_generation == 0


def test_embedded_mode_generates_one_random_owner_only_secret_per_var_dir(tmp_path):
    first = KernelSettings(var_dir=tmp_path / "a", identity_database_url=f"sqlite:///{tmp_path}/i.db")
    other = KernelSettings(var_dir=tmp_path / "b")

    secret = signing_secret(first)

    path = tmp_path / "a" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret.get_secret_value()) >= 48
    assert signing_secret(first) == secret  # kept: a restart, the CLI and the other services agree
    assert signing_secret(other) != secret
    # a token minted by one process verifies in another built from the same settings
    one = Auth.from_settings(first)
    one.store.add_user(username="li.na", password=PASSWORD, role=Role.AUDITOR)
    token = one.login(username="li.na", password=PASSWORD).token
    assert Auth.from_settings(first).actor(token) == Actor(id="li.na", role="auditor")


def test_no_signing_secret_is_built_into_the_code():
    assert KernelSettings(_env_file=None).jwt_secret is None


@pytest.mark.parametrize("secret", [None, "too-short", "change-me-change-me-change-me-change-me",
                                    "a" * 64])
def test_deployment_mode_refuses_a_missing_short_or_placeholder_secret(secret, monkeypatch):
    monkeypatch.delenv("RENOVATION_JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="RENOVATION_JWT_SECRET"):
        KernelSettings(mode="deployment", jwt_secret=secret)


def test_deployment_mode_accepts_a_real_secret():
    real = "d8Fq2kP0vX7mZ3nB9sL4tH6wR1yC5jE8uA0oI2gK"
    assert KernelSettings(mode="deployment", jwt_secret=real).jwt_secret.get_secret_value() == real


def test_the_cli_changes_a_role_and_revokes_the_accounts_tokens(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from shared.cli.user import user_app

    url = f"sqlite:///{tmp_path}/identity.db"
    monkeypatch.setenv("RENOVATION_IDENTITY_DATABASE_URL", url)
    store = IdentityStore.from_url(url, hasher=FAST_HASHER)
    store.create_schema()
    store.add_user(username="li.na", password=PASSWORD, role="resident")

    result = CliRunner().invoke(user_app, ["set-role", "li.na", "--role", "community"])

    assert result.exit_code == 0, result.output
    assert "原有登录凭证已失效" in result.output
    changed = store.require("li.na")
    assert changed.role == Role.COMMUNITY and changed.token_generation == 1
