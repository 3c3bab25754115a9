"""JSON API of the household roll: consent, needs, elevator signatures, and account links."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from services.intake.adapters.household import (
    consent_tally,
    elevator_by_building,
    households_of_account,
    linked_accounts,
    needs_tally,
)
from services.intake.adapters.listing import household_page
from services.intake.api.deps import Speaker, Staff, work
from services.intake.application.households import (
    LinkAccount,
    RecordConsent,
    RecordElevatorConsent,
    RecordNeeds,
    link_account,
    record_consent,
    record_elevator_consent,
    record_needs,
    unlink_account,
)
from shared.actor import Role
from shared.auth import CurrentActor
from shared.errors import InvalidCommand
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(prefix="/api/communities/{community_id}", tags=["households 入户调查与意愿"])
me = APIRouter(prefix="/api/me", tags=["households 入户调查与意愿"])


class ConsentRead(BaseModel):
    """Live consent counts over the surveyed households."""

    agree: int
    disagree: int
    unanswered: int
    households: int


class HouseholdAnswered(BaseModel):
    """The answer to an answer: the household and the live tally after it."""

    household_id: str
    consent: ConsentRead


@router.put("/households/{household_id}/consent", summary="登记改造意愿 Record a household's consent")
def put_consent(community_id: str, household_id: str, body: RecordConsent, actor: Speaker,
                service: ServiceDep, request: Request) -> HouseholdAnswered:
    """One voice per household: a later answer replaces the earlier one; every answer is kept."""
    record_consent(body, work(service, actor, request), community_id=community_id, household_id=household_id)
    with service.engine.connect() as conn:
        return HouseholdAnswered(household_id=household_id, consent=ConsentRead(**consent_tally(conn, community_id)))


@router.put("/households/{household_id}/needs", summary="入户调查需求 Record a household's needs")
def put_needs(community_id: str, household_id: str, body: RecordNeeds, actor: Speaker, service: ServiceDep,
              request: Request) -> dict[str, Any]:
    """Which works the household asks for; replaces its earlier list."""
    record_needs(body, work(service, actor, request), community_id=community_id, household_id=household_id)
    return {"household_id": household_id, "needs": sorted(set(body.needs))}


@router.put("/households/{household_id}/elevator", summary="加装电梯签字 Elevator signature or objection")
def put_elevator(community_id: str, household_id: str, body: RecordElevatorConsent, actor: Speaker,
                 service: ServiceDep, request: Request) -> dict[str, Any]:
    """A household's signature, objection or neither, for an elevator in its own building."""
    record_elevator_consent(body, work(service, actor, request), community_id=community_id,
                            household_id=household_id)
    with service.engine.connect() as conn:
        return {"household_id": household_id, "buildings": elevator_by_building(conn, community_id)}


@router.post("/households/{household_id}/accounts", status_code=status.HTTP_201_CREATED,
             summary="绑定居民账号 Link a resident account")
def post_account(community_id: str, household_id: str, body: LinkAccount, actor: Staff, service: ServiceDep,
                 request: Request) -> dict[str, str]:
    """Let a resident account speak for a household, after staff checked its papers."""
    user = service.auth.store.get(body.account_id)
    if user is None or user.role != Role.RESIDENT:
        raise InvalidCommand(f"账号 {body.account_id} 不存在或不是居民账号", code="account_not_resident")
    command = body.model_copy(update={"account_id": user.username})
    link_account(command, work(service, actor, request), community_id=community_id, household_id=household_id)
    return {"household_id": household_id, "account_id": user.username}


@router.delete("/households/{household_id}/accounts/{account_id}", summary="解除绑定 Unlink an account")
def delete_account(community_id: str, household_id: str, account_id: str, actor: Staff, service: ServiceDep,
                   request: Request) -> dict[str, str]:
    """Stop an account speaking for a household."""
    unlink_account(work(service, actor, request), community_id=community_id, household_id=household_id,
                   account_id=account_id)
    return {"household_id": household_id, "account_id": account_id}


@router.get("/consent", summary="意愿统计 Live consent tally")
def get_consent(community_id: str, _: CurrentActor, service: ServiceDep) -> ConsentRead:
    """Live consent counts over the surveyed households."""
    with service.engine.connect() as conn:
        return ConsentRead(**consent_tally(conn, community_id))


@router.get("/households", summary="户册 Households and their answers")
def get_households(community_id: str, _: Staff, service: ServiceDep, page: PageQuery, request: Request,
                   response: Response,
                   state: Literal["agree", "disagree", "unanswered"] | None = None) -> dict[str, Any]:
    """One page of surveyed households (`q`: household id, `state`: consent), the needs tally and accounts."""
    with service.engine.connect() as conn:
        found = household_page(conn, page, community_id=community_id, state=state)
        return {"households": answer(found, request, response), "total": found.total,
                "needs": needs_tally(conn, community_id),
                "elevator": elevator_by_building(conn, community_id),
                "accounts": linked_accounts(conn, community_id)}


@me.get("/households", summary="我的住户 Households I may speak for")
def my_households(actor: CurrentActor, service: ServiceDep) -> list[dict[str, Any]]:
    """The households this account is linked to."""
    with service.engine.connect() as conn:
        return households_of_account(conn, actor.id)
