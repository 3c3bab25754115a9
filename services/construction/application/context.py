"""What construction's handlers need besides a unit of work: settings, store, calendar, clock, probe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.construction.domain.evidence import Probed
from services.construction.domain.project import Project
from services.construction.settings import ConstructionSettings
from shared.calendar import CHINA, WorkingDayCalendar
from shared.envelope import utc_now
from shared.objectstore import ObjectStore
from shared.unit_of_work import UnitOfWork, attempt, run  # noqa: F401 - the services' handlers import them from here

Probe = Callable[..., Probed]


@dataclass
class Construction:
    """The ports and settings of the construction service, built once by the bootstrap."""

    settings: ConstructionSettings
    store: ObjectStore
    calendar: WorkingDayCalendar
    probe: Probe
    clock: Callable[[], datetime] = field(default=utc_now)

    def now(self) -> datetime:
        """The current instant (a test may fix the clock)."""
        return self.clock()

    def today(self) -> date:
        """Today's date in China: due dates and overdue checks run on it."""
        return self.now().astimezone(CHINA).date()

    @property
    def capture_tolerance(self) -> timedelta:
        """How far a capture time may lie from the upload before it is flagged."""
        return timedelta(hours=self.settings.capture_time_tolerance_hours)


def load_project(uow: UnitOfWork, project_id: str) -> Project:
    """The project, or a 404 naming why it may not be here yet."""
    return uow.get(Project, Project.stream_for(project_id),
                   missing=f"项目 {project_id} 不存在：施工监管在收到项目受理的批准（项目入库）后才会建立项目")
