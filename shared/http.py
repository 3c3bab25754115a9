"""HTTP conventions of every service: request ids and clear 4xx answers for bad input."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from shared.envelope import new_event_id
from shared.errors import RenovationError, Unauthenticated
from shared.web.templates import login_url

REQUEST_ID_HEADER = "X-Request-ID"


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
