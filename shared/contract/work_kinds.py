"""The kinds of renovation works: intake plans items of these kinds, construction orders them on site.

One vocabulary for both ends of `intake.ProjectApproved` (docs/events.md, "Work-item kinds"):
the category of each kind (`002` 二(二), `003` 二(三)), its zh-CN name and usual unit, whether it
is laid in the ground (先地下后地上, and 弱电入地: buried cabling is underground), and its stage in
the order of works (先拆违后改造、先功能后景观, `000` part 3 五(二)2, `003` 四(三)).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Category(StrEnum):
    """The three classes of works of `002` 二(二)."""

    BASIC = "basic"              # 基础类: safety and basic living needs
    IMPROVEMENT = "improvement"  # 完善类: convenience and better living
    UPGRADE = "upgrade"          # 提升类: community services and smart facilities


class Layer(StrEnum):
    """Where the work lies: in the ground (buried) or above it."""

    UNDERGROUND = "underground"
    ABOVE_GROUND = "above_ground"


class Stage(StrEnum):
    """A kind's place in the order of works: removal, then function, then landscape."""

    REMOVAL = "removal"      # 拆违: before any renovation of its zone
    FUNCTION = "function"    # 功能: utilities, roads, buildings, facilities
    LANDSCAPE = "landscape"  # 景观: greening and leisure landscaping, after the zone's functional works


class WorkKind(NamedTuple):
    """One kind of works: its category, zh-CN name, usual unit, layer and stage."""

    category: Category
    label: str
    unit: str
    layer: Layer
    stage: Stage


BASIC, IMPROVEMENT, UPGRADE = Category
BURIED, ABOVE = Layer.UNDERGROUND, Layer.ABOVE_GROUND
REMOVAL, FUNCTION, LANDSCAPE = Stage

WORK_KINDS: dict[str, WorkKind] = {
    "water_supply": WorkKind(BASIC, "供水设施改造", "m", BURIED, FUNCTION),
    "drainage": WorkKind(BASIC, "排水设施改造", "m", BURIED, FUNCTION),
    "rain_sewage_separation": WorkKind(BASIC, "雨污分流改造", "m", BURIED, FUNCTION),
    "power": WorkKind(BASIC, "供电设施改造", "项", BURIED, FUNCTION),
    "weak_current": WorkKind(BASIC, "弱电线路改造（入地）", "m", BURIED, FUNCTION),
    "road": WorkKind(BASIC, "小区道路修整", "m²", ABOVE, FUNCTION),
    "gas": WorkKind(BASIC, "供气管网改造", "m", BURIED, FUNCTION),
    "heating": WorkKind(BASIC, "供热管网改造", "m", BURIED, FUNCTION),
    "fire_safety": WorkKind(BASIC, "消防设施完善", "项", ABOVE, FUNCTION),
    "fire_lane": WorkKind(BASIC, "消防通道整治", "m", ABOVE, FUNCTION),
    "security": WorkKind(BASIC, "安防监控系统", "套", ABOVE, FUNCTION),
    "waste_sorting": WorkKind(BASIC, "生活垃圾分类设施", "处", ABOVE, FUNCTION),
    "energy_saving": WorkKind(BASIC, "建筑节能改造", "m²", ABOVE, FUNCTION),
    "roof_waterproofing": WorkKind(BASIC, "屋面防水", "m²", ABOVE, FUNCTION),
    "exterior_wall": WorkKind(BASIC, "外墙维修粉饰", "m²", ABOVE, FUNCTION),
    "stairwell": WorkKind(BASIC, "楼道修缮", "个", ABOVE, FUNCTION),
    "building_doors": WorkKind(BASIC, "单元门（防盗门）维修", "樘", ABOVE, FUNCTION),
    "fibre_to_home": WorkKind(BASIC, "光纤入户", "户", ABOVE, FUNCTION),
    "illegal_structure_removal": WorkKind(IMPROVEMENT, "拆除违法建设", "m²", ABOVE, REMOVAL),
    "emergency_shelter": WorkKind(IMPROVEMENT, "应急避难场所", "处", ABOVE, FUNCTION),
    "greening": WorkKind(IMPROVEMENT, "绿化整治", "m²", ABOVE, LANDSCAPE),
    "lighting": WorkKind(IMPROVEMENT, "照明设施", "盏", ABOVE, FUNCTION),
    "fencing": WorkKind(IMPROVEMENT, "围墙大门整治", "m", ABOVE, FUNCTION),
    "elderly_facilities": WorkKind(IMPROVEMENT, "适老设施", "处", ABOVE, FUNCTION),
    "barrier_free": WorkKind(IMPROVEMENT, "无障碍设施", "处", ABOVE, FUNCTION),
    "parking": WorkKind(IMPROVEMENT, "停车场（库）", "个", ABOVE, FUNCTION),
    "ebike_charging": WorkKind(IMPROVEMENT, "电动自行车停放及充电设施", "个", ABOVE, FUNCTION),
    "ev_charging": WorkKind(IMPROVEMENT, "汽车充电设施", "个", ABOVE, FUNCTION),
    "smart_lockers": WorkKind(IMPROVEMENT, "智能快件箱、信包箱", "组", ABOVE, FUNCTION),
    "leisure": WorkKind(IMPROVEMENT, "文化休闲设施", "处", ABOVE, LANDSCAPE),
    "fitness": WorkKind(IMPROVEMENT, "体育健身设施", "处", ABOVE, FUNCTION),
    "property_office": WorkKind(IMPROVEMENT, "物业用房", "m²", ABOVE, FUNCTION),
    "elevator_retrofit": WorkKind(IMPROVEMENT, "既有住宅加装电梯", "部", ABOVE, FUNCTION),
    "community_service": WorkKind(UPGRADE, "社区综合服务设施", "m²", ABOVE, FUNCTION),
    "health_station": WorkKind(UPGRADE, "卫生服务站", "处", ABOVE, FUNCTION),
    "education": WorkKind(UPGRADE, "幼儿园等教育设施", "处", ABOVE, FUNCTION),
    "elderly_care": WorkKind(UPGRADE, "养老服务设施", "处", ABOVE, FUNCTION),
    "childcare": WorkKind(UPGRADE, "托育设施", "处", ABOVE, FUNCTION),
    "meal_service": WorkKind(UPGRADE, "助餐设施", "处", ABOVE, FUNCTION),
    "convenience_market": WorkKind(UPGRADE, "便民市场、便利店", "处", ABOVE, FUNCTION),
    "postal_station": WorkKind(UPGRADE, "邮政快递末端综合服务站", "处", ABOVE, FUNCTION),
    "smart_facilities": WorkKind(UPGRADE, "智能感知设施（周界防护等）", "套", ABOVE, FUNCTION),
}

UNDERGROUND_KINDS = frozenset(kind for kind, work in WORK_KINDS.items() if work.layer == BURIED)
LANDSCAPE_KINDS = frozenset(kind for kind, work in WORK_KINDS.items() if work.stage == LANDSCAPE)
REMOVAL_KINDS = frozenset(kind for kind, work in WORK_KINDS.items() if work.stage == REMOVAL)


def layer_of(kind: str) -> Layer:
    """The layer a kind of works lies in; a kind this vocabulary does not know is taken as above ground."""
    work = WORK_KINDS.get(kind)
    return work.layer if work else Layer.ABOVE_GROUND


def stage_of(kind: str) -> Stage:
    """The stage of a kind of works in the order of works (an unknown kind counts as functional)."""
    work = WORK_KINDS.get(kind)
    return work.stage if work else Stage.FUNCTION
