"""HTTP conventions of every service: request ids and clear 4xx answers for bad input."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from annotated_types import Ge, Le

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.envelope import new_event_id
from shared.errors import RenovationError, Unauthenticated
from shared.text import check_text
from shared.web.templates import login_url

REQUEST_ID_HEADER = "X-Request-ID"

# A plan, budget or report year as a path or query parameter: the programme runs this century.
Year = Annotated[int, Ge(2000), Le(2100)]


def install_request_ids(app: FastAPI) -> None:
    """Give every request a correlation id (the caller's X-Request-ID, or a new one)."""

    @app.middleware("http")
    async def request_id(request: Request, call_next) -> Response:
        correlation_id = request.headers.get(REQUEST_ID_HEADER) or str(new_event_id())
        request.state.correlation_id = correlation_id[:100]
        structlog.contextvars.bind_contextvars(correlation_id=request.state.correlation_id)
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id")
        response.headers[REQUEST_ID_HEADER] = request.state.correlation_id
        return response


def wants_page(request: Request) -> bool:
    """Whether the caller is a browser on a page rather than an API client."""
    return not request.url.path.startswith(("/api/", "/auth/")) and "text/html" in request.headers.get(
        "accept", "")


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors and invalid input become 4xx answers with a reason a person understands."""

    @app.exception_handler(RenovationError)
    async def domain_error(request: Request, error: RenovationError) -> Response:
        if wants_page(request):
            if isinstance(error, Unauthenticated):
                return RedirectResponse(login_url(request), status_code=303)
            return request.app.state.templates.render_error(request, error.status, error.message)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthenticated) else None
        return JSONResponse(error.to_dict(), status_code=error.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, error: RequestValidationError) -> Response:
        problems = [_problem(e) for e in error.errors()]
        message = "提交的数据有误：" + "；".join(problems)
        if wants_page(request):
            return request.app.state.templates.render_error(request, 422, message)
        return JSONResponse({"error": "invalid_input", "detail": message,
                             "details": {"problems": problems}}, status_code=422)


def _problem(error: dict) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    return f"{location or '请求'}：{_MESSAGES_ZH.get(error.get('type', ''), error.get('msg', ''))}"


# The pydantic error types people meet most, in zh-CN; others keep pydantic's English text.
_MESSAGES_ZH = {
    "missing": "必填",
    "string_too_short": "太短",
    "string_too_long": "太长",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "extra_forbidden": "不允许的字段",
}


# Every path segment and query value is bounded before any route sees it: no identifier, filter
# or search text reaches a database (PostgreSQL refuses NUL) or a page unchecked.
MAX_PARAMETER_LENGTH = 200


class ParameterGuard:
    """ASGI middleware: 422 for a path segment or query value too long or hiding control characters."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = _parameter_problem(scope)
            if problem is not None:
                request = Request(scope)
                message = f"提交的数据有误：{problem}"
                templates = getattr(request.app.state, "templates", None) if "app" in scope else None
                if templates is not None and wants_page(request):
                    response = templates.render_error(request, 422, message)
                else:
                    response = JSONResponse({"error": "invalid_input", "detail": message,
                                             "details": {"problems": [problem]}}, status_code=422)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _parameter_problem(scope: Scope) -> str | None:
    for segment in scope["path"].split("/"):
        if problem := _value_problem("路径", segment):
            return problem
    for key, value in parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True):
        if problem := _value_problem(f"参数 {key[:40]}", key) or _value_problem(f"参数 {key[:40]}", value):
            return problem
    return None


def _value_problem(where: str, value: str) -> str | None:
    if len(value) > MAX_PARAMETER_LENGTH:
        return f"{where}太长（{len(value)} 个字符，最多 {MAX_PARAMETER_LENGTH} 个）"
    try:
        check_text(value, multiline=False)
    except ValueError as error:
        return f"{where}：{error}"
    return None
