"""Supervisors' figures of acceptance, read from the read models at each scrape (exact after rebuilds)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily

from services.acceptance.adapters import queries
from services.acceptance.adapters.own import satisfaction
from services.acceptance.adapters.tables import file_table as f, tranche_table as t

log = logging.getLogger("renovation.acceptance")
STAGES = ("waiting", "convened", "accepted", "filed")
# What the collector exposes (name, type, labels): dashboards and alerts are checked against it.
FAMILIES = (
    ("renovation_acceptance_projects", "gauge", ("stage",)),
    ("renovation_acceptance_refusals", "counter", ("kind",)),
    ("renovation_acceptance_parties_missing", "gauge", ()),
    ("renovation_acceptance_rectification_items_open", "gauge", ()),
    ("renovation_acceptance_satisfaction_ratio", "gauge", ()),
    ("renovation_acceptance_participation_ratio", "gauge", ()),
    ("renovation_acceptance_filings_late", "gauge", ()),
    ("renovation_acceptance_completion_to_final_days", "summary", ()),
    ("renovation_acceptance_tranches", "gauge", ("state",)),
    ("renovation_acceptance_tranche_fen", "gauge", ("state",)),
)


class AcceptanceCollector:
    """A Prometheus collector of acceptance's supervision figures."""

    def __init__(self, engine, *, today: Callable[[], date], payment_days: int) -> None:
        self.engine = engine
        self.today = today
        self.payment_days = payment_days

    def describe(self):
        """Nothing up front: families are produced at collect time."""
        return []

    def collect(self):
        """One read transaction; a database hiccup yields no figures rather than a failed scrape."""
        try:
            with self.engine.connect() as conn:
                yield from self._acceptances(conn)
                yield from self._money(conn)
        except sa.exc.SQLAlchemyError as error:
            log.warning("acceptance metrics unavailable: %s", error)

    def _acceptances(self, conn):
        stages = dict(conn.execute(sa.select(f.c.stage, sa.func.count()).where(f.c.approved_at != "")
                                   .group_by(f.c.stage)).all())
        family = GaugeMetricFamily("renovation_acceptance_projects", "Approved projects by acceptance stage.",
                                   labels=["stage"])
        for stage in STAGES:
            family.add_metric([stage], stages.get(stage, 0))
        yield family
        refused = queries.refusals(conn)
        family = CounterMetricFamily("renovation_acceptance_refusals", "Refused acceptance requests, by kind.",
                                     labels=["kind"])
        for kind in ("request", "final"):
            family.add_metric([kind], refused.get(kind, 0))
        yield family
        yield GaugeMetricFamily("renovation_acceptance_parties_missing",
                                "Parties without a passing verdict on the current dossier, over acceptances under way.",
                                value=sum(queries.parties_missing(conn).values()))
        yield GaugeMetricFamily("renovation_acceptance_rectification_items_open", "Rectification items not closed.",
                                value=conn.execute(sa.select(sa.func.coalesce(sa.func.sum(f.c.items_open), 0)))
                                .scalar())
        satisfied, participation = satisfaction(conn)
        yield GaugeMetricFamily("renovation_acceptance_satisfaction_ratio",
                                "Satisfied voices over all voices of closed residents' evaluations.",
                                value=float(satisfied))
        yield GaugeMetricFamily("renovation_acceptance_participation_ratio",
                                "Voices over households of closed residents' evaluations.", value=float(participation))
        yield from self._filing(conn)

    def _filing(self, conn):
        today = self.today().isoformat()
        late = conn.execute(sa.select(sa.func.count()).where(f.c.stage == "accepted",
                                                             f.c.filing_due_on < today)).scalar()
        yield GaugeMetricFamily("renovation_acceptance_filings_late",
                                "Final acceptances not filed within the 15 days of art. 49.", value=late)
        rows = conn.execute(sa.select(f.c.completion_declared_on, f.c.accepted_on).where(
            f.c.accepted_on.is_not(None), f.c.completion_declared_on.is_not(None))).all()
        days = [(date.fromisoformat(a) - date.fromisoformat(c)).days for c, a in rows]
        yield SummaryMetricFamily("renovation_acceptance_completion_to_final_days",
                                  "Days from the declared completion to the final acceptance.",
                                  count_value=len(days), sum_value=sum(days))

    def _money(self, conn):
        cutoff = (self.today() - timedelta(days=self.payment_days)).isoformat()
        due = t.c.due_on.is_not(None) & t.c.paid_on.is_(None)
        total = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(t.c.amount_fen), 0))
        figures = {"due": conn.execute(total.where(due)).one(),
                   "overdue": conn.execute(total.where(due, t.c.due_on < cutoff)).one(),
                   "paid": conn.execute(total.where(t.c.paid_on.is_not(None))).one()}
        count = GaugeMetricFamily("renovation_acceptance_tranches", "Subsidy tranches by state (due = unpaid).",
                                  labels=["state"])
        amount = GaugeMetricFamily("renovation_acceptance_tranche_fen", "Subsidy amounts in fen by tranche state.",
                                   labels=["state"])
        for state, (n, fen) in figures.items():
            count.add_metric([state], n)
            amount.add_metric([state], fen)
        yield count
        yield amount
