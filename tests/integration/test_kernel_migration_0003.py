"""Kernel migration 3: a log of the old layout is copied into the leaner one, still verifies, still refuses edits."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from shared.db import create_engine
from shared.eventstore import EventStore
from shared.migrations import upgrade
from shared.schema import events
from tests.integration.test_event_store import bump, counters

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "intake" / "migrations"


def _indexes(engine) -> set[tuple[str, ...]]:
    return {tuple(index["column_names"]) for index in sa.inspect(engine).get_indexes("events")}


def test_an_old_log_is_moved_to_the_rowid_layout_byte_for_byte(db_url):
    engine = create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:  # the service's own migrations only: the layout every older database has
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    counters.create(engine)
    for n in range(12):
        bump(engine, f"c-{n % 4}", times=n % 3 + 1)
    assert ("event_type",) in _indexes(engine)
    with engine.connect() as conn:
        before = [tuple(row) for row in conn.execute(sa.select(events).order_by(events.c.position))]

    upgrade(engine, MIGRATIONS)
    upgrade(engine, MIGRATIONS)  # again: nothing left to move

    assert ("event_type",) not in _indexes(engine) and ("project_id",) in _indexes(engine)
    with engine.connect() as conn:
        after = [tuple(row) for row in conn.execute(sa.select(events).order_by(events.c.position))]
        assert after == before
        assert EventStore().verify(conn).ok
        if conn.dialect.name == "sqlite":
            kind = {row[1]: row[2] for row in conn.exec_driver_sql("PRAGMA table_info(events)")}
            assert kind["position"] == "INTEGER"  # the rowid itself
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(events.delete())  # the triggers came back with the new table
    bump(engine, "c-9", times=2)  # and the log goes on
    with engine.connect() as conn:
        assert EventStore().verify(conn).checked == len(before) + 2
    engine.dispose()
