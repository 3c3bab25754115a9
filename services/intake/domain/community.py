"""The community (小区) as registered in the survey (摸底排查): the first fact of every project."""

from __future__ import annotations

from pydantic import Field

from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class Community(Aggregate):
    """A residential compound, registered once; its id is the project key until a project exists."""

    stream_prefix = "community"

    class Registered(DomainEvent):
        event_type = "intake.CommunityRegistered"
        schema_version = 1

        community_id: str
        name: str
        district: str
        street_office: str
        residents_committee: str
        address: str
        built_year: int
        built_month: int | None = None
        building_count: int
        household_count: int
        floor_area_m2: float
        latitude: float = Field(ge=-90, le=90)
        longitude: float = Field(ge=-180, le=180)
        geofence_radius_m: int

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.registered: Community.Registered | None = None

    @classmethod
    def register(cls, *, community_id: str, **facts) -> "Community":
        """Register a surveyed community; refuses facts that cannot be true."""
        if facts["household_count"] < 1 or facts["building_count"] < 1:
            raise InvalidCommand("小区至少应有 1 栋楼和 1 户居民", code="community_empty")
        if facts["household_count"] < facts["building_count"]:
            raise InvalidCommand("户数不能少于楼栋数", code="households_below_buildings")
        community = cls(cls.stream_for(community_id))
        community._record(cls.Registered(community_id=community_id, **facts))
        return community

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Community.Registered():
                self.registered = event
