"""JSON API: the checklist, inspections, their photos, and inspection tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from services.construction.adapters.listing import inspection_page, task_page
from services.construction.api.deps import CtxDep, Inspector, read_uploads, unit_of_work
from services.construction.api.schemas import Created, InspectionCreate
from services.construction.application import inspection as handlers
from services.construction.application.context import run
from services.construction.application.evidence import examine_all
from services.construction.domain.checklist import CATEGORIES, ITEMS
from services.construction.domain.inspection import CheckedItem
from shared.auth import CurrentActor
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(tags=["inspections 巡查"])


@router.get("/api/checklist", summary="检查表 The inspection checklist")
def get_checklist(_: CurrentActor) -> dict:
    """Categories and items every inspection answers."""
    return {"categories": CATEGORIES, "items": [vars(item) for item in ITEMS]}


@router.get("/api/projects/{project_id}/inspections", summary="巡查记录 Inspections of a project")
def get_inspections(project_id: str, _: CurrentActor, service: ServiceDep, page: PageQuery, request: Request,
                    response: Response) -> list[dict]:
    """One page of the project's inspections, newest first."""
    with service.engine.connect() as conn:
        return answer(inspection_page(conn, page, project_id=project_id), request, response)


@router.post("/api/projects/{project_id}/inspections", status_code=status.HTTP_201_CREATED,
             summary="记录巡查 Record an inspection")
def post_inspection(project_id: str, body: InspectionCreate, actor: Inspector, service: ServiceDep, ctx: CtxDep,
                    request: Request) -> Created:
    """Record a complete checklist: failed items open defects with orders; critical ones stop the zone."""
    items = [CheckedItem(**item.model_dump()) for item in body.items]
    return Created(id=run(unit_of_work(service, actor, request), handlers.record_inspection, ctx=ctx,
                          project_id=project_id, zone=body.zone, kind=body.kind, items=items,
                          task_id=body.task_id))


@router.post("/api/inspections/{inspection_id}/evidence", status_code=status.HTTP_201_CREATED,
             summary="巡查照片 Photos of a checklist item")
async def post_inspection_evidence(inspection_id: str, item_code: Annotated[str, Form()],
                                   files: Annotated[list[UploadFile], File()], actor: Inspector,
                                   service: ServiceDep, ctx: CtxDep, request: Request) -> dict:
    """Multipart photos of one item; a bad file refuses the request and stores nothing."""
    uploads = await read_uploads(files, limit=ctx.settings.max_upload_bytes)
    examined = await run_in_threadpool(examine_all, ctx, uploads)
    uow = unit_of_work(service, actor, request)
    added = await run_in_threadpool(run, uow, handlers.attach_evidence, ctx=ctx, inspection_id=inspection_id,
                                    item_code=item_code, examined=examined)
    return {"attached": added}


@router.get("/api/inspection-tasks", summary="巡查任务 Open inspection tasks")
def get_tasks(_: CurrentActor, service: ServiceDep, page: PageQuery, request: Request, response: Response,
              project_id: str | None = None, district: str | None = None) -> list[dict]:
    """One page of open tasks from quality and safety complaints, oldest first."""
    with service.engine.connect() as conn:
        found = task_page(conn, page, project_id=project_id, district=district)
    return answer(found, request, response)
