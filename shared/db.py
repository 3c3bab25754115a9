"""Database engines for SQLite (embedded) and PostgreSQL (deployment), set up the same way."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

BUSY_TIMEOUT_SECONDS = 30
# One per database file in this process, shared by every engine on it (see WriterConnection).
_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


class WriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on a lock of this process.

    SQLite's busy handler makes a writer that finds the database locked sleep and retry, the
    sleeps growing to 100 ms: under concurrent commands one of them could lose every retry to
    the others and wait ~330 ms for a 1 ms transaction (measured: 331 ms, the handler's whole
    table). Writers of one process instead wait on a lock, released as soon as the transaction
    commits or rolls back, so a command waits only for the transactions ahead of it. Other
    processes (the CLI, another service on the same file) still meet SQLite's own lock.
    """

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        self._write_lock = _write_lock_for(database)
        self._holds_write_lock = False

    def begin_immediate(self) -> None:
        """BEGIN IMMEDIATE, after the writers of this process ahead of it.

        A writer that waited the whole busy timeout goes on to SQLite's lock, which answers as
        it always has (a nested write on a second connection of one thread fails, never hangs).
        """
        if self._write_lock is not None and not self._holds_write_lock:
            self._holds_write_lock = self._write_lock.acquire(timeout=BUSY_TIMEOUT_SECONDS)
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def commit(self) -> None:
        self._ending(super().commit)

    def rollback(self) -> None:
        self._ending(super().rollback)

    def _ending(self, end) -> None:
        try:
            end()
        finally:
            # A COMMIT that failed leaves the transaction open: the lock is held until its rollback.
            if self._holds_write_lock and not self.in_transaction:
                self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()

    def _release(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            self._write_lock.release()


def _write_lock_for(database) -> threading.Lock | None:
    name = os.fspath(database)
    if name == ":memory:" or name.startswith("file:") or not name:
        return None
    key = os.path.realpath(name)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.Lock())


def create_engine(url: str, **kwargs) -> Engine:
    """An engine whose transactions serialize writers the way the event store needs.

    SQLite: WAL, synchronous FULL (an acknowledged event survives a power cut),
    a busy timeout, and BEGIN IMMEDIATE for connections marked `immediate=True` (the
    unit of work) so two writers never deadlock on a lock upgrade; readers stay concurrent.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False,
                                                 "factory": WriterConnection}, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        # Straight to the driver: this runs before every transaction, and needs no statement machinery.
        driver = connection.connection.driver_connection
        if immediate:
            driver.begin_immediate()
        else:
            driver.execute("BEGIN")

    return engine


def is_postgres(engine: Engine) -> bool:
    """Whether the engine talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"
