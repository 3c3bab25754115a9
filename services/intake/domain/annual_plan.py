"""Reporting the annual plan (年度改造计划上报): by 30 September of the year before (`002` 三(二)), as an event.

The report is what was sent up: which approved projects, with their totals, on which day, and
whether that was late. A corrected plan is reported again as a new revision; nothing is rewritten.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class AnnualPlanReport(Aggregate):
    """The reports of one plan year's plan, for one district or for the whole city."""

    stream_prefix = "annual-plan"

    class Reported(DomainEvent):
        """The annual plan was reported: its projects and totals as sent, on time or late."""

        event_type = "intake.AnnualPlanReported"

        plan_year: int
        district: str | None = None
        revision: int
        reported_on: date
        due_on: date
        late: bool
        projects: tuple[str, ...]
        households: int
        floor_area_m2: float
        budget_fen: int
        funding: dict[str, int]
        note: str = Field(default="", max_length=500)

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.last: AnnualPlanReport.Reported | None = None

    @staticmethod
    def key(plan_year: int, district: str | None) -> str:
        """The natural key: the plan year and the district (or `all`)."""
        return f"{plan_year}-{district or 'all'}"

    def report(self, *, plan_year: int, district: str | None, projects: tuple[str, ...], totals: dict,
               today: date, due_on: date, note: str = "") -> Reported:
        """Report the plan as it stands; a late report says why, an unchanged one is not sent twice."""
        where = f"{plan_year} 年度{district or ''}"
        if not projects:
            raise InvalidCommand(f"{where}还没有批准入库的项目，不能上报年度计划", code="annual_plan_empty")
        late = today > due_on
        if late and len(note.strip()) < 4:
            raise InvalidCommand(f"{where}年度计划的上报截止日期是 {due_on}，逾期上报须写明原因（至少 4 个字）",
                                 code="annual_plan_late_reason")
        if self.last is not None and self.last.projects == projects and self.last.budget_fen == totals["budget_fen"]:
            raise InvalidCommand(f"{where}年度计划与 {self.last.reported_on} 第 {self.last.revision} 次上报的相同，"
                                 "无需重复上报", code="annual_plan_unchanged")
        event = self.Reported(
            plan_year=plan_year, district=district, revision=(self.last.revision if self.last else 0) + 1,
            reported_on=today, due_on=due_on, late=late, projects=projects, households=totals["households"],
            floor_area_m2=totals["floor_area_m2"], budget_fen=totals["budget_fen"], funding=totals["funding"],
            note=note.strip())
        self._record(event)
        return event

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case AnnualPlanReport.Reported():
                self.last = event
