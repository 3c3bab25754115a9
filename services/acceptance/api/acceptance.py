"""JSON API of the joint acceptance: the file, convening, verdicts, checks, rectification, final, filing."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from services.acceptance.api.deps import (
    Checker, Contractor, Convener, CtxDep, PartyRep, Viewer, read_uploads, unit_of_work)
from services.acceptance.api.schemas import ConveneCreate, FilingCreate, ItemCreate, RecheckCreate, VerdictCreate
from services.acceptance.application import acceptance as handlers
from services.acceptance.application.context import run
from services.acceptance.application.view import project_view
from services.acceptance.adapters import queries
from services.acceptance.domain.party import Representative
from shared.paging import PageQuery, answer
from shared.service import ServiceDep
from shared.text import FreeText

router = APIRouter(prefix="/api/projects", tags=["acceptance 竣工验收"])


@router.get("", summary="验收档案列表 Acceptance files")
def list_files(_: Viewer, service: ServiceDep, page: PageQuery, request: Request, response: Response,
               stage: Literal["waiting", "convened", "accepted", "filed"] | None = None) -> list[dict[str, Any]]:
    """Approved projects' acceptance files, one page at a time (X-Total-Count and Link headers)."""
    with service.engine.connect() as conn:
        return answer(queries.file_page(conn, page, stage=stage), request, response)


@router.get("/{project_id}/acceptance", summary="验收详情 The acceptance of one project")
def get_acceptance(project_id: str, _: Viewer, service: ServiceDep, ctx: CtxDep) -> dict[str, Any]:
    """Preconditions with what is missing, dossier root, party roll, checklist, items, evaluation, money."""
    with service.engine.connect() as conn:
        view = project_view(conn, project_id, today=ctx.today(), payment_days=ctx.settings.tranche_payment_days)
    view["file"].pop("party_accounts", None)
    return view


@router.post("/{project_id}/acceptance", status_code=201, summary="召集初验 Convene the initial acceptance")
def convene(project_id: str, body: ConveneCreate, actor: Convener, request: Request, service: ServiceDep,
            ctx: CtxDep) -> dict[str, str]:
    """Refused with the named list of what is missing while any precondition fails."""
    roll = [Representative(party=p.party, organisation=p.organisation, accounts=tuple(p.accounts))
            for p in body.parties]
    run(unit_of_work(service, actor, request), handlers.convene, ctx=ctx, project_id=project_id, roll=roll)
    return {"project_id": project_id}


@router.post("/{project_id}/acceptance/verdicts", status_code=204, summary="验收方签署 A party's verdict")
def sign(project_id: str, body: VerdictCreate, actor: PartyRep, request: Request, service: ServiceDep) -> None:
    """Bound to the dossier root the party saw; a root that is not the current one is refused."""
    run(unit_of_work(service, actor, request), handlers.sign, project_id=project_id, party=body.party,
        verdict=body.verdict, comments=body.comments, seen_root=body.dossier_root)


@router.post("/{project_id}/acceptance/checks/{check_id}", status_code=204, summary="记录检查结果 Record a check")
async def record_check(project_id: str, check_id: str, actor: Checker, request: Request, service: ServiceDep,
                       ctx: CtxDep, result: Annotated[Literal["pass", "fail"], Form()],
                       note: Annotated[FreeText, Form(max_length=1000)] = "",
                       files: Annotated[list[UploadFile] | None, File()] = None) -> None:
    """Pass needs photos (multipart `files`); fail needs a note and raises a rectification item."""
    uploads = await read_uploads(files or [], limit=ctx.settings.max_upload_bytes)
    await run_in_threadpool(run, unit_of_work(service, actor, request), handlers.record_check, ctx=ctx,
                            project_id=project_id, check_id=check_id, result=result, note=note, uploads=uploads)


@router.post("/{project_id}/acceptance/items", status_code=201, summary="新增整改项 Raise a rectification item")
def raise_item(project_id: str, body: ItemCreate, actor: Convener, request: Request,
               service: ServiceDep) -> dict[str, str]:
    """An item from residents' comments or a party's remark."""
    item_id = run(unit_of_work(service, actor, request), handlers.raise_item, project_id=project_id, text=body.text)
    return {"item_id": item_id}


@router.post("/{project_id}/acceptance/items/{item_id}/fix", status_code=204, summary="整改完成 Item fixed")
async def fix_item(project_id: str, item_id: str, actor: Contractor, request: Request, service: ServiceDep,
                   ctx: CtxDep, note: Annotated[FreeText, Form(min_length=2, max_length=1000)],
                   files: Annotated[list[UploadFile] | None, File()] = None) -> None:
    """The contractor reports the fix, with photos."""
    uploads = await read_uploads(files or [], limit=ctx.settings.max_upload_bytes)
    await run_in_threadpool(run, unit_of_work(service, actor, request), handlers.fix_item, ctx=ctx,
                            project_id=project_id, item_id=item_id, note=note, uploads=uploads)


@router.post("/{project_id}/acceptance/items/{item_id}/recheck", status_code=204, summary="复查 Re-check an item")
def recheck_item(project_id: str, item_id: str, body: RecheckCreate, actor: Checker, request: Request,
                 service: ServiceDep) -> None:
    """Closed when it passes, open again when not."""
    run(unit_of_work(service, actor, request), handlers.recheck_item, project_id=project_id, item_id=item_id,
        passed=body.passed, note=body.note)


@router.post("/{project_id}/acceptance/final", status_code=204, summary="竣工验收 Final acceptance")
def accept_final(project_id: str, actor: Convener, request: Request, service: ServiceDep, ctx: CtxDep) -> None:
    """Only when every party (on the current dossier), every check and the residents passed."""
    run(unit_of_work(service, actor, request), handlers.accept_final, ctx=ctx, project_id=project_id)


@router.post("/{project_id}/filing", status_code=204, summary="备案 Record the filing")
def record_filing(project_id: str, body: FilingCreate, actor: Convener, request: Request,
                  service: ServiceDep) -> None:
    """Within 15 days of the final acceptance (art. 49); a later filing is recorded as late."""
    run(unit_of_work(service, actor, request), handlers.record_filing, project_id=project_id,
        filed_on=body.filed_on, filing_no=body.filing_no, authority=body.authority)
