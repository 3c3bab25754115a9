"""Clocks on the official calendar (holidays, make-up days, provisional years) and escalation by the ticker."""

from __future__ import annotations

from datetime import UTC, datetime

from services.complaints.application.context import ComplaintsContext
from shared.actor import Actor
from shared.calendar import parse_schedule
from shared.envelope import Envelope, new_event_id, utc_now
from tests.calendar_2027 import schedule_bytes
from tests.integration.complaints.conftest import Running, start


def test_five_working_days_skip_the_national_day_holiday_and_count_its_make_up_saturday(hotline: Running):
    hotline.clock.at = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # Wednesday 10:00, the day before 国庆
    c = hotline.get(hotline.call()["complaint_id"])
    # 1–7 Oct are holidays; Thu 8, Fri 9, Sat 10 (调休 make-up working day), Mon 12, Tue 13.
    assert c["due_at"] == "2026-10-13T15:59:59.999999+00:00" and not c["due_provisional"]
    consult = hotline.get(hotline.call(urgency="consultation", text="请问小区改造什么时候开始加装电梯")["complaint_id"])
    assert consult["due_at"].startswith("2026-10-08T15:59:59")  # 1 working day: the first after the holiday
    emergency = hotline.get(hotline.call(urgency="emergency", category="safety_hazard",
                                         text="工地围挡倒在人行道上，有人被砸伤")["complaint_id"])
    assert emergency["due_at"] == "2026-09-30T04:00:00+00:00" and emergency["limit_label"] == "2 小时"
    outage = hotline.get(hotline.call(category="utility_outage", text="施工挖断水管，整栋楼停水")["complaint_id"])
    assert outage["due_at"] == "2026-10-01T02:00:00+00:00"


def test_a_complex_case_is_extended_to_fifteen_working_days_only_with_a_reason(hotline: Running):
    cid = hotline.call()["complaint_id"]
    hotline.clock.advance(days=8)  # Sat 28 Nov: the 5-working-day limit ran out on Friday 27th
    assert hotline.tick()["escalated"] == 1 and hotline.metric("renovation_complaints_overdue") == 1
    refused = hotline.post(cid, "extend", {"reason": "难"})
    assert refused.status_code == 422 and "理由" in refused.json()["detail"]
    assert hotline.post(cid, "extend", {"reason": "涉及三个部门会商，需现场测量"}).status_code == 204
    c = hotline.get(cid)
    # From Fri 20 Nov 2026: 15 working days is Fri 11 Dec.
    assert c["due_at"].startswith("2026-12-11T15:59:59") and c["limit_rule"] == "complex"
    assert hotline.metric("renovation_complaints_overdue") == 0, "extended: no longer overdue"
    assert hotline.tick()["escalated"] == 0 and c["escalations"] == 1
    assert hotline.post(cid, "extend", {"reason": "再延一次可以吗"}).status_code == 422


def test_the_ticker_escalates_reminder_then_supervision_then_public_notice_once_each(hotline: Running):
    cid = hotline.call(urgency="emergency", category="safety_hazard", text="基坑没有围挡，孩子在边上玩")["complaint_id"]
    assert hotline.tick()["escalated"] == 0
    hotline.clock.advance(hours=2, minutes=1)
    assert hotline.tick()["escalated"] == 1
    assert hotline.tick()["escalated"] == 0, "a repeated tick records nothing new"
    assert hotline.get(cid)["level"] == "reminder"
    hotline.clock.advance(hours=24)
    assert hotline.tick()["escalated"] == 1 and hotline.get(cid)["level"] == "supervision"
    hotline.clock.advance(hours=48)
    assert hotline.tick()["escalated"] == 1
    c = hotline.get(cid)
    assert (c["level"], c["escalations"]) == ("public_notice", 3)
    levels = [e.payload["level"] for e in hotline.events("complaints.ComplaintEscalated")]
    assert levels == ["reminder", "supervision", "public_notice"]
    assert hotline.metric('renovation_complaints_escalations_total{level="supervision"}') == 1
    assert hotline.metric("renovation_complaints_breaches_total") == 1
    assert hotline.metric("renovation_complaints_overdue") == 1
    board = hotline.client.get("/supervisor", headers=hotline.as_("sup"))
    assert board.status_code == 200 and "通报" in board.text and "超时记录" in board.text
    # Responding stops the clock: the ticker leaves it alone from then on.
    hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈阳建工"})
    hotline.post(cid, "respond", {"response": "已设置围挡并派人值守"})
    hotline.clock.advance(days=30)
    assert hotline.tick()["escalated"] == 0


def test_a_resident_who_does_not_answer_gets_a_return_visit_after_the_configured_working_days(hotline: Running):
    cid = hotline.call()["complaint_id"]
    hotline.post(cid, "assign", {"kind": "contractor", "assignee": "沈阳建工"})
    hotline.post(cid, "respond", {"response": "已调整施工时间"})
    hotline.post(cid, "resolve", {"resolution": "夜间不再施工"})  # Friday 20 Nov
    hotline.clock.at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wed 25: 3 working days end that night
    assert hotline.tick()["return_visits"] == 0
    hotline.clock.at = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # Thursday 00:30 in China
    assert hotline.tick()["return_visits"] == 1 and hotline.get(cid)["return_visit_due"]
    visit = {"rating": "basically_satisfied", "comment": "电话回访"}
    assert hotline.post(cid, "return-visit", visit).status_code == 204
    c = hotline.get(cid)
    assert (c["state"], c["rating"], c["rating_channel"]) == ("closed", "basically_satisfied", "return_visit")


def test_a_limit_in_a_year_without_an_official_schedule_is_provisional_never_escalated_and_firmed_up(
        tmp_path, sqlite_url):
    hotline = start(tmp_path, sqlite_url, official_through=2026, category_limits={"noise": "10wd"})
    hotline.sites()
    hotline.clock.at = datetime(2026, 12, 29, 2, 0, tzinfo=UTC)  # Tuesday; 2027's schedule is not published
    cid = hotline.call()["complaint_id"]
    c = hotline.get(cid)
    # Provisional (weekends + statutory 元旦): Dec 30, 31, Jan 4–8, 11, 12, 13 → Wed 13 Jan.
    assert c["due_provisional"] is True and c["due_at"].startswith("2027-01-13T15:59:59")
    assert hotline.events("complaints.TimeLimitSet")[-1].payload["due_provisional"] is True
    page = hotline.client.get(f"/complaints/{cid}", headers=hotline.as_("op")).text
    assert "暂定" in page
    hotline.clock.at = datetime(2027, 1, 20, 2, 0, tzinfo=UTC)
    assert hotline.tick()["escalated"] == 0, "a provisional limit is never ended early"
    envelope = Envelope(event_id=new_event_id(), event_type="intake.CalendarYearLoaded", schema_version=1,
                        stream_id="calendar-2027", stream_version=1, project_id="calendar", occurred_at=utc_now(),
                        actor=Actor(id="demo-official", role="official"), correlation_id="c", position=1,
                        payload=parse_schedule(schedule_bytes(), name="2027.json").payload())
    assert hotline.service.consumer.apply(envelope) == "applied"
    assert hotline.service.calendar_keeper.sync() == [2027]
    firm = hotline.get(cid)
    # The invented 2027 notice makes Sat 9 Jan a working day: the limit ends a day earlier, Tue 12 Jan.
    assert firm["due_provisional"] is False and firm["due_at"].startswith("2027-01-12T15:59:59")
    recomputed = hotline.events("complaints.TimeLimitSet")[-1].payload
    assert recomputed["recomputed"] is True and recomputed["cycle"] == 1
    assert hotline.service.calendar_keeper.sync() == [] and len(hotline.events("complaints.TimeLimitSet")) == 2
    assert hotline.tick()["escalated"] == 3  # firm and 7 days past: 催办, 督办 and 通报 at once


def test_limits_are_configuration(hotline: Running):
    ctx: ComplaintsContext = hotline.ctx
    ctx.settings.category_limits = {"noise": "3wd"}
    c = hotline.get(hotline.call()["complaint_id"])
    assert c["limit_label"] == "3 个工作日" and c["due_at"].startswith("2026-11-25T15:59:59")


async def test_the_services_own_ticker_escalates_without_anyone_asking(hotline: Running):
    import asyncio

    cid = hotline.call(urgency="emergency", category="safety_hazard", text="塔吊下方没有警戒区")["complaint_id"]
    hotline.clock.advance(hours=2, minutes=5)
    [(seconds, ticker)] = hotline.service.spec.tickers
    assert seconds == hotline.ctx.settings.tick_seconds
    stop = asyncio.Event()
    running = asyncio.create_task(hotline.service.run_ticker(stop, 0.05, ticker))
    try:
        for _ in range(100):
            if hotline.get(cid)["level"] == "reminder":
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
    assert hotline.get(cid)["level"] == "reminder"
    assert [e.actor.id for e in hotline.events("complaints.ComplaintEscalated")] == ["complaints-clock"]
