"""JSON and CSV API of the project library and the annual plan (reported by 30 September)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field

from services.intake.adapters.annual_plan import latest_report
from services.intake.adapters.library import annual_plan_csv, approved_projects, totals
from services.intake.adapters.listing import project_page
from services.intake.api.deps import IntakeDep, Official, work
from services.intake.application.annual_plan import report_annual_plan
from shared.auth import CurrentActor
from shared.http import Year
from shared.paging import PageQuery, answer
from shared.text import FreeText, LineText
from shared.service import ServiceDep

router = APIRouter(tags=["library 项目库与年度计划"])


class AnnualPlan(BaseModel):
    """The annual plan of a year (and district): its projects, totals and reporting deadline."""

    plan_year: int
    district: str | None
    due: date
    days_left: int
    projects: list[dict[str, Any]]
    totals: dict[str, Any]
    report: dict[str, Any] | None = None


class ReportAnnualPlan(BaseModel):
    """Report the annual plan of a year (for one district, or city-wide); a late report says why."""

    district: LineText | None = Field(default=None, max_length=50)
    note: FreeText = Field(default="", max_length=500, description="说明（逾期上报须写明原因）")


class AnnualPlanReported(BaseModel):
    """What was reported: the revision, the day, whether it was late, the projects and budget."""

    plan_year: int
    district: str | None
    revision: int
    reported_on: date
    due_on: date
    late: bool
    projects: list[str]
    budget_fen: int


def annual_plan(service, intake, plan_year: int, district: str | None) -> AnnualPlan:
    """The annual plan as the read model holds it now."""
    with service.engine.connect() as conn:
        rows = approved_projects(conn, plan_year=plan_year, district=district)
        report = latest_report(conn, plan_year, district)
    due = intake.rules.annual_plan_due(plan_year)
    return AnnualPlan(plan_year=plan_year, district=district, due=due, days_left=(due - intake.today()).days,
                      projects=rows, totals=totals(rows), report=report)


@router.get("/api/library", summary="项目库 The project library")
def get_library(_: CurrentActor, service: ServiceDep, page: PageQuery, request: Request, response: Response,
                plan_year: Year | None = None, district: str | None = None) -> list[dict[str, Any]]:
    """One page of approved projects (latest declared first); `q` searches the community name."""
    with service.engine.connect() as conn:
        found = project_page(conn, page, district=district, plan_year=plan_year, approved_only=True)
    return answer(found, request, response)


@router.get("/api/annual-plans/{plan_year}", summary="年度改造计划 The annual plan")
def get_annual_plan(plan_year: Year, _: CurrentActor, service: ServiceDep, intake: IntakeDep,
                    district: str | None = None) -> AnnualPlan:
    """Projects of a plan year (and district) with totals of households, floor area and budget."""
    return annual_plan(service, intake, plan_year, district)


@router.post("/api/annual-plans/{plan_year}/report", status_code=status.HTTP_201_CREATED,
             summary="上报年度计划 Report the annual plan")
def post_annual_plan_report(plan_year: Annotated[int, Path(ge=2000, le=2100)], body: ReportAnnualPlan,
                            actor: Official, service: ServiceDep, request: Request,
                            intake: IntakeDep) -> AnnualPlanReported:
    """Record the report of the annual plan as it stands (due 30 September of the year before)."""
    reported = report_annual_plan(work(service, actor, request), plan_year=plan_year,
                                  district=body.district or None, note=body.note, intake=intake)
    return AnnualPlanReported(**reported.model_dump(include=set(AnnualPlanReported.model_fields)))


@router.get("/api/annual-plans/{plan_year}/csv", summary="年度计划 CSV Download the annual plan",
            response_class=Response, responses={200: {"description": "CSV（UTF-8，带 BOM）",
                                                      "content": {"text/csv": {"schema": {"type": "string"}}}}})
def get_annual_plan_csv(plan_year: Year, _: CurrentActor, service: ServiceDep, intake: IntakeDep,
                        district: str | None = None) -> Response:
    """The annual plan as a CSV file (UTF-8 with BOM), totals in the last row."""
    plan = annual_plan(service, intake, plan_year, district)
    filename = f"{plan_year}年度老旧小区改造计划{'-' + district if district else ''}.csv"
    return Response(annual_plan_csv(plan.projects, plan.totals), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
