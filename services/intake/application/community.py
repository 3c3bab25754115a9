"""Commands on communities and their handlers."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator

from services.intake.adapters.community import community_table
from services.intake.domain.community import Community
from shared.envelope import new_event_id
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork


class RegisterCommunity(BaseModel):
    """Register a surveyed community (小区登记)."""

    name: str = Field(min_length=2, max_length=100, description="小区名称")
    district: str = Field(min_length=2, max_length=50, description="区/县")
    street_office: str = Field(min_length=2, max_length=50, description="街道办事处")
    residents_committee: str = Field(min_length=2, max_length=50, description="社区居委会")
    address: str = Field(min_length=2, max_length=200, description="地址")
    built_year: int = Field(ge=1900, description="建成年份")
    built_month: int | None = Field(default=None, ge=1, le=12, description="建成月份")
    building_count: int = Field(ge=1, le=500, description="楼栋数")
    household_count: int = Field(ge=1, le=20000, description="户数")
    floor_area_m2: float = Field(gt=0, le=5_000_000, description="建筑面积（平方米）")
    latitude: float = Field(ge=3.8, le=53.6, description="纬度（WGS-84）")
    longitude: float = Field(ge=73.5, le=135.1, description="经度（WGS-84）")
    geofence_radius_m: int = Field(default=300, ge=20, le=5000, description="照片地理围栏半径（米）")

    @field_validator("built_year")
    @classmethod
    def _not_in_future(cls, year: int) -> int:
        if year > date.today().year:
            raise ValueError("建成年份不能晚于今年")
        return year


def register_community(command: RegisterCommunity, uow: UnitOfWork) -> str:
    """Register a community once; the same name in the same street office is refused."""
    with uow:
        duplicate = uow.conn.execute(
            sa.select(community_table.c.community_id).where(
                community_table.c.district == command.district,
                community_table.c.street_office == command.street_office,
                community_table.c.name == command.name,
            )
        ).first()
        if duplicate:
            raise InvalidCommand(
                f"{command.district}{command.street_office}的“{command.name}”已登记（编号 {duplicate.community_id}）",
                code="community_already_registered", details={"community_id": duplicate.community_id})
        community_id = str(new_event_id())
        community = Community.register(community_id=community_id, **command.model_dump())
        uow.save(community, project_id=community_id)
        uow.commit()
    return community_id
