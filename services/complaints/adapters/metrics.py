"""Supervisors' figures, read from the read models at each scrape: exact after restarts and rebuilds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy.engine import Engine

from services.complaints.adapters.queries import OPEN, overdue_now
from services.complaints.adapters.tables import complaint_table as ct, escalation_table as esc
from services.complaints.domain.category import CATEGORIES
from services.complaints.domain.time_limit import LEVELS

log = logging.getLogger("renovation.complaints")
# Seconds: 15 min, 1 h, 2 h, 8 h, 1 d, 2 d, 5 d, 10 d, 15 d, 30 d.
# What the collector exposes (name, type, labels): the deploy test checks dashboards and alerts against it.
FAMILIES = (
    ("renovation_complaints_open", "gauge", ("category", "state")),
    ("renovation_complaints_escalations", "counter", ("level",)),
    ("renovation_complaints_breaches", "counter", ()),
    ("renovation_complaints_overdue", "gauge", ()),
    ("renovation_complaints_time_to_acknowledge_seconds", "histogram", ()),
    ("renovation_complaints_time_to_resolve_seconds", "histogram", ()),
    ("renovation_complaints_satisfaction_ratio", "gauge", ()),
    ("renovation_complaints_reopen_ratio", "gauge", ()),
    ("renovation_complaints_received", "counter", ("channel",)),
)
BUCKETS = (900, 3600, 7200, 28800, 86400, 172800, 432000, 864000, 1296000, 2592000)


class ComplaintsCollector:
    """A Prometheus collector of the hotline's figures."""

    def __init__(self, engine: Engine, *, now: Callable[[], datetime]) -> None:
        self.engine = engine
        self.now = now

    def describe(self):
        """Nothing up front: families are produced at collect time."""
        return []

    def collect(self):
        """One read transaction; a database hiccup yields no figures rather than a failed scrape."""
        try:
            with self.engine.connect() as conn:
                yield from self._families(conn)
        except sa.exc.SQLAlchemyError as error:
            log.warning("complaints metrics unavailable: %s", error)

    def _families(self, conn):
        open_ = GaugeMetricFamily("renovation_complaints_open", "Open complaints, by category and state.",
                                  labels=["category", "state"])
        query = sa.select(ct.c.category, ct.c.state, sa.func.count()).where(ct.c.state.in_(OPEN))
        found = {(c, s): n for c, s, n in conn.execute(query.group_by(ct.c.category, ct.c.state))}
        for category in [c.code for c in CATEGORIES]:
            for state in OPEN:
                open_.add_metric([category, state], found.get((category, state), 0))
        yield open_
        levels = dict(conn.execute(sa.select(esc.c.level, sa.func.count()).group_by(esc.c.level)).all())
        escalations = CounterMetricFamily("renovation_complaints_escalations", "Escalations recorded, by level.",
                                          labels=["level"])
        for level in LEVELS:
            escalations.add_metric([level], levels.get(level, 0))
        yield escalations
        yield CounterMetricFamily("renovation_complaints_breaches", "Time limits that ran out (each clock once).",
                                  value=levels.get("reminder", 0))
        yield GaugeMetricFamily("renovation_complaints_overdue", "Open complaints whose clock has run out now.",
                                value=conn.execute(sa.select(sa.func.count()).where(
                                    overdue_now(self.now().astimezone(UTC).isoformat()))).scalar())
        yield self._histogram(conn, "renovation_complaints_time_to_acknowledge_seconds",
                              "From receipt to acknowledgement.", ct.c.acknowledged_at)
        yield self._histogram(conn, "renovation_complaints_time_to_resolve_seconds",
                              "From receipt to resolution (办结).", ct.c.resolved_at)
        yield from self._rates(conn)

    def _histogram(self, conn, name: str, doc: str, column) -> HistogramMetricFamily:
        rows = conn.execute(sa.select(ct.c.received_at, column).where(column.is_not(None))).all()
        seconds = [(datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() for start, end in rows]
        counts = [sum(1 for s in seconds if s <= bound) for bound in BUCKETS]
        family = HistogramMetricFamily(name, doc)
        family.add_metric([], [*((str(b), c) for b, c in zip(BUCKETS, counts, strict=True)), ("+Inf", len(seconds))],
                          sum_value=sum(seconds))
        return family

    def _rates(self, conn):
        rated = dict(conn.execute(sa.select(ct.c.rating, sa.func.count()).where(ct.c.rating.is_not(None))
                                  .group_by(ct.c.rating)).all())
        total = sum(rated.values())
        good = rated.get("satisfied", 0) + rated.get("basically_satisfied", 0)
        yield GaugeMetricFamily("renovation_complaints_satisfaction_ratio",
                                "Latest ratings that are 满意 or 基本满意, of all rated complaints.",
                                value=good / total if total else 0.0)
        ever = ct.c.resolved_at.is_not(None) | ct.c.closed_at.is_not(None) | (ct.c.reopen_count > 0)
        resolved = conn.execute(sa.select(sa.func.count()).where(ever)).scalar()
        reopened = conn.execute(sa.select(sa.func.count()).where(ct.c.reopen_count > 0)).scalar()
        yield GaugeMetricFamily("renovation_complaints_reopen_ratio",
                                "Complaints sent back at least once, of those ever resolved.",
                                value=reopened / resolved if resolved else 0.0)
        received = CounterMetricFamily("renovation_complaints_received", "Complaints received, by channel.",
                                       labels=["channel"])
        by_channel = dict(conn.execute(sa.select(ct.c.channel, sa.func.count()).group_by(ct.c.channel)).all())
        for channel in ("hotline", "web", "open311"):
            received.add_metric([channel], by_channel.get(channel, 0))
        yield received
