"""GeoReport v2 requests: a POSTed form as a filing, a complaint row as the spec's request object."""

from __future__ import annotations

from services.complaints.api.open311_format import Open311Error
from services.complaints.application.filing import Filing
from services.complaints.domain.category import BY_CODE, STATE_ZH, Channel, Urgency
from services.complaints.domain.complaint import Place
from services.complaints.domain.privacy import normalise_phone, redact_numbers
from shared.text import check_text

_LIMITS = {"description": 2000, "address_string": 200, "first_name": 30, "last_name": 30, "phone": 30,
           "attribute[building]": 50, "attribute[community_id]": 64, "address_id": 64}


def _text(values: dict, key: str) -> str:
    value = (values.get(key) or "").strip()
    if len(value) > _LIMITS.get(key, 200):
        raise Open311Error(400, f"{key} 过长（最多 {_LIMITS.get(key, 200)} 个字符）")
    try:
        return check_text(value, multiline=key == "description")
    except ValueError as problem:
        raise Open311Error(400, f"{key}：{problem}") from None


def _coordinate(values: dict, key: str, bound: float) -> float | None:
    raw = (values.get(key) or "").strip()
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise Open311Error(400, f"{key} 须为数字（WGS84 十进制度）") from None
    if not -bound <= number <= bound:
        raise Open311Error(400, f"{key} 超出范围 ±{bound:g}")
    return number


def filing_from(values: dict, *, client_id: str) -> Filing:
    """The POSTed fields as a filing, or an Open311 error naming the first problem."""
    code = (values.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code (service_code missing)")
    if code not in BY_CODE:
        raise Open311Error(404, f"service_code “{code[:40]}” 不存在")
    lat, lon = _coordinate(values, "lat", 90), _coordinate(values, "long", 180)
    address = _text(values, "address_string")
    community = _text(values, "attribute[community_id]") or _text(values, "address_id")
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat 与 long 须同时提供")
    if lat is None and not address and not community:
        raise Open311Error(400, "须提供位置：lat 和 long、address_string 或 address_id")
    urgency = (values.get("attribute[urgency]") or "normal").strip()
    if urgency not in {u.value for u in Urgency}:
        raise Open311Error(400, "attribute[urgency] 只能是 emergency、normal 或 consultation")
    description = _text(values, "description")
    if not description:
        raise Open311Error(400, "缺少 description：请描述问题")
    phone = _text(values, "phone")
    name = (_text(values, "last_name") + _text(values, "first_name")).strip()
    return Filing(channel=Channel.OPEN311, category=code, urgency=Urgency(urgency), text=description,
                  place=Place(community_id=community or None, building=_text(values, "attribute[building]"),
                              latitude=lat, longitude=lon, address=address),
                  name=name, phone=normalise_phone(phone) if phone else None, client_id=client_id,
                  allow_triage=bool(address) and lat is None)


def as_request(row: dict) -> dict:
    """A complaint as the spec's request: no contact data, numbers in the text hidden."""
    kind = BY_CODE.get(row["category"])
    closed = row["state"] in ("closed", "merged")
    notes = STATE_ZH.get(row["state"], row["state"])
    if row.get("response"):
        notes += "：" + row["response"]
    agency = row.get("assignee") or row.get("street_office") or ""
    return {
        "service_request_id": row["tracking_no"], "status": "closed" if closed else "open", "status_notes": notes,
        "service_name": kind.name if kind else row["category"], "service_code": row["category"],
        "description": redact_numbers(row["text"]), "agency_responsible": agency, "service_notice": "",
        "requested_datetime": _w3(row["received_at"]), "updated_datetime": _w3(row.get("updated_at")),
        "expected_datetime": _w3(row.get("due_at")) if not closed else None,
        "address": row.get("address") or row.get("community_name") or "", "address_id": row.get("community_id"),
        "zipcode": None, "lat": row.get("latitude"), "long": row.get("longitude"), "media_url": None,
    }


def _w3(value: str | None) -> str | None:
    return value.replace("+00:00", "Z") if value else None
