"""The pages' forms: the checklist with camera photos, hidden-work and rectification actions.

Each form posts here and is answered with a redirect (303) to the page it came from; a
refusal comes back as that page with the reason shown, and nothing of the refused request kept.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from services.construction.adapters import queries
from services.construction.api.deps import (
    Contractor, CtxDep, Engineer, Inspector, Official, Uploader, read_upload, read_uploads, unit_of_work)
from services.construction.api.pages import labels, render
from services.construction.application import hidden_work, inspection, project, rectification
from services.construction.application.context import run
from services.construction.application.evidence import examine, examine_all
from services.construction.domain.checklist import ITEMS
from services.construction.domain.inspection import CheckedItem, InspectionKind
from shared.errors import NotFound, RenovationError
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


def back(url: str, *, error: str | None = None, done: str | None = None) -> RedirectResponse:
    """See the page again, with the reason of a refusal or what was done."""
    query = {k: v for k, v in (("error", error), ("done", done)) if v}
    return RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=303)


async def _act(url: str, action, **kwargs) -> Response:
    try:
        await run_in_threadpool(run, *action, **kwargs)
    except RenovationError as error:
        return back(url, error=error.message)
    return back(url, done="1")


@router.get("/projects/{project_id}/inspect", response_class=HTMLResponse)
def checklist(project_id: str, request: Request, actor: Inspector, service: ServiceDep,
              task: str | None = None) -> HTMLResponse:
    """The checklist on a phone: pass / fail / n.a. per item, notes, severity, camera photos."""
    return _checklist(request, service, project_id, form={"task_id": task or ""}, errors=[])


def _checklist(request: Request, service, project_id: str, *, form: dict, errors: list[str],
               status_code: int = 200) -> HTMLResponse:
    with service.engine.connect() as conn:
        project = queries.get_project(conn, project_id)
        tasks = queries.tasks(conn, project_id=project_id)
    if project is None:
        raise NotFound(f"项目 {project_id} 不存在")
    context = {"project": project, "tasks": tasks, "form": form, "errors": errors, "items": ITEMS,
               "page_title": f"巡查 · {project['community_name']}", **labels()}
    return render(request, "checklist.html", context, status_code=status_code)


@router.post("/projects/{project_id}/inspect", response_class=HTMLResponse)
async def submit_checklist(project_id: str, request: Request, actor: Inspector, service: ServiceDep,
                           ctx: CtxDep) -> Response:
    """Record the inspection with its photos; on a refusal show the form again with the reason."""
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    try:
        items = [_checked(form, item.code) for item in ITEMS]
        photos = [(code, await read_upload(f, limit=ctx.settings.max_upload_bytes))
                  for code, f in _files(form, prefix="photo.")]
        # Every photo is proven before anything is recorded: one bad file refuses the form.
        pairs = await run_in_threadpool(lambda: [(code, examine(ctx, upload)) for code, upload in photos])
        uow = unit_of_work(service, actor, request)
        await run_in_threadpool(run, uow, inspection.record_inspection, ctx=ctx, project_id=project_id,
                                zone=values.get("zone") or "site", kind=InspectionKind(values.get("kind", "routine")),
                                items=items, task_id=values.get("task_id") or None, photos=pairs)
    except (RenovationError, ValidationError, ValueError) as error:
        message = getattr(error, "message", None) or _validation_text(error)
        return _checklist(request, service, project_id, form=values, errors=[message], status_code=422)
    return back(f"/projects/{project_id}", done="inspection")


def _checked(form, code: str) -> CheckedItem:
    result = form.get(f"result.{code}") or ""
    if not result:
        raise ValueError(f"检查表未填完：“{dict(labels()['checks'])[code]}”尚未选择结果")
    severity = form.get(f"severity.{code}") or None
    return CheckedItem(code=code, result=result, notes=str(form.get(f"notes.{code}") or ""),
                       severity=severity if result == "fail" else None)


def _files(form, *, prefix: str) -> list[tuple[str, UploadFile]]:
    return [(key[len(prefix):], value) for key, value in form.multi_items()
            if key.startswith(prefix) and isinstance(value, UploadFile) and value.filename]


def _validation_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "提交的数据有误：" + "；".join(str(e.get("msg")) for e in error.errors())
    return str(error)


@router.post("/projects/{project_id}/hidden-works")
async def declare_hidden_work(project_id: str, request: Request, actor: Contractor, service: ServiceDep) -> Response:
    """Declare a hidden work from the project page, then go to it to add photos."""
    form = await request.form()
    url = f"/projects/{project_id}"
    try:
        hidden_work_id = await run_in_threadpool(
            run, unit_of_work(service, actor, request), hidden_work.declare, project_id=project_id,
            item_id=form.get("item_id") or None, zone=None, location=str(form.get("location") or ""),
            kind=str(form.get("kind") or ""), description=str(form.get("description") or ""))
    except RenovationError as error:
        return back(url, error=error.message)
    return back(f"/hidden-works/{hidden_work_id}")


@router.post("/hidden-works/{hidden_work_id}/evidence")
async def upload_evidence(hidden_work_id: str, request: Request, actor: Uploader, service: ServiceDep,
                          ctx: CtxDep) -> Response:
    """Photos taken with the phone's camera, checked and attached."""
    form = await request.form()
    url = f"/hidden-works/{hidden_work_id}"
    try:
        files = [f for _, f in _files(form, prefix="files")]
        uploads = await read_uploads(files, limit=ctx.settings.max_upload_bytes, caption=str(form.get("caption") or ""))
        examined = await run_in_threadpool(examine_all, ctx, uploads)
        await run_in_threadpool(run, unit_of_work(service, actor, request), hidden_work.attach_evidence, ctx=ctx,
                                hidden_work_id=hidden_work_id, examined=examined)
    except RenovationError as error:
        return back(url, error=error.message)
    return back(url, done="evidence")


@router.post("/hidden-works/{hidden_work_id}/accept")
async def accept(hidden_work_id: str, request: Request, actor: Engineer, service: ServiceDep, ctx: CtxDep) -> Response:
    """The supervision engineer accepts."""
    note = str((await request.form()).get("note") or "")
    return await _act(f"/hidden-works/{hidden_work_id}", (unit_of_work(service, actor, request), hidden_work.accept),
                      ctx=ctx, hidden_work_id=hidden_work_id, note=note)


@router.post("/hidden-works/{hidden_work_id}/reject")
async def reject(hidden_work_id: str, request: Request, actor: Engineer, service: ServiceDep) -> Response:
    """The supervision engineer sends it back."""
    reason = str((await request.form()).get("reason") or "")
    return await _act(f"/hidden-works/{hidden_work_id}", (unit_of_work(service, actor, request), hidden_work.reject),
                      hidden_work_id=hidden_work_id, reason=reason)


@router.post("/hidden-works/{hidden_work_id}/conceal")
async def conceal(hidden_work_id: str, request: Request, actor: Contractor, service: ServiceDep) -> Response:
    """The contractor covers it (refused, and recorded, before acceptance)."""
    return await _act(f"/hidden-works/{hidden_work_id}", (unit_of_work(service, actor, request), hidden_work.conceal),
                      hidden_work_id=hidden_work_id)


@router.post("/rectifications/{order_id}/submit")
async def submit_fix(order_id: str, request: Request, actor: Contractor, service: ServiceDep, ctx: CtxDep) -> Response:
    """The contractor submits the fix with photos."""
    form = await request.form()
    url = f"/rectifications/{order_id}"
    try:
        uploads = await read_uploads([f for _, f in _files(form, prefix="files")], limit=ctx.settings.max_upload_bytes)
        examined = await run_in_threadpool(examine_all, ctx, uploads)
        await run_in_threadpool(run, unit_of_work(service, actor, request), rectification.submit, ctx=ctx,
                                order_id=order_id, note=str(form.get("note") or ""), examined=examined)
    except RenovationError as error:
        return back(url, error=error.message)
    return back(url, done="submitted")


@router.post("/rectifications/{order_id}/verify")
async def verify_fix(order_id: str, request: Request, actor: Inspector, service: ServiceDep) -> Response:
    """The inspector closes the order."""
    note = str((await request.form()).get("note") or "")
    return await _act(f"/rectifications/{order_id}", (unit_of_work(service, actor, request), rectification.verify),
                      order_id=order_id, note=note)


@router.post("/rectifications/{order_id}/reject")
async def reject_fix(order_id: str, request: Request, actor: Inspector, service: ServiceDep) -> Response:
    """The inspector sends the fix back."""
    reason = str((await request.form()).get("reason") or "")
    return await _act(f"/rectifications/{order_id}", (unit_of_work(service, actor, request), rectification.reject),
                      order_id=order_id, reason=reason)


@router.post("/projects/{project_id}/items/{item_id}/{action}")
async def item_action(project_id: str, item_id: str, action: str, request: Request, actor: Contractor,
                      service: ServiceDep) -> Response:
    """Start or finish a work item from the project page."""
    handler = {"start": project.start_item, "finish": project.finish_item}.get(action)
    if handler is None:
        raise NotFound("没有这个操作")
    return await _act(f"/projects/{project_id}", (unit_of_work(service, actor, request), handler),
                      project_id=project_id, item_id=item_id)


@router.post("/projects/{project_id}/stops/{zone}/lifting")
async def lift_stop(project_id: str, zone: str, request: Request, actor: Official, service: ServiceDep) -> Response:
    """An authorised official lifts a stop-work order from the project page, with the reason."""
    reason = str((await request.form()).get("reason") or "")
    return await _act(f"/projects/{project_id}", (unit_of_work(service, actor, request), project.lift_stop),
                      project_id=project_id, zone=zone, reason=reason)


@router.post("/projects/{project_id}/completion")
async def completion(project_id: str, request: Request, actor: Contractor, service: ServiceDep,
                     ctx: CtxDep) -> Response:
    """Declare completion from the project page."""
    return await _act(f"/projects/{project_id}", (unit_of_work(service, actor, request), project.declare_completion),
                      ctx=ctx, project_id=project_id)
