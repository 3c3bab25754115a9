"""Kernel migration 3 (every service, at each start, idempotent): a leaner event log to write.

- On SQLite, `position` becomes the table's rowid (INTEGER PRIMARY KEY): the log is stored
  in position order once, instead of in a rowid table plus a separate index on position.
  A log made before is copied into the new table, byte for byte, in one transaction.
- The index on `event_type` goes: no query reads the log by type, and each append paid for it.

It runs before kernel migration 2, which puts the append-only triggers back on the new table.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from shared.log_sql import COLUMNS

_SQLITE_EVENTS = """
CREATE TABLE events_rowid (
    position INTEGER NOT NULL PRIMARY KEY,
    event_id VARCHAR(36) NOT NULL UNIQUE,
    event_type VARCHAR(200) NOT NULL,
    schema_version INTEGER NOT NULL,
    stream_id VARCHAR(200) NOT NULL,
    stream_version INTEGER NOT NULL,
    project_id VARCHAR(200) NOT NULL,
    occurred_at VARCHAR(40) NOT NULL,
    body TEXT NOT NULL,
    prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL,
    CONSTRAINT uq_events_stream_version UNIQUE (stream_id, stream_version)
)"""


def upgrade(conn: Connection) -> None:
    """Make `position` the rowid on SQLite (copying an older log over) and drop the type index."""
    if conn.dialect.name == "sqlite" and not _position_is_rowid(conn):
        columns = ", ".join(COLUMNS)
        conn.exec_driver_sql(_SQLITE_EVENTS)
        conn.exec_driver_sql(f"INSERT INTO events_rowid ({columns}) SELECT {columns} FROM events ORDER BY position")
        conn.exec_driver_sql("DROP TABLE events")  # its indexes and triggers go with it
        conn.exec_driver_sql("ALTER TABLE events_rowid RENAME TO events")
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_events_project_id ON events (project_id)")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_events_event_type")


def _position_is_rowid(conn: Connection) -> bool:
    for _cid, name, kind, _notnull, _default, pk in conn.exec_driver_sql("PRAGMA table_info(events)"):
        if name == "position":
            return pk == 1 and kind.upper() == "INTEGER"
    return False
