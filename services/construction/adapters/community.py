"""Construction's view of the communities: the sites it supervises, located for checking photo positions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.construction.consumers.intake import CommunityRegistered
from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

site_table = sa.Table(
    "site",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("district", sa.String(50), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("geofence_radius_m", sa.Integer, nullable=False),
    sa.Column("registered_at", sa.String(40), nullable=False),
)

projection = Projection(site_table)


@projection.on(CommunityRegistered.event_type)
def _registered(conn: Connection, envelope: Envelope) -> None:
    fact = CommunityRegistered.model_validate(envelope.payload)
    conn.execute(site_table.insert().values(
        **fact.model_dump(),
        registered_at=envelope.occurred_at.isoformat()))


def list_sites(conn: Connection) -> list[dict]:
    """Every community this service knows, newest first."""
    rows = conn.execute(sa.select(site_table).order_by(site_table.c.registered_at.desc()))
    return [dict(row._mapping) for row in rows]
