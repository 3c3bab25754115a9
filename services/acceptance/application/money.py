"""Commands on the subsidy: the tranche plan, conditions met, settlement, payments."""

from __future__ import annotations

from datetime import date

from services.acceptance.adapters import queries
from services.acceptance.domain.subsidy import Subsidy
from shared.unit_of_work import UnitOfWork


def plan_subsidy(uow: UnitOfWork, ctx, *, project_id: str, budget_fen: int, subsidy_fen: int) -> None:
    """Plan the tranches of an approved project (a policy; once); a contract already signed makes the first due."""
    if uow.find(Subsidy, Subsidy.stream_for(project_id)) is not None:
        return
    subsidy = Subsidy.planned(project_id=project_id, budget_fen=budget_fen, subsidy_fen=subsidy_fen,
                              rules=ctx.tranche_rules())
    signed = queries.file_row(uow.conn, project_id)["contract_signed_on"]
    if signed:  # construction's topic may have been read before intake's
        subsidy.condition_met("contract_signed", on=date.fromisoformat(signed))
    uow.save(subsidy, project_id=project_id)


def condition_met(uow: UnitOfWork, *, project_id: str, condition: str, on: date) -> None:
    """A tranche condition holds: its tranches become due (nothing if the plan is not there yet)."""
    subsidy = uow.find(Subsidy, Subsidy.stream_for(project_id))
    if subsidy is None:
        return
    if subsidy.condition_met(condition, on=on):
        uow.save(subsidy, project_id=project_id)


def _subsidy(uow: UnitOfWork, project_id: str) -> Subsidy:
    return uow.get(Subsidy, Subsidy.stream_for(project_id), missing=f"项目 {project_id} 没有补助分期计划")


def settle(uow: UnitOfWork, *, project_id: str, settled_fen: int, on: date) -> None:
    """Record the final accounts; the settlement tranche becomes due."""
    subsidy = _subsidy(uow, project_id)
    stage = queries.file_row(uow.conn, project_id)["stage"]
    subsidy.settle(settled_fen=settled_fen, on=on, accepted=stage in ("accepted", "filed"))
    uow.save(subsidy, project_id=project_id)


def pay(uow: UnitOfWork, ctx, *, project_id: str, key: str, amount_fen: int, paid_on: date, voucher: str) -> None:
    """Record a payment by an authorised official."""
    subsidy = _subsidy(uow, project_id)
    subsidy.pay(key=key, amount_fen=amount_fen, paid_on=paid_on, voucher=voucher, official=uow.actor.id,
                authorised=ctx.settings.payment_officials)
    uow.save(subsidy, project_id=project_id)
