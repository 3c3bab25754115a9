"""Supervisors' figures, read from the read models at each scrape: exact after restarts and rebuilds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy.engine import Engine

from services.construction.adapters.queries import OPEN_ORDER
from services.construction.adapters.tables import (
    evidence_flag_table as flag, evidence_table as ev, hidden_work_table as hw, inspection_table as insp,
    rectification_table as rect, refusal_table as refusal, stop_work_table as stop)

log = logging.getLogger("renovation.construction")


class SupervisionCollector:
    """A Prometheus collector of construction's supervision figures."""

    def __init__(self, engine: Engine, *, today: Callable[[], date]) -> None:
        self.engine = engine
        self.today = today

    def describe(self):
        """Nothing up front: the families are produced at collect time (no query at registration)."""
        return []

    def collect(self):
        """One read transaction; a database hiccup yields no figures rather than a failed scrape."""
        try:
            with self.engine.connect() as conn:
                yield from self._families(conn)
        except sa.exc.SQLAlchemyError as error:
            log.warning("construction metrics unavailable: %s", error)

    def _families(self, conn):
        def grouped(column, *where, count=None):
            query = sa.select(column, count if count is not None else sa.func.count()).where(*where).group_by(column)
            return list(conn.execute(query))

        yield _family(CounterMetricFamily, "renovation_construction_inspections",
                      "Inspections recorded, by result.", "result", grouped(insp.c.result), ("passed", "failed"))
        yield _family(GaugeMetricFamily, "renovation_construction_defects_open",
                      "Defects whose rectification is not verified, by severity.", "severity",
                      grouped(rect.c.severity, rect.c.status.in_(OPEN_ORDER)), ("minor", "major", "critical"))
        overdue = conn.execute(sa.select(sa.func.count()).select_from(rect).where(
            rect.c.status.in_(OPEN_ORDER), rect.c.due_on < self.today().isoformat(),
            ~rect.c.due_provisional)).scalar()
        yield GaugeMetricFamily("renovation_construction_rectifications_overdue",
                                "Open rectification orders past their due date.", value=overdue)
        yield _family(GaugeMetricFamily, "renovation_construction_hidden_works",
                      "Hidden works, by state.", "state", grouped(hw.c.state),
                      ("declared", "rejected", "accepted", "concealed"))
        yield from self._evidence_and_refusals(conn, grouped)

    def _evidence_and_refusals(self, conn, grouped):
        yield _family(CounterMetricFamily, "renovation_construction_refusals",
                      "Refused attempts: concealment before acceptance, work out of order, early completion.",
                      "kind", grouped(refusal.c.kind), ("concealment", "work_start", "completion"))
        concealment = conn.execute(sa.select(sa.func.count()).select_from(refusal).where(
            refusal.c.kind == "concealment")).scalar()
        yield CounterMetricFamily("renovation_construction_concealment_refusals",
                                  "Concealments refused because the hidden work was not accepted (or zone stopped).",
                                  value=concealment)
        uploads, size = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(ev.c.size), 0))).one()
        yield CounterMetricFamily("renovation_construction_evidence_uploads",
                                  "Evidence attachments recorded.", value=uploads)
        yield CounterMetricFamily("renovation_construction_evidence_bytes",
                                  "Bytes of evidence attached.", value=size)
        yield _family(CounterMetricFamily, "renovation_construction_evidence_flags",
                      "Evidence flags raised, by reason.", "reason", grouped(flag.c.reason),
                      ("no_capture_time", "capture_time_far", "capture_time_weak", "no_position",
                       "outside_geofence", "suspected_reuse"))
        in_force = conn.execute(sa.select(sa.func.count()).select_from(stop).where(stop.c.lifted_at.is_(None))).scalar()
        yield GaugeMetricFamily("renovation_construction_stop_work_orders",
                                "Stop-work orders in force.", value=in_force)


def _family(cls, name: str, documentation: str, label: str, rows, known: tuple[str, ...]):
    family = cls(name, documentation, labels=[label])
    values = {str(key): value for key, value in rows}
    for key in dict.fromkeys([*known, *values]):
        family.add_metric([key], values.get(key, 0))
    return family
