"""The projects read models: one row per project with its plan and stage, ballots, review opinions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.intake.adapters.canonical import CanonicalJSON
from services.intake.adapters.community import community_table
from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

project_table = sa.Table(
    "project",
    metadata,
    sa.Column("project_id", sa.String(36), primary_key=True),
    sa.Column("community_id", sa.String(36), nullable=False, index=True),
    sa.Column("community_name", sa.String(100), nullable=False),
    sa.Column("district", sa.String(50), nullable=False),
    sa.Column("street_office", sa.String(50), nullable=False),
    sa.Column("plan_year", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("declared_at", sa.String(40), nullable=False),
    sa.Column("declared_by", sa.String(100), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("plan", CanonicalJSON),
    sa.Column("budget_fen", sa.BigInteger),
    sa.Column("notice_id", sa.String(36)),
    sa.Column("notice_start", sa.String(10)),
    sa.Column("notice_end", sa.String(10)),
    sa.Column("notice_end_provisional", sa.Boolean, nullable=False, default=False),
    sa.Column("notice_working_days", sa.Integer),
    sa.Column("vote_status", sa.String(10), nullable=False),
    sa.Column("vote_tally", CanonicalJSON),
    sa.Column("household_count", sa.Integer),
    sa.Column("floor_area_m2", sa.Float),
    sa.Column("approved_on", sa.String(10)),
    sa.Column("approved_by", sa.String(100)),
    sa.Column("approval", CanonicalJSON),
    sa.Column("closed_reason", sa.String(500)),
)

ballot_table = sa.Table(
    "ballot",
    metadata,
    sa.Column("project_id", sa.String(36), primary_key=True),
    sa.Column("household_id", sa.String(40), primary_key=True),
    sa.Column("choice", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(12), nullable=False),
    sa.Column("cast_at", sa.String(40), nullable=False),
)

review_table = sa.Table(
    "review",
    metadata,
    sa.Column("project_id", sa.String(36), primary_key=True),
    sa.Column("department", sa.String(30), primary_key=True),
    sa.Column("opinion", sa.String(30), nullable=False),
    sa.Column("comments", sa.String(2000), nullable=False),
    sa.Column("reviewed_on", sa.String(10), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
)

projection = Projection(project_table, ballot_table, review_table)


def _update(conn: Connection, envelope: Envelope, **values) -> None:
    conn.execute(project_table.update().where(
        project_table.c.project_id == envelope.payload["project_id"]).values(**values))


@projection.on("intake.ProjectOpened")
def _opened(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    community = conn.execute(sa.select(community_table).where(
        community_table.c.community_id == p["community_id"])).one()
    conn.execute(project_table.insert().values(
        project_id=p["project_id"], community_id=p["community_id"], community_name=community.name,
        district=community.district, street_office=community.street_office, plan_year=p["plan_year"],
        status="drafting", declared_at=envelope.occurred_at.isoformat(), declared_by=envelope.actor.id,
        revision=0, vote_status="none"))


@projection.on("intake.PlanRevised")
def _revised(conn: Connection, envelope: Envelope) -> None:
    plan = envelope.payload["plan"]
    _update(conn, envelope, revision=envelope.payload["revision"], plan=plan,
            budget_fen=sum(item["budget_fen"] for item in plan["items"]))


@projection.on("intake.PlanNoticePublished")
def _published(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, status="in_notice", notice_id=p["notice_id"], notice_start=p["start"],
            notice_end=p["end"], notice_working_days=p["working_days"],
            notice_end_provisional=p.get("end_provisional", False))


@projection.on("intake.NoticeEndRecomputed")
def _notice_end_recomputed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    if p.get("change_id") is None:
        _update(conn, envelope, notice_end=p["end"], notice_working_days=p["working_days"],
                notice_end_provisional=p["end_provisional"])


@projection.on("intake.PlanNoticeEnded")
def _ended(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, status="noticed")


@projection.on("intake.VoteOpened")
def _vote_opened(conn: Connection, envelope: Envelope) -> None:
    conn.execute(ballot_table.delete().where(ballot_table.c.project_id == envelope.payload["project_id"]))
    _update(conn, envelope, vote_status="open", vote_tally=None)


@projection.on("intake.VoteCast")
def _vote_cast(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(ballot_table.delete().where(ballot_table.c.project_id == p["project_id"],
                                             ballot_table.c.household_id == p["household_id"]))
    conn.execute(ballot_table.insert().values(
        project_id=p["project_id"], household_id=p["household_id"], choice=p["choice"],
        channel=p["channel"], cast_at=envelope.occurred_at.isoformat()))


@projection.on("intake.VoteClosed")
def _vote_closed(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, vote_status="closed", vote_tally=envelope.payload["tally"])


@projection.on("intake.ReviewOpinionRecorded")
def _reviewed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(review_table.delete().where(review_table.c.project_id == p["project_id"],
                                             review_table.c.department == p["department"]))
    conn.execute(review_table.insert().values(
        project_id=p["project_id"], department=p["department"], opinion=p["opinion"],
        comments=p["comments"], reviewed_on=p["reviewed_on"], recorded_by=envelope.actor.id))


@projection.on("intake.PlanReopened")
def _reopened(conn: Connection, envelope: Envelope) -> None:
    project_id = envelope.payload["project_id"]
    conn.execute(ballot_table.delete().where(ballot_table.c.project_id == project_id))
    conn.execute(review_table.delete().where(review_table.c.project_id == project_id))
    _update(conn, envelope, status="drafting", notice_id=None, notice_start=None, notice_end=None,
            notice_working_days=None, vote_status="none", vote_tally=None)


@projection.on("intake.ProjectWithdrawn")
def _withdrawn(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, status="withdrawn", closed_reason=envelope.payload["reason"])


@projection.on("intake.ProjectApproved")
def _approved(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, status="approved", approved_on=p["approved_on"], approved_by=envelope.actor.id,
            approval=p, household_count=p["household_count"], floor_area_m2=p["floor_area_m2"],
            budget_fen=p["budget_fen"])


def list_projects(conn: Connection, *, community_id: str | None = None, status: str | None = None,
                  district: str | None = None, plan_year: int | None = None) -> list[dict]:
    """Projects, newest declaration first, filtered as asked."""
    query = sa.select(project_table).order_by(project_table.c.declared_at.desc())
    for column, value in (("community_id", community_id), ("status", status), ("district", district),
                          ("plan_year", plan_year)):
        if value is not None:
            query = query.where(project_table.c[column] == value)
    return [dict(r._mapping) for r in conn.execute(query)]


def get_project(conn: Connection, project_id: str) -> dict | None:
    """One project, or None."""
    row = conn.execute(sa.select(project_table).where(project_table.c.project_id == project_id)).first()
    return dict(row._mapping) if row else None


def ballot_counts(conn: Connection, project_id: str) -> dict[str, int]:
    """Live ballot counts of the open vote: for, against, abstain."""
    counts = {"for": 0, "against": 0, "abstain": 0}
    counts.update(dict(conn.execute(sa.select(ballot_table.c.choice, sa.func.count()).where(
        ballot_table.c.project_id == project_id).group_by(ballot_table.c.choice)).all()))
    return counts


def reviews_of(conn: Connection, project_id: str) -> dict[str, dict]:
    """The current opinion of each department that has given one."""
    rows = conn.execute(sa.select(review_table).where(review_table.c.project_id == project_id))
    return {r.department: dict(r._mapping) for r in rows}
