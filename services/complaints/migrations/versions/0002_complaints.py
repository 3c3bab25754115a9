"""Complaints' read models (sites, complaints, steps, escalations, Open311 clients) and the personal-data vault.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from services.complaints.adapters.tables import READ_MODELS, person_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The tables as defined at this revision; a later change to them comes with its own migration.
    bind = op.get_bind()
    for table in (*READ_MODELS, person_table):  # site_account came later (0003)
        table.create(bind)


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped")
