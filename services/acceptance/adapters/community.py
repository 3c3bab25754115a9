"""Acceptance's view of the communities: the communities to accept and their household counts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.acceptance.consumers.intake import CommunityRegistered
from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

community_roll_table = sa.Table(
    "community_roll",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("district", sa.String(50), nullable=False),
    sa.Column("street_office", sa.String(50), nullable=False),
    sa.Column("building_count", sa.Integer, nullable=False),
    sa.Column("household_count", sa.Integer, nullable=False),
    sa.Column("registered_at", sa.String(40), nullable=False),
)

projection = Projection(community_roll_table)


@projection.on(CommunityRegistered.event_type)
def _registered(conn: Connection, envelope: Envelope) -> None:
    fact = CommunityRegistered.model_validate(envelope.payload)
    conn.execute(community_roll_table.insert().values(
        **fact.model_dump(),
        registered_at=envelope.occurred_at.isoformat()))


def list_community_rolls(conn: Connection) -> list[dict]:
    """Every community this service knows, newest first."""
    rows = conn.execute(sa.select(community_roll_table).order_by(community_roll_table.c.registered_at.desc()))
    return [dict(row._mapping) for row in rows]
