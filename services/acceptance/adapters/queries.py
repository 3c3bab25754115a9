"""Reads of acceptance's read models for handlers, pages and the archive (plain SQL, no domain model)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.acceptance.adapters.record import keys_of
from services.acceptance.adapters.tables import (
    complaint_table, evidence_table, file_table, hidden_work_table, household_link_table, order_table,
    party_table, record_table, refusal_table, tranche_table)
from services.acceptance.domain.evidence import Site
from services.acceptance.domain.precondition import FileView, HiddenWorkView
from shared.errors import NotFound
from shared.paging import Page, PageRequest, paginate

OPEN_ORDER = ("issued", "submitted", "rejected")


def file_row(conn: Connection, project_id: str) -> dict:
    """The acceptance file of a project, or a 404 saying why it may not be here yet."""
    row = conn.execute(sa.select(file_table).where(file_table.c.project_id == project_id)).first()
    if row is None or not row.approved_at:
        raise NotFound(f"项目 {project_id} 没有验收档案：竣工验收在收到项目受理的批准（项目入库）后才会建立",
                       code="project_unknown")
    data = dict(row._mapping)
    for key in ("households", "items", "plan_parties", "pipeline_units", "party_accounts"):
        data[key] = json.loads(data[key])
    return data


def file_view(conn: Connection, project_id: str) -> FileView:
    """What the preconditions are judged on."""
    row = file_row(conn, project_id)
    works = conn.execute(sa.select(hidden_work_table).where(hidden_work_table.c.project_id == project_id)
                         .order_by(hidden_work_table.c.location))
    orders = conn.execute(sa.select(order_table.c.order_id, order_table.c.description).where(
        order_table.c.project_id == project_id, order_table.c.status.in_(OPEN_ORDER)))
    complaints = conn.execute(sa.select(complaint_table.c.complaint_id, complaint_table.c.category).where(
        complaint_table.c.project_id == project_id, complaint_table.c.open.is_(True)))
    return FileView(project_id=project_id, completion_declared_on=row["completion_declared_on"],
                    hidden_works=[HiddenWorkView(w.hidden_work_id, w.location, w.state, w.photos) for w in works],
                    open_orders=[tuple(o) for o in orders], open_complaints=[tuple(c) for c in complaints])


def site_of(conn: Connection, project_id: str) -> Site | None:
    """The community's centre and geofence radius, if intake gave them."""
    row = file_row(conn, project_id)
    if row["latitude"] is None or row["longitude"] is None:
        return None
    return Site(latitude=row["latitude"], longitude=row["longitude"], radius_m=row["geofence_radius_m"] or 300)


def linked_households(conn: Connection, community_id: str, account_id: str) -> list[str]:
    """The households an account speaks for online (linked in intake)."""
    return list(conn.execute(sa.select(household_link_table.c.household_id).where(
        household_link_table.c.community_id == community_id,
        household_link_table.c.account_id == account_id)).scalars())


def records(conn: Connection, project_id: str) -> list[dict]:
    """Every event about a project, own and consumed, in applied order (parsed envelopes)."""
    rows = conn.execute(sa.select(record_table.c.body).where(record_table.c.key.in_(keys_of(conn, project_id)))
                        .order_by(record_table.c.seq))
    return [json.loads(row.body) for row in rows]


def manifest(conn: Connection, project_id: str) -> list[dict]:
    """The evidence manifest of a project, in recorded order."""
    rows = conn.execute(sa.select(evidence_table.c.manifest).where(
        evidence_table.c.project_id.in_(keys_of(conn, project_id))).order_by(evidence_table.c.id))
    return [json.loads(row.manifest) for row in rows]


def files(conn: Connection) -> list[dict]:
    """Every approved project's file summary, newest approval first."""
    rows = conn.execute(sa.select(file_table).where(file_table.c.approved_at != "")
                        .order_by(file_table.c.approved_at.desc()))
    return [dict(row._mapping) for row in rows]


def file_page(conn: Connection, request: PageRequest, *, stage: str | None = None) -> Page[dict]:
    """One page of the acceptance files, searchable by community name and district, filterable by stage."""
    columns = [c for c in file_table.c if c.name not in ("households", "items", "party_accounts")]
    query = sa.select(*columns).where(file_table.c.approved_at != "")
    if stage:
        query = query.where(file_table.c.stage == stage)
    c = file_table.c
    return paginate(conn, query, request, default_sort="-approved_at", tiebreak=c.project_id,
                    search=[c.community_name, c.district],
                    sortable={"approved_at": c.approved_at, "community_name": c.community_name, "stage": c.stage,
                              "filing_due_on": c.filing_due_on, "items_open": c.items_open})


def parties_missing(conn: Connection) -> dict[str, int]:
    """Per project being accepted: parties without a passing verdict on the current dossier."""
    query = sa.select(party_table.c.project_id, sa.func.count()).join(
        file_table, file_table.c.project_id == party_table.c.project_id).where(
        file_table.c.stage == "convened",
        sa.or_(party_table.c.verdict.is_(None), party_table.c.verdict != "pass",
               party_table.c.dossier_root != file_table.c.dossier_root)).group_by(party_table.c.project_id)
    return dict(conn.execute(query).all())


def tranches(conn: Connection, project_id: str | None = None) -> list[dict]:
    """Tranches, of one project or all."""
    query = sa.select(tranche_table).order_by(tranche_table.c.project_id, tranche_table.c.due_on)
    if project_id is not None:
        query = query.where(tranche_table.c.project_id == project_id)
    return [dict(row._mapping) for row in conn.execute(query)]


def refusals(conn: Connection) -> dict[str, int]:
    """Refused requests by kind (request | final)."""
    query = sa.select(refusal_table.c.kind, sa.func.count()).group_by(refusal_table.c.kind)
    return dict(conn.execute(query).all())
