"""GeoReport v2 wire format: services, definitions, requests and errors as JSON or XML (the spec's shapes)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from fastapi.responses import JSONResponse, Response

from services.complaints.domain.category import CATEGORIES, URGENCY_ZH, Category

FORMATS = ("json", "xml")
# When the list of services or their definitions last changed (the spec's `changeset`).
CHANGESET = "2026-11-29T00:00:00Z"
# The spec's shapes: a list's XML root and the element of each entry.
ROOTS = {"services": "service", "service_requests": "request", "errors": "error"}


class Open311Error(Exception):
    """An error answered in the spec's format: [{code, description}] / <errors><error>…."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _element(name: str, value) -> ET.Element:
    node = ET.Element(name)
    if isinstance(value, dict):
        for key, inner in value.items():
            node.append(_element(key, inner))
    elif isinstance(value, list):
        singular = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
                    "formats": "format"}.get(name, "item")
        for inner in value:
            node.append(_element(singular, inner))
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)
    return node


def render(fmt: str, root: str, body, status: int = 200) -> Response:
    """`body` (a list under a plural root, or one object) as JSON, or as the spec's XML."""
    if fmt == "json":
        return JSONResponse(body, status_code=status)
    if isinstance(body, list):
        node = ET.Element(root)
        for entry in body:
            node.append(_element(ROOTS[root], entry))
    else:
        node = _element(root, body)
    xml = b'<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(node, encoding="unicode").encode("utf-8")
    return Response(xml, status_code=status, media_type="text/xml; charset=utf-8")


def error(fmt: str, failure: Open311Error) -> Response:
    """The spec's error list, in the requested format (JSON when the format itself is wrong)."""
    return render(fmt if fmt in FORMATS else "json", "errors",
                  [{"code": failure.status, "description": failure.description}], status=failure.status)


def discovery(base_url: str) -> dict:
    """The service discovery document the spec requires beside the endpoint."""
    return {"changeset": CHANGESET, "contact": "热线 12345 · 老旧小区改造投诉处理",
            "key_service": "向系统管理员申请 api_key",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": f"{base_url}/open311/v2",
                           "changeset": CHANGESET, "type": "production",
                           "formats": ["text/xml", "application/json"]}]}


def service(category: Category) -> dict:
    """One entry of GET services."""
    return {"service_code": category.code, "service_name": category.name, "description": category.description,
            "metadata": True, "type": "realtime", "keywords": ",".join(category.keywords), "group": category.group}


def services() -> list[dict]:
    """Every service (category)."""
    return [service(c) for c in CATEGORIES]


def definition(category: Category) -> dict:
    """GET services/{code}: the attributes a request may carry."""
    urgency = [{"key": str(k), "name": v} for k, v in URGENCY_ZH.items()]
    return {"service_code": category.code, "attributes": [
        {"variable": True, "code": "urgency", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "紧急程度，缺省为一般", "order": 1, "description": "紧急程度 Urgency",
         "values": urgency},
        {"variable": True, "code": "community_id", "datatype": "string", "required": False,
         "datatype_description": "小区编号（不填则按经纬度确定）", "order": 2, "description": "小区 Community",
         "values": []},
        {"variable": True, "code": "building", "datatype": "string", "required": False,
         "datatype_description": "楼栋，如 3 号楼", "order": 3, "description": "楼栋 Building", "values": []},
    ]}
