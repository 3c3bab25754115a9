"""Complaints' read-model tables (migration 0002 creates them) and the personal-data vault (kept apart)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
S, ID, T = sa.String, sa.String(64), sa.Text


def _c(name: str, type_, **kw) -> sa.Column:
    return sa.Column(name, type_, **kw)


# One row per community: where it is, its current project (and boundary), who builds there.
site_table = sa.Table(
    "site", metadata,
    _c("community_id", ID, primary_key=True), _c("name", S(100), nullable=False),
    _c("district", S(50), nullable=False, server_default=""),
    _c("street_office", S(50), nullable=False, server_default=""),
    _c("latitude", sa.Float), _c("longitude", sa.Float), _c("radius_m", sa.Integer),
    _c("project_id", ID), _c("boundary", T), _c("contractor", S(200)),
    _c("project_status", S(20)),  # approved | under_construction | completed
)

complaint_table = sa.Table(
    "complaint", metadata,
    _c("complaint_id", ID, primary_key=True), _c("tracking_no", S(32), nullable=False, unique=True),
    _c("channel", S(20), nullable=False), _c("category", S(40), nullable=False), _c("urgency", S(20), nullable=False),
    _c("text", T, nullable=False), _c("community_id", ID), _c("project_id", ID), _c("building", S(50)),
    _c("latitude", sa.Float), _c("longitude", sa.Float), _c("address", S(200)),
    _c("person_id", ID), _c("contact_sealed", T), _c("secret_digest", S(64)), _c("client_id", ID),
    _c("photos", T, nullable=False, server_default="[]"),
    _c("state", S(20), nullable=False), _c("route_method", S(20)), _c("triage_reason", S(200)),
    _c("assignee_kind", S(20)), _c("assignee", S(200)),
    _c("received_at", S(40), nullable=False), _c("acknowledged_at", S(40)), _c("responded_at", S(40)),
    _c("resolved_at", S(40)), _c("closed_at", S(40)), _c("updated_at", S(40), nullable=False),
    _c("cycle", sa.Integer, nullable=False, server_default="0"), _c("limit_rule", S(40)), _c("limit_label", S(40)),
    _c("due_at", S(40)), _c("due_provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    _c("extension_reason", T), _c("level", S(20)),
    _c("escalations", sa.Integer, nullable=False, server_default="0"),
    _c("response", T), _c("response_source", S(20)), _c("resolution", T),
    _c("rating", S(30)), _c("rating_comment", T), _c("rating_channel", S(20)),
    _c("reopen_count", sa.Integer, nullable=False, server_default="0"),
    _c("return_visit_due", sa.Boolean, nullable=False, server_default=sa.false()),
    _c("finding_inspection_id", ID), _c("finding_result", S(20)), _c("finding_summary", T),
    _c("merged_into", ID), _c("suggested_duplicate_of", ID), _c("duplicate_score", sa.Float),
    _c("published_to_construction", sa.Boolean, nullable=False, server_default=sa.false()),
    _c("safety_open", sa.Boolean, nullable=False, server_default=sa.false()),
)

# The complaint's history as the resident and the operator read it.
step_table = sa.Table(
    "complaint_step", metadata,
    _c("position", sa.BigInteger, primary_key=True), _c("complaint_id", ID, nullable=False, index=True),
    _c("event_type", S(80), nullable=False), _c("at", S(40), nullable=False), _c("text", T, nullable=False),
    _c("public", sa.Boolean, nullable=False),
)

escalation_table = sa.Table(
    "escalation", metadata,
    _c("complaint_id", ID, primary_key=True), _c("cycle", sa.Integer, primary_key=True),
    _c("level", S(20), primary_key=True), _c("at", S(40), nullable=False), _c("due_at", S(40), nullable=False),
    _c("category", S(40), nullable=False),
)

open311_client_table = sa.Table(
    "open311_client", metadata,
    _c("client_id", ID, primary_key=True), _c("name", S(100), nullable=False),
    _c("key_digest", S(64), nullable=False, unique=True), _c("registered_at", S(40), nullable=False),
    _c("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Accounts construction names for a project's parties (only the contractor's are read).
site_account_table = sa.Table(
    "site_account", metadata,
    _c("project_id", ID, primary_key=True), _c("role", S(32), primary_key=True), _c("account", S(64), primary_key=True),
)

READ_MODELS = (site_table, complaint_table, step_table, escalation_table, open311_client_table)

# Not a read model: never dropped by a rebuild. Erasure deletes the key and the phone digest,
# which makes every sealed contact of that person unreadable while the events stay as they were.
vault_metadata = sa.MetaData()
person_table = sa.Table(
    "person_vault", vault_metadata,
    _c("person_id", ID, primary_key=True), _c("phone_digest", S(64), unique=True),
    _c("key", S(64)), _c("created_at", S(40), nullable=False), _c("erased_at", S(40)),
)
