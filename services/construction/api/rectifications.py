"""JSON API: rectification orders — submit a fix with photos, verify or reject, the overdue list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from services.construction.adapters import queries
from services.construction.adapters.listing import order_page, overdue_page
from services.construction.api.deps import Contractor, CtxDep, Inspector, read_uploads, unit_of_work
from services.construction.api.schemas import Decision, Refusal
from services.construction.application import rectification as handlers
from services.construction.application.context import run
from services.construction.application.evidence import examine_all
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(tags=["rectification 整改"])
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("/api/projects/{project_id}/rectifications", summary="整改单 Orders of a project")
def get_orders(project_id: str, _: CurrentActor, service: ServiceDep, page: PageQuery, request: Request,
               response: Response, state: str | None = None) -> list[dict]:
    """One page of the project's rectification orders (of a status, if given), soonest due first."""
    with service.engine.connect() as conn:
        return answer(order_page(conn, page, project_id=project_id, state=state), request, response)


@router.get("/api/rectifications/overdue", summary="逾期整改 Overdue orders")
def get_overdue(_: CurrentActor, service: ServiceDep, ctx: CtxDep, page: PageQuery, request: Request,
                response: Response, district: str | None = None) -> dict:
    """One page of open orders past their due date (China date), across projects; `count` is all of them."""
    with service.engine.connect() as conn:
        found = overdue_page(conn, page, today=ctx.today(), district=district)
    rows = answer(found, request, response)
    return {"count": found.total, "today": ctx.today().isoformat(), "orders": rows}


@router.get("/api/rectifications/{order_id}", summary="整改单详情 One order")
def get_order(order_id: str, _: CurrentActor, service: ServiceDep) -> dict:
    """One order with the evidence of its submissions."""
    with service.engine.connect() as conn:
        row = queries.order(conn, order_id)
    if row is None:
        raise NotFound(f"整改单 {order_id} 不存在")
    return row


@router.post("/api/rectifications/{order_id}/submissions", status_code=NO_CONTENT, summary="提交整改 Submit a fix")
async def post_submission(order_id: str, note: Annotated[str, Form(min_length=2, max_length=1000)],
                          files: Annotated[list[UploadFile], File()], actor: Contractor, service: ServiceDep,
                          ctx: CtxDep, request: Request) -> None:
    """The contractor reports the fix with photos (multipart)."""
    uploads = await read_uploads(files, limit=ctx.settings.max_upload_bytes)
    examined = await run_in_threadpool(examine_all, ctx, uploads)
    uow = unit_of_work(service, actor, request)
    await run_in_threadpool(run, uow, handlers.submit, ctx=ctx, order_id=order_id, note=note, examined=examined)


@router.post("/api/rectifications/{order_id}/verify", status_code=NO_CONTENT, summary="复核通过 Verify")
def post_verify(order_id: str, body: Decision, actor: Inspector, service: ServiceDep, request: Request) -> None:
    """The fix was checked on site: the order is closed."""
    run(unit_of_work(service, actor, request), handlers.verify, order_id=order_id, note=body.note)


@router.post("/api/rectifications/{order_id}/reject", status_code=NO_CONTENT, summary="复核不通过 Reject")
def post_reject(order_id: str, body: Refusal, actor: Inspector, service: ServiceDep, request: Request) -> None:
    """The fix is not good enough; the contractor must submit again."""
    run(unit_of_work(service, actor, request), handlers.reject, order_id=order_id, reason=body.reason)
