"""The Merkle tree over a service's log, kept in its database: grown before each checkpoint is signed.

Leaf i is the event at position i + 1, hashed over the stored body bytes (what the relay
publishes, so an auditor holding the topic computes the same leaf). The tree is derived
data: the hash chain seals every append as it commits, and the tree is caught up to the
log (`catch_up`) in the transaction that signs a checkpoint, so a signed size always has
its nodes. Catching up reads the tree's peaks (≤ log₂ n rows by primary key) and inserts
the perfect nodes the new leaves complete (on average two rows per event); roots and
proofs are then O(log n) and O(log² n) primary-key reads, never a pass over the log.
Keeping it out of the append halves the pages each single-event commit writes.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.audit.merkle import (
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
)
from shared.schema import events, merkle_node


class TreeMissingNode(LookupError):
    """The stored tree lacks a node it should have (it lags the log or was tampered with)."""


def _peaks(conn: Connection, size: int) -> list[bytes] | None:
    addresses = CompactRange.peak_addresses(size)
    if not addresses:
        return []
    # Plain DB-API on the caller's transaction: this runs on every append (H7, the hot path).
    mark = _mark(conn)
    where = " OR ".join([f"(level = {mark} AND idx = {mark})"] * len(addresses))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"SELECT level, idx, hash FROM merkle_node WHERE {where}",
                       [value for address in addresses for value in address])
        found = {(level, idx): bytes(digest) for level, idx, digest in cursor.fetchall()}
    finally:
        cursor.close()
    if len(found) != len(addresses):
        return None
    return [found[a] for a in addresses]


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def _insert_nodes(conn: Connection, rows: list[tuple[int, int, bytes]]) -> None:
    mark = _mark(conn)
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(f"INSERT INTO merkle_node (level, idx, hash) VALUES ({mark}, {mark}, {mark})", rows)
    finally:
        cursor.close()




def stored_size(conn: Connection) -> int:
    """How many leaves the stored tree holds."""
    last = conn.execute(sa.select(sa.func.max(merkle_node.c.idx)).where(merkle_node.c.level == 0)).scalar()
    return 0 if last is None else last + 1


def catch_up(conn: Connection, *, upto: int | None = None, chunk: int = 2000) -> int:
    """Add the leaves of events the tree does not hold yet (up to position `upto`); return how many.

    Run it in a writing transaction (BEGIN IMMEDIATE on SQLite); on PostgreSQL a transaction lock
    keeps two catch-ups (the ticker's and an operator's) from adding the same nodes.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('renovation.merkle_node'))")
    size = stored_size(conn)
    peaks = _peaks(conn, size)
    if peaks is None:
        raise TreeMissingNode(f"the stored tree of {size} leaves lacks one of its peaks")
    compact, added = CompactRange(size, peaks), 0
    while True:
        query = sa.select(events.c.position, events.c.body).where(events.c.position > compact.size)
        if upto is not None:
            query = query.where(events.c.position <= upto)
        batch = list(conn.execute(query.order_by(events.c.position).limit(chunk)))
        if not batch:
            return added
        rows = []
        for row in batch:
            if row.position != compact.size + 1:
                raise TreeMissingNode(f"position {compact.size + 1} is missing from the log")
            rows += compact.append(leaf_hash(row.body.encode("utf-8")))
        _insert_nodes(conn, rows)
        added += len(batch)


class StoredTree:
    """Roots and proofs answered from the stored nodes of one connection's database."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cache: dict[tuple[int, int], bytes] = {}

    def perfect(self, level: int, index: int) -> bytes:
        """The stored hash of the perfect subtree (level, index)."""
        key = (level, index)
        if key not in self._cache:
            value = self.conn.execute(sa.select(merkle_node.c.hash).where(
                merkle_node.c.level == level, merkle_node.c.idx == index)).scalar()
            if value is None:
                raise TreeMissingNode(f"the stored tree has no node at level {level}, index {index}")
            self._cache[key] = bytes(value)
        return self._cache[key]

    def root(self, size: int) -> bytes:
        """The root of the first `size` leaves."""
        return root_hash(size, self.perfect)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """The inclusion path of leaf `index` in the tree of `size` leaves."""
        return inclusion_proof(index, size, self.perfect)

    def consistency(self, first: int, second: int) -> list[bytes]:
        """The consistency proof from `first` leaves to `second`."""
        return consistency_proof(first, second, self.perfect)
