"""The supervisor's figures for the board (the same read models the metrics come from)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.complaints.adapters.queries import OPEN, overdue_now
from services.complaints.adapters.tables import complaint_table as ct, escalation_table as esc


def _hours(conn: Connection, column) -> float | None:
    rows = conn.execute(sa.select(ct.c.received_at, column).where(column.is_not(None))).all()
    if not rows:
        return None
    total = sum((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() for start, end in rows)
    return round(total / len(rows) / 3600, 1)


def figures(conn: Connection, *, now: str) -> dict:
    """Open by category and state, overdue, escalations per level, satisfaction and reopen rates, mean times."""
    by = conn.execute(sa.select(ct.c.category, ct.c.state, sa.func.count()).where(ct.c.state.in_(OPEN))
                      .group_by(ct.c.category, ct.c.state)).all()
    table: dict[str, dict[str, int]] = {}
    for category, state, count in by:
        table.setdefault(category, {})[state] = count
    levels = dict(conn.execute(sa.select(esc.c.level, sa.func.count()).group_by(esc.c.level)).all())
    rated = dict(conn.execute(sa.select(ct.c.rating, sa.func.count()).where(ct.c.rating.is_not(None))
                              .group_by(ct.c.rating)).all())
    total_rated = sum(rated.values())
    good = rated.get("satisfied", 0) + rated.get("basically_satisfied", 0)
    ever_resolved = conn.execute(sa.select(sa.func.count()).where(
        ct.c.resolved_at.is_not(None) | ct.c.closed_at.is_not(None) | (ct.c.reopen_count > 0))).scalar()
    reopened = conn.execute(sa.select(sa.func.count()).where(ct.c.reopen_count > 0)).scalar()
    overdue = conn.execute(sa.select(sa.func.count()).where(overdue_now(now))).scalar()
    return {
        "open_total": sum(n for _, _, n in by), "by_category": table, "overdue": overdue,
        "levels": levels, "satisfaction": f"{good / total_rated:.0%}" if total_rated else "—",
        "rated": total_rated, "reopen_rate": f"{reopened / ever_resolved:.0%}" if ever_resolved else "—",
        "ack_hours": _hours(conn, ct.c.acknowledged_at), "resolve_hours": _hours(conn, ct.c.resolved_at),
        "return_visits": conn.execute(sa.select(sa.func.count()).where(ct.c.return_visit_due.is_(True),
                                                                      ct.c.state == "resolved")).scalar(),
    }
