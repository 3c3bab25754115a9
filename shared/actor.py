"""Who caused an event: the roles of the system and the actor recorded in every envelope."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    """The roles a user of the system can hold (one per account)."""

    OFFICIAL = "official"
    STREET_OFFICE = "street_office"
    COMMUNITY = "community"
    OWNERS_COMMITTEE = "owners_committee"
    RESIDENT = "resident"
    HOTLINE_OPERATOR = "hotline_operator"
    INSPECTOR = "inspector"
    SUPERVISION_ENGINEER = "supervision_engineer"
    CONTRACTOR = "contractor"
    DESIGNER = "designer"
    PIPELINE_UNIT = "pipeline_unit"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


# The role a policy acts in: events caused by a reaction to another event, not a person.
SYSTEM_ROLE = "system"

ROLE_LABELS_ZH: dict[str, str] = {
    Role.OFFICIAL: "住建部门工作人员",
    Role.STREET_OFFICE: "街道办事处",
    Role.COMMUNITY: "社区居委会",
    Role.OWNERS_COMMITTEE: "业主委员会",
    Role.RESIDENT: "居民",
    Role.HOTLINE_OPERATOR: "热线话务员",
    Role.INSPECTOR: "巡查员",
    Role.SUPERVISION_ENGINEER: "监理工程师",
    Role.CONTRACTOR: "施工单位",
    Role.DESIGNER: "设计单位",
    Role.PIPELINE_UNIT: "管线单位",
    Role.SUPERVISOR: "监管人员",
    Role.AUDITOR: "审计人员",
    Role.ADMIN: "系统管理员",
    SYSTEM_ROLE: "系统",
}


class Actor(BaseModel):
    """Whoever caused an event: a user with a role, or `system` for a policy."""

    model_config = ConfigDict(frozen=True)

    id: str
    role: str

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        """The actor of an automatic reaction (a policy)."""
        return cls(id=name, role=SYSTEM_ROLE)
