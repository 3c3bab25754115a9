"""Design-change notices: the plan's notice mechanism, asked by construction, reported when over."""

from datetime import date

import pytest

from services.intake.domain.design_change import DesignChangeNotice
from services.intake.domain.notice import NoticeWindow
from shared.errors import InvalidCommand
from tests.unit.intake.given import given, then

WINDOW = NoticeWindow(start=date(2025, 9, 27), end=date(2025, 10, 21), working_days=14)
PUBLISHED = DesignChangeNotice.Published(
    project_id="p1", change_id="dc-7", notice_id="n7", **WINDOW.model_dump(), title="雨水管线改线",
    description="3 号楼北侧雨水管改线", cost_delta_fen=1_250_000, requested_working_days=5)


def test_publishing_records_the_contract_fields():
    notice = DesignChangeNotice.publish(project_id="p1", change_id="dc-7", notice_id="n7", window=WINDOW,
                                        title="雨水管线改线", description="3 号楼北侧雨水管改线",
                                        cost_delta_fen=1_250_000, requested_working_days=5)
    [event] = then(notice)
    assert event == PUBLISHED and event.event_type == "intake.DesignChangeNoticePublished"
    assert {"project_id", "change_id", "notice_id", "start", "end", "working_days"} <= set(event.model_dump())


def test_the_end_reports_objections_and_those_left_unanswered():
    raised = [DesignChangeNotice.ObjectionRaised(project_id="p1", change_id="dc-7", notice_id="n7",
                                                 objection_id=f"o{i}", text="影响通行", raised_on=date(2025, 10, 9))
              for i in (1, 2)]
    answered = DesignChangeNotice.ObjectionAnswered(project_id="p1", change_id="dc-7", notice_id="n7",
                                                    objection_id="o1", answer="夜间施工并设置便道",
                                                    answered_on=date(2025, 10, 10))
    notice = given(DesignChangeNotice, "design-change-dc-7", PUBLISHED, *raised, answered)
    with pytest.raises(InvalidCommand, match="尚未结束"):
        notice.end(date(2025, 10, 21))
    notice.end(date(2025, 10, 22))
    assert then(notice) == [DesignChangeNotice.Ended(project_id="p1", change_id="dc-7", notice_id="n7",
                                                     end=date(2025, 10, 21), working_days=14, objections=2,
                                                     objections_unanswered=1)]
    with pytest.raises(InvalidCommand, match="已结束"):
        notice.end(date(2025, 10, 23))
