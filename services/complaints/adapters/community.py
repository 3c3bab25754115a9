"""Complaints' view of communities and sites: the directory, and where each site is, who builds, its boundary."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.complaints.adapters.tables import site_account_table, site_table
from services.complaints.consumers import construction as con
from services.complaints.consumers.intake import CommunityPlace, CommunityRegistered, ProjectApproved
from services.complaints.domain.routing import Site
from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

community_directory_table = sa.Table(
    "community_directory",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("district", sa.String(50), nullable=False),
    sa.Column("street_office", sa.String(50), nullable=False),
    sa.Column("residents_committee", sa.String(50), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("registered_at", sa.String(40), nullable=False),
)

projection = Projection(community_directory_table, site_table, site_account_table)


def _upsert_site(conn: Connection, community_id: str, **values) -> None:
    exists = conn.execute(sa.select(site_table.c.community_id).where(site_table.c.community_id == community_id)).first()
    if exists:
        conn.execute(site_table.update().where(site_table.c.community_id == community_id).values(**values))
    else:
        conn.execute(site_table.insert().values(community_id=community_id, **{"name": "", **values}))


@projection.on(CommunityRegistered.event_type)
def _registered(conn: Connection, envelope: Envelope) -> None:
    fact = CommunityRegistered.model_validate(envelope.payload)
    conn.execute(community_directory_table.insert().values(
        **fact.model_dump(),
        registered_at=envelope.occurred_at.isoformat()))
    place = CommunityPlace.model_validate(envelope.payload)
    _upsert_site(conn, fact.community_id, name=fact.name, district=fact.district, street_office=fact.street_office,
                 latitude=place.latitude, longitude=place.longitude, radius_m=place.geofence_radius_m)


@projection.on(ProjectApproved.event_type)
def _approved(conn: Connection, envelope: Envelope) -> None:
    fact = ProjectApproved.model_validate(envelope.payload)
    where = fact.location
    values = dict(name=fact.community_name, project_id=fact.project_id, latitude=where.latitude,
                  longitude=where.longitude, radius_m=where.geofence_radius_m, project_status="approved",
                  boundary=json.dumps(where.boundary) if where.boundary else None)
    values.update({k: v for k, v in (("district", fact.district), ("street_office", fact.street_office)) if v})
    _upsert_site(conn, fact.community_id, **values)


@projection.on(con.ProjectOpened.event_type)
def _opened(conn: Connection, envelope: Envelope) -> None:
    fact = con.ProjectOpened.model_validate(envelope.payload)
    _upsert_site(conn, fact.community_id, project_id=fact.project_id, project_status="under_construction")


@projection.on(con.PartiesAssigned.event_type)
def _parties(conn: Connection, envelope: Envelope) -> None:
    fact = con.PartiesAssigned.model_validate(envelope.payload)
    conn.execute(site_table.update().where(site_table.c.project_id == envelope.project_id)
                 .values(contractor=fact.parties.contractor))
    conn.execute(site_account_table.delete().where(site_account_table.c.project_id == envelope.project_id))
    rows = [{"project_id": envelope.project_id, "role": "contractor", "account": account}
            for account in dict.fromkeys(fact.parties.accounts.get("contractor", []))]
    if rows:
        conn.execute(site_account_table.insert(), rows)


@projection.on(con.CompletionDeclared.event_type)
def _completed(conn: Connection, envelope: Envelope) -> None:
    fact = con.CompletionDeclared.model_validate(envelope.payload)
    conn.execute(site_table.update().where(site_table.c.project_id == fact.project_id)
                 .values(project_status="completed"))


def list_community_directorys(conn: Connection) -> list[dict]:
    """Every community this service knows, newest first."""
    rows = conn.execute(sa.select(community_directory_table).order_by(community_directory_table.c.registered_at.desc()))
    return [dict(row._mapping) for row in rows]


def sites(conn: Connection) -> list[dict]:
    """Every known site, by name."""
    return [dict(r._mapping) for r in conn.execute(sa.select(site_table).order_by(site_table.c.name))]


def site(conn: Connection, community_id: str) -> dict | None:
    """One site (community) by id."""
    row = conn.execute(sa.select(site_table).where(site_table.c.community_id == community_id)).first()
    return dict(row._mapping) if row else None


def site_of_project(conn: Connection, project_id: str) -> dict | None:
    """The site whose current project this is."""
    row = conn.execute(sa.select(site_table).where(site_table.c.project_id == project_id)).first()
    return dict(row._mapping) if row else None


def routable(conn: Connection) -> list[Site]:
    """Sites with a position, for point routing."""
    rows = conn.execute(sa.select(site_table).where(site_table.c.latitude.is_not(None)))
    return [Site(community_id=r.community_id, project_id=r.project_id, latitude=r.latitude, longitude=r.longitude,
                 boundary=tuple(tuple(v) for v in json.loads(r.boundary)) if r.boundary else ()) for r in rows]


def contractor_projects(conn: Connection, account: str) -> set[str]:
    """The projects whose contractor this account acts for (as construction names it)."""
    return set(conn.execute(sa.select(site_account_table.c.project_id).where(
        site_account_table.c.role == "contractor", site_account_table.c.account == account)).scalars())
