"""JSON API of hotline staff: intake of calls, the queue, the handling loop, merges, erasure, 311 clients."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from services.complaints.adapters import queries
from services.complaints.api.deps import Admin, CtxDep, Handler, Operator, Viewer, unit_of_work
from services.complaints.api.schemas import (
    AssignBody, ClientCreate, ComplaintCreate, ErasureBody, MergeBody, RatingBody, ReasonBody, ResolveBody,
    RespondBody, RouteBody, TransferBody)
from services.complaints.api.views import present, visible
from services.complaints.application import client, filing, handling, person
from services.complaints.application.context import run
from services.complaints.domain.category import Channel
from services.complaints.domain.complaint import Place
from services.complaints.domain.privacy import normalise_phone
from services.complaints.adapters.tables import complaint_table as ct
from shared.errors import NotFound
from shared.paging import PageQuery, answer, paginate
from shared.service import ServiceDep

router = APIRouter(prefix="/api", tags=["complaints 投诉"])


def hotline_filing(body: ComplaintCreate) -> filing.Filing:
    """The operator's form as a filing: the caller's number validated, triage allowed."""
    place = Place(community_id=body.community_id or None, building=body.building, latitude=body.latitude,
                  longitude=body.longitude, address=body.address)
    return filing.Filing(channel=Channel.HOTLINE, category=body.category, urgency=body.urgency, text=body.text,
                         place=place, name=body.name, phone=normalise_phone(body.phone), allow_triage=True)


@router.post("/complaints", status_code=201, summary="热线受理 File a hotline call")
async def file_call(body: ComplaintCreate, request: Request, actor: Operator, service: ServiceDep, ctx: CtxDep) -> dict:
    """The operator records a call; the caller is told the tracking number."""
    filed = await run_in_threadpool(run, unit_of_work(service, actor, request), filing.file_complaint, ctx=ctx,
                                    filing=hotline_filing(body))
    return {"complaint_id": filed.complaint_id, "tracking_no": filed.tracking_no,
            "track_url": f"/track/{filed.tracking_no}?k={filed.secret}"}


def _shown(service, ctx, rows: list[dict], role: str) -> list[dict]:
    with service.engine.connect() as conn:
        contacts = ctx.vault.open_many(conn, [(r["person_id"], r["contact_sealed"]) for r in rows])
    now = ctx.now()
    return [present(r, role=role, ctx=ctx, contact=contacts.get(r["person_id"]), now=now) for r in rows]


@router.get("/complaints", summary="工单队列 The queue, most urgent clock first")
def get_queue(actor: Viewer, service: ServiceDep, ctx: CtxDep, page: PageQuery, request: Request,
              response: Response) -> list[dict]:
    """Open complaints, one page (sort `due`, `received`, `updated`; `q` searches text, number, assignee).

    Contractors see only their own projects' complaints; they and supervisors see contacts masked.
    """
    query = queries.queue_query(contractor=actor.id if actor.role == "contractor" else None)
    with service.engine.connect() as conn:
        found = paginate(conn, query, page, sortable=queries.QUEUE_SORTS, default_sort="due",
                         search=[ct.c.text, ct.c.tracking_no, ct.c.assignee], tiebreak=ct.c.complaint_id)
    found.items = _shown(service, ctx, found.items, actor.role)
    return answer(found, request, response)


@router.get("/complaints/triage", summary="待分拣 Complaints no community was found for")
def get_triage(actor: Operator, service: ServiceDep, ctx: CtxDep) -> list[dict]:
    """The triage list."""
    with service.engine.connect() as conn:
        rows = queries.triage(conn)
    return _shown(service, ctx, rows, actor.role)


@router.get("/complaints/{complaint_id}", summary="工单详情 One complaint with its history")
def get_complaint(complaint_id: str, actor: Viewer, service: ServiceDep, ctx: CtxDep) -> dict:
    """The complaint, its steps and merged repeats."""
    with service.engine.connect() as conn:
        row = queries.get(conn, complaint_id)
        if row is None or not visible(conn, actor.role, actor.id, [row]):
            raise NotFound(f"工单 {complaint_id} 不存在")
        shown = _shown(service, ctx, [row], actor.role)[0]
        shown["steps"] = queries.steps(conn, complaint_id, public_only=False)
        shown["duplicates"] = queries.duplicates_of(conn, complaint_id)
    return shown


async def _act(request: Request, actor, service, handler, **kwargs) -> None:
    await run_in_threadpool(run, unit_of_work(service, actor, request), handler, **kwargs)


@router.post("/complaints/{complaint_id}/route", status_code=204, summary="指定小区 Route from triage")
async def route(complaint_id: str, body: RouteBody, request: Request, actor: Operator, service: ServiceDep,
                ctx: CtxDep) -> None:
    await _act(request, actor, service, filing.route_manually, ctx=ctx, complaint_id=complaint_id,
               community_id=body.community_id)


@router.post("/complaints/{complaint_id}/acknowledge", status_code=204, summary="签收 Acknowledge")
async def acknowledge(complaint_id: str, request: Request, actor: Handler, service: ServiceDep, ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.acknowledge, ctx=ctx, complaint_id=complaint_id)


@router.post("/complaints/{complaint_id}/assign", status_code=204, summary="派单 Assign")
async def assign(complaint_id: str, body: AssignBody, request: Request, actor: Operator, service: ServiceDep,
                 ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.assign, ctx=ctx, complaint_id=complaint_id, kind=body.kind,
               assignee=body.assignee, note=body.note)


@router.post("/complaints/{complaint_id}/transfer", status_code=204, summary="转办 Transfer with a reason")
async def transfer(complaint_id: str, body: TransferBody, request: Request, actor: Operator, service: ServiceDep,
                   ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.transfer, ctx=ctx, complaint_id=complaint_id, kind=body.kind,
               assignee=body.assignee, reason=body.reason)


@router.post("/complaints/{complaint_id}/extend", status_code=204, summary="复杂事项延期 Extend (complex case)")
async def extend(complaint_id: str, body: ReasonBody, request: Request, actor: Operator, service: ServiceDep,
                 ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.extend, ctx=ctx, complaint_id=complaint_id, reason=body.reason)


@router.post("/complaints/{complaint_id}/respond", status_code=204, summary="答复 Respond")
async def respond(complaint_id: str, body: RespondBody, request: Request, actor: Handler, service: ServiceDep,
                  ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.respond, ctx=ctx, complaint_id=complaint_id,
               response=body.response, from_inspection=body.from_inspection)


@router.post("/complaints/{complaint_id}/resolve", status_code=204, summary="办结 Resolve")
async def resolve(complaint_id: str, body: ResolveBody, request: Request, actor: Handler, service: ServiceDep,
                  ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.resolve, ctx=ctx, complaint_id=complaint_id,
               resolution=body.resolution)


@router.post("/complaints/{complaint_id}/return-visit", status_code=204, summary="回访 Record the return visit")
async def return_visit(complaint_id: str, body: RatingBody, request: Request, actor: Operator, service: ServiceDep,
                       ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.confirm, ctx=ctx, complaint_id=complaint_id, rating=body.rating,
               comment=body.comment, channel="return_visit")


@router.post("/complaints/{complaint_id}/merge", status_code=204, summary="合并重复投诉 Merge into the open case")
async def merge(complaint_id: str, body: MergeBody, request: Request, actor: Operator, service: ServiceDep,
                ctx: CtxDep) -> None:
    await _act(request, actor, service, handling.merge, ctx=ctx, complaint_id=complaint_id, into=body.into)


@router.post("/persons/erasure", summary="删除投诉人个人信息 Erase a complainant's personal data")
async def erase(body: ErasureBody, request: Request, actor: Operator, service: ServiceDep, ctx: CtxDep) -> dict:
    person_id = await run_in_threadpool(run, unit_of_work(service, actor, request), person.erase, ctx=ctx,
                                        phone=normalise_phone(body.phone), reason=body.reason)
    return {"person_id": person_id, "erased": True}


@router.post("/open311/clients", status_code=201, summary="登记 311 客户端 Register an Open311 client app")
async def register_client(body: ClientCreate, request: Request, actor: Admin, service: ServiceDep) -> dict:
    """The API key is shown once; only its digest is recorded."""
    client_id, api_key = await run_in_threadpool(run, unit_of_work(service, actor, request), client.register,
                                                 name=body.name)
    return {"client_id": client_id, "api_key": api_key}


@router.post("/open311/clients/{client_id}/revoke", status_code=204, summary="停用 311 客户端 Revoke a client's key")
async def revoke_client(client_id: str, request: Request, actor: Admin, service: ServiceDep) -> None:
    await run_in_threadpool(run, unit_of_work(service, actor, request), client.revoke, client_id=client_id)
