"""Given-events / when-command / then-events for intake's aggregates, and a few facts to start from."""

from __future__ import annotations

from datetime import date

from services.intake.domain.community import Community
from services.intake.domain.rules import Rules
from services.intake.domain.survey import Building, Survey, Unit, numbered_rooms
from shared.aggregate import Aggregate
from shared.event import DomainEvent

RULES = Rules()


def given(cls: type[Aggregate], stream_id: str, *events: DomainEvent):
    """An aggregate that has seen these events (as the store would hand them back)."""
    return cls.rehydrate(stream_id, list(events))


def then(aggregate: Aggregate) -> list[DomainEvent]:
    """What the command recorded."""
    return aggregate.collect()


def building(name: str = "1", *, storeys: int = 6, grade: str = "B", units: int = 1, per_floor: int = 2,
             kind: str = "unit_building") -> Building:
    """A uniform building: units × storeys × per_floor households."""
    return Building(building=name, storeys=storeys, safety_grade=grade, kind=kind,
                    units=[Unit(unit=str(u), rooms=numbered_rooms(storeys=storeys, per_floor=per_floor))
                           for u in range(1, units + 1)])


def survey(*buildings: Building, fee: str = "0.62", **overrides) -> Survey:
    """A survey that passes every rule unless told otherwise."""
    facts = {"surveyed_on": date(2025, 9, 1), "land_status": "state_owned", "in_built_up_area": True,
             "on_demolition_plan": False, "dangerous_building_rebuild": False, "property_management": "company",
             "fee_collection_rate": fee, "buildings": list(buildings) or [building()]}
    return Survey(**(facts | overrides))


def registered(community_id: str = "c1", *, built_year: int = 1995, built_month: int | None = 6,
               households: int = 12) -> Community.Registered:
    """The registration of a community."""
    return Community.Registered(
        community_id=community_id, name="幸福里小区", district="和平区", street_office="南市街道",
        residents_committee="南市社区", address="南市路 1 号", built_year=built_year, built_month=built_month,
        building_count=1, household_count=households, floor_area_m2=3600.0, latitude=41.79, longitude=123.43,
        geofence_radius_m=300)


def surveyed(s: Survey, community_id: str = "c1") -> Community.Surveyed:
    """The survey event of a community."""
    return Community.Surveyed(community_id=community_id, survey=s)
