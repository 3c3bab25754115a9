"""The survey form's text fields: buildings one per line, the site boundary one point per line."""

from __future__ import annotations

from typing import Any

from services.intake.domain.survey import numbered_rooms
from shared.errors import InvalidCommand

KINDS = {"单元楼": "unit_building", "平房": "bungalow", "其他": "other",
         "unit_building": "unit_building", "bungalow": "bungalow", "other": "other"}


def parse_buildings(text: str) -> list[dict[str, Any]]:
    """Lines "楼号,层数,等级,单元数,每层户数[,类型]" or "楼号,层数,等级,单元:户号/户号;单元:…[,类型]"."""
    buildings = []
    for number, line in enumerate(text.replace("，", ",").splitlines(), start=1):
        fields = [f.strip() for f in line.split(",") if f.strip()]
        if not fields:
            continue
        kind = KINDS.get(fields[-1]) if len(fields) > 4 else None
        fields = fields[:-1] if kind else fields
        if len(fields) < 4 or not fields[1].isdigit():
            raise InvalidCommand(f"楼栋第 {number} 行“{line}”格式应为：楼号,层数,等级,单元数,每层户数",
                                 code="survey_form")
        building = {"building": fields[0], "storeys": int(fields[1]), "safety_grade": fields[2].upper(),
                    "kind": kind or "unit_building"}
        if ":" in fields[3]:
            building["units"] = [_unit(part, number) for part in fields[3].split(";") if part.strip()]
        elif len(fields) == 5 and fields[3].isdigit() and fields[4].isdigit():
            building |= {"unit_count": int(fields[3]), "per_floor": int(fields[4])}
        else:
            raise InvalidCommand(f"楼栋第 {number} 行“{line}”：单元数和每层户数应为整数", code="survey_form")
        buildings.append(building)
    return buildings


def _unit(part: str, number: int) -> dict[str, Any]:
    unit, _, rooms = part.partition(":")
    names = [r.strip() for r in rooms.split("/") if r.strip()]
    if not unit.strip() or not names:
        raise InvalidCommand(f"楼栋第 {number} 行：单元写法应为 单元号:户号/户号", code="survey_form")
    return {"unit": unit.strip(), "rooms": names}


def buildings_text(buildings: list[dict[str, Any]]) -> str:
    """The recorded buildings written back as form lines (uniform ones in the short form)."""
    lines = []
    for b in buildings:
        kind = "" if b["kind"] == "unit_building" else f",{b['kind']}"
        per_floor = _uniform(b)
        if per_floor:
            lines.append(f"{b['building']},{b['storeys']},{b['safety_grade']},{len(b['units'])},{per_floor}{kind}")
        else:
            units = ";".join(f"{u['unit']}:{'/'.join(u['rooms'])}" for u in b["units"])
            lines.append(f"{b['building']},{b['storeys']},{b['safety_grade']},{units}{kind}")
    return "\n".join(lines)


def _uniform(building: dict[str, Any]) -> int | None:
    units = building["units"]
    per_floor, remainder = divmod(len(units[0]["rooms"]), building["storeys"])
    if remainder or not 1 <= per_floor <= 20:
        return None
    expected = numbered_rooms(storeys=building["storeys"], per_floor=per_floor)
    names = [str(n) for n in range(1, len(units) + 1)]
    if [u["unit"] for u in units] != names or any(u["rooms"] != expected for u in units):
        return None
    return per_floor


def parse_boundary(text: str) -> list[tuple[float, float]] | None:
    """Lines "纬度,经度"; None when empty."""
    points = []
    for line in text.replace("，", ",").splitlines():
        if not line.strip():
            continue
        try:
            lat, lon = (float(part) for part in line.split(","))
        except ValueError:
            raise InvalidCommand(f"边界点“{line}”应写作 纬度,经度", code="survey_form") from None
        points.append((lat, lon))
    return points or None


def boundary_text(points: list | None) -> str:
    """A recorded boundary written back as form lines."""
    return "\n".join(f"{lat},{lon}" for lat, lon in points or [])
