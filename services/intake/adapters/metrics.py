"""Intake's figures for supervisors, read from the read models each time Prometheus scrapes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from services.intake.adapters.community import community_table, eligibility_table, refusal_table
from services.intake.adapters.household import household_table
from services.intake.adapters.notice import notice_table, objection_table
from services.intake.adapters.project import project_table

log = logging.getLogger("renovation.intake.metrics")


class IntakeCollector(Collector):
    """Communities by eligibility outcome, consent rates, notices, objections, approvals, refusals.

    Read on scrape rather than counted in memory, so the figures are the read models' own:
    right after a restart, a rebuild, or with several replicas behind one scrape target.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[Metric]:
        """No samples at registration: the database may not be migrated yet."""
        return []

    def collect(self) -> Iterator[Metric]:
        """One consistent read of every figure."""
        try:
            with self.engine.connect() as conn:
                yield from self._collect(conn)
        except sa.exc.SQLAlchemyError as error:  # a scrape must never fail the endpoint
            log.warning("intake metrics unavailable: %s", error)

    def _collect(self, conn) -> Iterator[Metric]:
        yield self._outcomes(conn)
        yield from self._consent(conn)
        in_notice = GaugeMetricFamily("renovation_intake_notices_open",
                                      "Public notices running now, by kind (plan or design change).",
                                      labels=["kind"])
        for kind in ("plan", "design_change"):
            in_notice.add_metric([kind], _count(conn, notice_table, notice_table.c.kind == kind,
                                                notice_table.c.status == "open"))
        yield in_notice
        yield GaugeMetricFamily("renovation_intake_plans_in_notice", "Renovation plans in public notice now.",
                                value=_count(conn, project_table, project_table.c.status == "in_notice"))
        yield GaugeMetricFamily("renovation_intake_objections_open", "Objections to notices not yet answered.",
                                value=_count(conn, objection_table, objection_table.c.answer.is_(None)))
        yield self._approved(conn)
        yield CounterMetricFamily("renovation_intake_duplicate_declarations_refused",
                                  "Declarations refused because the community already had a live project "
                                  "that year (杜绝重复申报).", value=_count(conn, refusal_table))

    def _outcomes(self, conn) -> Metric:
        family = GaugeMetricFamily("renovation_intake_communities",
                                   "Registered communities by their latest eligibility outcome.", labels=["outcome"])
        rows = conn.execute(sa.select(eligibility_table.c.eligible, sa.func.count()).select_from(
            community_table.outerjoin(eligibility_table,
                                      eligibility_table.c.community_id == community_table.c.community_id))
            .group_by(eligibility_table.c.eligible)).all()
        counts = {"eligible": 0, "ineligible": 0, "unassessed": 0}
        for eligible, n in rows:
            counts["unassessed" if eligible is None else "eligible" if eligible else "ineligible"] += n
        for outcome, n in counts.items():
            family.add_metric([outcome], n)
        return family

    def _consent(self, conn) -> Iterator[Metric]:
        rate = GaugeMetricFamily("renovation_intake_consent_ratio",
                                 "Share of surveyed households agreeing to renovate, per community.",
                                 labels=["community_id", "district"])
        answers = GaugeMetricFamily("renovation_intake_consent_households",
                                    "Surveyed households by consent answer, all communities.", labels=["answer"])
        h = household_table
        rows = conn.execute(sa.select(h.c.community_id, community_table.c.district, h.c.consent, sa.func.count())
                            .join(community_table, community_table.c.community_id == h.c.community_id)
                            .where(h.c.in_survey.is_(True))
                            .group_by(h.c.community_id, community_table.c.district, h.c.consent)).all()
        per_community: dict[tuple[str, str], list[int]] = {}
        totals = {"agree": 0, "disagree": 0, "unanswered": 0}
        for community_id, district, consent, n in rows:
            agreed_total = per_community.setdefault((community_id, district), [0, 0])
            agreed_total[0] += n if consent == "agree" else 0
            agreed_total[1] += n
            totals[consent or "unanswered"] += n
        for (community_id, district), (agreed, total) in sorted(per_community.items()):
            rate.add_metric([community_id, district], agreed / total if total else 0.0)
        for answer, n in totals.items():
            answers.add_metric([answer], n)
        yield rate
        yield answers

    def _approved(self, conn) -> Metric:
        family = CounterMetricFamily("renovation_intake_projects_approved",
                                     "Projects approved into the project library, by district and plan year.",
                                     labels=["district", "plan_year"])
        rows = conn.execute(sa.select(project_table.c.district, project_table.c.plan_year, sa.func.count())
                            .where(project_table.c.status == "approved")
                            .group_by(project_table.c.district, project_table.c.plan_year)).all()
        for district, year, n in sorted(rows):
            family.add_metric([district, str(year)], n)
        return family


def _count(conn, table: sa.Table, *where) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar() or 0
