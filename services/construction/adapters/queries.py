"""Reads of construction's read models for the API, the pages and the command handlers."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.construction.adapters.tables import (
    design_change_table as dc, evidence_band_table as band, evidence_flag_table as flag,
    evidence_table as ev, hidden_work_table as hw, inspection_table as insp,
    inspection_task_table as task, project_table as proj, rectification_table as rect,
    refusal_table as refusal, stop_work_table as stop, work_item_table as item)
from services.construction.domain.completion import HiddenWorkStatus, OpenOrder
from services.construction.domain.evidence import Lookalike, Site, Subject, hamming, phash_bands

OPEN_ORDER = ("issued", "submitted", "rejected")
PENDING_CHANGE = ("requested", "awaiting_notice", "in_notice", "held")


def _rows(conn: Connection, query) -> list[dict]:
    return [dict(row._mapping) for row in conn.execute(query)]


def _one(conn: Connection, query) -> dict | None:
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def list_projects(conn: Connection) -> list[dict]:
    """Every project, newest first, with what needs attention."""
    projects = _rows(conn, sa.select(proj).order_by(proj.c.opened_at.desc()))
    for p in projects:
        p["accounts"] = json.loads(p["accounts"])
        p["pipeline_units"] = json.loads(p["pipeline_units"])
        p.update(_attention(conn, p["project_id"]))
    return projects


def _attention(conn: Connection, project_id: str) -> dict:
    def count(table, *where) -> int:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()

    return {
        "stops_in_force": count(stop, stop.c.project_id == project_id, stop.c.lifted_at.is_(None)),
        "open_orders": count(rect, rect.c.project_id == project_id, rect.c.status.in_(OPEN_ORDER)),
        "open_tasks": count(task, task.c.project_id == project_id, task.c.status == "open"),
        "hidden_pending": count(hw, hw.c.project_id == project_id, hw.c.state.in_(("declared", "rejected"))),
    }


def get_project(conn: Connection, project_id: str) -> dict | None:
    """One project with its accounts, work items and stop-work orders in force."""
    project = _one(conn, sa.select(proj).where(proj.c.project_id == project_id))
    if project is None:
        return None
    project["accounts"] = json.loads(project["accounts"])
    project["pipeline_units"] = json.loads(project["pipeline_units"])
    project["items"] = _rows(conn, sa.select(item).where(item.c.project_id == project_id)
                             .order_by(item.c.zone, item.c.layer.desc(), item.c.name))
    for row in project["items"]:
        row["overrides"] = json.loads(row["overrides"])
    project["stops"] = _rows(conn, sa.select(stop).where(stop.c.project_id == project_id, stop.c.lifted_at.is_(None)))
    project["zones"] = sorted({row["zone"] for row in project["items"]} | {"site"})
    project.update(_attention(conn, project_id))
    return project


def site_of(conn: Connection, project_id: str) -> Site | None:
    """The geofence photos of this project are checked against."""
    row = conn.execute(sa.select(proj.c.latitude, proj.c.longitude, proj.c.geofence_radius_m, proj.c.boundary)
                       .where(proj.c.project_id == project_id)).first()
    if row is None:
        return None
    boundary = tuple(tuple(corner) for corner in json.loads(row.boundary)) if row.boundary else None
    return Site(row.latitude, row.longitude, row.geofence_radius_m, boundary=boundary)


def hidden_works(conn: Connection, project_id: str) -> list[dict]:
    """The project's hidden works, oldest first."""
    return _rows(conn, sa.select(hw).where(hw.c.project_id == project_id).order_by(hw.c.declared_at))


def hidden_work(conn: Connection, hidden_work_id: str) -> dict | None:
    """One hidden work with its evidence."""
    work = _one(conn, sa.select(hw).where(hw.c.hidden_work_id == hidden_work_id))
    if work is not None:
        work["evidence"] = evidence_of(conn, kind="hidden_work", subject_id=hidden_work_id)
    return work


def item_hidden_works(conn: Connection, project_id: str, item_id: str) -> list[tuple[str, str]]:
    """(id, state) of the hidden works recorded for one work item."""
    rows = conn.execute(sa.select(hw.c.hidden_work_id, hw.c.state).where(
        hw.c.project_id == project_id, hw.c.item_id == item_id))
    return [(row.hidden_work_id, row.state) for row in rows]


def evidence_of(conn: Connection, *, kind: str | None = None, subject_id: str | None = None,
                project_id: str | None = None) -> list[dict]:
    """Evidence rows (flags decoded) of one subject or one project, newest first."""
    query = sa.select(ev).order_by(ev.c.uploaded_at.desc())
    if kind is not None:
        query = query.where(ev.c.subject_kind == kind, ev.c.subject_id == subject_id)
    if project_id is not None:
        query = query.where(ev.c.project_id == project_id)
    rows = _rows(conn, query)
    for row in rows:
        row["flags"] = json.loads(row["flags"])
    return rows


def evidence_by_hash(conn: Connection, sha256: str) -> list[dict]:
    """Every attachment of one file."""
    return _rows(conn, sa.select(ev).where(ev.c.sha256 == sha256))


def reused_elsewhere(conn: Connection, project_id: str) -> list[dict]:
    """Flags raised on later uploads (any project) that name this project's evidence, with where."""
    where = sa.select(band.c.sha256, band.c.subject_kind, band.c.subject_id, band.c.label).where(
        band.c.band == 0).subquery()
    query = (sa.select(flag, proj.c.community_name, where.c.label)
             .join(proj, proj.c.project_id == flag.c.project_id)
             .join(where, sa.and_(where.c.sha256 == flag.c.sha256, where.c.subject_kind == flag.c.subject_kind,
                                  where.c.subject_id == flag.c.subject_id), isouter=True)
             .where(flag.c.other_project_id == project_id, flag.c.reason == "suspected_reuse"))
    return _rows(conn, query)


def lookalikes(conn: Connection, phash: str, *, max_distance: int) -> list[Lookalike]:
    """Earlier evidence whose perceptual hash lies within `max_distance` bits (≤ 7: bands suffice)."""
    wanted = sa.or_(*[sa.and_(band.c.band == i, band.c.value == v) for i, v in enumerate(phash_bands(phash))])
    rows = conn.execute(sa.select(band.c.sha256, band.c.subject_kind, band.c.subject_id, band.c.project_id,
                                  band.c.phash, band.c.label).where(wanted).distinct())
    found = []
    for row in rows:
        distance = hamming(row.phash, phash)
        if distance <= max_distance:
            subject = Subject(kind=row.subject_kind, id=row.subject_id, project_id=row.project_id, label=row.label)
            found.append(Lookalike(sha256=row.sha256, subject=subject, distance=distance))
    return found


def inspections(conn: Connection, project_id: str) -> list[dict]:
    """The project's inspections, newest first."""
    rows = _rows(conn, sa.select(insp).where(insp.c.project_id == project_id).order_by(insp.c.recorded_at.desc()))
    for row in rows:
        row["items"] = json.loads(row["items"])
    return rows


def orders(conn: Connection, *, project_id: str | None = None, open_only: bool = False) -> list[dict]:
    """Rectification orders, soonest due first."""
    query = sa.select(rect).order_by(rect.c.due_on, rect.c.order_id)
    if project_id is not None:
        query = query.where(rect.c.project_id == project_id)
    if open_only:
        query = query.where(rect.c.status.in_(OPEN_ORDER))
    return _rows(conn, query)


def open_order_ids(conn: Connection, project_id: str) -> set[str]:
    """The ids of the project's rectification orders not yet verified."""
    return set(conn.execute(sa.select(rect.c.order_id).where(
        rect.c.project_id == project_id, rect.c.status.in_(OPEN_ORDER))).scalars())


def order(conn: Connection, order_id: str) -> dict | None:
    """One rectification order with the evidence of its submissions."""
    row = _one(conn, sa.select(rect).where(rect.c.order_id == order_id))
    if row is not None:
        row["evidence"] = evidence_of(conn, kind="rectification", subject_id=order_id)
    return row


def overdue_orders(conn: Connection, *, today: date) -> list[dict]:
    """Open orders whose due date has passed (China date)."""
    return _rows(conn, sa.select(rect, proj.c.community_name).join(proj, proj.c.project_id == rect.c.project_id)
                 .where(rect.c.status.in_(OPEN_ORDER), rect.c.due_on < today.isoformat(), ~rect.c.due_provisional)
                 .order_by(rect.c.due_on))


def provisional_orders(conn: Connection) -> list[str]:
    """Open orders whose due date rests on a provisional calendar year, to recompute when one is loaded."""
    return list(conn.execute(sa.select(rect.c.order_id).where(
        rect.c.status.in_(OPEN_ORDER), rect.c.due_provisional).order_by(rect.c.order_id)).scalars())


def design_changes(conn: Connection, project_id: str) -> list[dict]:
    """The project's design changes, newest first."""
    rows = _rows(conn, sa.select(dc).where(dc.c.project_id == project_id).order_by(dc.c.requested_at.desc()))
    for row in rows:
        row["major_reasons"] = json.loads(row["major_reasons"])
    return rows


def tasks(conn: Connection, *, project_id: str | None = None, open_only: bool = True) -> list[dict]:
    """Inspection tasks opened by complaints."""
    query = sa.select(task, proj.c.community_name).join(proj, proj.c.project_id == task.c.project_id, isouter=True)
    if project_id is not None:
        query = query.where(task.c.project_id == project_id)
    if open_only:
        query = query.where(task.c.status == "open")
    return _rows(conn, query.order_by(task.c.opened_at))


def refusals(conn: Connection, project_id: str) -> list[dict]:
    """Refused attempts (concealment, start out of order, early completion), newest first."""
    return _rows(conn, sa.select(refusal).where(refusal.c.project_id == project_id).order_by(refusal.c.at.desc()))


def completion_inputs(conn: Connection, project_id: str):
    """Hidden works, open orders and undecided design changes, for the completion check."""
    works = [HiddenWorkStatus(r["hidden_work_id"], r["location"], r["state"], r["item_id"])
             for r in hidden_works(conn, project_id)]
    open_orders = [OpenOrder(r["order_id"], r["description"], r["due_on"])
                   for r in orders(conn, project_id=project_id, open_only=True)]
    changes = conn.execute(sa.select(dc.c.change_id, dc.c.title).where(
        dc.c.project_id == project_id, dc.c.status.in_(PENDING_CHANGE)))
    return works, open_orders, [(row.change_id, row.title) for row in changes]
