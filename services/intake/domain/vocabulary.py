"""The words intake records: plan item kinds by category (seeds 002 二(二), 003 二(三)), and the rest.

Keys are lower-case English (the published contract); zh-CN labels are for pages and
default item names. The category of a kind is fixed here, so an item is classified by
what it is, never by what a form says.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """The three classes of works of `002` 二(二)."""

    BASIC = "basic"              # 基础类: safety and basic living needs
    IMPROVEMENT = "improvement"  # 完善类: convenience and better living
    UPGRADE = "upgrade"          # 提升类: community services and smart facilities


CATEGORY_LABELS = {Category.BASIC: "基础类", Category.IMPROVEMENT: "完善类", Category.UPGRADE: "提升类"}

# kind → (category, zh-CN name, usual unit). Wording follows 002 二(二) and 003 二(三).
ITEM_KINDS: dict[str, tuple[Category, str, str]] = {
    "water_supply": (Category.BASIC, "供水设施改造", "m"),
    "drainage": (Category.BASIC, "排水设施改造", "m"),
    "rain_sewage_separation": (Category.BASIC, "雨污分流改造", "m"),
    "power": (Category.BASIC, "供电设施改造", "项"),
    "weak_current": (Category.BASIC, "弱电线路改造（入地）", "m"),
    "road": (Category.BASIC, "小区道路修整", "m²"),
    "gas": (Category.BASIC, "供气管网改造", "m"),
    "heating": (Category.BASIC, "供热管网改造", "m"),
    "fire_safety": (Category.BASIC, "消防设施完善", "项"),
    "fire_lane": (Category.BASIC, "消防通道整治", "m"),
    "security": (Category.BASIC, "安防监控系统", "套"),
    "waste_sorting": (Category.BASIC, "生活垃圾分类设施", "处"),
    "energy_saving": (Category.BASIC, "建筑节能改造", "m²"),
    "roof_waterproofing": (Category.BASIC, "屋面防水", "m²"),
    "exterior_wall": (Category.BASIC, "外墙维修粉饰", "m²"),
    "stairwell": (Category.BASIC, "楼道修缮", "个"),
    "building_doors": (Category.BASIC, "单元门（防盗门）维修", "樘"),
    "fibre_to_home": (Category.BASIC, "光纤入户", "户"),
    "illegal_structure_removal": (Category.IMPROVEMENT, "拆除违法建设", "m²"),
    "emergency_shelter": (Category.IMPROVEMENT, "应急避难场所", "处"),
    "greening": (Category.IMPROVEMENT, "绿化整治", "m²"),
    "lighting": (Category.IMPROVEMENT, "照明设施", "盏"),
    "fencing": (Category.IMPROVEMENT, "围墙大门整治", "m"),
    "elderly_facilities": (Category.IMPROVEMENT, "适老设施", "处"),
    "barrier_free": (Category.IMPROVEMENT, "无障碍设施", "处"),
    "parking": (Category.IMPROVEMENT, "停车场（库）", "个"),
    "ebike_charging": (Category.IMPROVEMENT, "电动自行车停放及充电设施", "个"),
    "ev_charging": (Category.IMPROVEMENT, "汽车充电设施", "个"),
    "smart_lockers": (Category.IMPROVEMENT, "智能快件箱、信包箱", "组"),
    "leisure": (Category.IMPROVEMENT, "文化休闲设施", "处"),
    "fitness": (Category.IMPROVEMENT, "体育健身设施", "处"),
    "property_office": (Category.IMPROVEMENT, "物业用房", "m²"),
    "elevator_retrofit": (Category.IMPROVEMENT, "既有住宅加装电梯", "部"),
    "community_service": (Category.UPGRADE, "社区综合服务设施", "m²"),
    "health_station": (Category.UPGRADE, "卫生服务站", "处"),
    "education": (Category.UPGRADE, "幼儿园等教育设施", "处"),
    "elderly_care": (Category.UPGRADE, "养老服务设施", "处"),
    "childcare": (Category.UPGRADE, "托育设施", "处"),
    "meal_service": (Category.UPGRADE, "助餐设施", "处"),
    "convenience_market": (Category.UPGRADE, "便民市场、便利店", "处"),
    "postal_station": (Category.UPGRADE, "邮政快递末端综合服务站", "处"),
    "smart_facilities": (Category.UPGRADE, "智能感知设施（周界防护等）", "套"),
}

ELEVATOR = "elevator_retrofit"


def category_of(kind: str) -> Category:
    """The category a kind of works belongs to."""
    return ITEM_KINDS[kind][0]


def kind_label(kind: str) -> str:
    """The zh-CN name of a kind of works."""
    return ITEM_KINDS[kind][1] if kind in ITEM_KINDS else kind


class FundingSource(StrEnum):
    """The four sources of `003` 四(二) and `000` 八: who pays."""

    GOVERNMENT = "government"
    RESIDENTS = "residents"
    UTILITIES = "utilities"  # utilities and original owners of the buildings (专营单位、原产权单位)
    SOCIAL_CAPITAL = "social_capital"


FUNDING_LABELS = {
    FundingSource.GOVERNMENT: "政府补助", FundingSource.RESIDENTS: "居民出资",
    FundingSource.UTILITIES: "专营单位及原产权单位", FundingSource.SOCIAL_CAPITAL: "社会资本",
}


class AfterCare(StrEnum):
    """How the community is looked after once renovated (`003` 四(四)2, `002` 三(六))."""

    PROPERTY_MANAGEMENT = "property_management"  # 专业化物业服务
    SELF_MANAGEMENT = "self_management"          # 业主自治管理
    INTERIM_CARETAKER = "interim_caretaker"      # 街道社区托底过渡管理


AFTER_CARE_LABELS = {
    AfterCare.PROPERTY_MANAGEMENT: "专业化物业服务", AfterCare.SELF_MANAGEMENT: "业主自治管理",
    AfterCare.INTERIM_CARETAKER: "托底过渡管理",
}


class PropertyManagement(StrEnum):
    """Who manages the community today (survey)."""

    COMPANY = "company"          # 物业服务企业
    SELF_MANAGED = "self_managed"  # 业主自治
    CARETAKER = "caretaker"      # 单位或社区托管
    NONE = "none"                # 无物业管理


PROPERTY_MANAGEMENT_LABELS = {
    PropertyManagement.COMPANY: "物业服务企业", PropertyManagement.SELF_MANAGED: "业主自治",
    PropertyManagement.CARETAKER: "单位或社区托管", PropertyManagement.NONE: "无物业管理",
}


class LandStatus(StrEnum):
    """Title of the land the community stands on."""

    STATE_OWNED = "state_owned"
    COLLECTIVE = "collective"
    OTHER = "other"


LAND_LABELS = {LandStatus.STATE_OWNED: "国有土地", LandStatus.COLLECTIVE: "集体土地", LandStatus.OTHER: "其他"}


class Department(StrEnum):
    """The departments of the joint review (`002` 三(四))."""

    HOUSING = "housing"
    DEVELOPMENT_REFORM = "development_reform"
    FINANCE = "finance"
    CIVIL_AFFAIRS = "civil_affairs"
    NATURAL_RESOURCES = "natural_resources"
    PIPELINE_OWNERS = "pipeline_owners"


DEPARTMENT_LABELS = {
    Department.HOUSING: "住房和城乡建设部门", Department.DEVELOPMENT_REFORM: "发展和改革部门",
    Department.FINANCE: "财政部门", Department.CIVIL_AFFAIRS: "民政部门",
    Department.NATURAL_RESOURCES: "自然资源部门", Department.PIPELINE_OWNERS: "管线产权单位",
}


class Opinion(StrEnum):
    """A department's opinion in the joint review."""

    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REJECT = "reject"


OPINION_LABELS = {Opinion.APPROVE: "同意", Opinion.APPROVE_WITH_CONDITIONS: "原则同意（附意见）",
                  Opinion.REJECT: "不同意"}
