"""The pages' forms: each posts here and is answered with a redirect (303) to its page.

A refusal comes back as that page with the reason shown, and nothing of the refused request kept.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from services.acceptance.api.deps import (
    Checker, Contractor, Convener, CtxDep, EvaluationStaff, PartyRep, Voter, read_uploads, unit_of_work)
from services.acceptance.api.schemas import ConveneCreate, FilingCreate, PaymentCreate, VerdictCreate, VoiceCreate
from services.acceptance.application import acceptance as handlers, evaluation, money
from services.acceptance.application.context import run
from services.acceptance.domain.party import Representative
from shared.errors import InvalidCommand, RenovationError
from shared.text import check_text
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


def back(url: str, *, error: str | None = None, done: str | None = None) -> RedirectResponse:
    """See the page again, with the reason of a refusal or what was done."""
    query = {k: v for k, v in (("error", error), ("done", done)) if v}
    return RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=303)


async def act(url: str, uow, handler, **kwargs) -> Response:
    """Run one handler for a form; a refusal or invalid input shows the page again with its reason."""
    try:
        await run_in_threadpool(run, uow, handler, **kwargs)
    except RenovationError as error:
        return back(url, error=error.message)
    return back(url, done="1")


def invalid(url: str, error: ValidationError) -> RedirectResponse:
    """A form that does not parse: the first problem, in zh-CN."""
    first = error.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()))
    return back(url, error=f"表单内容有误（{field}）：请检查后重新提交")


def note_of(form, limit: int = 1000) -> str:
    """A form's free-text note, checked like every API text (no control or bidi characters)."""
    value = str(form.get("note", ""))
    if len(value) > limit:
        raise InvalidCommand(f"说明不能超过 {limit} 个字", code="note_too_long")
    try:
        return check_text(value)
    except ValueError as error:
        raise InvalidCommand(f"说明有误：{error}", code="note_invalid") from None


async def _form(request: Request) -> dict:
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


@router.post("/projects/{project_id}/convene")
async def convene(project_id: str, request: Request, actor: Convener, service: ServiceDep, ctx: CtxDep) -> Response:
    """The convener's roll: one organisation and its accounts (comma-separated) per party."""
    url, form = f"/projects/{project_id}", await _form(request)
    parties = [{"party": form[key], "organisation": form.get(f"org-{i}", "").strip(),
                "accounts": [a.strip() for a in form.get(f"acc-{i}", "").replace("，", ",").split(",") if a.strip()]}
               for i, key in ((k.removeprefix("party-"), k) for k in form if k.startswith("party-"))]
    try:
        body = ConveneCreate(parties=parties)
    except ValidationError as error:
        return invalid(url, error)
    roll = [Representative(party=p.party, organisation=p.organisation, accounts=tuple(p.accounts))
            for p in body.parties]
    return await act(url, unit_of_work(service, actor, request), handlers.convene, ctx=ctx, project_id=project_id,
                     roll=roll)


@router.post("/projects/{project_id}/sign")
async def sign(project_id: str, request: Request, actor: PartyRep, service: ServiceDep) -> Response:
    """A party's verdict from the phone page, with the root the page showed."""
    url, form = f"/projects/{project_id}/sign", await _form(request)
    try:
        body = VerdictCreate(**{k: form.get(k, "") for k in ("party", "verdict", "comments", "dossier_root")})
    except ValidationError as error:
        return invalid(url, error)
    return await act(url, unit_of_work(service, actor, request), handlers.sign, project_id=project_id,
                     party=body.party, verdict=body.verdict, comments=body.comments, seen_root=body.dossier_root)


@router.post("/projects/{project_id}/checks/{check_id}")
async def check(project_id: str, check_id: str, request: Request, actor: Checker, service: ServiceDep,
                ctx: CtxDep) -> Response:
    """One line of the checklist with camera photos."""
    url = f"/projects/{project_id}"
    form = await request.form()
    result = form.get("result")
    if result not in ("pass", "fail"):
        return back(url, error="请选择“合格”或“不合格”")
    try:
        note = note_of(form)
        uploads = await read_uploads([f for f in form.getlist("files") if not isinstance(f, str)],
                                     limit=ctx.settings.max_upload_bytes)
    except RenovationError as error:
        return back(url, error=error.message)
    return await act(url, unit_of_work(service, actor, request), handlers.record_check, ctx=ctx, project_id=project_id,
                     check_id=check_id, result=result, note=note, uploads=uploads)


@router.post("/projects/{project_id}/items/{item_id}/fix")
async def fix(project_id: str, item_id: str, request: Request, actor: Contractor, service: ServiceDep,
              ctx: CtxDep) -> Response:
    """The contractor reports an item fixed, with photos."""
    url = f"/projects/{project_id}"
    form = await request.form()
    try:
        note = note_of(form)
        uploads = await read_uploads([f for f in form.getlist("files") if not isinstance(f, str)],
                                     limit=ctx.settings.max_upload_bytes)
    except RenovationError as error:
        return back(url, error=error.message)
    return await act(url, unit_of_work(service, actor, request), handlers.fix_item, ctx=ctx, project_id=project_id,
                     item_id=item_id, note=note, uploads=uploads)


@router.post("/projects/{project_id}/items/{item_id}/recheck")
async def recheck(project_id: str, item_id: str, request: Request, actor: Checker, service: ServiceDep) -> Response:
    """Re-check a fixed item."""
    url, form = f"/projects/{project_id}", await _form(request)
    try:
        note = note_of(form)
    except RenovationError as error:
        return back(url, error=error.message)
    return await act(url, unit_of_work(service, actor, request), handlers.recheck_item,
                     project_id=project_id, item_id=item_id, passed=form.get("passed") == "yes", note=note)


@router.post("/projects/{project_id}/final")
async def final(project_id: str, request: Request, actor: Convener, service: ServiceDep, ctx: CtxDep) -> Response:
    """竣工验收."""
    return await act(f"/projects/{project_id}", unit_of_work(service, actor, request), handlers.accept_final,
                     ctx=ctx, project_id=project_id)


@router.post("/projects/{project_id}/filing")
async def filing(project_id: str, request: Request, actor: Convener, service: ServiceDep) -> Response:
    """备案."""
    url, form = f"/projects/{project_id}", await _form(request)
    try:
        body = FilingCreate(**{k: form.get(k, "") for k in ("filed_on", "filing_no", "authority")})
    except ValidationError as error:
        return invalid(url, error)
    return await act(url, unit_of_work(service, actor, request), handlers.record_filing, project_id=project_id,
                     filed_on=body.filed_on, filing_no=body.filing_no, authority=body.authority)


@router.post("/projects/{project_id}/tranches/{key}/payment")
async def payment(project_id: str, key: str, request: Request, actor: Convener, service: ServiceDep,
                  ctx: CtxDep) -> Response:
    """A tranche paid."""
    url, form = f"/projects/{project_id}", await _form(request)
    try:
        body = PaymentCreate(amount_fen=form.get("amount_fen", ""), paid_on=form.get("paid_on") or date.min,
                             voucher=form.get("voucher", ""))
    except ValidationError as error:
        return invalid(url, error)
    return await act(url, unit_of_work(service, actor, request), money.pay, ctx=ctx, project_id=project_id, key=key,
                     amount_fen=body.amount_fen, paid_on=body.paid_on, voucher=body.voucher)


@router.post("/projects/{project_id}/evaluation/{step}")
async def evaluation_step(project_id: str, step: str, request: Request, actor: EvaluationStaff, service: ServiceDep,
                          ctx: CtxDep) -> Response:
    """Open or close the residents' evaluation."""
    url = f"/projects/{project_id}/evaluation"
    handler = {"open": evaluation.open_evaluation, "close": evaluation.close_evaluation}.get(step)
    if handler is None:
        return back(url, error="未知的操作")
    return await act(url, unit_of_work(service, actor, request), handler, ctx=ctx, project_id=project_id)


@router.post("/projects/{project_id}/evaluation")
async def voice(project_id: str, request: Request, actor: Voter, service: ServiceDep) -> Response:
    """One household's voice: a resident online, or staff entering a paper form."""
    url, form = f"/projects/{project_id}/evaluation", await _form(request)
    channel = "online" if actor.role == "resident" else "paper_form"
    try:
        body = VoiceCreate(household_id=form.get("household_id", ""), score=form.get("score", ""),
                           comments=form.get("comments", ""), channel=channel)
    except ValidationError as error:
        return invalid(url, error)
    return await act(url, unit_of_work(service, actor, request), evaluation.record_voice, project_id=project_id,
                     household_id=body.household_id, score=body.score, comments=body.comments, channel=body.channel)
