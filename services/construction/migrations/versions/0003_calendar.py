"""Rectification orders say whether their due date is provisional (its year's calendar not loaded).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rectification") as batch:
        batch.add_column(sa.Column("due_provisional", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("rectification") as batch:
        batch.drop_column("due_provisional")
