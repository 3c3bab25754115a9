"""What acceptance reads of intake's published events (a tolerant reader of the contract)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from services.acceptance.consumers.reader import Reader


class CommunityRegistered(Reader):
    """intake.CommunityRegistered v1: only the fields acceptance needs; others are ignored."""

    event_type: ClassVar[str] = "intake.CommunityRegistered"

    community_id: str
    name: str
    district: str
    street_office: str
    building_count: int
    household_count: int


class UnitRead(Reader):
    """A unit of a surveyed building and its rooms."""

    unit: str | int
    rooms: list[str | int] = Field(default_factory=list)


class BuildingRead(Reader):
    """A surveyed building: its units and rooms make the household ids."""

    building: str | int
    units: list[UnitRead] = Field(default_factory=list)


class FundingRead(Reader):
    """One funding source of the plan."""

    source: str
    amount_fen: int


class ItemRead(Reader):
    """One item of the approved plan."""

    item_id: str
    name: str = ""
    kind: str = ""


class LocationRead(Reader):
    """Where the community is and the radius its photos are checked against."""

    latitude: float | None = None
    longitude: float | None = None
    geofence_radius_m: int | None = None


class ProjectApproved(Reader):
    """intake.ProjectApproved v1: the project entered the library; its acceptance file opens."""

    event_type: ClassVar[str] = "intake.ProjectApproved"

    project_id: str
    community_id: str
    community_name: str
    district: str | None = None
    street_office: str | None = None
    plan_year: int | None = None
    budget_fen: int | None = None
    items: list[ItemRead] = Field(default_factory=list)
    funding: list[FundingRead] = Field(default_factory=list)
    parties: dict | None = None
    buildings: list[BuildingRead] = Field(default_factory=list)
    location: LocationRead | None = None

    def households(self) -> list[str]:
        """Every household id, "<building>-<unit>-<room>", as intake names them."""
        return [f"{b.building}-{u.unit}-{room}" for b in self.buildings for u in b.units for room in u.rooms]

    def subsidy_fen(self) -> int:
        """The government's share of the funding (the subsidy paid in tranches)."""
        government = [f.amount_fen for f in self.funding if f.source == "government"]
        return government[0] if government else (self.budget_fen or 0)


class HouseholdAccountLinked(Reader):
    """intake.HouseholdAccountLinked v1: this account speaks for the household online."""

    event_type: ClassVar[str] = "intake.HouseholdAccountLinked"
    community_id: str
    household_id: str
    account_id: str


class HouseholdAccountUnlinked(HouseholdAccountLinked):
    """intake.HouseholdAccountUnlinked v1."""

    event_type: ClassVar[str] = "intake.HouseholdAccountUnlinked"


READERS = (CommunityRegistered, ProjectApproved, HouseholdAccountLinked, HouseholdAccountUnlinked)

