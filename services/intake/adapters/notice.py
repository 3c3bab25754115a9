"""The notices read model: plan and design-change notices, their objections and answers."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.intake.adapters.project import project_table
from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

notice_table = sa.Table(
    "notice",
    metadata,
    sa.Column("notice_id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("project_id", sa.String(36), nullable=False, index=True),
    sa.Column("change_id", sa.String(100)),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.String(4000)),
    sa.Column("cost_delta_fen", sa.BigInteger),
    sa.Column("start", sa.String(10), nullable=False),
    sa.Column("end", sa.String(10), nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    # The end rests on a year whose official calendar is not loaded: shown 暂定, never ended on.
    sa.Column("end_provisional", sa.Boolean, nullable=False, default=False),
    # open → ended when the period is over; void when the plan was reopened.
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("objections", sa.Integer, nullable=False),
    sa.Column("unanswered", sa.Integer, nullable=False),
    sa.Column("published_at", sa.String(40), nullable=False),
)

objection_table = sa.Table(
    "objection",
    metadata,
    sa.Column("objection_id", sa.String(36), primary_key=True),
    sa.Column("notice_id", sa.String(36), nullable=False, index=True),
    sa.Column("household_id", sa.String(40)),
    sa.Column("text", sa.String(2000), nullable=False),
    sa.Column("raised_on", sa.String(10), nullable=False),
    sa.Column("raised_by", sa.String(100), nullable=False),
    sa.Column("answer", sa.String(2000)),
    sa.Column("answered_on", sa.String(10)),
    sa.Column("answered_by", sa.String(100)),
)

projection = Projection(notice_table, objection_table)


@projection.on("intake.PlanNoticePublished")
def _plan_published(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    name = conn.execute(sa.select(project_table.c.community_name).where(
        project_table.c.project_id == p["project_id"])).scalar_one()
    _insert(conn, envelope, kind="plan", title=f"{name}改造方案公示（第 {p['revision']} 版）")


@projection.on("intake.DesignChangeNoticePublished")
def _change_published(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    # The event keeps the full text; the list shows what fits its columns.
    _insert(conn, envelope, kind="design_change", change_id=p["change_id"],
            title=f"设计变更公示：{p['title']}"[:200], description=p["description"][:4000],
            cost_delta_fen=p["cost_delta_fen"])


def _insert(conn: Connection, envelope: Envelope, **values) -> None:
    p = envelope.payload
    conn.execute(notice_table.insert().values(
        notice_id=p["notice_id"], project_id=p["project_id"], start=p["start"], end=p["end"],
        working_days=p["working_days"], end_provisional=p.get("end_provisional", False),
        status="open", objections=0, unanswered=0,
        published_at=envelope.occurred_at.isoformat(), **values))


@projection.on("intake.PlanObjectionRaised", "intake.DesignChangeObjectionRaised")
def _raised(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(objection_table.insert().values(
        objection_id=p["objection_id"], notice_id=p["notice_id"], household_id=p["household_id"],
        text=p["text"], raised_on=p["raised_on"], raised_by=envelope.actor.id))
    conn.execute(notice_table.update().where(notice_table.c.notice_id == p["notice_id"]).values(
        objections=notice_table.c.objections + 1, unanswered=notice_table.c.unanswered + 1))


@projection.on("intake.PlanObjectionAnswered", "intake.DesignChangeObjectionAnswered")
def _answered(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(objection_table.update().where(objection_table.c.objection_id == p["objection_id"]).values(
        answer=p["answer"], answered_on=p["answered_on"], answered_by=envelope.actor.id))
    conn.execute(notice_table.update().where(notice_table.c.notice_id == p["notice_id"]).values(
        unanswered=notice_table.c.unanswered - 1))


@projection.on("intake.PlanNoticeEnded", "intake.DesignChangeNoticeEnded")
def _ended(conn: Connection, envelope: Envelope) -> None:
    conn.execute(notice_table.update().where(notice_table.c.notice_id == envelope.payload["notice_id"])
                 .values(status="ended"))


@projection.on("intake.NoticeEndRecomputed")
def _end_recomputed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(notice_table.update().where(notice_table.c.notice_id == p["notice_id"]).values(
        end=p["end"], working_days=p["working_days"], end_provisional=p["end_provisional"]))


@projection.on("intake.PlanReopened")
def _voided(conn: Connection, envelope: Envelope) -> None:
    conn.execute(notice_table.update().where(
        notice_table.c.project_id == envelope.payload["project_id"], notice_table.c.kind == "plan",
        notice_table.c.status != "void").values(status="void"))


def notice_owner(conn: Connection, notice_id: str) -> tuple[str, str, str | None] | None:
    """(kind, project_id, change_id) of a notice, or None if there is no such notice."""
    row = conn.execute(sa.select(notice_table.c.kind, notice_table.c.project_id, notice_table.c.change_id)
                       .where(notice_table.c.notice_id == notice_id)).first()
    return (row.kind, row.project_id, row.change_id) if row else None


def due_notices(conn: Connection, today: date) -> list[str]:
    """Open notices whose last day is before today (ISO dates compare as text)."""
    return list(conn.execute(sa.select(notice_table.c.notice_id).where(
        notice_table.c.status == "open", notice_table.c.end < today.isoformat(), ~notice_table.c.end_provisional)
        .order_by(notice_table.c.end)).scalars())


def provisional_notices(conn: Connection) -> list[str]:
    """Open notices whose end is provisional: to recompute when a calendar year is loaded."""
    return list(conn.execute(sa.select(notice_table.c.notice_id).where(
        notice_table.c.status == "open", notice_table.c.end_provisional).order_by(notice_table.c.end)).scalars())


def list_notices(conn: Connection, *, kind: str | None = None, project_id: str | None = None) -> list[dict]:
    """Notices, latest start first."""
    query = sa.select(notice_table).order_by(notice_table.c.start.desc(), notice_table.c.published_at.desc())
    if kind:
        query = query.where(notice_table.c.kind == kind)
    if project_id:
        query = query.where(notice_table.c.project_id == project_id)
    return [dict(r._mapping) for r in conn.execute(query)]


def get_notice(conn: Connection, notice_id: str) -> dict | None:
    """One notice, or None."""
    row = conn.execute(sa.select(notice_table).where(notice_table.c.notice_id == notice_id)).first()
    return dict(row._mapping) if row else None


def objections_of(conn: Connection, notice_id: str) -> list[dict]:
    """A notice's objections in the order raised."""
    rows = conn.execute(sa.select(objection_table).where(objection_table.c.notice_id == notice_id)
                        .order_by(objection_table.c.raised_on, objection_table.c.objection_id))
    return [dict(r._mapping) for r in rows]
