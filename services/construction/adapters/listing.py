"""Pages of construction's growing lists: projects with what needs attention, sites, orders, tasks, records."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.construction.adapters.community import site_table as site
from services.construction.adapters.queries import OPEN_ORDER
from services.construction.adapters.tables import (
    evidence_table as ev, hidden_work_table as hw, inspection_table as insp, inspection_task_table as task,
    project_table as proj, rectification_table as rect, refusal_table as refusal, stop_work_table as stop)
from shared.paging import Page, PageRequest, paginate

PROJECT_STATES = ("open", "stopped", "completed")


def _count(table, *where):
    return sa.select(sa.func.count()).select_from(table).where(*where).scalar_subquery()


# What needs attention, counted per row in the same query (one query per page, whatever its size).
stops_in_force = _count(stop, stop.c.project_id == proj.c.project_id, stop.c.lifted_at.is_(None))
open_orders = _count(rect, rect.c.project_id == proj.c.project_id, rect.c.status.in_(OPEN_ORDER))
open_tasks = _count(task, task.c.project_id == proj.c.project_id, task.c.status == "open")
hidden_pending = _count(hw, hw.c.project_id == proj.c.project_id, hw.c.state.in_(("declared", "rejected")))

PROJECT_SORTS = {"name": proj.c.community_name, "district": proj.c.district, "opened_at": proj.c.opened_at,
                 "plan_year": proj.c.plan_year, "budget": proj.c.budget_fen, "stops": stops_in_force,
                 "open_orders": open_orders, "open_tasks": open_tasks,
                 "attention": (open_tasks, stops_in_force, open_orders)}
SITE_SORTS = {"name": site.c.name, "district": site.c.district, "registered_at": site.c.registered_at}
ORDER_SORTS = {"due_on": rect.c.due_on, "name": proj.c.community_name, "district": proj.c.district}
TASK_SORTS = {"opened_at": task.c.opened_at, "name": proj.c.community_name}


def _filtered(query, *pairs):
    for column, value in pairs:
        if value is not None and value != "":
            query = query.where(column == value)
    return query


def project_page(conn: Connection, request: PageRequest, *, district: str | None = None,
                 state: str | None = None, default_sort: str = "-opened_at") -> Page[dict]:
    """One page of projects with their attention counts; `state` is open, stopped or completed."""
    query = sa.select(proj, stops_in_force.label("stops_in_force"), open_orders.label("open_orders"),
                      open_tasks.label("open_tasks"), hidden_pending.label("hidden_pending"))
    query = _filtered(query, (proj.c.district, district))
    if state == "stopped":
        query = query.where(proj.c.status == "open", stops_in_force > 0)
    elif state:
        query = query.where(proj.c.status == state)
    page = paginate(conn, query, request, sortable=PROJECT_SORTS, default_sort=default_sort,
                    search=[proj.c.community_name], tiebreak=proj.c.project_id)
    for row in page.items:
        row["accounts"] = json.loads(row["accounts"])
        row["pipeline_units"] = json.loads(row["pipeline_units"])
    return page


def site_page(conn: Connection, request: PageRequest, *, district: str | None = None) -> Page[dict]:
    """One page of the communities this service knows, searched by name."""
    query = _filtered(sa.select(site), (site.c.district, district))
    return paginate(conn, query, request, sortable=SITE_SORTS, default_sort="-registered_at",
                    search=[site.c.name], tiebreak=site.c.community_id)


def overdue_page(conn: Connection, request: PageRequest, *, today: date,
                 district: str | None = None) -> Page[dict]:
    """One page of open orders past a certain due date (China date; provisional ones are not overdue yet)."""
    query = (sa.select(rect, proj.c.community_name, proj.c.district)
             .join(proj, proj.c.project_id == rect.c.project_id)
             .where(rect.c.status.in_(OPEN_ORDER), rect.c.due_on < today.isoformat(), ~rect.c.due_provisional))
    query = _filtered(query, (proj.c.district, district))
    return paginate(conn, query, request, sortable=ORDER_SORTS, default_sort="due_on",
                    search=[proj.c.community_name], tiebreak=rect.c.order_id)


def task_page(conn: Connection, request: PageRequest, *, project_id: str | None = None,
              district: str | None = None, state: str | None = "open") -> Page[dict]:
    """One page of inspection tasks from complaints (open ones by default), oldest first."""
    query = sa.select(task, proj.c.community_name).join(proj, proj.c.project_id == task.c.project_id, isouter=True)
    query = _filtered(query, (task.c.project_id, project_id), (proj.c.district, district), (task.c.status, state))
    return paginate(conn, query, request, sortable=TASK_SORTS, default_sort="opened_at",
                    search=[proj.c.community_name], tiebreak=task.c.task_id)


def districts(conn: Connection) -> list[str]:
    """The districts of the projects, for the lists' filters."""
    return list(conn.execute(sa.select(proj.c.district).distinct().order_by(proj.c.district)).scalars())


def site_figures(conn: Connection, *, today: date) -> dict[str, int]:
    """The home page's key figures, counted in the database."""
    def scalar(query) -> int:
        return conn.execute(query).scalar_one() or 0

    return {
        "projects": scalar(sa.select(sa.func.count()).select_from(proj)),
        "stops": scalar(sa.select(sa.func.count()).select_from(stop).where(stop.c.lifted_at.is_(None))),
        "overdue": scalar(sa.select(sa.func.count()).select_from(rect).where(
            rect.c.status.in_(OPEN_ORDER), rect.c.due_on < today.isoformat(), ~rect.c.due_provisional)),
        "tasks": scalar(sa.select(sa.func.count()).select_from(task).where(task.c.status == "open")),
        "communities": scalar(sa.select(sa.func.count()).select_from(site)),
    }


def _decoded(page: Page[dict], *fields: str) -> Page[dict]:
    for row in page.items:
        for name in fields:
            row[name] = json.loads(row[name])
    return page


def inspection_page(conn: Connection, request: PageRequest, *, project_id: str) -> Page[dict]:
    """One page of a project's inspections, newest first."""
    query = sa.select(insp).where(insp.c.project_id == project_id)
    return _decoded(paginate(conn, query, request, sortable={"recorded_at": insp.c.recorded_at},
                             default_sort="-recorded_at", tiebreak=insp.c.inspection_id), "items")


def order_page(conn: Connection, request: PageRequest, *, project_id: str, state: str | None = None) -> Page[dict]:
    """One page of a project's rectification orders, soonest due first; `q` searches the description."""
    query = _filtered(sa.select(rect).where(rect.c.project_id == project_id), (rect.c.status, state))
    return paginate(conn, query, request, sortable={"due_on": rect.c.due_on, "issued_on": rect.c.issued_on},
                    default_sort="due_on", search=[rect.c.description], tiebreak=rect.c.order_id)


def evidence_page(conn: Connection, request: PageRequest, *, project_id: str) -> Page[dict]:
    """One page of a project's evidence, newest first."""
    query = sa.select(ev).where(ev.c.project_id == project_id)
    # The whole key after the time: an upload of one file for two subjects keeps a stable order.
    newest = (ev.c.uploaded_at, ev.c.sha256, ev.c.subject_kind, ev.c.subject_id)
    return _decoded(paginate(conn, query, request, sortable={"uploaded_at": newest},
                             default_sort="-uploaded_at"), "flags")


def refusal_page(conn: Connection, request: PageRequest, *, project_id: str) -> Page[dict]:
    """One page of a project's refused attempts, newest first."""
    query = sa.select(refusal).where(refusal.c.project_id == project_id)
    return paginate(conn, query, request, sortable={"at": refusal.c.at}, default_sort="-at",
                    tiebreak=refusal.c.event_id)
