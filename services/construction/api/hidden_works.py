"""JSON API: hidden works — declare, attach evidence (multipart), accept, reject, conceal."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from services.construction.adapters import queries
from services.construction.api.deps import (
    EVIDENCE_FORM, TOO_LARGE, Contractor, CtxDep, Engineer, Uploader, unit_of_work, upload_dir, upload_limits,
    uploads_of)
from services.construction.api.schemas import Created, Decision, EvidenceRead, HiddenWorkCreate, Refusal
from services.construction.application import hidden_work as handlers
from services.construction.application.context import run
from services.construction.application.evidence import examine_all
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.service import ServiceDep
from shared.upload import receive_form

router = APIRouter(tags=["hidden works 隐蔽工程"])
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("/api/projects/{project_id}/hidden-works", summary="隐蔽工程列表 Hidden works of a project")
def get_hidden_works(project_id: str, _: CurrentActor, service: ServiceDep) -> list[dict]:
    """The project's hidden works and their states."""
    with service.engine.connect() as conn:
        return queries.hidden_works(conn, project_id)


@router.post("/api/projects/{project_id}/hidden-works", status_code=status.HTTP_201_CREATED,
             summary="申报隐蔽工程 Declare a hidden work")
def post_hidden_work(project_id: str, body: HiddenWorkCreate, actor: Contractor, service: ServiceDep,
                     request: Request) -> Created:
    """The contractor declares work that will be covered, with location and kind."""
    return Created(id=run(unit_of_work(service, actor, request), handlers.declare, project_id=project_id,
                          **body.model_dump()))


@router.get("/api/hidden-works/{hidden_work_id}", summary="隐蔽工程详情 One hidden work")
def get_hidden_work(hidden_work_id: str, _: CurrentActor, service: ServiceDep) -> dict:
    """A hidden work with its evidence and flags."""
    with service.engine.connect() as conn:
        work = queries.hidden_work(conn, hidden_work_id)
    if work is None:
        raise NotFound(f"隐蔽工程 {hidden_work_id} 不存在")
    return work


@router.post("/api/hidden-works/{hidden_work_id}/evidence", status_code=status.HTTP_201_CREATED,
             summary="上传影像 Attach photos or video", openapi_extra=EVIDENCE_FORM, responses=TOO_LARGE)
async def post_evidence(hidden_work_id: str, actor: Uploader, service: ServiceDep, ctx: CtxDep,
                        request: Request) -> list[EvidenceRead]:
    """Multipart upload (files, caption): each file is decoded and checked; a bad one refuses the request.

    Who asks and whether the hidden work exists are settled before the body is read; the
    files stream to temporary files (hashed on the way in) and are examined one at a time.
    """
    await run_in_threadpool(_existing, service, hidden_work_id)
    with await receive_form(request, upload_limits(ctx), directory=upload_dir(service)) as form:
        uploads = uploads_of(form)
        examined = await run_in_threadpool(examine_all, ctx, uploads)
        uow = unit_of_work(service, actor, request)
        attached = await run_in_threadpool(run, uow, handlers.attach_evidence, ctx=ctx,
                                           hidden_work_id=hidden_work_id, examined=examined)
    return [EvidenceRead(**e.model_dump(mode="json")) for e in attached]


def _existing(service, hidden_work_id: str) -> None:
    with service.engine.connect() as conn:
        if queries.hidden_work(conn, hidden_work_id) is None:
            raise NotFound(f"隐蔽工程 {hidden_work_id} 不存在")


@router.post("/api/hidden-works/{hidden_work_id}/accept", status_code=NO_CONTENT, summary="验收 Accept")
def post_accept(hidden_work_id: str, body: Decision, actor: Engineer, service: ServiceDep, ctx: CtxDep,
                request: Request) -> None:
    """The supervision engineer accepts (needs the configured number of photos; flags need a note)."""
    run(unit_of_work(service, actor, request), handlers.accept, ctx=ctx, hidden_work_id=hidden_work_id,
        note=body.note)


@router.post("/api/hidden-works/{hidden_work_id}/reject", status_code=NO_CONTENT, summary="退回 Reject")
def post_reject(hidden_work_id: str, body: Refusal, actor: Engineer, service: ServiceDep, request: Request) -> None:
    """The supervision engineer sends the work back with the reason."""
    run(unit_of_work(service, actor, request), handlers.reject, hidden_work_id=hidden_work_id, reason=body.reason)


@router.post("/api/hidden-works/{hidden_work_id}/conceal", status_code=NO_CONTENT, summary="隐蔽 Conceal")
def post_conceal(hidden_work_id: str, actor: Contractor, service: ServiceDep, request: Request) -> None:
    """Cover the work; refused (and the refusal recorded) until the supervision engineer accepted it."""
    run(unit_of_work(service, actor, request), handlers.conceal, hidden_work_id=hidden_work_id)
