"""The read model of annual-plan reports: the latest report of each plan year and district."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

ALL_DISTRICTS = ""  # the key of a city-wide report (a primary key column cannot be null)

report_table = sa.Table(
    "annual_plan_report",
    metadata,
    sa.Column("plan_year", sa.Integer, primary_key=True),
    sa.Column("district", sa.String(50), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("reported_on", sa.String(10), nullable=False),
    sa.Column("due_on", sa.String(10), nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Column("projects", sa.Integer, nullable=False),
    sa.Column("budget_fen", sa.BigInteger, nullable=False),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("reported_by", sa.String(100), nullable=False),
)

projection = Projection(report_table)


@projection.on("intake.AnnualPlanReported")
def _reported(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    district = p.get("district") or ALL_DISTRICTS
    conn.execute(report_table.delete().where(report_table.c.plan_year == p["plan_year"],
                                             report_table.c.district == district))
    conn.execute(report_table.insert().values(
        plan_year=p["plan_year"], district=district, revision=p["revision"], reported_on=p["reported_on"],
        due_on=p["due_on"], late=p["late"], projects=len(p["projects"]), budget_fen=p["budget_fen"],
        note=p.get("note", ""), reported_by=envelope.actor.id))


def latest_report(conn: Connection, plan_year: int, district: str | None) -> dict | None:
    """The latest report of a plan year's plan (for a district, or city-wide), or None."""
    row = conn.execute(sa.select(report_table).where(
        report_table.c.plan_year == plan_year, report_table.c.district == (district or ALL_DISTRICTS))).first()
    return dict(row._mapping) if row else None
