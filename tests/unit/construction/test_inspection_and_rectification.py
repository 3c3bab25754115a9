"""Inspections open defects; rectification orders run on working days until verified."""

from __future__ import annotations

from datetime import date

import pytest

from services.construction.domain.checklist import ITEMS, Result, Severity
from services.construction.domain.inspection import CheckedItem, Defect, Inspection, InspectionKind
from services.construction.domain.rectification import OrderStatus, RectificationOrder
from shared.calendar import WorkingDayCalendar
from shared.errors import InvalidCommand

from .given import evidence, given, then


def answers(**failed: Severity) -> list[CheckedItem]:
    return [CheckedItem(code=i.code, result=Result.FAIL, notes="立杆悬空", severity=failed[i.code])
            if i.code in failed else CheckedItem(code=i.code, result=Result.PASS) for i in ITEMS]


def test_a_failed_item_opens_a_defect_with_its_severity_and_a_critical_one_is_marked():
    inspection = Inspection.record(inspection_id="i1", project_id="p1", zone="1号楼", kind=InspectionKind.ROUTINE,
                                   items=answers(**{"scaffolding.base": Severity.CRITICAL,
                                                    "materials.certified": Severity.MINOR}))
    [recorded] = then(inspection)
    assert recorded.result == "failed"
    assert [(d.code, d.severity) for d in recorded.defects] == [("scaffolding.base", "critical"),
                                                                ("materials.certified", "minor")]
    assert [d.defect_id for d in inspection.critical] == ["i1.1"]


def test_the_checklist_must_be_complete_and_failures_described():
    with pytest.raises(InvalidCommand, match="检查表未填完"):
        Inspection.record(inspection_id="i", project_id="p", zone="site", kind=InspectionKind.ROUTINE,
                          items=answers()[:-1])
    broken = answers()
    broken[0] = CheckedItem(code=broken[0].code, result=Result.FAIL)
    with pytest.raises(InvalidCommand, match="严重程度"):
        Inspection.record(inspection_id="i", project_id="p", zone="site", kind=InspectionKind.ROUTINE, items=broken)
    with pytest.raises(InvalidCommand, match="巡查任务"):
        Inspection.record(inspection_id="i", project_id="p", zone="site", kind=InspectionKind.COMPLAINT,
                          items=answers())


DEFECT = Defect(defect_id="i1.1", code="scaffolding.base", category="scaffolding", severity=Severity.MAJOR,
                description="立杆悬空", zone="1号楼")
IDS = {"order_id": "i1.1", "project_id": "p1"}


def issued(due: date = date(2026, 11, 25)) -> RectificationOrder.Issued:
    return RectificationOrder.Issued(**IDS, inspection_id="i1", defect=DEFECT, issued_on=date(2026, 11, 20),
                                     working_days=3, due_on=due)


def test_due_dates_count_official_working_days():
    calendar = WorkingDayCalendar()
    # Tuesday 2026-09-29 + 3 working days: 09-30, then the National Day holiday is skipped.
    due = calendar.add_working_days(date(2026, 9, 29), 3)
    order = RectificationOrder.issue(project_id="p1", inspection_id="i1", defect=DEFECT,
                                     issued_on=date(2026, 9, 29), working_days=3, due_on=due)
    assert then(order)[0].due_on == due == date(2026, 10, 9)


def test_a_fix_needs_photos_then_is_verified_or_rejected():
    order = given(RectificationOrder, issued())
    with pytest.raises(InvalidCommand, match="照片"):
        order.submit(note="已加固", evidence=[])
    with pytest.raises(InvalidCommand, match="没有待复核"):
        order.verify()
    order.submit(note="已加垫板", evidence=[evidence(1)])
    order.reject(reason="垫板未固定")
    order.submit(note="已固定垫板", evidence=[evidence(2)])
    order.verify(note="现场复核合格")
    assert [e.event_type for e in then(order)] == [
        "construction.RectificationSubmitted", "construction.RectificationRejected",
        "construction.RectificationSubmitted", "construction.RectificationVerified"]
    assert order.status == OrderStatus.VERIFIED and not order.is_open


def test_an_open_order_past_its_due_date_is_noted_overdue_once():
    order = given(RectificationOrder, issued(due=date(2026, 11, 25)))
    assert not order.note_overdue(today=date(2026, 11, 25))
    assert order.note_overdue(today=date(2026, 11, 26))
    assert not order.note_overdue(today=date(2026, 11, 27))
    assert then(order) == [
        RectificationOrder.FellOverdue(**IDS, due_on=date(2026, 11, 25), noted_on=date(2026, 11, 26))]
    closed = given(RectificationOrder, issued(), RectificationOrder.Submitted(**IDS, note="x", evidence=(evidence(1),)),
                   RectificationOrder.Verified(**IDS))
    assert not closed.note_overdue(today=date(2026, 12, 30))
