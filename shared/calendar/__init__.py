"""The working-day calendar: official schedules where loaded, provisional (statutory) elsewhere."""

from shared.calendar.schedule import CalendarDataError, Schedule, load_dir, load_file, parse_schedule
from shared.calendar.statutory import statutory_holidays
from shared.calendar.working_days import CHINA, DEFAULT_DIR, LOAD_HINT, CalendarUnknown, WorkingDayCalendar

__all__ = ["CHINA", "DEFAULT_DIR", "LOAD_HINT", "CalendarDataError", "CalendarUnknown", "Schedule",
           "WorkingDayCalendar", "load_dir", "load_file", "parse_schedule", "statutory_holidays"]
