"""The acceptance file: read models kept from intake's, construction's and complaints' events."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.unit_of_work import Projection
from services.acceptance.adapters.tables import (
    complaint_table, file_table, hidden_work_table, household_link_table, order_table)
from services.acceptance.consumers import complaints as cm, construction as co, intake
from services.acceptance.adapters import bundle as archive
from shared.envelope import Envelope

foreign = Projection(file_table, hidden_work_table, order_table, complaint_table, household_link_table)
EMPTY_ROOT = archive.root_from_leaf_hashes([]).hex()


def dumps(value) -> str:
    """Stable JSON for Text columns (a rebuild must produce the same bytes)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _file(project_id: str):
    return file_table.update().where(file_table.c.project_id == project_id)


def ensure_file(conn: Connection, project_id: str) -> None:
    """A placeholder row for a project whose construction events came before intake's approval."""
    if conn.execute(sa.select(file_table.c.project_id).where(file_table.c.project_id == project_id)).first():
        return
    conn.execute(file_table.insert().values(
        project_id=project_id, community_id="", community_name="", district="", street_office="", budget_fen=0,
        subsidy_fen=0, households="[]", items="[]", plan_parties="{}", pipeline_units="[]", party_accounts="{}",
        approved_at="", stage="waiting", dossier_root=EMPTY_ROOT, dossier_size=0))


@foreign.on(intake.ProjectApproved.event_type)
def _approved(conn: Connection, envelope: Envelope) -> None:
    fact = intake.ProjectApproved.model_validate(envelope.payload)
    ensure_file(conn, fact.project_id)
    conn.execute(_file(fact.project_id).values(
        community_id=fact.community_id, community_name=fact.community_name, district=fact.district or "",
        street_office=fact.street_office or "", plan_year=fact.plan_year, budget_fen=fact.budget_fen or 0,
        subsidy_fen=fact.subsidy_fen(), households=dumps(fact.households()),
        items=dumps([i.model_dump() for i in fact.items]),
        plan_parties=dumps({k: v for k, v in (fact.parties or {}).items() if isinstance(v, str)}),
        approved_at=envelope.occurred_at.isoformat(),
        **(fact.location.model_dump() if fact.location else {})))


@foreign.on(intake.HouseholdAccountLinked.event_type, intake.HouseholdAccountUnlinked.event_type)
def _linked(conn: Connection, envelope: Envelope) -> None:
    fact = intake.HouseholdAccountLinked.model_validate(envelope.payload)
    key = dict(community_id=fact.community_id, household_id=fact.household_id, account_id=fact.account_id)
    conn.execute(household_link_table.delete().where(*[household_link_table.c[k] == v for k, v in key.items()]))
    if envelope.event_type == intake.HouseholdAccountLinked.event_type:
        conn.execute(household_link_table.insert().values(**key))


@foreign.on(co.PartiesAssigned.event_type)
def _parties(conn: Connection, envelope: Envelope) -> None:
    parties = co.PartiesAssigned.model_validate(envelope.payload).parties
    ensure_file(conn, envelope.project_id)
    conn.execute(_file(envelope.project_id).values(
        contractor=parties.contractor, supervision_unit=parties.supervision_unit, designer=parties.designer,
        pipeline_units=dumps(list(parties.pipeline_units)),
        party_accounts=dumps({k: list(v) for k, v in parties.accounts.items()})))


@foreign.on(co.ContractSigned.event_type)
def _contract(conn: Connection, envelope: Envelope) -> None:
    fact = co.ContractSigned.model_validate(envelope.payload)
    ensure_file(conn, envelope.project_id)
    conn.execute(_file(envelope.project_id).values(contract_signed_on=fact.signed_on.isoformat()))


@foreign.on(co.CompletionDeclared.event_type)
def _completed(conn: Connection, envelope: Envelope) -> None:
    fact = co.CompletionDeclared.model_validate(envelope.payload)
    ensure_file(conn, fact.project_id)
    conn.execute(_file(fact.project_id).values(completion_declared_on=fact.declared_on.isoformat()))


@foreign.on(co.HiddenWorkDeclared.event_type)
def _hw_declared(conn: Connection, envelope: Envelope) -> None:
    fact = co.HiddenWorkDeclared.model_validate(envelope.payload)
    conn.execute(hidden_work_table.insert().values(hidden_work_id=fact.hidden_work_id, project_id=fact.project_id,
                                                   location=fact.location[:200], state="declared", photos=0))


def _hidden_work(hidden_work_id: str):
    return hidden_work_table.update().where(hidden_work_table.c.hidden_work_id == hidden_work_id)


@foreign.on(co.HiddenWorkEvidenceAttached.event_type)
def _hw_evidence(conn: Connection, envelope: Envelope) -> None:
    fact = co.HiddenWorkEvidenceAttached.model_validate(envelope.payload)
    if fact.evidence.media_type.startswith("image/"):
        conn.execute(_hidden_work(fact.hidden_work_id).values(photos=hidden_work_table.c.photos + 1))


@foreign.on(co.HiddenWorkAccepted.event_type, co.HiddenWorkRejected.event_type, co.HiddenWorkConcealed.event_type)
def _hw_state(conn: Connection, envelope: Envelope) -> None:
    fact = co.HiddenWorkAccepted.model_validate(envelope.payload)
    state = {co.HiddenWorkAccepted.event_type: "accepted", co.HiddenWorkRejected.event_type: "rejected",
             co.HiddenWorkConcealed.event_type: "concealed"}[envelope.event_type]
    conn.execute(_hidden_work(fact.hidden_work_id).values(state=state))


@foreign.on(co.RectificationOrdered.event_type)
def _ordered(conn: Connection, envelope: Envelope) -> None:
    fact = co.RectificationOrdered.model_validate(envelope.payload)
    conn.execute(order_table.insert().values(order_id=fact.order_id, project_id=fact.project_id,
                                             description=fact.defect.description[:500], status="issued"))


@foreign.on(co.RectificationSubmitted.event_type, co.RectificationVerified.event_type,
               co.RectificationRejected.event_type)
def _order_state(conn: Connection, envelope: Envelope) -> None:
    fact = co.RectificationVerified.model_validate(envelope.payload)
    status = {co.RectificationSubmitted.event_type: "submitted", co.RectificationVerified.event_type: "verified",
              co.RectificationRejected.event_type: "rejected"}[envelope.event_type]
    conn.execute(order_table.update().where(order_table.c.order_id == fact.order_id).values(status=status))


@foreign.on(cm.SafetyComplaintOpened.event_type, cm.SafetyComplaintClosed.event_type)
def _complaint(conn: Connection, envelope: Envelope) -> None:
    opened = envelope.event_type == cm.SafetyComplaintOpened.event_type
    fact = (cm.SafetyComplaintOpened if opened else cm.SafetyComplaintClosed).model_validate(envelope.payload)
    conn.execute(complaint_table.delete().where(complaint_table.c.complaint_id == fact.complaint_id))
    conn.execute(complaint_table.insert().values(complaint_id=fact.complaint_id, project_id=fact.project_id,
                                                 category=getattr(fact, "category", "safety"), open=opened))
