"""Writers of one process queue for SQLite's write lock instead of polling it (shared/db.py).

SQLite's busy handler is switched off on every connection here: a writer that met SQLite's
own lock would be refused at once ("database is locked"). Queued on the process's lock, it
waits for the transaction ahead of it and then goes in.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from shared.bench.store import ACTOR, NO_READ_MODELS, BenchNote
from shared.db import create_engine
from shared.eventstore import EventStore
from shared.schema import metadata
from shared.unit_of_work import UnitOfWork


def _engine(path) -> sa.Engine:
    engine = create_engine(f"sqlite:///{path}")

    @sa.event.listens_for(engine, "connect")
    def _no_busy_wait(dbapi_connection, _record) -> None:  # after create_engine's own PRAGMAs
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return engine


def _save(engine: sa.Engine, seq: int) -> None:
    note = BenchNote.start()
    note.note(seq=seq)
    with UnitOfWork(engine=engine, projection=NO_READ_MODELS, actor=ACTOR) as work:
        work.save(note, project_id="p-1")
        work.commit()


@pytest.mark.parametrize("second_engine", [False, True], ids=["same-engine", "another-engine"])
def test_a_second_writer_waits_for_the_first_and_is_not_refused(tmp_path, second_engine):
    path = tmp_path / "log.db"
    engine = _engine(path)
    metadata.create_all(engine)
    other = _engine(path) if second_engine else engine
    holding, release, errors = threading.Event(), threading.Event(), []

    def first() -> None:
        note = BenchNote.start()
        note.note(seq=1)
        with UnitOfWork(engine=engine, projection=NO_READ_MODELS, actor=ACTOR) as work:
            work.save(note, project_id="p-1")  # the write transaction is open from here
            holding.set()
            release.wait(10)
            work.commit()

    def second() -> None:
        try:
            _save(other, 2)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    writer = threading.Thread(target=first)
    writer.start()
    assert holding.wait(10)
    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive(), f"the second writer did not wait for the first: {errors}"
    release.set()
    writer.join(10)
    waiting.join(10)

    assert errors == []
    with engine.connect() as conn:
        assert EventStore().head(conn)[0] == 2
        assert EventStore().verify(conn).ok
    other.dispose()
    engine.dispose()


def test_a_rolled_back_or_failed_writer_lets_the_next_one_in(tmp_path):
    engine = _engine(tmp_path / "log.db")
    metadata.create_all(engine)

    with pytest.raises(RuntimeError), UnitOfWork(engine=engine, projection=NO_READ_MODELS, actor=ACTOR) as work:
        note = BenchNote.start()
        note.note(seq=1)
        work.save(note, project_id="p-1")
        raise RuntimeError("the command failed after writing")
    with (engine.connect().execution_options(immediate=True) as conn, pytest.raises(sa.exc.IntegrityError),
          conn.begin()):
        conn.execute(sa.text("INSERT INTO log_head (id, position, hash) VALUES (1, 0, 'x')"))
        conn.execute(sa.text("INSERT INTO log_head (id, position, hash) VALUES (1, 0, 'x')"))

    done = threading.Event()
    threading.Thread(target=lambda: (_save(engine, 2), done.set())).start()
    assert done.wait(10), "a writer after a rolled-back one never got in"
    with engine.connect() as conn:
        assert EventStore().head(conn)[0] == 1
    engine.dispose()
