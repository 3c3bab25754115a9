"""JSON API of the subsidy tranches: settlement and payments."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.acceptance.api.deps import CtxDep, Payer, unit_of_work
from services.acceptance.api.schemas import PaymentCreate, SettlementCreate
from services.acceptance.application import money
from services.acceptance.application.context import run
from shared.service import ServiceDep

router = APIRouter(prefix="/api/projects", tags=["money 补助资金"])


@router.post("/{project_id}/settlement", status_code=204, summary="登记结算 Record the settlement")
def settle(project_id: str, body: SettlementCreate, actor: Payer, request: Request, service: ServiceDep) -> None:
    """The final accounts, after the completion acceptance: the settlement tranche becomes due."""
    run(unit_of_work(service, actor, request), money.settle, project_id=project_id, settled_fen=body.settled_fen,
        on=body.settled_on)


@router.post("/{project_id}/tranches/{key}/payment", status_code=204, summary="登记拨付 Record a payment")
def pay(project_id: str, key: str, body: PaymentCreate, actor: Payer, request: Request, service: ServiceDep,
        ctx: CtxDep) -> None:
    """Refused before the tranche's condition holds, for another amount, or by an unauthorised account."""
    run(unit_of_work(service, actor, request), money.pay, ctx=ctx, project_id=project_id, key=key,
        amount_fen=body.amount_fen, paid_on=body.paid_on, voucher=body.voucher)
