"""The OpenAPI description of the Open311 routes: the spec's own error list and formats, not the kernel's Error."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERRORS = {"type": "array", "items": {"type": "object", "required": ["code", "description"], "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}}}
XML = {"text/xml": {"schema": {"type": "string"}}}
TEXT = {400: "请求无效 Bad request (GeoReport error list)", 403: "api_key 缺失或无效 Missing or invalid api_key",
        404: "服务、请求、令牌、辖区或格式不存在 Unknown service, request, token, jurisdiction or format",
        429: "提交过于频繁 Too many requests"}
# The kernel's parameter guard answers before the route, in the kernel's own error format.
GUARDED = {"description": "路径或参数含控制字符、过长 (refused by the kernel before the route)",
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
FORM = {"type": "object", "required": ["api_key", "service_code"], "properties": {
    name: {"type": "string", "maxLength": 2000} for name in (
        "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email",
        "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url",
        "attribute[urgency]", "attribute[community_id]", "attribute[building]")}}


def document(app: FastAPI) -> None:
    """Wrap the app's document builder so every /open311/ operation tells what it really answers."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for path, operations in schema.get("paths", {}).items():
            if path.startswith("/open311/"):
                for method, operation in operations.items():
                    _describe(operation, post=method == "post")
        return schema

    app.openapi = openapi


def _describe(operation: dict[str, Any], *, post: bool) -> None:
    success = {"description": "成功 Success (JSON or XML, as the path's format says)",
               "content": {"application/json": {"schema": {}}, **XML}}
    statuses = (400, 403, 404) if post else (400, 404)
    operation["responses"] = {"201" if post else "200": success, **{
        str(code): {"description": TEXT[code], "content": {"application/json": {"schema": ERRORS}, **XML}}
        for code in statuses}, "422": GUARDED}
    if post:
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": FORM}}}
