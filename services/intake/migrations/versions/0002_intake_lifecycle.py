"""Survey, households, eligibility, projects, notices, objections, ballots, reviews, refusals.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _str(name: str, length: int, **kw) -> sa.Column:
    return sa.Column(name, sa.String(length), **kw)


def upgrade() -> None:
    op.create_table(
        "community_survey",
        _str("community_id", 36, primary_key=True), _str("surveyed_on", 10, nullable=False),
        _str("land_status", 20, nullable=False), sa.Column("in_built_up_area", sa.Boolean, nullable=False),
        sa.Column("on_demolition_plan", sa.Boolean, nullable=False),
        sa.Column("dangerous_building_rebuild", sa.Boolean, nullable=False),
        _str("property_management", 20, nullable=False), _str("fee_collection_rate", 20, nullable=False),
        sa.Column("facilities", sa.JSON, nullable=False), sa.Column("buildings", sa.JSON, nullable=False),
        sa.Column("site_boundary", sa.JSON), sa.Column("surveyed_buildings", sa.Integer, nullable=False),
        sa.Column("surveyed_households", sa.Integer, nullable=False), _str("recorded_at", 40, nullable=False),
        _str("recorded_by", 100, nullable=False))
    op.create_table(
        "eligibility",
        _str("community_id", 36, primary_key=True), _str("assessed_on", 10, nullable=False),
        sa.Column("eligible", sa.Boolean, nullable=False), sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("agreed", sa.Integer, nullable=False), sa.Column("households", sa.Integer, nullable=False),
        _str("assessed_at", 40, nullable=False), _str("assessed_by", 100, nullable=False))
    op.create_table(
        "declaration_refusal",
        _str("event_id", 36, primary_key=True), _str("community_id", 36, nullable=False, index=True),
        sa.Column("plan_year", sa.Integer, nullable=False), _str("existing_project_id", 36, nullable=False),
        _str("reason", 500, nullable=False), _str("refused_at", 40, nullable=False),
        _str("refused_by", 100, nullable=False))
    _households()
    _projects()
    _notices()


def _households() -> None:
    op.create_table(
        "household",
        _str("community_id", 36, primary_key=True), _str("household_id", 40, primary_key=True),
        _str("building", 12, nullable=False), _str("unit", 12, nullable=False), _str("room", 12, nullable=False),
        sa.Column("in_survey", sa.Boolean, nullable=False), _str("consent", 10), _str("consent_channel", 12),
        _str("consent_at", 40), _str("consent_by", 100), sa.Column("answers", sa.Integer, nullable=False),
        _str("elevator", 10), sa.Column("needs", sa.JSON), _str("needs_note", 500))
    op.create_table(
        "household_account",
        _str("community_id", 36, primary_key=True), _str("household_id", 40, primary_key=True),
        _str("account_id", 100, primary_key=True, index=True), _str("evidence", 30, nullable=False),
        _str("linked_at", 40, nullable=False), _str("linked_by", 100, nullable=False))


def _projects() -> None:
    op.create_table(
        "project",
        _str("project_id", 36, primary_key=True), _str("community_id", 36, nullable=False, index=True),
        _str("community_name", 100, nullable=False), _str("district", 50, nullable=False),
        _str("street_office", 50, nullable=False), sa.Column("plan_year", sa.Integer, nullable=False),
        _str("status", 20, nullable=False), _str("declared_at", 40, nullable=False),
        _str("declared_by", 100, nullable=False), sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("plan", sa.JSON), sa.Column("budget_fen", sa.BigInteger), _str("notice_id", 36),
        _str("notice_start", 10), _str("notice_end", 10), sa.Column("notice_working_days", sa.Integer),
        _str("vote_status", 10, nullable=False), sa.Column("vote_tally", sa.JSON),
        sa.Column("household_count", sa.Integer), sa.Column("floor_area_m2", sa.Float),
        _str("approved_on", 10), _str("approved_by", 100), sa.Column("approval", sa.JSON),
        _str("closed_reason", 500))
    op.create_table(
        "ballot",
        _str("project_id", 36, primary_key=True), _str("household_id", 40, primary_key=True),
        _str("choice", 10, nullable=False), _str("channel", 12, nullable=False), _str("cast_at", 40, nullable=False))
    op.create_table(
        "review",
        _str("project_id", 36, primary_key=True), _str("department", 30, primary_key=True),
        _str("opinion", 30, nullable=False), _str("comments", 2000, nullable=False),
        _str("reviewed_on", 10, nullable=False), _str("recorded_by", 100, nullable=False))


def _notices() -> None:
    op.create_table(
        "notice",
        _str("notice_id", 36, primary_key=True), _str("kind", 20, nullable=False),
        _str("project_id", 36, nullable=False, index=True), _str("change_id", 100),
        _str("title", 200, nullable=False), _str("description", 4000), sa.Column("cost_delta_fen", sa.BigInteger),
        _str("start", 10, nullable=False), _str("end", 10, nullable=False),
        sa.Column("working_days", sa.Integer, nullable=False), _str("status", 10, nullable=False, index=True),
        sa.Column("objections", sa.Integer, nullable=False), sa.Column("unanswered", sa.Integer, nullable=False),
        _str("published_at", 40, nullable=False))
    op.create_table(
        "objection",
        _str("objection_id", 36, primary_key=True), _str("notice_id", 36, nullable=False, index=True),
        _str("household_id", 40), _str("text", 2000, nullable=False), _str("raised_on", 10, nullable=False),
        _str("raised_by", 100, nullable=False), _str("answer", 2000), _str("answered_on", 10),
        _str("answered_by", 100))


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped")
