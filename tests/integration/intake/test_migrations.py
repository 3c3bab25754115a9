"""The migrations build exactly the tables the read models use (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from services.intake.adapters.projection import projection
from shared.db import create_engine
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "intake" / "migrations"


def test_migrated_schema_matches_the_read_models(db_url):
    engine = create_engine(db_url)
    upgrade(engine, MIGRATIONS)
    upgrade(engine, MIGRATIONS)  # running it again is harmless
    inspector = sa.inspect(engine)
    for table in projection.tables:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
        key = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert sorted(key) == sorted(c.name for c in table.primary_key.columns), table.name
        indexed = {tuple(i["column_names"]) for i in inspector.get_indexes(table.name)}
        for column in table.columns:
            if column.index:
                assert (column.name,) in indexed, (table.name, column.name)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0004"
    engine.dispose()
