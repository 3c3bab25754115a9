"""The accounts construction names for a project's contractor (complaints scopes contractors to them).

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
    op.create_table(
        "site_account",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("account", sa.String(64), primary_key=True),
    )


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped")
