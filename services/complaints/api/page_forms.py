"""The pages' forms: the hotline intake, the handling actions, the resident's form, rating and reopening.

Each form posts here and is answered with a redirect (303) to its page; a refusal comes back as
that page with the reason shown, and nothing of the refused request kept.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from services.complaints.adapters.community import sites
from services.complaints.api import schemas
from services.complaints.api.complaints import hotline_filing
from services.complaints.api.deps import CtxDep, Handler, Operator, unit_of_work
from services.complaints.api.pages import render
from services.complaints.api.resident import file_from_form, tracked
from services.complaints.api.views import with_photo_urls
from services.complaints.application import filing, handling
from services.complaints.application.context import run
from services.complaints.domain.category import Rating
from shared.actor import Actor, Role
from shared.auth import OptionalActor
from shared.errors import RenovationError
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


def back(url: str, *, error: str | None = None, done: str | None = None, **extra: str) -> RedirectResponse:
    """See the page again, with the reason of a refusal or what was done."""
    query = {k: v for k, v in (("error", error), ("done", done), *extra.items()) if v}
    return RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=303)


def _problems(error: ValidationError) -> str:
    return "提交的数据有误：" + "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in error.errors())


@router.post("/intake", response_class=HTMLResponse)
async def submit_intake(request: Request, actor: Operator, service: ServiceDep, ctx: CtxDep) -> Response:
    """Record the call; on a refusal show the form again, filled in, with the reason."""
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    data = {k: v for k, v in values.items() if v != "" or k in ("name", "building", "address")}
    try:
        body = schemas.ComplaintCreate.model_validate(data)
        filed = await run_in_threadpool(run, unit_of_work(service, actor, request), filing.file_complaint, ctx=ctx,
                                        filing=hotline_filing(body))
    except (RenovationError, ValidationError) as error:
        message = error.message if isinstance(error, RenovationError) else _problems(error)
        with service.engine.connect() as conn:
            known = sites(conn)
        return render(request, "intake.html", {"sites": known, "form": values, "errors": [message],
                                               "page_title": "受理来电"}, status_code=422)
    return back(f"/complaints/{filed.complaint_id}", done="filed")


ACTIONS = {
    "acknowledge": (handling.acknowledge, None, Handler),
    "assign": (handling.assign, schemas.AssignBody, Operator),
    "transfer": (handling.transfer, schemas.TransferBody, Operator),
    "extend": (handling.extend, schemas.ReasonBody, Operator),
    "respond": (handling.respond, schemas.RespondBody, Handler),
    "resolve": (handling.resolve, schemas.ResolveBody, Handler),
    "return-visit": (handling.confirm, schemas.RatingBody, Operator),
    "merge": (handling.merge, schemas.MergeBody, Operator),
    "route": (filing.route_manually, schemas.RouteBody, Operator),
}
_ALLOWED = {"acknowledge": ("hotline_operator", "admin", "contractor", "street_office", "official"),
            "respond": ("hotline_operator", "admin", "contractor", "street_office", "official"),
            "resolve": ("hotline_operator", "admin", "contractor", "street_office", "official")}


@router.post("/complaints/{complaint_id}/{action}", response_class=HTMLResponse)
async def act(complaint_id: str, action: str, request: Request, actor: OptionalActor, service: ServiceDep,
              ctx: CtxDep) -> Response:
    """One step of the loop from the complaint's page."""
    url = f"/complaints/{complaint_id}"
    if action not in ACTIONS:
        return back(url, error="未知操作")
    if actor is None or actor.role not in _ALLOWED.get(action, ("hotline_operator", "admin")):
        return back(url, error="当前账号无权执行此操作")
    handler, schema, _ = ACTIONS[action]
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        kwargs = schema.model_validate(_checkbox(values)).model_dump() if schema else {}
        if action == "return-visit":
            kwargs["channel"] = "return_visit"
        await run_in_threadpool(run, unit_of_work(service, actor, request), handler, ctx=ctx,
                                complaint_id=complaint_id, **kwargs)
    except ValidationError as error:
        return back(url, error=_problems(error))
    except RenovationError as error:
        return back(url, error=error.message)
    return back(url, done="1")


def _checkbox(values: dict) -> dict:
    if "from_inspection" in values:
        values["from_inspection"] = values["from_inspection"] in ("1", "on", "true")
    return values


@router.get("/file", response_class=HTMLResponse)
def file_form(request: Request, service: ServiceDep) -> HTMLResponse:
    """The resident's phone-first form (no account)."""
    with service.engine.connect() as conn:
        known = sites(conn)
    return render(request, "file.html", {"sites": known, "form": {}, "errors": [], "page_title": "我要投诉"})


@router.post("/file", response_class=HTMLResponse)
async def submit_file(request: Request, service: ServiceDep, ctx: CtxDep) -> Response:
    """File, then show the tracking page with the number and the link to keep."""
    form = await request.form()
    try:
        filed = await file_from_form(request, service, ctx, form)
    except RenovationError as error:
        with service.engine.connect() as conn:
            known = sites(conn)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        return render(request, "file.html", {"sites": known, "form": values, "errors": [error.message],
                                             "page_title": "我要投诉"}, status_code=error.status)
    return back(f"/track/{quote(filed.tracking_no)}", k=filed.secret, done="filed")


@router.get("/track", response_class=HTMLResponse)
def track_lookup(request: Request, no: str = "", k: str = "") -> Response:
    """Where a resident types the tracking number and secret they were given (works without JavaScript)."""
    if no.strip() and k.strip():
        return back(f"/track/{quote(no.strip().upper()[:40])}", k=k.strip()[:100])
    return render(request, "track_lookup.html", {"page_title": "查询进度"})


@router.get("/track/{tracking_no}", response_class=HTMLResponse)
def track_page(tracking_no: str, request: Request, service: ServiceDep, ctx: CtxDep, k: str = "",
               error: str | None = None, done: str | None = None) -> HTMLResponse:
    """The complaint as its complainant follows it (and the merged case's outcome)."""
    shown = with_photo_urls(ctx, tracked(service, ctx, tracking_no, k))
    return render(request, "track.html", {"c": shown, "k": k, "errors": [error] if error else [], "done": done,
                                          "page_title": f"投诉 {shown['tracking_no']}"})


@router.post("/track/{tracking_no}/{action}", response_class=HTMLResponse)
async def track_act(tracking_no: str, action: str, request: Request, service: ServiceDep, ctx: CtxDep) -> Response:
    """Rate or send back through the secret link."""
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    secret = values.get("k", "")
    url = f"/track/{quote(tracking_no)}"
    try:
        shown = tracked(service, ctx, tracking_no, secret)
        uow = unit_of_work(service, Actor(id="anonymous", role=Role.RESIDENT), request)
        if action == "rating":
            body = schemas.ResidentRating.model_validate(values)
            await run_in_threadpool(run, uow, handling.resident_confirm, ctx=ctx, complaint_id=shown["complaint_id"],
                                    secret=secret, rating=Rating(body.rating), comment=body.comment)
        elif action == "reopen":
            body = schemas.ResidentReopen.model_validate(values)
            await run_in_threadpool(run, uow, handling.resident_reopen, ctx=ctx, complaint_id=shown["complaint_id"],
                                    secret=secret, reason=body.reason)
        else:
            return back(url, k=secret, error="未知操作")
    except ValidationError as error:
        return back(url, k=secret, error=_problems(error))
    except RenovationError as error:
        return back(url, k=secret, error=error.message)
    return back(url, k=secret, done="1")
