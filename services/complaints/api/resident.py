"""The resident's way in, without an account: the phone-first form, the tracking link, the rating."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from services.complaints.adapters import queries
from services.complaints.api.deps import CtxDep, read_photos, unit_of_work
from services.complaints.api.schemas import ResidentRating, ResidentReopen
from services.complaints.api.views import present
from services.complaints.application import filing, handling, photo
from services.complaints.application.context import ComplaintsContext, run
from services.complaints.domain.category import Channel, Urgency
from services.complaints.domain.complaint import Place
from services.complaints.domain.privacy import normalise_phone
from shared.actor import Actor, Role
from shared.errors import InvalidCommand, NotFound
from shared.service import Service, ServiceDep
from shared.text import FreeText, LineText

router = APIRouter(tags=["residents 居民"])


class ResidentForm(BaseModel):
    """The anonymous form's fields (multipart), checked like any other input."""

    model_config = ConfigDict(extra="ignore")

    phone: Annotated[LineText, Field(max_length=30)] = ""
    name: Annotated[LineText, Field(max_length=50)] = ""
    category: Annotated[LineText, Field(max_length=40)] = ""
    urgency: Urgency = Urgency.NORMAL
    text: Annotated[FreeText, Field(max_length=2000)] = ""
    community_id: Annotated[LineText, Field(max_length=64)] = ""
    building: Annotated[LineText, Field(max_length=50)] = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


FIELD_ZH = {"phone": "联系电话", "name": "姓名", "category": "投诉类别", "urgency": "紧急程度", "text": "投诉内容",
            "community_id": "小区", "building": "楼栋", "latitude": "纬度", "longitude": "经度"}


def parse_form(values: dict) -> ResidentForm:
    """The form, or a 422 naming each wrong field in zh-CN."""
    cleaned = {k: (v if v != "" or k not in ("latitude", "longitude") else None) for k, v in values.items()}
    try:
        return ResidentForm.model_validate(cleaned)
    except ValidationError as error:
        problems = [f"{FIELD_ZH.get(str(e['loc'][0]), e['loc'][0])}：{e['msg']}" for e in error.errors()]
        raise InvalidCommand("提交的数据有误：" + "；".join(problems), code="invalid_input",
                             details={"problems": problems}) from None


def client_address(request: Request) -> str:
    """The client's address (the first hop; a proxy in front sets it through uvicorn's proxy headers)."""
    return request.client.host if request.client else "unknown"


async def file_from_form(request: Request, service: Service, ctx: ComplaintsContext, form) -> filing.Filed:
    """Check the limits and every field, prove the photos, then record — or refuse with nothing kept."""
    ctx.per_client.check(client_address(request), "提交过于频繁：同一网络每小时最多提交 "
                         f"{ctx.settings.rate_per_client_per_hour} 件投诉，请稍后再试或拨打热线")
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    body = parse_form(values)
    phone = normalise_phone(body.phone)
    ctx.per_phone.check(ctx.vault.phone_digest_of(phone), "该号码今天提交的投诉已达上限，请拨打热线或等待处理进度")
    uploads = await read_photos(form.getlist("photos"), limit=ctx.settings.max_photo_bytes,
                                count=ctx.settings.max_photos)
    proven = await run_in_threadpool(photo.prove, ctx, uploads)
    place = Place(community_id=body.community_id or None, building=body.building, latitude=body.latitude,
                  longitude=body.longitude)
    draft = filing.Filing(channel=Channel.WEB, category=body.category, urgency=body.urgency, text=body.text,
                          place=place, name=body.name, phone=phone, photos=[p for p, _ in proven])
    uow = unit_of_work(service, Actor(id="anonymous", role=Role.RESIDENT), request)

    def record(uow, ctx):
        filed = filing.file_complaint(uow, ctx, filing=draft)
        photo.keep(ctx, proven)
        return filed

    return await run_in_threadpool(run, uow, record, ctx=ctx)


@router.post("/api/resident/complaints", status_code=201, summary="居民网上投诉 File as a resident (no account)")
async def file_as_resident(request: Request, service: ServiceDep, ctx: CtxDep) -> dict:
    """Multipart form: category, text, phone, community or point, optional photos. Rate-limited."""
    filed = await file_from_form(request, service, ctx, await request.form())
    return {"tracking_no": filed.tracking_no, "track_url": f"/track/{filed.tracking_no}?k={filed.secret}",
            "secret": filed.secret}


def tracked(service: Service, ctx: ComplaintsContext, tracking_no: str, secret: str) -> dict:
    """The complaint of a tracking link as its complainant sees it (with the merged case's outcome)."""
    with service.engine.connect() as conn:
        row = queries.by_tracking(conn, tracking_no)
        if row is None:
            raise NotFound(f"没有编号为 {tracking_no[:40]} 的投诉", code="unknown_tracking_no")
        handling.require_secret(row["secret_digest"], secret)
        contact = ctx.vault.open(conn, row["person_id"], row["contact_sealed"])
        shown = present(row, role=None, ctx=ctx, contact=contact, own=True)
        shown["steps"] = queries.steps(conn, row["complaint_id"], public_only=True)
        shown["outcome"] = None
        if row["merged_into"]:
            primary = queries.get(conn, row["merged_into"])
            shown["outcome"] = present(primary, role=None, ctx=ctx, contact=None)
            shown["outcome"]["steps"] = queries.steps(conn, primary["complaint_id"], public_only=True)
            shown["outcome"].pop("contact", None)
    return shown


@router.get("/api/track/{tracking_no}", summary="查询进度 Follow a complaint by its secret link")
def track(tracking_no: str, k: str, service: ServiceDep, ctx: CtxDep) -> dict:
    """Progress, the response, and (if merged) the outcome of the case it was merged into."""
    return tracked(service, ctx, tracking_no, k)


def _complaint_id(service: Service, tracking_no: str) -> str:
    with service.engine.connect() as conn:
        row = queries.by_tracking(conn, tracking_no)
    if row is None:
        raise NotFound(f"没有编号为 {tracking_no[:40]} 的投诉", code="unknown_tracking_no")
    return row["complaint_id"]


@router.post("/api/track/{tracking_no}/rating", status_code=204, summary="评价 Rate the outcome")
async def rate(tracking_no: str, body: ResidentRating, request: Request, service: ServiceDep, ctx: CtxDep) -> None:
    """满意 / 基本满意 close it; 不满意 sends it back. A second rating is refused."""
    uow = unit_of_work(service, Actor(id="anonymous", role=Role.RESIDENT), request)
    await run_in_threadpool(run, uow, handling.resident_confirm, ctx=ctx,
                            complaint_id=_complaint_id(service, tracking_no), secret=body.k, rating=body.rating,
                            comment=body.comment)


@router.post("/api/track/{tracking_no}/reopen", status_code=204, summary="退回重办 Send it back")
async def reopen(tracking_no: str, body: ResidentReopen, request: Request, service: ServiceDep, ctx: CtxDep) -> None:
    uow = unit_of_work(service, Actor(id="anonymous", role=Role.RESIDENT), request)
    await run_in_threadpool(run, uow, handling.resident_reopen, ctx=ctx,
                            complaint_id=_complaint_id(service, tracking_no), secret=body.k, reason=body.reason)
