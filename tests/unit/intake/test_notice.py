"""Public notice: at least 14 working days on the official calendar, 调休 included; objections in time."""

import json
from datetime import date

import pytest

from services.intake.domain.notice import NoticeBoard, NoticeWindow, Objection, open_window, recomputed_window
from shared.calendar import WorkingDayCalendar, parse_schedule
from shared.errors import InvalidCommand
from tests.calendar_2027 import schedule_bytes

CALENDAR = WorkingDayCalendar()


def window(start: date, days: int = 14, today: date = date(2025, 9, 1), calendar=CALENDAR) -> NoticeWindow:
    return open_window(calendar, start=start, working_days=days, minimum=14, today=today)


def test_a_notice_across_national_day_2025_counts_the_make_up_saturday():
    # Mon 29 Sep, Tue 30 Sep; 1–8 Oct holiday; Thu 9, Fri 10, Sat 11 Oct (调休 working day); then
    # 13–17 and 20–23 Oct: the 14th working day is Thursday 23 October.
    notice = window(date(2025, 9, 29))
    assert notice.end == date(2025, 10, 23) and notice.working_days == 14
    assert CALENDAR.is_working_day(date(2025, 10, 11)) and not CALENDAR.is_working_day(date(2025, 10, 8))


def test_the_make_up_sunday_before_the_holiday_counts_too():
    # Fri 26 Sep, Sun 28 Sep (调休), Mon 29, Tue 30, then as above: the 14th is Tuesday 21 October.
    assert window(date(2025, 9, 26)).end == date(2025, 10, 21)


def test_without_the_make_up_days_the_end_would_be_later(tmp_path):
    # The same year loaded with the holidays but no make-up days: one working day fewer each week.
    holidays = [{"date": f"2025-10-0{d}", "name": "国庆节、中秋节"} for d in range(1, 9)]
    (tmp_path / "2025.json").write_text(json.dumps({"year": 2025, "source": "test", "published": "2024-11-12",
                                                    "holidays": holidays, "workdays": []}), encoding="utf-8")
    assert window(date(2025, 9, 29), calendar=WorkingDayCalendar(tmp_path)).end == date(2025, 10, 24)


def test_a_notice_starting_on_a_holiday_begins_counting_on_the_next_working_day():
    # 9, 10, 11 (调休), 13–17, 20–24 October, then Monday 27 October is the 14th.
    assert window(date(2025, 10, 1), today=date(2025, 10, 1)).end == date(2025, 10, 27)


def test_fewer_than_the_minimum_working_days_is_refused():
    with pytest.raises(InvalidCommand, match="不得少于 14 个工作日"):
        window(date(2025, 9, 29), days=13)
    assert window(date(2025, 9, 29), days=15).end == date(2025, 10, 24)


def test_a_notice_may_not_start_in_the_past():
    with pytest.raises(InvalidCommand, match="早于今天"):
        window(date(2025, 9, 29), today=date(2025, 9, 30))


def test_a_notice_ending_in_a_year_without_its_schedule_opens_with_a_provisional_end():
    # Cut at 2026, so this holds after the calendar package ships 2027.
    calendar = WorkingDayCalendar(official_through=2026)
    notice = window(date(2027, 1, 4), today=date(2027, 1, 4), calendar=calendar)
    # 4–8, 11–15, 18–21 January 2027 on weekends and statutory days: the 14th is Thursday 21st.
    assert (notice.end, notice.end_provisional) == (date(2027, 1, 21), True)
    assert not window(date(2025, 9, 29)).end_provisional


def test_a_notice_is_never_ended_on_a_provisional_end():
    calendar = WorkingDayCalendar(official_through=2026)
    board = NoticeBoard("n1", window(date(2027, 1, 4), today=date(2027, 1, 4), calendar=calendar))
    assert not board.due(date(2027, 2, 1))
    with pytest.raises(InvalidCommand) as refused:
        board.check_end(date(2027, 2, 1))
    assert refused.value.code == "notice_end_provisional"
    assert "暂定" in refused.value.message and "2027年" in refused.value.message and "载入" in refused.value.message


def test_loading_the_year_recomputes_the_end_but_never_before_the_published_one(tmp_path):
    calendar = WorkingDayCalendar(official_through=2026)
    published = window(date(2027, 1, 4), today=date(2027, 1, 4), calendar=calendar)
    calendar.load(parse_schedule(schedule_bytes(), name="2027.json"))
    # Officially Saturday 9 January is worked, so the 14th day would be the 20th: the 21st stands.
    assert calendar.notice_end(date(2027, 1, 4), 14) == date(2027, 1, 20)
    recomputed = recomputed_window(calendar, published)
    assert (recomputed.end, recomputed.end_provisional, recomputed.working_days) == (date(2027, 1, 21), False, 15)
    assert recomputed_window(calendar, recomputed) is None


def test_objections_are_taken_only_while_the_notice_runs():
    board = NoticeBoard("n1", window(date(2025, 9, 29)))
    with pytest.raises(InvalidCommand, match="尚不能提出异议"):
        board.check_objection(objection_id="o1", today=date(2025, 9, 28))
    board.check_objection(objection_id="o1", today=date(2025, 9, 29))
    board.check_objection(objection_id="o1", today=date(2025, 10, 23))
    with pytest.raises(InvalidCommand, match="公示已于 2025-10-23 结束"):
        board.check_objection(objection_id="o1", today=date(2025, 10, 24))


def test_each_objection_gets_one_answer_and_the_end_waits_for_the_last_day():
    board = NoticeBoard("n1", window(date(2025, 9, 29)))
    board.raised(Objection(objection_id="o1", household_id="1-1-101", text="停车位不够", raised_on=date(2025, 10, 9)))
    assert board.unanswered == 1
    board.check_answer("o1")
    board.answered("o1", "已增加 20 个车位", date(2025, 10, 10))
    with pytest.raises(InvalidCommand, match="已答复"):
        board.check_answer("o1")
    with pytest.raises(InvalidCommand, match="尚未结束"):
        board.check_end(date(2025, 10, 23))
    assert not board.due(date(2025, 10, 23)) and board.due(date(2025, 10, 24))
    board.check_end(date(2025, 10, 24))
