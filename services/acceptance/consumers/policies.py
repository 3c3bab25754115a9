"""Acceptance's reactions to other services' events: the subsidy plan, and the contract tranche."""

from __future__ import annotations

from services.acceptance.application import money
from services.acceptance.application.context import AcceptanceContext
from services.acceptance.consumers.construction import ContractSigned
from services.acceptance.consumers.intake import ProjectApproved
from shared.consumer import Policy
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


def policies(ctx: AcceptanceContext) -> dict[str, Policy]:
    """The policies, bound to the service's settings."""

    def on_project_approved(envelope: Envelope, uow: UnitOfWork) -> None:
        fact = ProjectApproved.model_validate(envelope.payload)
        money.plan_subsidy(uow, ctx, project_id=fact.project_id, budget_fen=fact.budget_fen or 0,
                           subsidy_fen=fact.subsidy_fen())

    def on_contract_signed(envelope: Envelope, uow: UnitOfWork) -> None:
        fact = ContractSigned.model_validate(envelope.payload)
        money.condition_met(uow, project_id=envelope.project_id, condition="contract_signed", on=fact.signed_on)

    return {ProjectApproved.event_type: on_project_approved, ContractSigned.event_type: on_contract_signed}
