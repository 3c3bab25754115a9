"""Commands on the joint acceptance: convene, sign, check, rectify, accept, file; the late-filing clock."""

from __future__ import annotations

from datetime import date

from services.acceptance.adapters import queries
from services.acceptance.adapters.record import current_dossier
from services.acceptance.application import money
from services.acceptance.application.context import AcceptanceContext, attempt
from services.acceptance.application.evidence import Upload, take
from services.acceptance.domain import precondition
from services.acceptance.domain.acceptance import Acceptance, Verdict
from services.acceptance.domain.checklist import checklist_for
from services.acceptance.domain.evaluation import Evaluation, evaluation_gaps
from services.acceptance.domain.party import Representative, required_parties
from shared.unit_of_work import UnitOfWork


def load(uow: UnitOfWork, project_id: str) -> Acceptance:
    """The project's acceptance (empty before it is convened); 404 for a project acceptance does not know."""
    queries.file_row(uow.conn, project_id)
    return uow.find(Acceptance, Acceptance.stream_for(project_id)) or Acceptance.start(project_id)


def convene(uow: UnitOfWork, ctx: AcceptanceContext, *, project_id: str, roll: list[Representative]) -> None:
    """Convene the initial acceptance with every party, or record the refusal naming what is missing."""
    acceptance = load(uow, project_id)
    file = queries.file_row(uow.conn, project_id)
    gaps = precondition.missing(queries.file_view(uow.conn, project_id))
    attempt(uow, acceptance, lambda: acceptance.convene(
        gaps=gaps, roll=roll, required=required_parties(file["pipeline_units"]),
        checks=checklist_for(file["items"]), today=ctx.today()), project_id=project_id)
    uow.save(acceptance, project_id=project_id)


def sign(uow: UnitOfWork, *, project_id: str, party: str, verdict: Verdict, comments: str, seen_root: str) -> None:
    """A party's verdict on the dossier state it saw."""
    acceptance = load(uow, project_id)
    root, size = current_dossier(uow.conn, project_id)
    acceptance.sign(party=party, account=uow.actor.id, role=uow.actor.role, verdict=verdict, comments=comments,
                    seen_root=seen_root, current_root=root, size=size)
    uow.save(acceptance, project_id=project_id)


def record_check(uow: UnitOfWork, ctx: AcceptanceContext, *, project_id: str, check_id: str, result: Verdict,
                 note: str, uploads: list[Upload]) -> None:
    """Record one check with its photos (kept before the event commits: content-addressed, write-once)."""
    acceptance = load(uow, project_id)
    check = acceptance.check_for(check_id)
    site = queries.site_of(uow.conn, project_id)
    evidence = take(ctx, uploads, caption=check.title, site=site) if uploads else ()
    acceptance.record_check(check_id=check_id, result=result, note=note, evidence=evidence,
                            min_photos=ctx.settings.check_min_photos)
    uow.save(acceptance, project_id=project_id)


def raise_item(uow: UnitOfWork, *, project_id: str, text: str) -> str:
    """Add a rectification item by hand (e.g. from residents' comments)."""
    acceptance = load(uow, project_id)
    item_id = acceptance.raise_item(source=f"manual:{uow.actor.id}", text=text)
    uow.save(acceptance, project_id=project_id)
    return item_id


def fix_item(uow: UnitOfWork, ctx: AcceptanceContext, *, project_id: str, item_id: str, note: str,
             uploads: list[Upload]) -> None:
    """The contractor reports an item fixed, with photos."""
    acceptance = load(uow, project_id)
    acceptance.item(item_id)
    site = queries.site_of(uow.conn, project_id)
    evidence = take(ctx, uploads, caption=f"整改项 {item_id}", site=site) if uploads else ()
    acceptance.fix_item(item_id=item_id, note=note, evidence=evidence)
    uow.save(acceptance, project_id=project_id)


def recheck_item(uow: UnitOfWork, *, project_id: str, item_id: str, passed: bool, note: str) -> None:
    """Re-check a fixed item."""
    acceptance = load(uow, project_id)
    acceptance.recheck_item(item_id=item_id, passed=passed, note=note)
    uow.save(acceptance, project_id=project_id)


def accept_final(uow: UnitOfWork, ctx: AcceptanceContext, *, project_id: str) -> None:
    """竣工验收, or the recorded refusal naming every party, check, item and evaluation figure missing."""
    acceptance = load(uow, project_id)
    evaluation = uow.find(Evaluation, Evaluation.stream_for(project_id))
    gaps = precondition.missing(queries.file_view(uow.conn, project_id))
    root, size = current_dossier(uow.conn, project_id)
    figures = dict(evaluation.closed.tally) if evaluation and evaluation.closed else {}
    attempt(uow, acceptance, lambda: acceptance.accept_final(
        gaps=gaps, current_root=root, size=size, evaluation={**figures, "gaps": evaluation_gaps(evaluation)},
        today=ctx.today(), filing_days=ctx.settings.filing_days), project_id=project_id)
    uow.save(acceptance, project_id=project_id)
    money.condition_met(uow, project_id=project_id, condition="completion_accepted", on=ctx.today())


def record_filing(uow: UnitOfWork, *, project_id: str, filed_on: date, filing_no: str, authority: str) -> None:
    """备案 with the filing authority (art. 49)."""
    acceptance = load(uow, project_id)
    acceptance.record_filing(filed_on=filed_on, filing_no=filing_no, authority=authority)
    uow.save(acceptance, project_id=project_id)


def note_late_filings(uow: UnitOfWork, *, today: date) -> int:
    """Record every filing past its 15-day limit (once each); how many were noted."""
    noted = 0
    for row in queries.files(uow.conn):
        if row["stage"] != "accepted" or row["filing_late"] or row["filing_due_on"] >= today.isoformat():
            continue
        acceptance = load(uow, row["project_id"])
        if acceptance.note_late(today):
            uow.save(acceptance, project_id=row["project_id"])
            noted += 1
    return noted


def filing_ticker(ctx: AcceptanceContext):
    """The service's ticker: the art. 49 clock on the kernel clock."""
    from shared.actor import Actor

    def tick(service) -> None:
        with service.unit_of_work(actor=Actor.system("acceptance")) as uow:
            if note_late_filings(uow, today=ctx.today()):
                uow.commit()

    tick.__name__ = "filing_ticker"
    return tick
