"""The site inspection checklist (`000` part 3 七(三), `002` 三(五), `001`): safety before start and restart."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a defect is; a critical one stops work in its zone."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


SEVERITY_ZH = {Severity.MINOR: "一般", Severity.MAJOR: "较重", Severity.CRITICAL: "严重（停工）"}


class Result(StrEnum):
    """The answer to one checklist item."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "na"


@dataclass(frozen=True)
class CheckItem:
    """One thing to look at on site."""

    code: str
    category: str
    text: str


CATEGORIES = {
    "scaffolding": "脚手架",
    "lifting": "起重设备",
    "hazardous_works": "危大工程",
    "temporary_power": "临时用电",
    "fire_safety": "消防安全",
    "materials": "材料进场",
    "dust_noise": "扬尘与噪声",
    "hotline_board": "投诉热线公示牌",
}

# What the check before a start and a restart must find in order (`000` part 3 七(三), `002` 三(五)).
SAFETY_CATEGORIES = frozenset({"scaffolding", "lifting", "hazardous_works", "temporary_power", "fire_safety"})

ITEMS: tuple[CheckItem, ...] = (
    CheckItem("scaffolding.base", "scaffolding", "立杆基础牢固，扫地杆、剪刀撑齐全"),
    CheckItem("scaffolding.guard", "scaffolding", "作业层脚手板满铺，防护栏杆和安全网完好"),
    CheckItem("lifting.certified", "lifting", "起重设备经检验合格，司机持证上岗"),
    CheckItem("lifting.zone", "lifting", "吊装作业区设警戒，有专人指挥"),
    CheckItem("hazardous_works.plan", "hazardous_works", "危大工程专项方案经审批，按方案施工"),
    CheckItem("hazardous_works.excavation", "hazardous_works", "沟槽开挖放坡或支护到位，临边有防护"),
    CheckItem("temporary_power.tn_s", "temporary_power", "三级配电两级保护，一机一闸一漏"),
    CheckItem("temporary_power.cables", "temporary_power", "电缆架空或埋地敷设，无破损拖地"),
    CheckItem("fire_safety.extinguishers", "fire_safety", "灭火器配备充足、在有效期内"),
    CheckItem("fire_safety.hot_work", "fire_safety", "动火作业有审批和监护，易燃物已清离"),
    CheckItem("materials.certified", "materials", "进场材料有合格证明，无不合格或无认证材料"),
    CheckItem("materials.storage", "materials", "材料分类堆放整齐，不占消防通道"),
    CheckItem("dust_noise.cover", "dust_noise", "裸土和渣土覆盖，道路洒水降尘"),
    CheckItem("dust_noise.hours", "dust_noise", "按规定时段施工，无夜间扰民"),
    CheckItem("hotline_board.posted", "hotline_board", "现场公布投诉热线和现场联系人"),
)

BY_CODE = {item.code: item for item in ITEMS}


def grouped() -> list[tuple[str, str, list[CheckItem]]]:
    """The checklist by category: (category, zh-CN label, items)."""
    return [(code, label, [item for item in ITEMS if item.category == code]) for code, label in CATEGORIES.items()]
