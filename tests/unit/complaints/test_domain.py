"""Complaints' domain without I/O: limits, escalation, routing geometry, duplicates, masking, the loop's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.complaints.domain.category import Rating, Urgency
from services.complaints.domain.complaint import Complaint, Place
from services.complaints.domain.duplicate import Candidate, best_match, similarity
from services.complaints.domain.privacy import contact_for, mask_name, mask_phone, normalise_phone, redact_numbers
from services.complaints.domain.routing import Site, route_point
from services.complaints.domain.time_limit import Limit, choose, due_after, levels_reached
from services.complaints.settings import DEFAULT_LIMITS as LIMITS
from shared.calendar import WorkingDayCalendar
from shared.errors import InvalidCommand

T0 = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # Wednesday before 国庆, 10:00 in China


def test_the_limit_follows_urgency_then_outage_then_consultation_then_category():
    def rule(category, urgency, by=None):
        return choose(category=category, urgency=urgency, limits=LIMITS, by_category=by or {}).rule
    assert rule("utility_outage", Urgency.EMERGENCY) == "emergency"
    assert rule("utility_outage", Urgency.NORMAL) == "outage"
    assert rule("noise", Urgency.CONSULTATION) == "consultation"
    assert rule("noise", Urgency.NORMAL, {"noise": "3wd"}) == "category:noise"
    assert rule("dust", Urgency.NORMAL) == "complaint"
    with pytest.raises(ValueError):
        Limit.parse("x", "5 days")


def test_working_days_skip_holidays_and_count_make_up_days():
    calendar = WorkingDayCalendar(official_through=2026)
    due = due_after(T0, Limit.parse("complaint", "5wd"), calendar)
    assert due.at.astimezone(UTC).isoformat() == "2026-10-13T15:59:59.999999+00:00" and not due.provisional
    assert due_after(T0, Limit.parse("emergency", "2h"), calendar).at == T0 + timedelta(hours=2)
    provisional = due_after(datetime(2026, 12, 29, 2, tzinfo=UTC), Limit.parse("complaint", "5wd"), calendar)
    assert provisional.provisional


def test_the_escalation_ladder():
    due = T0
    kw = dict(due=due, supervision_after=timedelta(hours=24), public_notice_after=timedelta(hours=72))
    assert levels_reached(now=due, **kw) == ()
    assert levels_reached(now=due + timedelta(minutes=1), **kw) == ("reminder",)
    assert levels_reached(now=due + timedelta(hours=25), **kw) == ("reminder", "supervision")
    assert levels_reached(now=due + timedelta(days=4), **kw) == ("reminder", "supervision", "public_notice")


def test_a_point_inside_the_boundary_wins_over_a_nearer_centre_and_far_points_are_not_routed():
    square = ((41.799, 123.399), (41.799, 123.401), (41.801, 123.401), (41.801, 123.399))
    a = Site("a", "pa", 41.800, 123.400, square)
    b = Site("b", None, 41.8011, 123.4011)  # its centre is nearer the corner point below
    inside_corner = route_point(41.8009, 123.4009, [a, b], radius_m=500)
    assert (inside_corner.site.community_id, inside_corner.method) == ("a", "boundary")
    near_b = route_point(41.8015, 123.4015, [a, b], radius_m=500)
    assert (near_b.site.community_id, near_b.method) == ("b", "nearest") and near_b.distance_m < 100
    assert route_point(41.9, 123.6, [a, b], radius_m=500) is None


def test_similar_chinese_complaints_score_high_and_different_ones_low():
    a = "3号楼东侧工地夜里12点还在施工，噪音太大睡不着"
    same = "晚上十二点了3号楼旁边还在施工噪音很大，孩子睡不着觉"
    other = "小区门口渣土车遗撒，扬尘严重"
    assert similarity(a, same) >= 50 > similarity(a, other)
    assert similarity("", a) == 0
    found = best_match(same, [Candidate("x", other, None), Candidate("y", a, 30.0), Candidate("z", a, 900.0)],
                       radius_m=200, min_score=50)
    assert found is not None and found[0].complaint_id == "y"


def test_phone_numbers_are_normalised_masked_and_found_in_text():
    assert normalise_phone("138-1234-5678") == normalise_phone("+86 138 1234 5678") == "+8613812345678"
    assert normalise_phone("024 2345 6789") == "+862423456789"
    for bad in ("", "12345", "1381234567"):
        with pytest.raises(InvalidCommand):
            normalise_phone(bad)
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_name("王建国") == "王**" and mask_name("欧阳娜娜") == "欧阳**"
    assert redact_numbers("打13812345678或者024-23456789") == "打[电话已隐去]或者[电话已隐去]"
    contact = {"name": "王建国", "phone": "+8613812345678"}
    assert contact_for("hotline_operator", contact)["phone"] == "138 1234 5678"
    assert contact_for("contractor", contact)["phone"] == "138****5678"
    assert contact_for("supervisor", contact)["masked"] and contact_for(None, contact, own=True)["name"] == "王建国"
    assert contact_for("hotline_operator", None)["erased"]


def _complaint(category: str = "safety_hazard") -> Complaint:
    complaint = Complaint.receive(complaint_id="c1", tracking_no="TS1", channel="hotline", category=category,
                                  urgency=Urgency.NORMAL, text="脚手架没有防护网", place=Place(community_id="k"),
                                  received_at=T0)
    complaint.route(project_id="p1", community_id="k", method="community")
    limit = Limit.parse("complaint", "5wd")
    complaint.set_limit(limit, due_after(T0, limit, WorkingDayCalendar(official_through=2026)), started_at=T0)
    complaint.publish_safety_opened(at=T0)
    return complaint


def test_only_the_residents_word_closes_and_not_satisfied_sends_it_back():
    c = _complaint()
    with pytest.raises(InvalidCommand, match="尚未办结"):
        c.confirm(rating=Rating.SATISFIED, comment="", channel="resident", at=T0)
    with pytest.raises(InvalidCommand, match="须先答复"):
        c.resolve(resolution="好了", at=T0)
    c.assign(kind="contractor", assignee="沈阳建工", at=T0)
    assigned = ["complaints.ComplaintAcknowledged", "complaints.ComplaintAssigned"]
    assert [e.event_type for e in c.pending][-2:] == assigned
    c.respond(response="已加装防护网", at=T0)
    c.resolve(resolution="已整改", at=T0)
    c.confirm(rating=Rating.NOT_SATISFIED, comment="还是会掉东西", channel="resident", at=T0)
    assert c.state == "assigned" and c.safety_open
    c.respond(response="已全面加密防护网", at=T0)
    c.resolve(resolution="已复查", at=T0)
    c.confirm(rating=Rating.BASICALLY, comment="", channel="resident", at=T0)
    assert c.state == "closed" and not c.safety_open
    types = [e.event_type for e in c.collect()]
    assert types.count("complaints.SafetyComplaintOpened") == 1
    assert types[-2:] == ["complaints.ComplaintClosed", "complaints.SafetyComplaintClosed"]
    with pytest.raises(InvalidCommand, match="重复评价"):
        c.confirm(rating=Rating.SATISFIED, comment="", channel="resident", at=T0)


def test_a_merged_repeat_closes_its_safety_signal_and_follows_the_primary():
    primary, repeat = _complaint(), _complaint()
    repeat.received = repeat.received.model_copy(update={"complaint_id": "c2"})
    repeat.merge_into(primary, at=T0)
    assert repeat.state == "merged" and not repeat.safety_open
    assert primary.pending[-1].event_type == "complaints.DuplicateAttached"
    with pytest.raises(InvalidCommand):
        repeat.merge_into(primary, at=T0)
