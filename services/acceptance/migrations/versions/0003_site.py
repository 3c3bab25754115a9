"""The community's position on the acceptance file, for the geofence of acceptance photos.

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
    with op.batch_alter_table("acceptance_file") as batch:
        batch.add_column(sa.Column("latitude", sa.Float))
        batch.add_column(sa.Column("longitude", sa.Float))
        batch.add_column(sa.Column("geofence_radius_m", sa.Integer))


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped")
