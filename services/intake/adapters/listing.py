"""Pages of intake's growing lists (communities, projects, notices, the library) and the register's figures."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.intake.adapters.community import community_table as c, eligibility_table as e, survey_table as s
from services.intake.adapters.household import household_table as h
from services.intake.adapters.library import with_funding
from services.intake.adapters.notice import notice_table as n
from services.intake.adapters.project import project_table as p
from shared.paging import Page, PageRequest, paginate

# A community's state in the register: surveyed or not, then the latest eligibility outcome.
COMMUNITY_STATES = ("registered", "surveyed", "eligible", "ineligible")
community_state = sa.case(
    (e.c.eligible.is_(True), "eligible"), (e.c.eligible.is_(False), "ineligible"),
    (s.c.community_id.is_not(None), "surveyed"), else_="registered")

COMMUNITY_SORTS = {"name": c.c.name, "district": c.c.district, "registered_at": c.c.registered_at,
                   "built_year": c.c.built_year, "households": c.c.household_count}
PROJECT_SORTS = {"name": p.c.community_name, "district": p.c.district, "declared_at": p.c.declared_at,
                 "plan_year": p.c.plan_year, "budget": p.c.budget_fen, "status": p.c.status}
NOTICE_SORTS = {"name": n.c.title, "start": n.c.start, "end": n.c.end, "status": n.c.status,
                "objections": n.c.objections}


def community_page(conn: Connection, request: PageRequest, *, district: str | None = None,
                   state: str | None = None) -> Page[dict]:
    """One page of the community register, searched by name, filtered by district and state."""
    query = (sa.select(c, s.c.surveyed_households, e.c.eligible, community_state.label("state"))
             .outerjoin(s, s.c.community_id == c.c.community_id)
             .outerjoin(e, e.c.community_id == c.c.community_id))
    if district:
        query = query.where(c.c.district == district)
    if state:
        query = query.where(community_state == state)
    return paginate(conn, query, request, sortable=COMMUNITY_SORTS, default_sort="-registered_at",
                    search=[c.c.name], tiebreak=c.c.community_id)


def project_page(conn: Connection, request: PageRequest, *, district: str | None = None,
                 state: str | None = None, plan_year: int | None = None,
                 approved_only: bool = False) -> Page[dict]:
    """One page of projects, searched by community name, filtered by district, state and plan year."""
    query = sa.select(p)
    if approved_only:
        query = query.where(p.c.status == "approved")
    for column, value in ((p.c.district, district), (p.c.status, state), (p.c.plan_year, plan_year)):
        if value is not None and value != "":
            query = query.where(column == value)
    default = "-plan_year" if approved_only else "-declared_at"
    page = paginate(conn, query, request, sortable=PROJECT_SORTS, default_sort=default,
                    search=[p.c.community_name], tiebreak=p.c.project_id)
    if approved_only:
        page.items = [with_funding(row) for row in page.items]
    return page


def notice_page(conn: Connection, request: PageRequest, *, district: str | None = None,
                state: str | None = None, kind: str | None = None) -> Page[dict]:
    """One page of notices, searched by title, filtered by the project's district, status and kind."""
    query = sa.select(n, p.c.district).join(p, p.c.project_id == n.c.project_id)
    for column, value in ((p.c.district, district), (n.c.status, state), (n.c.kind, kind)):
        if value is not None and value != "":
            query = query.where(column == value)
    return paginate(conn, query, request, sortable=NOTICE_SORTS, default_sort="-start",
                    search=[n.c.title], tiebreak=n.c.notice_id)


# Building, unit and room in natural order ("10" after "9"): shorter numbers first, then by text.
HOUSEHOLD_ORDER = (sa.func.length(h.c.building), h.c.building, sa.func.length(h.c.unit), h.c.unit,
                   sa.func.length(h.c.room), h.c.room)
HOUSEHOLD_STATES = ("agree", "disagree", "unanswered")


def household_page(conn: Connection, request: PageRequest, *, community_id: str, state: str | None = None,
                   only: list[str] | None = None) -> Page[dict]:
    """One page of a community's surveyed households (or `only` these), searched by id, filtered by consent."""
    query = sa.select(h).where(h.c.community_id == community_id, h.c.in_survey.is_(True))
    if only is not None:
        query = query.where(h.c.household_id.in_(only))
    if state == "unanswered":
        query = query.where(h.c.consent.is_(None))
    elif state:
        query = query.where(h.c.consent == state)
    return paginate(conn, query, request, sortable={"household": HOUSEHOLD_ORDER}, default_sort="household",
                    search=[h.c.household_id])


def districts(conn: Connection) -> list[str]:
    """The districts that have any community, for the lists' filters."""
    return list(conn.execute(sa.select(c.c.district).distinct().order_by(c.c.district)).scalars())


def register_figures(conn: Connection) -> dict[str, int]:
    """The register's key figures, counted in the database rather than over a list."""
    communities, households = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.c.household_count), 0)).select_from(c)).one()
    eligible = conn.execute(sa.select(sa.func.count()).select_from(e).where(e.c.eligible.is_(True))).scalar_one()
    by_status = dict(conn.execute(sa.select(p.c.status, sa.func.count()).group_by(p.c.status)).all())
    return {"communities": communities, "households": households, "eligible": eligible,
            "in_notice": by_status.get("in_notice", 0), "approved": by_status.get("approved", 0)}


def library_figures(conn: Connection) -> dict[str, int]:
    """The project library's totals over every approved project (not only the page shown)."""
    projects, households, budget = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(p.c.household_count), 0),
                  sa.func.coalesce(sa.func.sum(p.c.budget_fen), 0)).where(p.c.status == "approved")).one()
    return {"projects": projects, "households": households, "budget_fen": budget}
