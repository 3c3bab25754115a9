"""The parties of the works (参建单位) and who may act for them on a project."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.actor import Actor, Role
from shared.errors import Forbidden

# Roles whose accounts are named per project; anyone else acts by role alone.
PARTY_ROLES = ("contractor", "supervision_engineer", "inspector", "designer", "pipeline_unit")


class Location(BaseModel):
    """The community's centre and the radius photos must be taken within."""

    model_config = ConfigDict(frozen=True)

    address: str = ""
    latitude: float
    longitude: float
    geofence_radius_m: int = Field(default=300, ge=1)
    # The site boundary (red line) intake surveyed, as (latitude, longitude) corners; None: the radius.
    boundary: tuple[tuple[float, float], ...] | None = None


class Parties(BaseModel):
    """Who builds, supervises and designs, and the accounts acting for them."""

    model_config = ConfigDict(frozen=True)

    contractor: str
    supervision_unit: str
    designer: str = ""
    pipeline_units: tuple[str, ...] = ()
    accounts: dict[str, tuple[str, ...]] = Field(default_factory=dict)


def check_party(parties: Parties | None, actor: Actor, role: str) -> None:
    """Refuse an actor who holds `role` but is not named for it on the project."""
    if actor.role in (Role.OFFICIAL, Role.ADMIN) or role not in PARTY_ROLES:
        return
    named = parties.accounts.get(role, ()) if parties else ()
    if role == "inspector" and not named:
        return  # any inspector of the supervision station may inspect until one is named
    if actor.id not in named:
        raise Forbidden(f"账号“{actor.id}”不是本项目指派的{_ROLE_ZH.get(role, role)}",
                        code="not_a_party", details={"role": role})


_ROLE_ZH = {"contractor": "施工单位", "supervision_engineer": "监理工程师", "inspector": "巡查员",
            "designer": "设计单位", "pipeline_unit": "管线单位"}
