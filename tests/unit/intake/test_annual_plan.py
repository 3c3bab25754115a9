"""Reporting the annual plan is an event: on time by 30 September, late only with a reason, never twice the same."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.domain.annual_plan import AnnualPlanReport
from shared.errors import InvalidCommand

TOTALS = {"households": 480, "floor_area_m2": 36000.0, "budget_fen": 5_200_000, "funding": {"government": 5_200_000}}
DUE = date(2025, 9, 30)


def report(plan: AnnualPlanReport, *, today: date, projects=("p1", "p2"), note: str = "", totals=TOTALS):
    return plan.report(plan_year=2026, district="和平区", projects=projects, totals=totals, today=today,
                       due_on=DUE, note=note)


def test_an_on_time_report_records_what_was_sent():
    plan = AnnualPlanReport(AnnualPlanReport.stream_for(AnnualPlanReport.key(2026, "和平区")))
    report(plan, today=date(2025, 9, 30))
    [event] = plan.collect()
    assert event == AnnualPlanReport.Reported(
        plan_year=2026, district="和平区", revision=1, reported_on=date(2025, 9, 30), due_on=DUE, late=False,
        projects=("p1", "p2"), households=480, floor_area_m2=36000.0, budget_fen=5_200_000,
        funding={"government": 5_200_000})


def test_a_late_report_needs_a_reason_an_empty_plan_none_and_the_same_plan_is_not_sent_twice():
    plan = AnnualPlanReport("annual-plan-2026-和平区")
    with pytest.raises(InvalidCommand, match="逾期上报须写明原因") as late:
        report(plan, today=date(2025, 10, 8))
    assert late.value.code == "annual_plan_late_reason"
    with pytest.raises(InvalidCommand, match="还没有批准入库的项目"):
        report(plan, today=date(2025, 9, 1), projects=())
    assert report(plan, today=date(2025, 10, 8), note="国庆假期后补报").late is True
    with pytest.raises(InvalidCommand, match="无需重复上报"):
        report(plan, today=date(2025, 10, 9), note="再报一次")
    second = report(plan, today=date(2025, 10, 9), projects=("p1", "p2", "p3"), note="增补 p3")
    assert second.revision == 2 and [e.revision for e in plan.collect()] == [1, 2]
