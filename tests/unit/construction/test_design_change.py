"""Design changes: major ones (by content or by the configured thresholds) need approval and notice."""

from __future__ import annotations

from datetime import date

import pytest

from services.construction.domain.design_change import ChangeStatus, DesignChange, major_reasons
from shared.errors import InvalidCommand

from .given import given, then

THRESHOLDS = {"base_fen": 10_000_000, "threshold_fen": 5_000_000, "threshold_ratio": 0.05}


def test_major_by_content_amount_or_share_of_the_contract():
    assert major_reasons(major_content=True, cost_delta_fen=0, **THRESHOLDS) == ["涉及重大内容"]
    assert major_reasons(major_content=False, cost_delta_fen=-5_000_000, **THRESHOLDS)
    assert major_reasons(major_content=False, cost_delta_fen=600_000, **THRESHOLDS)  # 6% of the contract
    assert major_reasons(major_content=False, cost_delta_fen=400_000, **THRESHOLDS) == []


def requested(major: bool) -> DesignChange.Requested:
    return DesignChange.Requested(change_id="dc1", project_id="p1", title="雨水管改走东侧", description="避开古树",
                                  reason="原线位与古树根系冲突", cost_delta_fen=800_000, major=major)


def test_a_minor_change_takes_effect_on_approval():
    change = given(DesignChange, requested(major=False))
    change.approve(note="同意", notice_working_days=5)
    assert [e.event_type for e in then(change)] == ["construction.DesignChangeApproved",
                                                     "construction.DesignChangeTookEffect"]


def test_a_major_change_asks_intake_for_a_notice_with_the_contract_payload():
    change = given(DesignChange, requested(major=True))
    change.approve(note="报批通过", notice_working_days=5)
    notice = then(change)[-1]
    assert notice.event_type == "construction.DesignChangeNoticeRequested"
    assert notice.model_dump(mode="json") == {"project_id": "p1", "change_id": "dc1", "title": "雨水管改走东侧",
                                              "description": "避开古树", "cost_delta_fen": 800_000, "working_days": 5}
    assert change.status == ChangeStatus.AWAITING_NOTICE


def test_the_notice_round_trip_decides_whether_it_takes_effect():
    notice = DesignChange.NoticeRequested(project_id="p1", change_id="dc1", title="t", description="d",
                                          cost_delta_fen=1, working_days=5)
    change = given(DesignChange, requested(True), DesignChange.Approved(change_id="dc1", project_id="p1"), notice)
    assert change.notice_opened(notice_id="n1", start=date(2026, 11, 23), end=date(2026, 11, 27))
    assert not change.notice_opened(notice_id="n1", start=date(2026, 11, 23), end=date(2026, 11, 27))
    assert change.notice_closed(notice_id="n1", objections=2, unanswered=1)
    assert change.status == ChangeStatus.HELD
    change = given(DesignChange, requested(True), DesignChange.Approved(change_id="dc1", project_id="p1"), notice)
    change.notice_closed(notice_id="n1", objections=1, unanswered=0)
    assert then(change)[-1].event_type == "construction.DesignChangeTookEffect"


def test_a_change_needs_a_written_reason():
    with pytest.raises(InvalidCommand, match="书面说明"):
        DesignChange.request(change_id="x", project_id="p", title="t", description="", reason="", cost_delta_fen=0,
                             reasons=[])
