"""The OpenAPI document tells the truth: the real error body and every status each endpoint may answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from shared.http import MAX_PARAMETER_LENGTH

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "description": "Every refusal: a stable code, a reason in zh-CN, and details where they help.",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "机器可读的错误代码 Stable machine-readable code"},
        "detail": {"type": "string", "description": "原因（中文） The reason, for a person"},
        "details": {"type": "object", "additionalProperties": True,
                    "description": "细节，例如逐项的输入问题 Details, e.g. each input problem"},
    },
}

STATUS_TEXT = {
    400: "请求无效 Bad request",
    401: "未登录或登录凭证无效 Not logged in, or the token is invalid, expired or revoked",
    403: "无权执行（角色不符）或跨站请求被拒绝 The role may not do this, or a cross-origin request was refused",
    404: "不存在 Not found",
    409: "数据已被他人修改，请刷新后重试 Changed by someone else meanwhile",
    413: "上传内容过大 Upload too large",
    422: "输入有误或违反业务规则 Invalid input, or a rule of the domain refuses it",
    503: "暂不可用，请稍后再试 Unavailable for now",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """Replace FastAPI's document builder with one declaring the real error model and statuses."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with the Error schema, each operation's statuses and allowed roles."""
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["Error"] = ERROR_SCHEMA
    for route in _api_routes(app):
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _document(operation, route, method)
    return schema


def _api_routes(app: FastAPI) -> Iterator[Any]:
    # FastAPI >= 0.16x keeps included routers whole: walk them as its own document builder does.
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    for route in contexts(app.routes) if contexts else app.routes:
        if isinstance(getattr(route, "original_route", route), APIRoute) and route.include_in_schema:
            yield route


def _bound_parameters(operation: dict[str, Any]) -> None:
    # shared.http.ParameterGuard refuses longer path segments and query values for every route.
    for parameter in operation.get("parameters", []):
        if parameter.get("in") not in ("path", "query"):
            continue
        schema = parameter.get("schema", {})
        for alternative in schema.get("anyOf", [schema]):
            if alternative.get("type") == "string" and "maxLength" not in alternative and "enum" not in alternative:
                alternative["maxLength"] = MAX_PARAMETER_LENGTH


def _document(operation: dict[str, Any], route: APIRoute, method: str) -> None:
    _bound_parameters(operation)
    logged_in, roles = _who(route.dependant)
    responses = operation.setdefault("responses", {})
    declared = {int(code) for code in responses if code.isdigit() and int(code) in STATUS_TEXT}
    for status in sorted(declared | _statuses(route, method, logged_in=logged_in, roles=roles)):
        responses[str(status)] = {
            "description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    if roles:
        operation["x-roles"] = sorted(roles)
        allowed = "、".join(sorted(roles))
        operation["description"] = (operation.get("description") or "").rstrip() + f"\n\n允许的角色 Roles: {allowed}"


def _statuses(route: APIRoute, method: str, *, logged_in: bool, roles: set[str]) -> set[int]:
    params = route.dependant.path_params or route.dependant.query_params or route.dependant.header_params
    statuses = {422} if params or route.body_field is not None or method in UNSAFE else set()
    if logged_in:
        statuses.add(401)
    if roles or method in UNSAFE:  # a role refused, or a browser's cross-origin post
        statuses.add(403)
    if route.dependant.path_params:
        statuses.add(404)
    if method in UNSAFE:
        statuses |= {400, 404, 409}
    if route.body_field is not None and "multipart" in str(route.body_field.field_info.media_type or ""):
        statuses.add(413)
    return statuses


def _who(dependant: Dependant) -> tuple[bool, set[str]]:
    """Whether the route needs a logged-in actor, and which roles it admits (empty: any)."""
    logged_in, roles = False, set()
    for call in _calls(dependant):
        if getattr(call, "logged_in", False):
            logged_in = True
        allowed = getattr(call, "roles", None)
        if allowed:
            logged_in = True
            roles |= {str(role) for role in allowed}
    return logged_in, roles


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)
