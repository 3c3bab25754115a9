"""Kernel tables and the community_roll read model.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.migrations import kernel_0001

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    kernel_0001.upgrade(op)
    op.create_table(
        "community_roll",
        sa.Column("community_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("street_office", sa.String(50), nullable=False),
        sa.Column("building_count", sa.Integer, nullable=False),
        sa.Column("household_count", sa.Integer, nullable=False),
        sa.Column("registered_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped")
