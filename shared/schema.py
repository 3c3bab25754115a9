"""The kernel's tables, present in every service's database: log, relay, inbox, dead letters."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

events = sa.Table(
    "events",
    metadata,
    # On SQLite the position is the rowid: the log is stored in position order, with no second index.
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=False),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("stream_id", sa.String(200), nullable=False),
    sa.Column("stream_version", sa.Integer, nullable=False),
    sa.Column("project_id", sa.String(200), nullable=False, index=True),
    sa.Column("occurred_at", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # Optimistic concurrency: two writers cannot both add version N of one stream.
    sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
)

# One row: the log's last position and hash. Locking it serializes appends, which the
# gap-free positions and the hash chain both need (FOR UPDATE on PostgreSQL,
# BEGIN IMMEDIATE on SQLite).
log_head = sa.Table(
    "log_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)


relay_checkpoint = sa.Table(
    "relay_checkpoint",
    metadata,
    sa.Column("relay", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    # Where the broker put the last acknowledged event: re-read to detect a broker that
    # lost its data (the embedded one keeps messages in memory only).
    sa.Column("last_partition", sa.Integer),
    sa.Column("last_offset", sa.BigInteger),
    sa.Column("last_event_id", sa.String(36)),
    sa.Column("republished", sa.Integer, nullable=False, default=0),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# What a consumer has applied, written in the same transaction as the effects, so a
# redelivered event changes nothing. The body is kept so read models can be rebuilt;
# `after_position` is the local log head when the event was applied, which fixes
# where foreign events fall among the service's own events on a rebuild.
inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("consumer", sa.String(100), nullable=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("source_position", sa.BigInteger, nullable=False),
    sa.Column("after_position", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("applied_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("consumer", "event_id", name="uq_inbox_consumer_event"),
)

dead_letter = sa.Table(
    "dead_letter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("consumer", sa.String(100), nullable=False, index=True),
    sa.Column("event_id", sa.String(36)),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("partition", sa.Integer, nullable=False),
    sa.Column("offset", sa.BigInteger, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

# The Merkle tree over the log (RFC 9162, shared/audit/tree.py): every perfect subtree's
# hash, leaf `idx` = position - 1 at level 0. Written in the append's transaction; never
# changed afterwards (triggers refuse it, like the events' own).
merkle_node = sa.Table(
    "merkle_node",
    metadata,
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

# The signed checkpoints this service issued (shared/audit/checkpoint.py): the signed
# statement is `body`, byte for byte; `published` once the checkpoint topic acknowledged it.
audit_checkpoint = sa.Table(
    "audit_checkpoint",
    metadata,
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("root", sa.String(64), nullable=False),
    sa.Column("signed_at", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("signature", sa.String(128), nullable=False),
    sa.Column("published", sa.Integer, nullable=False, default=0),
)
