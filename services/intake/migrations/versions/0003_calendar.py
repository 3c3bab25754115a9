"""Notices say whether their end is provisional (its year's official calendar not loaded).

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
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("end_provisional", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("notice_end_provisional", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.drop_column("notice_end_provisional")
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("end_provisional")
