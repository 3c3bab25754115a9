"""The log's Merkle tree is grown to the log before a checkpoint, and the stores refuse edits of the log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared.audit.merkle import MemoryTree, leaf_hash, verify_consistency, verify_inclusion
from shared.audit.tree import StoredTree, catch_up, stored_size
from shared.migrations import kernel_0002
from shared.schema import events, merkle_node
from tests.integration.test_event_store import bump, counters


@pytest.fixture
def engine(kernel_engine):
    counters.metadata.create_all(kernel_engine)
    with kernel_engine.begin() as conn:
        kernel_0002.upgrade(conn)
    return kernel_engine


def _bodies(engine) -> list[bytes]:
    with engine.connect() as conn:
        return [r.body.encode() for r in conn.execute(sa.select(events.c.body).order_by(events.c.position))]


def test_the_tree_caught_up_in_steps_has_the_root_of_the_stored_bytes(engine):
    for n in range(1, 8):
        bump(engine, f"c-{n % 3}", times=n % 3 + 1)
        if n in (2, 5):  # as checkpoints signed between appends would
            with engine.connect().execution_options(immediate=True) as conn, conn.begin():
                catch_up(conn)
    bodies = _bodies(engine)
    reference = MemoryTree(bodies)
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        grown = stored_size(conn)
        assert 0 < grown < len(bodies)  # appends alone write no tree node
        assert catch_up(conn) == len(bodies) - grown
    with engine.connect() as conn:
        tree = StoredTree(conn)
        assert stored_size(conn) == len(bodies) == 14
        assert tree.root(len(bodies)) == reference.root()
        for size in range(1, len(bodies) + 1):
            assert tree.root(size) == reference.root(size)
        verify_inclusion(5, 14, leaf_hash(bodies[5]), tree.inclusion(5, 14), reference.root())
        verify_consistency(6, 14, reference.root(6), reference.root(), tree.consistency(6, 14))


@pytest.mark.parametrize("statement", [
    events.update().values(body="{}"), events.delete(), merkle_node.update().values(hash=b"x" * 32),
    merkle_node.delete()], ids=["update events", "delete events", "update tree", "delete tree"])
def test_the_store_refuses_to_change_or_delete_the_log(engine, statement):
    bump(engine, "c-1", times=3)
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        catch_up(conn)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(statement)
    bump(engine, "c-1", times=1)  # appends keep working
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 4


def test_postgres_refuses_truncate_too(postgres_url):
    from shared.db import create_engine
    from shared.schema import metadata

    engine = create_engine(postgres_url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        kernel_0002.upgrade(conn)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events")
    engine.dispose()


def test_a_log_from_before_the_tree_is_caught_up_once(engine):
    bump(engine, "c-1", times=5)
    with engine.begin() as conn:
        for trigger in ("merkle_node_refuse_delete",):
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
            else:
                conn.exec_driver_sql("DROP TRIGGER merkle_node_append_only ON merkle_node")
        conn.execute(merkle_node.delete())  # as a database from before the tree had it
    bump(engine, "c-2", times=2)
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        assert catch_up(conn) == 7  # the next checkpoint grows the whole tree again
        assert StoredTree(conn).root(7) == MemoryTree(_bodies(engine)).root()
        assert catch_up(conn) == 0
