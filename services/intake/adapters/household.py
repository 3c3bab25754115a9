"""The household read models: one row per surveyed household with its current answers, and links."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.intake.adapters.canonical import CanonicalJSON
from shared.envelope import Envelope
from shared.unit_of_work import Projection

metadata = sa.MetaData()

household_table = sa.Table(
    "household",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("household_id", sa.String(40), primary_key=True),
    sa.Column("building", sa.String(12), nullable=False),
    sa.Column("unit", sa.String(12), nullable=False),
    sa.Column("room", sa.String(12), nullable=False),
    # A later survey may drop a household; its answers stay on record but stop counting.
    sa.Column("in_survey", sa.Boolean, nullable=False),
    sa.Column("consent", sa.String(10)),
    sa.Column("consent_channel", sa.String(12)),
    sa.Column("consent_at", sa.String(40)),
    sa.Column("consent_by", sa.String(100)),
    sa.Column("answers", sa.Integer, nullable=False),
    sa.Column("elevator", sa.String(10)),
    sa.Column("needs", CanonicalJSON),
    sa.Column("needs_note", sa.String(500)),
)

account_table = sa.Table(
    "household_account",
    metadata,
    sa.Column("community_id", sa.String(36), primary_key=True),
    sa.Column("household_id", sa.String(40), primary_key=True),
    sa.Column("account_id", sa.String(100), primary_key=True, index=True),
    sa.Column("evidence", sa.String(30), nullable=False),
    sa.Column("linked_at", sa.String(40), nullable=False),
    sa.Column("linked_by", sa.String(100), nullable=False),
)

projection = Projection(household_table, account_table)


def _key(payload: dict):
    return sa.and_(household_table.c.community_id == payload["community_id"],
                   household_table.c.household_id == payload["household_id"])


@projection.on("intake.CommunitySurveyed")
def _surveyed(conn: Connection, envelope: Envelope) -> None:
    community_id = envelope.payload["community_id"]
    rows = {f"{b['building']}-{u['unit']}-{room}": (b["building"], u["unit"], room)
            for b in envelope.payload["survey"]["buildings"] for u in b["units"] for room in u["rooms"]}
    conn.execute(household_table.update().where(household_table.c.community_id == community_id)
                 .values(in_survey=False))
    known = set(conn.execute(sa.select(household_table.c.household_id).where(
        household_table.c.community_id == community_id)).scalars())
    still = sorted(known & set(rows))
    for start in range(0, len(still), 500):  # SQLite caps the bound parameters of one statement
        conn.execute(household_table.update().where(
            household_table.c.community_id == community_id,
            household_table.c.household_id.in_(still[start:start + 500])).values(in_survey=True))
    new = [{"community_id": community_id, "household_id": h, "building": b, "unit": u, "room": r,
            "in_survey": True, "answers": 0} for h, (b, u, r) in rows.items() if h not in known]
    if new:
        conn.execute(household_table.insert(), new)


@projection.on("intake.ConsentRecorded")
def _consent(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(household_table.update().where(_key(p)).values(
        consent=p["answer"], consent_channel=p["channel"], consent_at=envelope.occurred_at.isoformat(),
        consent_by=envelope.actor.id, answers=household_table.c.answers + 1))


@projection.on("intake.HouseholdNeedsRecorded")
def _needs(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(household_table.update().where(_key(p)).values(needs=p["needs"], needs_note=p["note"]))


@projection.on("intake.ElevatorConsentRecorded")
def _elevator(conn: Connection, envelope: Envelope) -> None:
    conn.execute(household_table.update().where(_key(envelope.payload)).values(
        elevator=envelope.payload["answer"]))


@projection.on("intake.HouseholdAccountLinked")
def _linked(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(account_table.insert().values(
        community_id=p["community_id"], household_id=p["household_id"], account_id=p["account_id"],
        evidence=p["evidence"], linked_at=envelope.occurred_at.isoformat(), linked_by=envelope.actor.id))


@projection.on("intake.HouseholdAccountUnlinked")
def _unlinked(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(account_table.delete().where(
        account_table.c.community_id == p["community_id"], account_table.c.household_id == p["household_id"],
        account_table.c.account_id == p["account_id"]))


def consent_tally(conn: Connection, community_id: str) -> dict[str, int]:
    """Live consent counts over the surveyed households: agree, disagree, unanswered, households."""
    rows = conn.execute(sa.select(household_table.c.consent, sa.func.count()).where(
        household_table.c.community_id == community_id, household_table.c.in_survey.is_(True))
        .group_by(household_table.c.consent)).all()
    counts = {"agree": 0, "disagree": 0, "unanswered": 0}
    counts.update({answer or "unanswered": n for answer, n in rows})
    return counts | {"households": sum(n for _, n in rows)}


def list_households(conn: Connection, community_id: str) -> list[dict]:
    """The surveyed households of a community in building, unit, room order, with their answers."""
    rows = conn.execute(sa.select(household_table).where(
        household_table.c.community_id == community_id, household_table.c.in_survey.is_(True)))
    return sorted((dict(r._mapping) for r in rows), key=lambda h: (_natural(h["building"]),
                                                                   _natural(h["unit"]), _natural(h["room"])))


def _natural(text: str) -> tuple:
    # "10" after "9": numbers sort as numbers, other names after them.
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def needs_tally(conn: Connection, community_id: str) -> dict[str, int]:
    """How many surveyed households ask for each kind of works."""
    counts: dict[str, int] = {}
    for needs in conn.execute(sa.select(household_table.c.needs).where(
            household_table.c.community_id == community_id, household_table.c.in_survey.is_(True),
            household_table.c.needs.is_not(None))).scalars():
        for kind in needs:
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def elevator_by_building(conn: Connection, community_id: str) -> dict[str, dict[str, int]]:
    """Per building: households, signatures and objections for an elevator."""
    result: dict[str, dict[str, int]] = {}
    for h in list_households(conn, community_id):
        counts = result.setdefault(h["building"], {"households": 0, "sign": 0, "object": 0})
        counts["households"] += 1
        if h["elevator"] in ("sign", "object"):
            counts[h["elevator"]] += 1
    return result


def linked_accounts(conn: Connection, community_id: str) -> list[dict]:
    """Every account linked to a household of the community."""
    rows = conn.execute(sa.select(account_table).where(account_table.c.community_id == community_id)
                        .order_by(account_table.c.household_id, account_table.c.account_id))
    return [dict(r._mapping) for r in rows]


def households_of_account(conn: Connection, account_id: str) -> list[dict]:
    """The households (any community) an account may speak for."""
    rows = conn.execute(sa.select(account_table).where(account_table.c.account_id == account_id))
    return [dict(r._mapping) for r in rows]
