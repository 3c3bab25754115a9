"""The communities read model of intake: a table kept by a projection of intake's own events."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

community_table = sa.Table(
    "community",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("district", sa.String(50), nullable=False),
    sa.Column("street_office", sa.String(50), nullable=False),
    sa.Column("residents_committee", sa.String(50), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("built_year", sa.Integer, nullable=False),
    sa.Column("built_month", sa.Integer),
    sa.Column("building_count", sa.Integer, nullable=False),
    sa.Column("household_count", sa.Integer, nullable=False),
    sa.Column("floor_area_m2", sa.Float, nullable=False),
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("geofence_radius_m", sa.Integer, nullable=False),
    sa.Column("registered_at", sa.String(40), nullable=False),
    sa.Column("registered_by", sa.String(100), nullable=False),
    sa.UniqueConstraint("district", "street_office", "name", name="uq_community_name"),
)

projection = Projection(community_table)


@projection.on("intake.CommunityRegistered")
def _registered(conn: Connection, envelope: Envelope) -> None:
    conn.execute(community_table.insert().values(
        **envelope.payload, registered_at=envelope.occurred_at.isoformat(),
        registered_by=envelope.actor.id))


def list_communities(conn: Connection) -> list[dict]:
    """Every registered community, newest first."""
    rows = conn.execute(sa.select(community_table).order_by(community_table.c.registered_at.desc()))
    return [dict(row._mapping) for row in rows]


def get_community(conn: Connection, community_id: str) -> dict | None:
    """One community by id, or None."""
    row = conn.execute(
        sa.select(community_table).where(community_table.c.community_id == community_id)).first()
    return dict(row._mapping) if row else None
