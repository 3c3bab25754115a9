"""Reporting the annual plan: the approved projects of a year (and district) as they stand, as an event."""

from __future__ import annotations

from services.intake.adapters.library import approved_projects, totals
from services.intake.application.context import Intake
from services.intake.domain.annual_plan import AnnualPlanReport
from shared.unit_of_work import UnitOfWork


def report_annual_plan(uow: UnitOfWork, *, plan_year: int, district: str | None, note: str,
                       intake: Intake) -> AnnualPlanReport.Reported:
    """Record the report of the annual plan of `plan_year` (and `district`); answers what was reported."""
    stream = AnnualPlanReport.stream_for(AnnualPlanReport.key(plan_year, district))
    with uow:
        report = uow.find(AnnualPlanReport, stream) or AnnualPlanReport(stream)
        rows = approved_projects(uow.conn, plan_year=plan_year, district=district)
        reported = report.report(plan_year=plan_year, district=district,
                                 projects=tuple(r["project_id"] for r in rows), totals=totals(rows),
                                 today=intake.today(), due_on=intake.rules.annual_plan_due(plan_year), note=note)
        # No single project: the plan's own key orders its reports on the topic.
        uow.save(report, project_id=stream)
        uow.commit()
    return reported
