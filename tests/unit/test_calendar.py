"""The working-day calendar against the published State Council holiday schedules."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest

from shared.calendar import CHINA, CalendarDataError, CalendarUnknown, WorkingDayCalendar
from shared.errors import InvalidCommand


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def write_schedule(directory, file_year: int, **overrides) -> None:
    schedule = {
        "year": file_year,
        "source": "国办发明电〔2030〕9号（测试用虚构安排）",
        "published": f"{file_year - 1}-11-04",
        "holidays": [{"date": f"{file_year}-01-01", "name": "元旦"}]
        + [{"date": f"{file_year}-01-{d}", "name": "春节"} for d in range(22, 30)],
        "workdays": [{"date": f"{file_year}-02-08", "name": "春节调休"}],
    }
    schedule.update(overrides)
    (directory / f"{file_year}.json").write_text(json.dumps(schedule, ensure_ascii=False), "utf-8")


def test_2025_national_day_and_mid_autumn_run_from_1_to_8_october(calendar):
    assert not any(calendar.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert calendar.is_working_day(date(2025, 9, 28))  # Sunday, make-up day
    assert calendar.is_working_day(date(2025, 10, 11))  # Saturday, make-up day
    assert not calendar.is_working_day(date(2025, 9, 27))  # an ordinary Saturday
    assert calendar.is_working_day(date(2025, 10, 9))
    # October 2025 has 23 weekdays; 1-3 and 6-8 are off, Saturday the 11th is worked.
    assert calendar.working_days_between(date(2025, 10, 1), date(2025, 10, 31)) == 18


def test_a_14_working_day_notice_from_26_september_2025_ends_on_21_october(calendar):
    # Counting from the first day: 9/26 Fri (1), 9/27 Sat off, 9/28 Sun make-up (2),
    # 9/29 (3), 9/30 (4), 10/1-10/8 holiday, 10/9 (5), 10/10 (6), 10/11 Sat make-up (7),
    # 10/12 Sun off, 10/13-10/17 (8-12), weekend, 10/20 (13), 10/21 (14).
    end = calendar.notice_end(date(2025, 9, 26), 14)
    assert end == date(2025, 10, 21)
    assert calendar.working_days_between(date(2025, 9, 26), end) == 14


def test_a_notice_starting_on_a_holiday_counts_from_the_next_working_day(calendar):
    assert calendar.notice_end(date(2025, 10, 1), 1) == date(2025, 10, 9)


def test_2026_spring_festival_is_15_to_23_february_with_two_make_up_saturdays(calendar):
    assert not any(calendar.is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert calendar.is_working_day(date(2026, 2, 14))
    assert calendar.is_working_day(date(2026, 2, 28))
    assert calendar.is_working_day(date(2026, 2, 24))
    # Five working days after Thursday 12 February: 13, 14 (Sat), 24, 25, 26.
    assert calendar.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_counting_crosses_new_year_into_the_2026_make_up_sunday(calendar):
    # 1-3 January 2026 are off; Sunday 4 January is worked in their place.
    assert calendar.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert calendar.add_working_days(date(2025, 12, 31), 0) == date(2025, 12, 31)


def test_a_hotline_deadline_ends_at_midnight_china_time_of_the_last_working_day(calendar):
    received = datetime(2026, 2, 12, 16, 30, tzinfo=CHINA)
    deadline = calendar.deadline_after(received, 5)
    assert deadline == datetime(2026, 2, 26, 23, 59, 59, 999999, tzinfo=CHINA)
    assert deadline.utcoffset() == timedelta(hours=8)
    # 17:00 UTC on the 12th is already the 13th in Beijing, so the count starts a day later.
    late = datetime(2026, 2, 12, 17, 0, tzinfo=timezone.utc)
    assert calendar.deadline_after(late, 5).date() == date(2026, 2, 27)
    with pytest.raises(ValueError):
        calendar.deadline_after(datetime(2026, 2, 12, 9, 0), 5)


def test_every_day_the_package_knows_agrees_with_the_package(calendar):
    assert calendar.known_years() == list(range(2004, 2027))
    day, last = date(2004, 1, 1), date(2026, 12, 31)
    while day <= last:
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(1)


def test_an_unpublished_year_is_an_error_not_a_guess(calendar):
    with pytest.raises(CalendarUnknown) as caught:
        calendar.is_working_day(date(2027, 3, 1))
    error = caught.value
    assert isinstance(error, InvalidCommand)
    assert error.code == "calendar_unknown" and error.status == 422
    assert "2027年" in error.message and "请先载入" in error.message
    with pytest.raises(CalendarUnknown):
        calendar.add_working_days(date(2026, 12, 30), 5)


def test_a_loaded_2031_schedule_makes_2031_dates_work(tmp_path):
    write_schedule(tmp_path, 2031)
    calendar = WorkingDayCalendar(tmp_path)
    assert 2031 in calendar.known_years() and 2030 not in calendar.known_years()
    assert calendar.is_working_day(date(2031, 2, 8))  # Saturday, listed make-up day
    assert not calendar.is_working_day(date(2031, 2, 9))  # Sunday
    assert not calendar.is_working_day(date(2031, 1, 1))  # a Wednesday holiday
    assert not calendar.is_working_day(date(2031, 1, 24))  # a Friday in the Spring Festival
    assert calendar.add_working_days(date(2031, 1, 21), 1) == date(2031, 1, 30)
    with pytest.raises(CalendarUnknown):
        calendar.is_working_day(date(2030, 6, 3))


def test_a_loaded_file_replaces_the_package_for_its_year(tmp_path):
    write_schedule(tmp_path, 2025, holidays=[], workdays=[])
    calendar = WorkingDayCalendar(tmp_path)
    assert calendar.is_working_day(date(2025, 10, 1))
    assert not calendar.is_working_day(date(2025, 9, 28))
    assert not calendar.is_working_day(date(2026, 1, 1))  # 2026 still comes from the package


def test_the_directory_comes_from_the_environment(tmp_path, monkeypatch):
    write_schedule(tmp_path, 2031)
    monkeypatch.setenv("RENOVATION_CALENDAR_DIR", str(tmp_path))
    assert 2031 in WorkingDayCalendar.from_settings().known_years()


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"year": 2030}, "equal to the file name"),
        ({"holidays": [{"date": "2031-02-30", "name": "春节"}]}, "holidays[0].date"),
        ({"workdays": [{"date": "2031-02-10", "name": "春节调休"}]}, "2031-02-10 is a weekday"),
        ({"workdays": [{"date": "2031-01-01", "name": "x"}]}, "both as a holiday"),
        ({"source": ""}, '"source"'),
    ],
)
def test_a_malformed_schedule_names_the_file_and_the_problem(tmp_path, overrides, problem):
    write_schedule(tmp_path, 2031, **overrides)
    with pytest.raises(CalendarDataError) as caught:
        WorkingDayCalendar(tmp_path)
    assert "2031.json" in str(caught.value) and problem in str(caught.value)


def test_a_file_that_is_not_json_names_the_file(tmp_path):
    (tmp_path / "2031.json").write_text('{"year": 2031,', "utf-8")
    with pytest.raises(CalendarDataError, match=r"2031\.json: cannot be read as JSON"):
        WorkingDayCalendar(tmp_path)
