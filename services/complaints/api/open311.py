"""Open311 GeoReport v2: services, service definitions, requests (POST and GET), single requests, tokens.

Every endpoint answers `.json` and `.xml`; errors come in the spec's own format and status codes
(400 bad or missing input, 403 wrong api_key, 404 unknown service, request, token or jurisdiction).
Personal data is never returned: the request carries no contact fields and numbers in the text are hidden.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from services.complaints.adapters import queries
from services.complaints.api.deps import get_ctx, unit_of_work
from services.complaints.api.open311_format import (
    FORMATS, Open311Error, definition, discovery, error, render, services)
from services.complaints.api.open311_requests import as_request, filing_from
from services.complaints.application import filing
from services.complaints.application.context import run
from services.complaints.domain.category import BY_CODE
from services.complaints.domain.client import key_digest
from shared.actor import Actor, Role
from shared.errors import RenovationError

PREFIX = "/open311/v2"
router = APIRouter(prefix=PREFIX, tags=["open311 GeoReport v2"])
discovery_router = APIRouter(tags=["open311 GeoReport v2"])
MAX_SPAN = timedelta(days=90)


def _check(request: Request, fmt: str) -> None:
    if fmt not in FORMATS:
        raise Open311Error(404, f"不支持的格式“{fmt[:10]}”：请使用 .json 或 .xml (format must be json or xml)")
    _jurisdiction(request, request.query_params.get("jurisdiction_id"))


def _jurisdiction(request: Request, jurisdiction: str | None) -> None:
    expected = get_ctx(request).settings.jurisdiction_id
    if jurisdiction and jurisdiction != expected:
        raise Open311Error(404, f"jurisdiction_id “{jurisdiction[:50]}” 不存在，本接口为 {expected}")


async def _answer(request: Request, fmt: str, build) -> Response:
    try:
        _check(request, fmt)
        return await build()
    except Open311Error as failure:
        return error(fmt, failure)
    except RenovationError as failure:
        status = failure.status if failure.status in (403, 404, 429) else 400
        return error(fmt, Open311Error(status, failure.message))


@discovery_router.get("/open311/discovery.{fmt}", summary="GeoReport v2 service discovery")
async def get_discovery(fmt: str, request: Request) -> Response:
    async def build():
        return render(fmt, "discovery", discovery(str(request.base_url).rstrip("/")))
    return await _answer(request, fmt, build)


@router.get("/services.{fmt}", summary="GET services")
async def get_services(fmt: str, request: Request) -> Response:
    async def build():
        return render(fmt, "services", services())
    return await _answer(request, fmt, build)


@router.get("/services/{code}.{fmt}", summary="GET service definition")
async def get_definition(code: str, fmt: str, request: Request) -> Response:
    async def build():
        if code not in BY_CODE:
            raise Open311Error(404, f"service_code “{code[:40]}” 不存在")
        return render(fmt, "service_definition", definition(BY_CODE[code]))
    return await _answer(request, fmt, build)


@router.post("/requests.{fmt}", summary="POST service request")
async def post_request(fmt: str, request: Request) -> Response:
    async def build():
        service = request.app.state.service
        form = await request.form()
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        _jurisdiction(request, values.get("jurisdiction_id"))
        client = _client(service, values.get("api_key") or request.query_params.get("api_key") or "")
        draft = filing_from(values, client_id=client["client_id"])
        uow = unit_of_work(service, Actor(id=f"open311:{client['name'][:40]}", role=Role.RESIDENT), request)
        filed = await run_in_threadpool(run, uow, filing.file_complaint, ctx=get_ctx(request), filing=draft)
        notice = f"已受理，编号 {filed.tracking_no}。请妥善保存查询链接。"
        return render(fmt, "service_requests", [{
            "service_request_id": filed.tracking_no, "token": filed.complaint_id, "service_notice": notice,
            "account_id": values.get("account_id") or None}], status=201)
    return await _answer(request, fmt, build)


def _client(service, api_key: str) -> dict:
    if not api_key:
        raise Open311Error(403, "缺少 api_key：提交请求须使用已登记应用的密钥 (api_key missing)")
    with service.engine.connect() as conn:
        client = queries.client_by_digest(conn, key_digest(api_key))
    if client is None:
        raise Open311Error(403, "api_key 无效或已停用 (invalid api_key)")
    return client


@router.get("/requests.{fmt}", summary="GET service requests")
async def get_requests(fmt: str, request: Request) -> Response:
    async def build():
        q = request.query_params
        ids = _list(q.get("service_request_id"))
        codes = _list(q.get("service_code"))
        unknown = [c for c in codes or () if c not in BY_CODE]
        if unknown:
            raise Open311Error(404, f"service_code “{unknown[0][:40]}” 不存在")
        states = _list(q.get("status"))
        if states and set(states) - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed（可用逗号分隔）")
        start, end = _date(q.get("start_date"), "start_date"), _date(q.get("end_date"), "end_date")
        if start and end and (end < start or end - start > MAX_SPAN):
            raise Open311Error(400, "start_date 与 end_date 须先后有序，且相隔不超过 90 天")
        ctx = get_ctx(request)
        stored = _states(states)
        with request.app.state.service.engine.connect() as conn:
            rows = queries.open311_requests(conn, ids=ids, codes=codes, states=stored, start=start, end=end,
                                            now=ctx.now())
        return render(fmt, "service_requests", [as_request(r) for r in rows])
    return await _answer(request, fmt, build)


@router.get("/requests/{request_id}.{fmt}", summary="GET service request")
async def get_request(request_id: str, fmt: str, request: Request) -> Response:
    async def build():
        with request.app.state.service.engine.connect() as conn:
            row = queries.by_tracking(conn, request_id)
        if row is None:
            raise Open311Error(404, f"service_request_id “{request_id[:40]}” 不存在")
        return render(fmt, "service_requests", [as_request(row)])
    return await _answer(request, fmt, build)


@router.get("/tokens/{token}.{fmt}", summary="GET service_request_id from a token")
async def get_token(token: str, fmt: str, request: Request) -> Response:
    async def build():
        with request.app.state.service.engine.connect() as conn:
            row = queries.get(conn, token)
        if row is None:
            raise Open311Error(404, f"token “{token[:40]}” 不存在")
        return render(fmt, "service_requests", [{"service_request_id": row["tracking_no"], "token": token}])
    return await _answer(request, fmt, build)


def _list(value: str | None) -> list[str] | None:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None


def _states(states: list[str] | None) -> list[str] | None:
    if not states:
        return None
    mapped = []
    if "open" in states:
        mapped += list(queries.OPEN)
    if "closed" in states:
        mapped += ["closed", "merged"]
    return mapped


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise Open311Error(400, f"{name} 须为 W3C 日期时间，如 2026-11-01T00:00:00Z") from None
