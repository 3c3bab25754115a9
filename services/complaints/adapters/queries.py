"""The read side: plain SQL over complaints' read models (queues, tracking, public lists, the ticker's work)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.complaints.adapters.tables import (
    complaint_table as ct, escalation_table as esc, open311_client_table, site_account_table, site_table, step_table)

OPEN = ("received", "acknowledged", "assigned", "responded", "resolved")
CLOCK_RUNNING = ("received", "acknowledged", "assigned")


def _rows(conn: Connection, query) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(query)]


def _with_site(query):
    return query.add_columns(site_table.c.name.label("community_name"), site_table.c.contractor,
                             site_table.c.street_office).select_from(
        ct.outerjoin(site_table, site_table.c.community_id == ct.c.community_id))


def open_similar(conn: Connection, *, category: str, project_id: str | None, community_id: str) -> list[dict]:
    """Open, unmerged complaints of the same category on the same project (or community)."""
    where = ct.c.project_id == project_id if project_id else ct.c.community_id == community_id
    return _rows(conn, sa.select(ct.c.complaint_id, ct.c.text, ct.c.latitude, ct.c.longitude).where(
        where, ct.c.category == category, ct.c.state.in_(OPEN)).order_by(ct.c.received_at))


def get(conn: Connection, complaint_id: str) -> dict | None:
    """One complaint with its community's name and contractor."""
    rows = _rows(conn, _with_site(sa.select(ct)).where(ct.c.complaint_id == complaint_id))
    return _decoded(rows[0]) if rows else None


def by_tracking(conn: Connection, tracking_no: str) -> dict | None:
    """One complaint by its tracking number."""
    rows = _rows(conn, _with_site(sa.select(ct)).where(ct.c.tracking_no == tracking_no.strip().upper()))
    return _decoded(rows[0]) if rows else None


def _decoded(row: dict) -> dict:
    row["photos"] = json.loads(row["photos"] or "[]")
    return row


def steps(conn: Connection, complaint_id: str, *, public_only: bool) -> list[dict]:
    """The complaint's history, oldest first."""
    query = sa.select(step_table).where(step_table.c.complaint_id == complaint_id)
    if public_only:
        query = query.where(step_table.c.public.is_(True))
    return _rows(conn, query.order_by(step_table.c.position))


def duplicates_of(conn: Connection, complaint_id: str) -> list[dict]:
    """Complaints merged into this one."""
    return _rows(conn, sa.select(ct.c.complaint_id, ct.c.tracking_no, ct.c.received_at).where(
        ct.c.merged_into == complaint_id))


# The queue's order: running clocks first, the nearest limit first; awaiting the resident last.
RUNNING_FIRST = sa.case((ct.c.state.in_(CLOCK_RUNNING), 0), else_=1)
QUEUE_SORTS = {"due": (RUNNING_FIRST, ct.c.due_at), "received": ct.c.received_at, "updated": ct.c.updated_at}
PUBLIC_SORTS = {"received": ct.c.received_at, "updated": ct.c.updated_at}


def queue_query(*, contractor: str | None = None):
    """Open, routed complaints; for a contractor's account only its own projects'."""
    query = _with_site(sa.select(ct)).where(ct.c.state.in_(OPEN), ct.c.community_id.is_not(None))
    if contractor is not None:
        query = query.where(ct.c.project_id.in_(sa.select(site_account_table.c.project_id).where(
            site_account_table.c.role == "contractor", site_account_table.c.account == contractor)))
    return query


def queue(conn: Connection, *, limit: int = 200, contractor: str | None = None) -> list[dict]:
    """Open complaints for the operator, the most urgent clock first (no clock, i.e. awaiting the resident, last)."""
    return _rows(conn, queue_query(contractor=contractor).order_by(RUNNING_FIRST, ct.c.due_at, ct.c.received_at)
                 .limit(limit))


def triage(conn: Connection) -> list[dict]:
    """Complaints no community could be found for."""
    return _rows(conn, sa.select(ct).where(ct.c.community_id.is_(None), ct.c.state.in_(OPEN))
                 .order_by(ct.c.received_at))


def breaches(conn: Connection, *, limit: int = 100) -> list[dict]:
    """Escalations, newest first, with the complaint they belong to."""
    query = sa.select(esc, ct.c.tracking_no, ct.c.state, ct.c.assignee, site_table.c.name.label("community_name")) \
        .select_from(esc.join(ct, ct.c.complaint_id == esc.c.complaint_id)
                     .outerjoin(site_table, site_table.c.community_id == ct.c.community_id))
    return _rows(conn, query.order_by(esc.c.at.desc()).limit(limit))


def overdue_now(now: str):
    """Running clocks past a firm limit at `now` (UTC ISO): what 超时未答复 counts."""
    return ct.c.state.in_(CLOCK_RUNNING) & (ct.c.due_at < now) & ct.c.due_provisional.is_(False)


def provisional_clocks(conn: Connection) -> list[str]:
    """Running clocks whose limit rests on a provisional calendar year."""
    return list(conn.execute(sa.select(ct.c.complaint_id).where(
        ct.c.state.in_(CLOCK_RUNNING), ct.c.due_provisional.is_(True))).scalars())


def expired_clocks(conn: Connection, *, now: str) -> list[str]:
    """Running clocks past their limit (the ticker decides which level each has reached)."""
    return list(conn.execute(sa.select(ct.c.complaint_id).where(
        ct.c.state.in_(CLOCK_RUNNING), ct.c.due_at < now, ct.c.due_provisional.is_(False),
        ct.c.level.is_(None) | (ct.c.level != "public_notice"))).scalars())


def awaiting_rating(conn: Connection) -> list[tuple[str, str]]:
    """Resolved complaints with no return visit called for yet."""
    return [tuple(r) for r in conn.execute(sa.select(ct.c.complaint_id, ct.c.resolved_at).where(
        ct.c.state == "resolved", ct.c.return_visit_due.is_(False)))]


def public_list(conn: Connection, *, community_id: str | None = None, project_id: str | None = None,
                limit: int = 200) -> list[dict]:
    """The redacted list residents may read without logging in (no name, no phone, no secret)."""
    return _rows(conn, public_query(community_id=community_id, project_id=project_id)
                 .order_by(ct.c.received_at.desc()).limit(limit))


def public_query(*, community_id: str | None = None, project_id: str | None = None):
    """The public list's rows: only the columns anyone may read."""
    query = _with_site(sa.select(ct.c.complaint_id, ct.c.tracking_no, ct.c.category, ct.c.state, ct.c.received_at,
                                 ct.c.responded_at, ct.c.closed_at, ct.c.response, ct.c.rating, ct.c.text,
                                 ct.c.merged_into, ct.c.community_id, ct.c.project_id))
    if community_id:
        query = query.where(ct.c.community_id == community_id)
    if project_id:
        query = query.where(ct.c.project_id == project_id)
    return query.where(ct.c.community_id.is_not(None))


def open311_requests(conn: Connection, *, ids: list[str] | None, codes: list[str] | None, states: list[str] | None,
                     start: datetime | None, end: datetime | None, now: datetime, limit: int = 1000) -> list[dict]:
    """Requests for GeoReport v2 GET requests: by ids (which override the rest), else codes, states and dates."""
    query = _with_site(sa.select(ct))
    if ids:
        query = query.where(ct.c.tracking_no.in_(ids))
    else:
        if codes:
            query = query.where(ct.c.category.in_(codes))
        if states:
            query = query.where(ct.c.state.in_(states))
        if start is None and end is None:
            start = now - timedelta(days=90)  # the spec's default window
        if start is not None:
            query = query.where(ct.c.received_at >= start.astimezone(UTC).isoformat())
        if end is not None:
            query = query.where(ct.c.received_at <= end.astimezone(UTC).isoformat())
    return [_decoded(r) for r in _rows(conn, query.order_by(ct.c.received_at.desc()).limit(limit))]


def client_by_digest(conn: Connection, digest: str) -> dict | None:
    """A registered, not revoked Open311 client by its key digest."""
    row = conn.execute(sa.select(open311_client_table).where(
        open311_client_table.c.key_digest == digest, open311_client_table.c.revoked.is_(False))).first()
    return dict(row._mapping) if row else None


def clients(conn: Connection) -> list[dict]:
    """Every registered Open311 client."""
    return _rows(conn, sa.select(open311_client_table).order_by(open311_client_table.c.registered_at))
