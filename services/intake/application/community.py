"""Commands on communities and their handlers: registration and the survey."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.intake.adapters.community import community_table
from services.intake.application.context import china_today
from services.intake.application.guard import validated
from services.intake.domain.community import Community
from services.intake.domain.ratio import parse_ratio
from services.intake.domain.survey import Building, BuildingKind, Survey, Unit, numbered_rooms
from services.intake.domain.vocabulary import LandStatus, PropertyManagement
from shared.envelope import new_event_id
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork
from shared.text import LineText


class BuildingInput(BaseModel):
    """A building as surveyed: explicit units and rooms, or a count of units of uniform floors."""

    model_config = ConfigDict(extra="forbid")

    building: LineText = Field(max_length=100, description="楼号，如 3")
    storeys: int = Field(ge=1, le=60, description="层数")
    kind: BuildingKind = BuildingKind.UNIT_BUILDING
    safety_grade: LineText = Field(max_length=100, pattern=r"^[ABCD]$", description="房屋安全鉴定等级 A–D")
    units: list[Unit] | None = Field(default=None, description="各单元及其户号（不规则楼栋时填写）")
    unit_count: int | None = Field(default=None, ge=1, le=50, description="单元数（规则楼栋）")
    per_floor: int | None = Field(default=None, ge=1, le=20, description="每单元每层户数（规则楼栋）")

    @model_validator(mode="after")
    def _one_way(self) -> BuildingInput:
        if (self.units is None) == (self.unit_count is None or self.per_floor is None):
            raise ValueError("请填写 units（各单元户号），或同时填写 unit_count 和 per_floor，二者选一")
        return self

    def to_building(self) -> Building:
        """The building with every room named (rooms numbered floor by floor when uniform)."""
        units = self.units or [
            Unit(unit=str(n), rooms=numbered_rooms(storeys=self.storeys, per_floor=self.per_floor or 1))
            for n in range(1, (self.unit_count or 0) + 1)]
        return Building(building=self.building, storeys=self.storeys, kind=self.kind,
                        safety_grade=self.safety_grade, units=units)


class SurveyCommunity(BaseModel):
    """Record the survey of a community (摸底排查); a later survey replaces the earlier one."""

    model_config = ConfigDict(extra="forbid")

    surveyed_on: date
    land_status: LandStatus = Field(description="土地权属")
    in_built_up_area: bool
    on_demolition_plan: bool
    dangerous_building_rebuild: bool = False
    property_management: PropertyManagement = Field(description="物业管理方式")
    fee_collection_rate: LineText = Field(description="物业费收缴率，如 0.62、62%", max_length=12)
    facilities: list[str] = Field(default_factory=list)
    buildings: list[BuildingInput] = Field(min_length=1, max_length=500)
    site_boundary: list[tuple[float, float]] | None = None

    def to_survey(self, *, today: date) -> Survey:
        """The domain survey; refuses a survey date in the future."""
        if self.surveyed_on > today:
            raise InvalidCommand("调查日期不能晚于今天", code="survey_in_future")
        try:
            rate = parse_ratio(self.fee_collection_rate)
        except ValueError:
            raise InvalidCommand(f"物业费收缴率“{self.fee_collection_rate}”应为 0–1 的小数或百分数",
                                 code="fee_rate_invalid") from None
        return validated(lambda: Survey(
            **self.model_dump(exclude={"buildings", "fee_collection_rate"}),
            fee_collection_rate=_exact_decimal(rate.numerator, rate.denominator),
            buildings=[b.to_building() for b in self.buildings]), code="survey_invalid")


def _exact_decimal(numerator: int, denominator: int) -> Decimal:
    # A rate typed as 62.5% is 5/8: keep it exact rather than rounding it into a float.
    value = Decimal(numerator) / Decimal(denominator)
    if value * denominator != numerator:
        raise InvalidCommand("物业费收缴率请写成有限小数，如 0.625", code="fee_rate_invalid")
    return value


class RegisterCommunity(BaseModel):
    """Register a surveyed community (小区登记)."""

    name: LineText = Field(min_length=2, max_length=100, description="小区名称")
    district: LineText = Field(min_length=2, max_length=50, description="区/县")
    street_office: LineText = Field(min_length=2, max_length=50, description="街道办事处")
    residents_committee: LineText = Field(min_length=2, max_length=50, description="社区居委会")
    address: LineText = Field(min_length=2, max_length=200, description="地址")
    built_year: int = Field(ge=1900, description="建成年份")
    built_month: int | None = Field(default=None, ge=1, le=12, description="建成月份")
    building_count: int = Field(ge=1, le=500, description="楼栋数")
    household_count: int = Field(ge=1, le=20000, description="户数")
    floor_area_m2: float = Field(gt=0, le=5_000_000, description="建筑面积（平方米）")
    latitude: float = Field(ge=3.8, le=53.6, description="纬度（WGS-84）")
    longitude: float = Field(ge=73.5, le=135.1, description="经度（WGS-84）")
    geofence_radius_m: int = Field(default=300, ge=20, le=5000, description="照片地理围栏半径（米）")
    survey: SurveyCommunity | None = Field(default=None, description="摸底调查（可稍后填写）")

    @field_validator("built_year")
    @classmethod
    def _not_in_future(cls, year: int) -> int:
        if year > china_today().year:
            raise ValueError("建成年份不能晚于今年")
        return year


def register_community(command: RegisterCommunity, uow: UnitOfWork, *, today: date | None = None) -> str:
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
        community = Community.register(community_id=community_id, **command.model_dump(exclude={"survey"}))
        if command.survey is not None:
            community.record_survey(command.survey.to_survey(today=today or china_today()))
        uow.save(community, project_id=community_id)
        uow.commit()
    return community_id


def survey_community(command: SurveyCommunity, uow: UnitOfWork, *, community_id: str, today: date) -> None:
    """Record (or correct) the survey of a registered community."""
    survey = command.to_survey(today=today)
    with uow:
        community = uow.get(Community, Community.stream_for(community_id), missing=f"小区 {community_id} 不存在")
        community.record_survey(survey)
        uow.save(community, project_id=community_id)
        uow.commit()
