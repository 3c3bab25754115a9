"""The words intake records: plan item kinds by category (seeds 002 二(二), 003 二(三)), and the rest.

Keys are lower-case English (the published contract); zh-CN labels are for pages and
default item names. The category of a kind is fixed here, so an item is classified by
what it is, never by what a form says.
"""

from __future__ import annotations

from enum import StrEnum

from shared.contract.work_kinds import WORK_KINDS, Category

__all__ = ["Category"]  # re-exported: intake's code names the category of works from here

CATEGORY_LABELS = {Category.BASIC: "基础类", Category.IMPROVEMENT: "完善类", Category.UPGRADE: "提升类"}

# kind → (category, zh-CN name, usual unit): the kernel's one vocabulary of works
# (shared/contract/work_kinds.py), which construction reads as well.
ITEM_KINDS: dict[str, tuple[Category, str, str]] = {
    kind: (work.category, work.label, work.unit) for kind, work in WORK_KINDS.items()}

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
