"""Fixtures shared by every test: databases (SQLite always, PostgreSQL where reachable)."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from shared.db import create_engine
from shared.schema import metadata as kernel_metadata

PG_ADMIN_URL = os.environ.get(
    "RENOVATION_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_unreachable() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.__class__.__name__}"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a reachable PostgreSQL; skips (fails on CI) when there is none."""
    reason = _postgres_unreachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} — on CI PostgreSQL must be reachable")
        pytest.skip(reason)
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"renovation_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh SQLite file for one test."""
    return f"sqlite:///{tmp_path / 'service.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> str:
    """Each test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def kernel_engine(db_url):
    """An engine on a fresh database holding the kernel's tables."""
    engine = create_engine(db_url)
    kernel_metadata.create_all(engine)
    yield engine
    engine.dispose()
