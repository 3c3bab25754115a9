"""Read models of acceptance's own events: stage, party roll, items, evaluation, tranches, refusals."""

from __future__ import annotations

from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.acceptance.adapters.tables import file_table, party_table, refusal_table, tranche_table
from services.acceptance.domain.acceptance import Acceptance
from services.acceptance.domain.evaluation import Evaluation
from services.acceptance.domain.subsidy import Subsidy
from shared.envelope import Envelope
from shared.unit_of_work import Projection

own = Projection(party_table, tranche_table, refusal_table)


def _file(envelope: Envelope):
    return file_table.update().where(file_table.c.project_id == envelope.project_id)


@own.on(Acceptance.Convened.event_type)
def _convened(conn: Connection, envelope: Envelope) -> None:
    fact = Acceptance.Convened.model_validate(envelope.payload)
    conn.execute(_file(envelope).values(stage="convened", convened_on=fact.convened_on.isoformat()))
    for rep in fact.parties:
        conn.execute(party_table.insert().values(project_id=fact.project_id, party=rep.party,
                                                 organisation=rep.organisation))


@own.on(Acceptance.VerdictRecorded.event_type)
def _verdict(conn: Connection, envelope: Envelope) -> None:
    fact = Acceptance.VerdictRecorded.model_validate(envelope.payload)
    conn.execute(party_table.update().where(party_table.c.project_id == fact.project_id,
                                            party_table.c.party == fact.party).values(
        verdict=fact.verdict, dossier_root=fact.dossier_root))


@own.on(Acceptance.ItemRaised.event_type, Acceptance.ItemRechecked.event_type)
def _items(conn: Connection, envelope: Envelope) -> None:
    if envelope.event_type == Acceptance.ItemRechecked.event_type and not envelope.payload["passed"]:
        return
    delta = 1 if envelope.event_type == Acceptance.ItemRaised.event_type else -1
    conn.execute(_file(envelope).values(items_open=file_table.c.items_open + delta))


@own.on(Acceptance.Refused.event_type, Acceptance.FinalRefused.event_type)
def _refused(conn: Connection, envelope: Envelope) -> None:
    kind = "request" if envelope.event_type == Acceptance.Refused.event_type else "final"
    conn.execute(refusal_table.insert().values(event_id=str(envelope.event_id), project_id=envelope.project_id,
                                               kind=kind))


@own.on(Acceptance.FinalAccepted.event_type)
def _accepted(conn: Connection, envelope: Envelope) -> None:
    fact = Acceptance.FinalAccepted.model_validate(envelope.payload)
    conn.execute(_file(envelope).values(stage="accepted", accepted_on=fact.accepted_on.isoformat(),
                                        filing_due_on=fact.filing_due_on.isoformat()))


@own.on(Acceptance.Filed.event_type, Acceptance.FilingLate.event_type)
def _filing(conn: Connection, envelope: Envelope) -> None:
    if envelope.event_type == Acceptance.FilingLate.event_type:
        conn.execute(_file(envelope).values(filing_late=True))
        return
    fact = Acceptance.Filed.model_validate(envelope.payload)
    conn.execute(_file(envelope).values(stage="filed", filed_on=fact.filed_on.isoformat(), filing_late=fact.late))


@own.on(Evaluation.Opened.event_type)
def _evaluation_opened(conn: Connection, envelope: Envelope) -> None:
    fact = Evaluation.Opened.model_validate(envelope.payload)
    conn.execute(_file(envelope).values(evaluation_households=len(fact.households), evaluation_voices=0,
                                        evaluation_satisfied=0, evaluation_state="open"))


@own.on(Evaluation.VoiceRecorded.event_type)
def _voice(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_file(envelope).values(evaluation_voices=file_table.c.evaluation_voices + 1))


@own.on(Evaluation.Closed.event_type)
def _evaluation_closed(conn: Connection, envelope: Envelope) -> None:
    fact = Evaluation.Closed.model_validate(envelope.payload)
    conn.execute(_file(envelope).values(evaluation_satisfied=fact.tally["satisfied"],
                                        evaluation_voices=fact.tally["voices"],
                                        evaluation_state="passed" if fact.passed else "failed"))


@own.on(Subsidy.Planned.event_type)
def _planned(conn: Connection, envelope: Envelope) -> None:
    fact = Subsidy.Planned.model_validate(envelope.payload)
    for t in fact.tranches:
        conn.execute(tranche_table.insert().values(project_id=fact.project_id, key=t.key, percent=t.percent,
                                                   amount_fen=t.amount_fen, condition=t.condition))


@own.on(Subsidy.TrancheDue.event_type, Subsidy.TranchePaid.event_type)
def _tranche(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    column = "due_on" if envelope.event_type == Subsidy.TrancheDue.event_type else "paid_on"
    conn.execute(tranche_table.update().where(tranche_table.c.project_id == p["project_id"],
                                              tranche_table.c.key == p["key"]).values(
        **{column: p[column]}))


def satisfaction(conn: Connection) -> tuple[Fraction, Fraction]:
    """Across closed evaluations: satisfied/voices and voices/households."""
    voices, satisfied, households = conn.execute(sa.select(
        sa.func.coalesce(sa.func.sum(file_table.c.evaluation_voices), 0),
        sa.func.coalesce(sa.func.sum(file_table.c.evaluation_satisfied), 0),
        sa.func.coalesce(sa.func.sum(file_table.c.evaluation_households), 0)).where(
        file_table.c.evaluation_state.in_(("passed", "failed")))).one()
    return (Fraction(satisfied, voices) if voices else Fraction(0),
            Fraction(voices, households) if households else Fraction(0))
