"""Kernel migration 2 (every service, at each start, idempotent): the Merkle tree, checkpoints, append-only events.

It runs after the service's own Alembic migrations (shared.migrations.upgrade), so no
service needs a revision for it: it creates the audit tables if missing, installs the
triggers that make UPDATE, DELETE and TRUNCATE on the log fail, and grows the Merkle
tree over events appended before the tree existed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.audit.tree import catch_up
from shared.schema import audit_checkpoint, merkle_node

APPEND_ONLY = ("events", "merkle_node")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION renovation_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % refused (events are facts; record a correction)',
    TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def upgrade(conn: Connection) -> None:
    """Create the audit tables, forbid edits of the log, and catch the tree up with the log."""
    merkle_node.create(conn, checkfirst=True)
    audit_checkpoint.create(conn, checkfirst=True)
    if conn.dialect.name == "postgresql":
        _postgres_triggers(conn)
    else:
        _sqlite_triggers(conn)
    catch_up(conn)


def _sqlite_triggers(conn: Connection) -> None:
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END")


def _postgres_triggers(conn: Connection) -> None:
    conn.execute(sa.text(_PG_FUNCTION))
    for table in APPEND_ONLY:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION renovation_append_only()")
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION renovation_append_only()")
        # Roles other than the owner (read-only auditors, reporting) may only read and add.
        conn.exec_driver_sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC")
