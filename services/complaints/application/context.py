"""What complaints' handlers need besides a unit of work: settings, calendar, clock, vault, evidence store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.complaints.adapters.ratelimit import SlidingWindow
from services.complaints.adapters.vault import Vault
from services.complaints.domain.category import Urgency
from services.complaints.domain.complaint import Complaint
from services.complaints.domain.time_limit import Due, Limit, choose, due_after
from services.complaints.settings import ComplaintsSettings
from shared.calendar import CHINA, WorkingDayCalendar
from shared.objectstore import ObjectStore
from shared.unit_of_work import UnitOfWork, run  # noqa: F401 - the routes import it from here


@dataclass
class ComplaintsContext:
    """The ports and settings of the complaints service, built once by the bootstrap."""

    settings: ComplaintsSettings
    calendar: WorkingDayCalendar
    vault: Vault
    store: ObjectStore
    clock: Callable[[], datetime]
    # The anonymous form's limits, per client address and per phone number (keyed by its digest).
    per_client: SlidingWindow | None = field(default=None, repr=False)
    per_phone: SlidingWindow | None = field(default=None, repr=False)

    def now(self) -> datetime:
        """The current instant, from the kernel clock (a test may fix it)."""
        return self.clock()

    def today(self) -> date:
        """Today's date in China."""
        return self.now().astimezone(CHINA).date()

    def limit_for(self, category: str, urgency: Urgency) -> Limit:
        """The configured limit of a category and urgency."""
        return choose(category=category, urgency=urgency, limits=self.settings.time_limits,
                      by_category=self.settings.category_limits)

    def complex_limit(self) -> Limit:
        """The limit of a complex case (with a stated reason)."""
        return Limit.parse("complex", self.settings.time_limits["complex"])

    def due(self, start: datetime, limit: Limit) -> Due:
        """When a limit started at `start` runs out, on the official calendar."""
        return due_after(start, limit, self.calendar)


def load(uow: UnitOfWork, complaint_id: str) -> Complaint:
    """The complaint, or a 404 in zh-CN."""
    return uow.get(Complaint, Complaint.stream_for(complaint_id), missing=f"工单 {complaint_id} 不存在")


def save(uow: UnitOfWork, complaint: Complaint) -> None:
    """Append the complaint's new events under its project (or community, or own id) as the Kafka key."""
    key = complaint.project_id or complaint.community_id or complaint.complaint_id
    uow.save(complaint, project_id=key)
