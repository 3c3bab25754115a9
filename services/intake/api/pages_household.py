"""The households page of a community: live consent tally, who answered, needs, elevator, accounts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.adapters.household import (
    elevator_by_building,
    households_of_account,
    linked_accounts,
    needs_tally,
)
from services.intake.adapters.listing import HOUSEHOLD_STATES, household_page
from services.intake.api.deps import IntakeDep, Speaker, Staff, work
from services.intake.api.forms import FormFields, attempt, back, may
from services.intake.api.pages_community import STAFF, base, page
from services.intake.application.households import (
    LinkAccount,
    RecordConsent,
    RecordElevatorConsent,
    RecordNeeds,
    link_account,
    record_consent,
    record_elevator_consent,
    record_needs,
)
from shared.auth import CurrentActor
from shared.errors import InvalidCommand
from shared.paging import PageQuery, PageRequest
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


def households_page(request: Request, service, intake, actor, community_id: str, *, req: PageRequest | None = None,
                    state: str | None = None, **extra) -> HTMLResponse:
    """Consent tally against its threshold, one page of households and their answers, the forms of who may."""
    context = base(service, community_id)
    staff = may(actor, *STAFF)
    req = req or PageRequest()
    with service.engine.connect() as conn:
        mine = [h["household_id"] for h in households_of_account(conn, actor.id) if h["community_id"] == community_id]
        # Staff page through the whole roll; a resident sees only the households they speak for.
        roll = household_page(conn, req, community_id=community_id, state=state, only=None if staff else mine)
        context |= {
            "households": roll, "req": req, "state": state,
            "mine": mine, "staff": staff, "needs": needs_tally(conn, community_id),
            "elevator": elevator_by_building(conn, community_id),
            "accounts": linked_accounts(conn, community_id) if staff else [],
            "threshold": intake.rules.consent, "elevator_threshold": intake.rules.elevator_consent}
    return page(request, "intake/households.html", context, **extra)


@router.get("/communities/{community_id}/households", response_class=HTMLResponse)
def households(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
               actor: CurrentActor, page: PageQuery, state: str | None = None) -> HTMLResponse:
    """The households page: one page of the roll, searched by household, filtered by consent."""
    return households_page(request, service, intake, actor, community_id, req=page,
                           state=state if state in HOUSEHOLD_STATES else None)


@router.post("/communities/{community_id}/households/answer", response_class=HTMLResponse)
def answer(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                 actor: Speaker, form: FormFields) -> HTMLResponse:
    """Record a household's consent, needs or elevator answer from one of the page's forms."""
    household_id, what = form.get("household_id", ""), form.get("what")
    uow = work(service, actor, request)

    def run() -> None:
        if what == "consent":
            command = RecordConsent.model_validate(_pick(form, "answer", "channel"))
            record_consent(command, uow, community_id=community_id, household_id=household_id)
        elif what == "needs":
            needs = form.get("needs", [])
            command = RecordNeeds(needs=[needs] if isinstance(needs, str) else needs, note=form.get("note", ""))
            record_needs(command, uow, community_id=community_id, household_id=household_id)
        elif what == "elevator":
            command = RecordElevatorConsent.model_validate(_pick(form, "answer", "channel"))
            record_elevator_consent(command, uow, community_id=community_id, household_id=household_id)
        else:
            raise InvalidCommand("未知的表单", code="form_unknown")

    _, errors = attempt(run)
    if errors:
        return households_page(request, service, intake, actor, community_id, errors=errors, form=form)
    return back(f"/communities/{community_id}/households", "answered")


def _pick(form: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: form[k] for k in keys if k in form}


@router.post("/communities/{community_id}/households/link", response_class=HTMLResponse)
def link(community_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
               actor: Staff, form: FormFields) -> HTMLResponse:
    """Link a resident account to a household after checking its papers."""

    def run() -> None:
        user = service.auth.store.get(form.get("account_id", ""))
        if user is None or user.role != "resident":
            raise InvalidCommand(f"账号 {form.get('account_id', '')} 不存在或不是居民账号", code="account_not_resident")
        command = LinkAccount(account_id=user.username, evidence=form.get("evidence", ""))
        link_account(command, work(service, actor, request), community_id=community_id,
                     household_id=form.get("household_id", ""))

    _, errors = attempt(run)
    if errors:
        return households_page(request, service, intake, actor, community_id, errors=errors, form=form)
    return back(f"/communities/{community_id}/households", "linked")
