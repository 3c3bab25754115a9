"""The identity store on SQLite and PostgreSQL, the login API of a FastAPI app, and the user CLI."""

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from shared.actor import Actor, Role
from shared.auth import (
    TOKEN_COOKIE,
    Auth,
    IdentityStore,
    OptionalActor,
    TokenService,
    auth_router,
    require_roles,
    users,
)
from shared.cli.user import DEMO_PASSWORD, ensure_demo_users, user_app
from shared.errors import InvalidCommand, NotFound, RenovationError
from shared.settings import KernelSettings

POSTGRES_URL = os.environ.get(
    "RENOVATION_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
SECRET = SecretStr("integration-test-secret-at-least-32-chars")
PASSWORD = "correct horse battery"


# ---------------------------------------------------------------- databases


@pytest.fixture
def postgres_engine():
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        reason = f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.orig}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so PostgreSQL must be there)")
        pytest.skip(reason)
    # A schema of its own per test: parallel runs and leftovers never collide.
    schema = f"identity_test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield engine.execution_options(schema_translate_map={None: schema})
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> IdentityStore:
    if request.param == "sqlite":
        engine = IdentityStore.from_url(f"sqlite:///{tmp_path}/identity.db").engine
    else:
        engine = request.getfixturevalue("postgres_engine")
    identity = IdentityStore(engine, hasher=FAST_HASHER)
    identity.create_schema()
    return identity


def _refusal(error_type, call, **kwargs) -> RenovationError:
    with pytest.raises(error_type) as refused:
        call(**kwargs)
    return refused.value


class TestIdentityStore:
    def test_an_added_user_is_found_whatever_the_case_of_the_name(self, store):
        added = store.add_user(
            username="Zhang.Wei", password=PASSWORD, role="official", display_name="张伟"
        )

        found = store.get("ZHANG.WEI")

        assert found == added
        assert (found.username, found.display_name) == ("zhang.wei", "张伟")
        assert found.role is Role.OFFICIAL
        assert not found.disabled
        assert abs(found.created_at - datetime.now(UTC)) < timedelta(minutes=1)

    def test_a_display_name_defaults_to_the_username(self, store):
        user = store.add_user(username="li.na", password=PASSWORD, role=Role.RESIDENT)

        assert user.display_name == "li.na"

    def test_a_username_taken_in_another_case_is_refused(self, store):
        store.add_user(username="zhang.wei", password=PASSWORD, role=Role.OFFICIAL)

        refused = _refusal(
            InvalidCommand, store.add_user, username="ZHANG.wei", password=PASSWORD, role="admin"
        )

        assert refused.code == "username_taken"
        assert "账号“zhang.wei”已存在" in refused.message
        assert store.get("zhang.wei").role is Role.OFFICIAL

    def test_an_unknown_role_is_refused_listing_the_valid_ones(self, store):
        refused = _refusal(
            InvalidCommand, store.add_user, username="a", password=PASSWORD, role="mayor"
        )

        assert "角色“mayor”不存在" in refused.message
        assert "official（住建部门工作人员）" in refused.message
        assert "street_office（街道办事处）" in refused.message
        assert store.get("a") is None

    def test_the_system_role_cannot_be_given_to_a_person(self, store):
        _refusal(InvalidCommand, store.add_user, username="a", password=PASSWORD, role="system")

    def test_a_password_under_8_characters_is_refused(self, store):
        refused = _refusal(
            InvalidCommand, store.add_user, username="a", password="1234567", role=Role.RESIDENT
        )

        assert refused.message == "密码太短：至少需要 8 个字符，当前只有 7 个"
        assert store.get("a") is None

    @pytest.mark.parametrize("username", ["", "with space", "system", "x" * 65])
    def test_unusable_usernames_are_refused(self, store, username):
        _refusal(
            InvalidCommand, store.add_user, username=username, password=PASSWORD, role="resident"
        )

    def test_authentication_checks_the_password_and_ignores_case(self, store):
        store.add_user(username="li.na", password=PASSWORD, role=Role.INSPECTOR)

        assert store.authenticate(username="LI.NA", password=PASSWORD).username == "li.na"
        assert store.authenticate(username="li.na", password=PASSWORD.upper()) is None
        assert store.authenticate(username="nobody", password=PASSWORD) is None

    def test_a_disabled_user_cannot_log_in_until_enabled_again(self, store):
        store.add_user(username="li.na", password=PASSWORD, role=Role.INSPECTOR)

        store.disable(username="li.na")

        assert store.get("li.na").disabled
        assert store.authenticate(username="li.na", password=PASSWORD) is None
        store.enable(username="li.na")
        assert store.authenticate(username="li.na", password=PASSWORD) is not None

    def test_a_new_password_replaces_the_old_one(self, store):
        store.add_user(username="li.na", password=PASSWORD, role=Role.INSPECTOR)

        store.set_password(username="li.na", password="a brand new one")

        assert store.authenticate(username="li.na", password=PASSWORD) is None
        assert store.authenticate(username="li.na", password="a brand new one") is not None

    def test_changes_to_a_missing_user_say_it_does_not_exist(self, store):
        assert _refusal(NotFound, store.disable, username="ghost").message == "账号“ghost”不存在"
        _refusal(NotFound, store.set_password, username="ghost", password=PASSWORD)

    def test_users_are_listed_by_username(self, store):
        for name in ("wang", "Li", "zhao"):
            store.add_user(username=name, password=PASSWORD, role=Role.RESIDENT)

        assert [user.username for user in store.list_users()] == ["li", "wang", "zhao"]

    def test_creating_the_schema_twice_keeps_the_users(self, store):
        store.add_user(username="li.na", password=PASSWORD, role=Role.INSPECTOR)

        store.create_schema()

        assert store.get("li.na") is not None

    def test_a_rehashed_password_is_kept_in_the_database(self, store):
        store.add_user(username="li.na", password=PASSWORD, role=Role.INSPECTOR)
        stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)

        upgrading = IdentityStore(store.engine, hasher=stronger)
        upgrading.authenticate(username="li.na", password=PASSWORD)

        with store.engine.connect() as conn:
            stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
        assert not stronger.check_needs_rehash(stored)


def test_from_url_creates_the_folder_of_a_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path}/nested/var/identity.db"
    store = IdentityStore.from_url(url, hasher=FAST_HASHER)
    store.create_schema()

    store.add_user(username="a", password=PASSWORD, role=Role.ADMIN)

    assert (tmp_path / "nested" / "var" / "identity.db").is_file()


class TestDemoUsers:
    def test_there_is_one_demo_user_per_role_who_can_log_in(self, store):
        accounts = ensure_demo_users(store)

        assert [role for _, _, role in accounts] == list(Role)
        assert ("demo-official", DEMO_PASSWORD, Role.OFFICIAL) in accounts
        assert ("demo-street-office", DEMO_PASSWORD, Role.STREET_OFFICE) in accounts
        logged_in = store.authenticate(username="demo-supervision-engineer", password=DEMO_PASSWORD)
        assert logged_in.role is Role.SUPERVISION_ENGINEER

    def test_running_it_again_leaves_existing_users_untouched(self, store):
        ensure_demo_users(store)
        store.set_password(username="demo-official", password="changed by the admin")

        again = ensure_demo_users(store)

        assert len(again) == len(Role) == len(store.list_users())
        assert store.authenticate(username="demo-official", password="changed by the admin")


# ---------------------------------------------------------------- the FastAPI app

# How a service's routes declare who may call them.
ProjectRegistrar = Annotated[Actor, Depends(require_roles(Role.OFFICIAL, Role.STREET_OFFICE))]


def _service_app(auth: Auth) -> FastAPI:
    app = FastAPI()
    auth.install(app)
    app.include_router(auth_router())

    # Stands in for the lead's handler: RenovationError → its status and JSON body.
    @app.exception_handler(RenovationError)
    async def _as_json(request: Request, error: RenovationError) -> JSONResponse:
        return JSONResponse(error.to_dict(), status_code=error.status)

    @app.post("/projects")
    def register_project(actor: ProjectRegistrar) -> dict:
        return {"registered_by": actor.model_dump()}

    @app.get("/")
    def home(actor: OptionalActor) -> dict:
        return {"greeting": f"您好，{actor.id}" if actor else "请登录"}

    # What the web shell calls to show the signed-in user on every page.
    @app.get("/shell-user")
    def shell_user(request: Request) -> dict:
        actor = auth.page_actor(request)
        return {"user": actor.id if actor else None}

    return app


@pytest.fixture
def auth(tmp_path) -> Auth:
    store = IdentityStore.from_url(f"sqlite:///{tmp_path}/identity.db", hasher=FAST_HASHER)
    store.create_schema()
    store.add_user(username="zhang.wei", password=PASSWORD, role="official", display_name="张伟")
    store.add_user(username="wang.fang", password=PASSWORD, role="resident", display_name="王芳")
    tokens = TokenService(secret=SECRET, issuer="renovation", ttl=timedelta(hours=12))
    return Auth(store=store, tokens=tokens)


@pytest.fixture
def client(auth) -> TestClient:
    return TestClient(_service_app(auth))


def _bearer(auth: Auth, username: str) -> dict[str, str]:
    user = auth.store.require(username)
    token = auth.tokens.issue(username=username, role=user.role, display_name=user.display_name)
    return {"Authorization": f"Bearer {token}"}


class TestProtectedEndpoint:
    def test_without_a_token_the_answer_is_401_saying_the_credentials_are_missing(self, client):
        response = client.post("/projects")

        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"
        assert response.json()["detail"].startswith("未登录：请求缺少登录凭证")

    def test_a_role_not_allowed_gets_403_naming_its_role_and_the_allowed_ones(self, client, auth):
        response = client.post("/projects", headers=_bearer(auth, "wang.fang"))

        assert response.status_code == 403
        body = response.json()
        assert body["error"] == "forbidden"
        assert "当前账号的角色是“居民”" in body["detail"]
        assert "住建部门工作人员" in body["detail"] and "街道办事处" in body["detail"]
        assert body["details"] == {"role": "resident", "allowed": ["official", "street_office"]}

    def test_an_allowed_role_gets_through_as_its_actor(self, client, auth):
        response = client.post("/projects", headers=_bearer(auth, "zhang.wei"))

        assert response.status_code == 200
        assert response.json() == {"registered_by": {"id": "zhang.wei", "role": "official"}}

    def test_the_token_cookie_works_like_the_header(self, client, auth):
        token = _bearer(auth, "zhang.wei")["Authorization"].removeprefix("Bearer ")
        client.cookies.set(TOKEN_COOKIE, token)

        assert client.post("/projects").status_code == 200
        assert client.get("/").json() == {"greeting": "您好，zhang.wei"}

    def test_an_expired_token_gets_401_saying_so(self, client, auth):
        token = auth.tokens.issue(
            username="zhang.wei",
            role=Role.OFFICIAL,
            display_name="张伟",
            now=datetime.now(UTC) - timedelta(days=1),
        )

        response = client.post("/projects", headers={"Authorization": f"Bearer {token}"})

        assert response.status_code == 401
        assert response.json()["error"] == "token_expired"
        assert "登录已过期" in response.json()["detail"]

    def test_disabling_an_account_stops_the_tokens_it_already_holds(self, client, auth):
        headers = _bearer(auth, "zhang.wei")
        auth.store.disable(username="zhang.wei")

        response = client.post("/projects", headers=headers)

        assert response.status_code == 401
        assert "已停用" in response.json()["detail"]

    def test_a_page_is_shown_to_visitors_with_no_or_a_broken_cookie(self, client):
        assert client.get("/").json() == {"greeting": "请登录"}
        client.cookies.set(TOKEN_COOKIE, "garbage")
        assert client.get("/").json() == {"greeting": "请登录"}

    def test_the_shell_sees_the_user_of_the_cookie_or_the_header(self, client, auth):
        headers = _bearer(auth, "wang.fang")

        assert client.get("/shell-user").json() == {"user": None}
        assert client.get("/shell-user", headers=headers).json() == {"user": "wang.fang"}
        client.cookies.set(TOKEN_COOKIE, headers["Authorization"].removeprefix("Bearer "))
        assert client.get("/shell-user").json() == {"user": "wang.fang"}


class TestLogin:
    def test_a_password_buys_a_bearer_token_that_says_who_i_am(self, client):
        response = client.post("/auth/token", data={"username": "Zhang.Wei", "password": PASSWORD})

        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 12 * 3600
        assert body["role"] == "official"
        me = client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json() == {
            "username": "zhang.wei",
            "display_name": "张伟",
            "role": "official",
            "role_label": "住建部门工作人员",
        }

    @pytest.mark.parametrize(
        ("username", "password"), [("zhang.wei", "wrong password"), ("nobody", PASSWORD)]
    )
    def test_bad_credentials_get_401_without_telling_which_part_was_wrong(
        self, client, username, password
    ):
        response = client.post("/auth/token", data={"username": username, "password": password})

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_credentials"
        assert "用户名或密码错误" in response.json()["detail"]

    def test_me_without_a_token_is_401(self, client):
        assert client.get("/auth/me").status_code == 401


def test_auth_from_settings_uses_the_identity_database_and_token_settings(tmp_path):
    settings = KernelSettings(
        identity_database_url=f"sqlite:///{tmp_path}/var/identity.db", var_dir=tmp_path / "var",
        jwt_issuer="renovation-test",
        jwt_ttl_minutes=30,
    )
    auth = Auth.from_settings(settings)
    auth.store.add_user(username="li.na", password=PASSWORD, role=Role.AUDITOR)

    login = auth.login(username="li.na", password=PASSWORD)

    assert login.expires_in == 30 * 60
    assert auth.actor(login.token) == Actor(id="li.na", role="auditor")
    assert jwt.decode(login.token, options={"verify_signature": False})["iss"] == "renovation-test"


def test_an_app_without_auth_installed_fails_loudly():
    app = FastAPI()
    app.include_router(auth_router())

    with pytest.raises(RuntimeError, match="Auth.install"):
        TestClient(app).get("/auth/me")


# ---------------------------------------------------------------- the CLI


@pytest.fixture
def cli(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("RENOVATION_IDENTITY_DATABASE_URL", f"sqlite:///{tmp_path}/cli/identity.db")
    return CliRunner()


def _unwrapped(output: str) -> str:
    # typer draws errors in a box wrapped to the terminal width: read them as one line.
    return "".join(char for char in output if char not in "│\n ")


def _cli_store(tmp_path) -> IdentityStore:
    return IdentityStore.from_url(f"sqlite:///{tmp_path}/cli/identity.db")


class TestUserCli:
    def test_add_reads_the_password_from_stdin_and_the_user_can_log_in(self, cli, tmp_path):
        result = cli.invoke(
            user_app,
            ["add", "zhang.wei", "--role", "official", "--display-name", "张伟", "--password-stdin"],
            input=f"{PASSWORD}\n",
        )

        assert result.exit_code == 0, result.output
        assert "已创建账号 zhang.wei" in result.output
        assert _cli_store(tmp_path).authenticate(username="zhang.wei", password=PASSWORD)

    def test_add_prompts_twice_for_a_hidden_password(self, cli, tmp_path):
        result = cli.invoke(
            user_app, ["add", "li.na", "--role", "inspector"], input=f"{PASSWORD}\n{PASSWORD}\n"
        )

        assert result.exit_code == 0, result.output
        assert PASSWORD not in result.output
        assert _cli_store(tmp_path).authenticate(username="li.na", password=PASSWORD)

    def test_an_unknown_role_exits_2_listing_the_valid_roles(self, cli, tmp_path):
        result = cli.invoke(
            user_app, ["add", "a", "--role", "mayor", "--password-stdin"], input=f"{PASSWORD}\n"
        )

        assert result.exit_code == 2
        assert "角色“mayor”不存在" in _unwrapped(result.output)
        assert "supervision_engineer（监理工程师）" in _unwrapped(result.output)

    def test_a_duplicate_user_exits_2(self, cli):
        args = ["add", "zhang.wei", "--role", "official", "--password-stdin"]
        cli.invoke(user_app, args, input=f"{PASSWORD}\n")

        result = cli.invoke(user_app, [*args[:1], "ZHANG.WEI", *args[2:]], input=f"{PASSWORD}\n")

        assert result.exit_code == 2
        assert "已存在" in result.output

    def test_a_short_password_exits_2(self, cli, tmp_path):
        result = cli.invoke(
            user_app, ["add", "a", "--role", "resident", "--password-stdin"], input="short\n"
        )

        assert result.exit_code == 2
        assert "密码太短" in result.output
        assert _cli_store(tmp_path).get("a") is None

    def test_list_disable_and_passwd(self, cli, tmp_path):
        cli.invoke(
            user_app, ["add", "wang.fang", "--role", "resident", "--password-stdin"],
            input=f"{PASSWORD}\n",
        )

        assert cli.invoke(user_app, ["disable", "wang.fang"]).exit_code == 0
        listing = cli.invoke(user_app, ["list"]).output
        assert "wang.fang" in listing and "居民" in listing and "已停用" in listing
        passwd = cli.invoke(
            user_app, ["passwd", "wang.fang", "--password-stdin"], input="another password\n"
        )
        assert passwd.exit_code == 0, passwd.output
        store = _cli_store(tmp_path)
        assert store.authenticate(username="wang.fang", password="another password") is None
        cli.invoke(user_app, ["enable", "wang.fang"])
        assert store.authenticate(username="wang.fang", password="another password")

    def test_changing_a_missing_user_exits_2(self, cli):
        result = cli.invoke(user_app, ["disable", "ghost"])

        assert result.exit_code == 2
        assert "账号“ghost”不存在" in result.output
