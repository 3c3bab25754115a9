"""The project library (项目库) and the annual plan per district and year, with its CSV export."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.intake.adapters.project import project_table
from services.intake.domain.plan import yuan
from services.intake.domain.vocabulary import FUNDING_LABELS, FundingSource


def approved_projects(conn: Connection, *, plan_year: int | None = None,
                      district: str | None = None) -> list[dict]:
    """Approved projects in plan order: district, street office, community."""
    query = sa.select(project_table).where(project_table.c.status == "approved").order_by(
        project_table.c.plan_year.desc(), project_table.c.district, project_table.c.street_office,
        project_table.c.community_name)
    if plan_year is not None:
        query = query.where(project_table.c.plan_year == plan_year)
    if district:
        query = query.where(project_table.c.district == district)
    return [with_funding(dict(r._mapping)) for r in conn.execute(query)]


def with_funding(row: dict) -> dict:
    """A library row with its funding per source (0 where the approval names none)."""
    funding = {f["source"]: f["amount_fen"] for f in (row["approval"] or {}).get("funding", [])}
    return row | {"funding": {source.value: funding.get(source.value, 0) for source in FundingSource}}


def totals(rows: list[dict]) -> dict:
    """Totals of an annual plan: projects, households, floor area, budget and each funding source."""
    return {
        "projects": len(rows),
        "households": sum(r["household_count"] or 0 for r in rows),
        "floor_area_m2": round(sum(r["floor_area_m2"] or 0 for r in rows), 2),
        "budget_fen": sum(r["budget_fen"] or 0 for r in rows),
        "funding": {s.value: sum(r["funding"][s.value] for r in rows) for s in FundingSource},
    }


def plan_choices(conn: Connection) -> tuple[list[str], list[int]]:
    """The districts and plan years that have any project, for the page's filters."""
    districts = conn.execute(sa.select(project_table.c.district).distinct().order_by(project_table.c.district))
    years = conn.execute(sa.select(project_table.c.plan_year).distinct().order_by(project_table.c.plan_year.desc()))
    return list(districts.scalars()), list(years.scalars())


def annual_plan_csv(rows: list[dict], summary: dict) -> bytes:
    """The annual plan as CSV (UTF-8 with BOM, so spreadsheet programs in China open it as such)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    sources = list(FundingSource)
    writer.writerow(["计划年度", "区/县", "街道", "小区", "项目编号", "户数", "建筑面积（平方米）", "总投资（元）",
                     *[f"{FUNDING_LABELS[s]}（元）" for s in sources], "批准日期"])
    for r in rows:
        writer.writerow([r["plan_year"], r["district"], r["street_office"], r["community_name"], r["project_id"],
                         r["household_count"], f"{r['floor_area_m2']:.2f}", _plain_yuan(r["budget_fen"]),
                         *[_plain_yuan(r["funding"][s.value]) for s in sources], r["approved_on"]])
    writer.writerow(["合计", "", "", f"{summary['projects']} 个项目", "", summary["households"],
                     f"{summary['floor_area_m2']:.2f}", _plain_yuan(summary["budget_fen"]),
                     *[_plain_yuan(summary["funding"][s.value]) for s in sources], ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _plain_yuan(fen: int) -> str:
    # Spreadsheets read "1800000.00" as a number; "1,800,000.00" would be text.
    return yuan(fen).replace(",", "")
