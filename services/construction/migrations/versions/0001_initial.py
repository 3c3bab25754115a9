"""Kernel tables and the site read model.

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
        "site",
        sa.Column("community_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("geofence_radius_m", sa.Integer, nullable=False),
        sa.Column("registered_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped")
