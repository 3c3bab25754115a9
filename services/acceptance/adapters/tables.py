"""Acceptance's read models: the acceptance file per project and what it is built from."""

from __future__ import annotations

import sqlalchemy as sa

from services.acceptance.adapters.community import community_roll_table, metadata

# One row per approved project: what intake and construction told us, and where acceptance stands.
file_table = sa.Table(
    "acceptance_file", metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("community_id", sa.String(64), nullable=False, index=True),
    sa.Column("community_name", sa.String(100), nullable=False),
    sa.Column("district", sa.String(50), nullable=False),
    sa.Column("street_office", sa.String(50), nullable=False),
    sa.Column("plan_year", sa.Integer),
    sa.Column("budget_fen", sa.BigInteger, nullable=False),
    sa.Column("subsidy_fen", sa.BigInteger, nullable=False),
    sa.Column("households", sa.Text, nullable=False),
    sa.Column("items", sa.Text, nullable=False),
    sa.Column("plan_parties", sa.Text, nullable=False),
    sa.Column("contractor", sa.String(200)),
    sa.Column("supervision_unit", sa.String(200)),
    sa.Column("designer", sa.String(200)),
    sa.Column("pipeline_units", sa.Text, nullable=False),
    sa.Column("party_accounts", sa.Text, nullable=False),
    sa.Column("contract_signed_on", sa.String(10)),
    sa.Column("completion_declared_on", sa.String(10)),
    sa.Column("approved_at", sa.String(40), nullable=False),
    sa.Column("stage", sa.String(20), nullable=False),
    sa.Column("convened_on", sa.String(10)),
    sa.Column("accepted_on", sa.String(10)),
    sa.Column("filing_due_on", sa.String(10)),
    sa.Column("filed_on", sa.String(10)),
    sa.Column("filing_late", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("dossier_root", sa.String(64), nullable=False),
    sa.Column("dossier_size", sa.Integer, nullable=False),
    sa.Column("evaluation_households", sa.Integer, nullable=False, server_default="0"),
    sa.Column("evaluation_voices", sa.Integer, nullable=False, server_default="0"),
    sa.Column("evaluation_satisfied", sa.Integer, nullable=False, server_default="0"),
    sa.Column("evaluation_state", sa.String(20), nullable=False, server_default="none"),
    sa.Column("items_open", sa.Integer, nullable=False, server_default="0"),
    # Where the community is: acceptance photos taken farther than the radius are flagged.
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("geofence_radius_m", sa.Integer),
)

hidden_work_table = sa.Table(
    "acceptance_hidden_work", metadata,
    sa.Column("hidden_work_id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False, index=True),
    sa.Column("location", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("photos", sa.Integer, nullable=False),
)

order_table = sa.Table(
    "acceptance_order", metadata,
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False, index=True),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
)

complaint_table = sa.Table(
    "acceptance_complaint", metadata,
    sa.Column("complaint_id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False, index=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
)

household_link_table = sa.Table(
    "acceptance_household_link", metadata,
    sa.Column("community_id", sa.String(64), primary_key=True),
    sa.Column("household_id", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(64), primary_key=True),
)

# Every event about any project, own and consumed, in the order this service applied them:
# the archive's leaves, and (in_dossier) the dossier parties sign.
record_table = sa.Table(
    "acceptance_record", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("key", sa.String(64), nullable=False, index=True),
    sa.Column("service", sa.String(20), nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("in_dossier", sa.Boolean, nullable=False),
    sa.Column("leaf_hash", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

evidence_table = sa.Table(
    "acceptance_evidence", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.String(64), nullable=False, index=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("subject", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("manifest", sa.Text, nullable=False),
)

party_table = sa.Table(
    "acceptance_party", metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("party", sa.String(120), primary_key=True),
    sa.Column("organisation", sa.String(100), nullable=False),
    sa.Column("verdict", sa.String(10)),
    sa.Column("dossier_root", sa.String(64)),
)

tranche_table = sa.Table(
    "acceptance_tranche", metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("percent", sa.Integer, nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("condition", sa.String(40), nullable=False),
    sa.Column("due_on", sa.String(10)),
    sa.Column("paid_on", sa.String(10)),
)

refusal_table = sa.Table(
    "acceptance_refusal", metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
)

ALL = (community_roll_table, file_table, hidden_work_table, order_table, complaint_table, household_link_table,
       record_table, evidence_table, party_table, tranche_table, refusal_table)
