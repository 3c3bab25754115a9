"""The working-day calendar against the published State Council holiday schedules.

Every calendar here is cut at 2026 (`official_through`), so these tests say the same thing on
the day the `chinese_calendar` package adds 2027.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, UTC

import chinese_calendar
import pytest

from shared.calendar import (
    CHINA, CalendarDataError, CalendarUnknown, WorkingDayCalendar, parse_schedule, statutory_holidays)
from shared.calendar.statutory import festivals
from shared.errors import InvalidCommand

LAST_OFFICIAL = 2026


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar(official_through=LAST_OFFICIAL)


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
    late = datetime(2026, 2, 12, 17, 0, tzinfo=UTC)
    assert calendar.deadline_after(late, 5).date() == date(2026, 2, 27)
    with pytest.raises(ValueError):
        calendar.deadline_after(datetime(2026, 2, 12, 9, 0), 5)


def test_every_day_the_package_knows_agrees_with_the_package(calendar):
    assert calendar.known_years() == list(range(2004, LAST_OFFICIAL + 1))
    day, last = date(2004, 1, 1), date(LAST_OFFICIAL, 12, 31)
    while day <= last:
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(1)


def test_an_unpublished_year_is_provisional_and_counting_goes_on(calendar):
    assert not calendar.is_official(2027) and calendar.official_years()[-1] == 2026
    assert calendar.provisional_between(date(2026, 12, 28), date(2027, 1, 8))
    assert not calendar.provisional_between(date(2026, 1, 1), date(2026, 12, 31))
    # 2027: 元旦 is Friday 1 January; Monday 4 January is a working day.
    assert not calendar.is_working_day(date(2027, 1, 1)) and calendar.is_working_day(date(2027, 1, 4))
    # From Wednesday 30 December 2026: 31 Dec (1), 1 Jan off, weekend, 4 (2) ... 7 (5).
    assert calendar.add_working_days(date(2026, 12, 30), 5) == date(2027, 1, 7)


def test_years_beyond_the_lunar_tables_are_still_an_error_naming_how_to_load(calendar):
    with pytest.raises(CalendarUnknown) as caught:
        calendar.is_working_day(date(2100, 3, 1))
    error = caught.value
    assert isinstance(error, InvalidCommand)
    assert error.code == "calendar_unknown" and error.status == 422
    assert "2100年" in error.message and "renovation calendar load" in error.message


def test_statutory_holidays_of_provisional_2027(calendar):
    days = statutory_holidays(2027)
    # 春节 2027: 除夕 Friday 5 February to 初三 Monday 8 February; the weekend's two days are
    # made up (补假) on Tuesday 9 and Wednesday 10 February.
    assert [days[date(2027, 2, d)] for d in range(5, 9)] == ["春节"] * 4
    assert days[date(2027, 2, 9)] == days[date(2027, 2, 10)] == "春节补假"
    assert days[date(2027, 4, 5)] == "清明节"  # the solar term falls on 5 April in 2027
    assert days[date(2027, 6, 9)] == "端午节" and days[date(2027, 9, 15)] == "中秋节"
    assert days[date(2027, 5, 3)] == days[date(2027, 5, 4)] == "劳动节补假"
    assert days[date(2027, 10, 4)] == days[date(2027, 10, 5)] == "国庆节补假"
    assert not any(calendar.is_working_day(d) for d in days)
    assert calendar.is_working_day(date(2027, 2, 11)) and not calendar.is_working_day(date(2027, 2, 13))


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_are_holidays_in_the_official_schedule_under_the_2024_rules(year):
    # 2025 is the first year of the 2024 revision (除夕 and 2 May added).
    off = [d for d in statutory_holidays(year) if not chinese_calendar.is_holiday(d)]
    assert off == []


def test_festival_dates_from_lunar_and_solar_terms_match_every_official_year_since_2008():
    # Before 2025 除夕 was not always a statutory day, nor 2 May: check the days common to both rules.
    for year in range(2008, LAST_OFFICIAL + 1):
        for name, days in festivals(year):
            kept = days[1:] if name == "春节" else days[:1] if name == "劳动节" else days
            assert all(chinese_calendar.is_holiday(d) for d in kept), (year, name, kept)


def test_the_eve_is_the_last_day_of_a_29_day_twelfth_month():
    # 腊月 had 29 days before the Spring Festivals of 2025 and 2026: 除夕 is 廿九.
    assert statutory_holidays(2025)[date(2025, 1, 28)] == "春节" and chinese_calendar.is_holiday(date(2025, 1, 28))
    assert statutory_holidays(2026)[date(2026, 2, 16)] == "春节" and chinese_calendar.is_holiday(date(2026, 2, 16))
    assert date(2025, 1, 27) not in statutory_holidays(2025)


def test_a_calendar_cut_at_2025_counts_2026_provisionally_and_loading_it_makes_it_official(tmp_path):
    calendar = WorkingDayCalendar(official_through=2025)
    assert calendar.provisional_between(date(2026, 4, 1), date(2026, 4, 30))
    # Provisionally, 4 April 2026 (a Saturday the notice made a holiday) is just a weekend and
    # 6 April is 清明's 补假: both agree with the notice.
    assert not calendar.is_working_day(date(2026, 4, 6))
    # The notice moved work to Sunday 4 January 2026, which only the official schedule knows.
    assert not calendar.is_working_day(date(2026, 1, 4))
    write_schedule(tmp_path, 2026, holidays=[{"date": "2026-01-01", "name": "元旦"}],
                   workdays=[{"date": "2026-01-04", "name": "元旦调休"}])
    schedule = parse_schedule((tmp_path / "2026.json").read_bytes(), name="2026.json")
    calendar.load(schedule)
    assert calendar.is_official(2026) and not calendar.provisional_between(date(2026, 1, 1), date(2026, 12, 31))
    assert calendar.is_working_day(date(2026, 1, 4))
    assert len(schedule.sha256) == 64


def test_a_loaded_2031_schedule_makes_2031_dates_work(tmp_path):
    write_schedule(tmp_path, 2031)
    calendar = WorkingDayCalendar(tmp_path, official_through=LAST_OFFICIAL)
    assert 2031 in calendar.known_years() and 2030 not in calendar.known_years()
    assert calendar.is_working_day(date(2031, 2, 8))  # Saturday, listed make-up day
    assert not calendar.is_working_day(date(2031, 2, 9))  # Sunday
    assert not calendar.is_working_day(date(2031, 1, 1))  # a Wednesday holiday
    assert not calendar.is_working_day(date(2031, 1, 24))  # a Friday in the Spring Festival
    assert calendar.add_working_days(date(2031, 1, 21), 1) == date(2031, 1, 30)
    assert calendar.provisional_between(date(2030, 6, 3), date(2030, 6, 3))
    assert not calendar.provisional_between(date(2031, 1, 1), date(2031, 12, 31))


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
