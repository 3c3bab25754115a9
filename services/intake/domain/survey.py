"""The survey (摸底排查) of a community: land, structure, management, facilities, its households."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.intake.domain.vocabulary import ITEM_KINDS, LandStatus, PropertyManagement

# Building and unit numbers become parts of a household id "3-2-501": no separators inside.
PART = r"^[0-9A-Za-z\u4e00-\u9fff]{1,12}$"
MAX_HOUSEHOLDS = 20000


class BuildingKind(StrEnum):
    """What a building is; only unit buildings (单元楼) qualify (`000` part 3 三(二))."""

    UNIT_BUILDING = "unit_building"
    BUNGALOW = "bungalow"
    OTHER = "other"


BUILDING_KIND_LABELS = {BuildingKind.UNIT_BUILDING: "单元式住宅楼", BuildingKind.BUNGALOW: "平房",
                        BuildingKind.OTHER: "其他"}


class Unit(BaseModel):
    """One entrance (单元) of a building and the rooms (户) behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit: str = Field(pattern=PART, description="单元号")
    rooms: list[str] = Field(min_length=1, max_length=500, description="户号（室号）")

    @field_validator("rooms")
    @classmethod
    def _rooms_unique(cls, rooms: list[str]) -> list[str]:
        for room in rooms:
            if not Unit._room_ok(room):
                raise ValueError(f"户号“{room}”只能由 1–12 位字母、数字或汉字组成")
        if len(set(rooms)) != len(rooms):
            raise ValueError("同一单元内户号重复")
        return rooms

    @staticmethod
    def _room_ok(room: str) -> bool:
        return 1 <= len(room) <= 12 and all(c.isalnum() for c in room)


class Building(BaseModel):
    """A building (楼栋): storeys, kind, the safety appraisal grade of its main structure, units."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    building: str = Field(pattern=PART, description="楼号")
    storeys: int = Field(ge=1, le=60, description="层数")
    kind: BuildingKind = BuildingKind.UNIT_BUILDING
    safety_grade: str = Field(pattern=r"^[ABCD]$", description="房屋安全鉴定等级 A–D（JGJ 125）")
    units: list[Unit] = Field(min_length=1, max_length=50)

    @field_validator("units")
    @classmethod
    def _units_unique(cls, units: list[Unit]) -> list[Unit]:
        if len({u.unit for u in units}) != len(units):
            raise ValueError("同一楼栋内单元号重复")
        return units

    def household_ids(self) -> list[str]:
        """Every household of this building as "building-unit-room"."""
        return [f"{self.building}-{u.unit}-{room}" for u in self.units for room in u.rooms]


class Survey(BaseModel):
    """What the survey found; a later survey of the same community replaces the earlier one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    surveyed_on: date = Field(description="调查日期")
    land_status: LandStatus = Field(description="土地权属")
    in_built_up_area: bool = Field(description="位于城镇建成区")
    on_demolition_plan: bool = Field(description="列入近 10 年棚户区改造或征收拆迁计划")
    dangerous_building_rebuild: bool = Field(description="属于危旧房改造或拆除新建")
    property_management: PropertyManagement = Field(description="物业管理方式")
    fee_collection_rate: Decimal = Field(ge=0, le=1, description="物业费收缴率（0–1）")
    facilities: list[str] = Field(default_factory=list, description="现有设施（工程类别代码）")
    buildings: list[Building] = Field(min_length=1, max_length=500)
    site_boundary: list[tuple[float, float]] | None = Field(
        default=None, description="用地边界（纬度, 经度）多边形；不填则以登记半径为地理围栏")

    @field_validator("facilities")
    @classmethod
    def _known_facilities(cls, facilities: list[str]) -> list[str]:
        unknown = sorted(set(facilities) - set(ITEM_KINDS))
        if unknown:
            raise ValueError(f"未知的设施代码：{'、'.join(unknown)}")
        return sorted(set(facilities))

    @field_validator("site_boundary")
    @classmethod
    def _polygon(cls, points: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        if points is None:
            return None
        if len(points) < 3:
            raise ValueError("用地边界至少需要 3 个点")
        if any(not (3.8 <= lat <= 53.6 and 73.5 <= lon <= 135.1) for lat, lon in points):
            raise ValueError("用地边界的点应在中国境内（纬度 3.8–53.6，经度 73.5–135.1）")
        return points

    @model_validator(mode="after")
    def _buildings_unique(self) -> Survey:
        if len({b.building for b in self.buildings}) != len(self.buildings):
            raise ValueError("楼号重复")
        if self.household_count > MAX_HOUSEHOLDS:
            raise ValueError(f"户数超过 {MAX_HOUSEHOLDS}，请按小区分别登记")
        return self

    @property
    def household_count(self) -> int:
        """How many households the buildings hold."""
        return sum(len(u.rooms) for b in self.buildings for u in b.units)

    def household_ids(self) -> list[str]:
        """Every household of the community, building by building."""
        return [h for b in self.buildings for h in b.household_ids()]

    def building_of(self, household_id: str) -> Building | None:
        """The building a household lives in, or None if it is not in the survey."""
        for building in self.buildings:
            if household_id in building.household_ids():
                return building
        return None


def numbered_rooms(*, storeys: int, per_floor: int) -> list[str]:
    """Rooms numbered the usual way: floor then position, 101, 102, 201 … (per_floor ≤ 99)."""
    if not (1 <= storeys <= 60 and 1 <= per_floor <= 99):
        raise ValueError("层数应为 1–60，每层户数应为 1–99")
    return [f"{floor}{position:02d}" for floor in range(1, storeys + 1)
            for position in range(1, per_floor + 1)]
