"""The communities read models of intake: register, survey, eligibility, refused declarations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.intake.adapters.canonical import CanonicalJSON
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

survey_table = sa.Table(
    "community_survey",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("surveyed_on", sa.String(10), nullable=False),
    sa.Column("land_status", sa.String(20), nullable=False),
    sa.Column("in_built_up_area", sa.Boolean, nullable=False),
    sa.Column("on_demolition_plan", sa.Boolean, nullable=False),
    sa.Column("dangerous_building_rebuild", sa.Boolean, nullable=False),
    sa.Column("property_management", sa.String(20), nullable=False),
    sa.Column("fee_collection_rate", sa.String(20), nullable=False),
    sa.Column("facilities", CanonicalJSON, nullable=False),
    sa.Column("buildings", CanonicalJSON, nullable=False),
    sa.Column("site_boundary", CanonicalJSON),
    sa.Column("surveyed_buildings", sa.Integer, nullable=False),
    sa.Column("surveyed_households", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
)

eligibility_table = sa.Table(
    "eligibility",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("assessed_on", sa.String(10), nullable=False),
    sa.Column("eligible", sa.Boolean, nullable=False),
    sa.Column("rules", CanonicalJSON, nullable=False),
    sa.Column("agreed", sa.Integer, nullable=False),
    sa.Column("households", sa.Integer, nullable=False),
    sa.Column("assessed_at", sa.String(40), nullable=False),
    sa.Column("assessed_by", sa.String(100), nullable=False),
)

refusal_table = sa.Table(
    "declaration_refusal",
    metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("community_id", sa.String(36), nullable=False, index=True),
    sa.Column("plan_year", sa.Integer, nullable=False),
    sa.Column("existing_project_id", sa.String(36), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("refused_at", sa.String(40), nullable=False),
    sa.Column("refused_by", sa.String(100), nullable=False),
)

projection = Projection(community_table, survey_table, eligibility_table, refusal_table)


@projection.on("intake.CommunityRegistered")
def _registered(conn: Connection, envelope: Envelope) -> None:
    conn.execute(community_table.insert().values(
        **envelope.payload, registered_at=envelope.occurred_at.isoformat(),
        registered_by=envelope.actor.id))


@projection.on("intake.CommunitySurveyed")
def _surveyed(conn: Connection, envelope: Envelope) -> None:
    survey = envelope.payload["survey"]
    community_id = envelope.payload["community_id"]
    conn.execute(survey_table.delete().where(survey_table.c.community_id == community_id))
    conn.execute(survey_table.insert().values(
        community_id=community_id, buildings=survey["buildings"], facilities=survey["facilities"],
        site_boundary=survey["site_boundary"],
        **{k: survey[k] for k in ("surveyed_on", "land_status", "in_built_up_area", "on_demolition_plan",
                                  "dangerous_building_rebuild", "property_management", "fee_collection_rate")},
        surveyed_buildings=len(survey["buildings"]),
        surveyed_households=sum(len(u["rooms"]) for b in survey["buildings"] for u in b["units"]),
        recorded_at=envelope.occurred_at.isoformat(), recorded_by=envelope.actor.id))


@projection.on("intake.EligibilityAssessed")
def _assessed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(eligibility_table.delete().where(eligibility_table.c.community_id == p["community_id"]))
    conn.execute(eligibility_table.insert().values(
        community_id=p["community_id"], assessed_on=p["assessed_on"], eligible=p["eligible"],
        rules=p["rules"], agreed=p["consent"]["agreed"], households=p["consent"]["households"],
        assessed_at=envelope.occurred_at.isoformat(), assessed_by=envelope.actor.id))


@projection.on("intake.DuplicateDeclarationRefused")
def _refused(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(refusal_table.insert().values(
        event_id=str(envelope.event_id), community_id=p["community_id"], plan_year=p["plan_year"],
        existing_project_id=p["existing_project_id"], reason=p["reason"],
        refused_at=envelope.occurred_at.isoformat(), refused_by=envelope.actor.id))


def list_communities(conn: Connection) -> list[dict]:
    """Every registered community, newest first, with its survey and eligibility outcome."""
    query = (sa.select(community_table, survey_table.c.surveyed_households, eligibility_table.c.eligible)
             .outerjoin(survey_table, survey_table.c.community_id == community_table.c.community_id)
             .outerjoin(eligibility_table, eligibility_table.c.community_id == community_table.c.community_id)
             .order_by(community_table.c.registered_at.desc()))
    return [dict(row._mapping) for row in conn.execute(query)]


def get_community(conn: Connection, community_id: str) -> dict | None:
    """One community by id, or None."""
    row = conn.execute(
        sa.select(community_table).where(community_table.c.community_id == community_id)).first()
    return dict(row._mapping) if row else None


def get_survey(conn: Connection, community_id: str) -> dict | None:
    """The current survey of a community, or None."""
    row = conn.execute(sa.select(survey_table).where(survey_table.c.community_id == community_id)).first()
    return dict(row._mapping) if row else None


def get_assessment(conn: Connection, community_id: str) -> dict | None:
    """The latest recorded eligibility assessment, or None."""
    row = conn.execute(
        sa.select(eligibility_table).where(eligibility_table.c.community_id == community_id)).first()
    return dict(row._mapping) if row else None


def refusals(conn: Connection, community_id: str | None = None) -> list[dict]:
    """Refused duplicate declarations, newest first."""
    query = sa.select(refusal_table).order_by(refusal_table.c.refused_at.desc())
    if community_id:
        query = query.where(refusal_table.c.community_id == community_id)
    return [dict(row._mapping) for row in conn.execute(query)]
