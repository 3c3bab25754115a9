"""Loading a year's official calendar, and recomputing intake's provisional notice ends after it."""

from __future__ import annotations

import logging

from services.intake.adapters.notice import provisional_notices
from services.intake.application.context import Intake
from services.intake.application.notice import recompute_notice_end
from services.intake.domain.calendar_year import CalendarYear
from shared.actor import Actor
from shared.calendar import CalendarDataError, Schedule, parse_schedule
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("renovation.intake")

# The key of the calendar's events: no project, one partition for all of them.
CALENDAR_KEY = "calendar"
MAX_FILE_BYTES = 256 * 1024


def check_schedule(raw: bytes, *, filename: str) -> Schedule:
    """The schedule in an uploaded file, or a 422 naming the problem."""
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidCommand(f"日历文件过大（{len(raw)} 字节，上限 {MAX_FILE_BYTES}）", code="calendar_file_invalid")
    try:
        return parse_schedule(raw, name=filename or "upload.json")
    except CalendarDataError as error:
        raise InvalidCommand(f"日历文件有误：{error}", code="calendar_file_invalid") from error


def load_calendar_year(uow: UnitOfWork, *, raw: bytes, filename: str) -> Schedule:
    """Record a year's official schedule; every service picks it up without a restart."""
    schedule = check_schedule(raw, filename=filename)
    with uow:
        stream = CalendarYear.stream_for(str(schedule.year))
        year = uow.find(CalendarYear, stream) or CalendarYear(stream)
        year.load(schedule)
        uow.save(year, project_id=CALENDAR_KEY)
        uow.commit()
    return schedule


def recompute_notice_ends(intake: Intake):
    """The kernel hook: every open notice with a provisional end gets it recomputed, as an event."""

    def on_calendar_year(service, year: int) -> None:
        with service.engine.connect() as conn:
            notice_ids = provisional_notices(conn)
        changed = 0
        for notice_id in notice_ids:
            uow = service.unit_of_work(actor=Actor.system("intake-calendar"))
            changed += recompute_notice_end(uow, notice_id=notice_id, calendar=intake.calendar,
                                            reason=f"{year}年工作日历已载入")
        log.info("calendar %d: %d of %d provisional notice ends recomputed", year, changed, len(notice_ids))

    on_calendar_year.__name__ = "recompute_notice_ends"
    return on_calendar_year
