"""Annual-plan reports: the latest report of each plan year and district.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annual_plan_report",
        sa.Column("plan_year", sa.Integer, primary_key=True),
        sa.Column("district", sa.String(50), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("reported_on", sa.String(10), nullable=False),
        sa.Column("due_on", sa.String(10), nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("projects", sa.Integer, nullable=False),
        sa.Column("budget_fen", sa.BigInteger, nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("reported_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("annual_plan_report")
