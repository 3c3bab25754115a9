"""The project aggregate: order of works, overrides, stop-work, completion, parties."""

from __future__ import annotations

from datetime import date

import pytest

from services.construction.domain.project import Project
from shared.errors import RecordedRefusal
from services.construction.domain.works import Layer, Rule
from shared.actor import Actor
from shared.errors import Forbidden, InvalidCommand

from .given import CONTRACT, PARTIES, given, item, opened, then

PIPES = item("pipes", "rain_sewage_separation", zone="1号楼", name="雨污分流")
ROAD = item("road", "road", zone="1号楼", name="道路")
SHED = item("shed", "illegal_structure_removal", zone="1号楼", name="拆除违建")
WALLS = item("walls", "roof_waterproofing", zone="2号楼", name="屋面防水")


CHECKED = Project.SafetyCheckPassed(zone="site", inspection_id="s0")


def project(*events, items=(PIPES, ROAD, SHED, WALLS), checked=True) -> Project:
    return given(Project, opened(*items), PARTIES, CONTRACT, *((CHECKED,) if checked else ()), *events, key="p1")


def test_above_ground_work_waits_for_the_zone_underground_and_the_refusal_is_an_event():
    p = project(Project.WorkItemFinished(item_id="shed"))
    with pytest.raises(RecordedRefusal) as refused:
        p.start_item(item_id="road")
    assert "先地下后地上" in refused.value.message and "雨污分流" in refused.value.message
    assert then(p) == [Project.WorkStartRefused(item_id="road", rule="underground_first", reason=refused.value.message,
                                                waiting_for=("pipes",))]


def test_renovation_waits_for_illegal_structure_removal_in_its_zone():
    p = project()
    with pytest.raises(RecordedRefusal, match="先拆违后改造"):
        p.start_item(item_id="pipes")
    p.collect()
    p.start_item(item_id="walls")  # another zone: nothing to wait for
    assert then(p) == [Project.WorkItemStarted(item_id="walls", zone="2号楼")]


def test_an_authorised_override_with_a_reason_lets_one_item_start():
    p = project(Project.WorkItemFinished(item_id="shed"))
    p.override(item_id="road", rule=Rule.UNDERGROUND_FIRST, reason="雨季前先铺临时便道")
    p.start_item(item_id="road")
    assert then(p) == [
        Project.OrderOfWorksOverridden(item_id="road", rule=Rule.UNDERGROUND_FIRST, reason="雨季前先铺临时便道"),
        Project.WorkItemStarted(item_id="road", zone="1号楼")]
    with pytest.raises(InvalidCommand, match="理由"):
        project().override(item_id="road", rule=Rule.UNDERGROUND_FIRST, reason="")


def test_a_stop_work_order_refuses_starts_in_its_zone_until_lifted():
    p = project(Project.StopWorkOrdered(zone="2号楼", inspection_id="i1", defect_ids=("i1.1",)))
    with pytest.raises(RecordedRefusal, match="停工"):
        p.start_item(item_id="walls")
    p.collect()
    p.lift_stop(zone="2号楼", inspection_id="i2", open_orders=set())
    p.pass_safety_check(zone="2号楼", inspection_id="i3")
    p.start_item(item_id="walls")
    assert [e.event_type for e in then(p)] == ["construction.StopWorkLifted", "construction.SafetyCheckPassed",
                                               "construction.WorkItemStarted"]


def test_a_clean_reinspection_holds_the_stop_until_the_critical_order_that_caused_it_is_verified():
    p = project(Project.StopWorkOrdered(zone="2号楼", inspection_id="i1", defect_ids=("i1.1",)))
    assert p.lift_stop(zone="2号楼", inspection_id="i2", open_orders={"i1.1", "other"}) is False
    assert then(p) == [Project.StopWorkHeld(zone="2号楼", inspection_id="i2", open_orders=("i1.1",))]
    with pytest.raises(RecordedRefusal, match="停工"):
        p.start_item(item_id="walls")
    p.collect()
    assert p.order_verified(order_id="other", open_orders={"i1.1", "other"}) == []  # not a cause
    assert p.order_verified(order_id="i1.1", open_orders={"i1.1", "other"}) == ["2号楼"]
    p.pass_safety_check(zone="2号楼", inspection_id="i3")
    p.start_item(item_id="walls")
    assert then(p) == [
        Project.StopWorkLifted(zone="2号楼", inspection_id="i2", reason="停工原因整改单 i1.1 已复核销项"),
        Project.SafetyCheckPassed(zone="2号楼", inspection_id="i3"),
        Project.WorkItemStarted(item_id="walls", zone="2号楼")]


def test_a_verified_order_alone_does_not_lift_a_stop_no_reinspection_found_clean():
    p = project(Project.StopWorkOrdered(zone="2号楼", inspection_id="i1", defect_ids=("i1.1",)))
    assert p.order_verified(order_id="i1.1", open_orders={"i1.1"}) == []
    assert then(p) == [] and p.stop_for("2号楼") == "2号楼"


def test_an_authorised_official_lifts_a_stop_with_a_reason_recorded_as_an_event():
    p = project(Project.StopWorkOrdered(zone="2号楼", inspection_id="i1", defect_ids=("i1.1",)))
    with pytest.raises(InvalidCommand, match="理由"):
        p.lift_stop_by_authority(zone="2号楼", reason="")
    with pytest.raises(InvalidCommand, match="没有生效的停工令"):
        p.lift_stop_by_authority(zone="1号楼", reason="经专家论证可恢复施工")
    p.lift_stop_by_authority(zone="2号楼", reason="经专家论证可恢复施工")
    assert then(p) == [Project.StopWorkLifted(zone="2号楼", inspection_id="", reason="经专家论证可恢复施工",
                                              authorised=True)]
    assert p.stop_for("2号楼") is None


def test_a_site_wide_stop_stops_every_zone():
    p = project(Project.StopWorkOrdered(zone="site", inspection_id="i1", defect_ids=("i1.1",)))
    assert p.stop_for("2号楼") == "site"


def test_no_start_without_a_contract():
    p = given(Project, opened(WALLS), PARTIES, key="p1")
    with pytest.raises(InvalidCommand, match="合同"):
        p.start_item(item_id="walls")
    assert then(p) == []


def test_buried_work_cannot_finish_without_concealed_hidden_works():
    p = project(Project.WorkItemFinished(item_id="shed"), Project.WorkItemStarted(item_id="pipes", zone="1号楼"))
    with pytest.raises(InvalidCommand, match="没有任何隐蔽工程记录"):
        p.finish_item(item_id="pipes", hidden_works=[])
    with pytest.raises(InvalidCommand, match="未经验收并隐蔽"):
        p.finish_item(item_id="pipes", hidden_works=[("hw1", "concealed"), ("hw2", "accepted")])
    p.finish_item(item_id="pipes", hidden_works=[("hw1", "concealed")])
    assert then(p) == [Project.WorkItemFinished(item_id="pipes")]


def test_completion_is_refused_with_the_list_of_what_is_missing_and_the_refusal_recorded():
    p = project(items=(WALLS,))
    missing = [{"kind": "hidden_work", "id": "hw1", "text": "隐蔽工程“北侧”未验收并隐蔽（待验收）"}]
    with pytest.raises(RecordedRefusal) as refused:
        p.declare_completion(missing=missing, today=date(2026, 11, 20))
    gaps = refused.value.details["missing"]
    assert {g["kind"] for g in gaps} == {"work_item", "hidden_work"}
    assert then(p) == [Project.CompletionRefused(missing=tuple(gaps))]


def test_completion_declared_when_nothing_is_missing():
    p = project(Project.WorkItemStarted(item_id="walls", zone="2号楼"), Project.WorkItemFinished(item_id="walls"),
                items=(WALLS,))
    p.declare_completion(missing=[], today=date(2026, 11, 20))
    assert then(p) == [Project.CompletionDeclared(project_id="p1", declared_on=date(2026, 11, 20))]
    with pytest.raises(InvalidCommand, match="已申报完工"):
        p.start_item(item_id="walls")


def test_only_the_named_contractor_acts_for_the_project():
    p = project()
    p.check_party(Actor(id="con", role="contractor"), "contractor")
    with pytest.raises(Forbidden, match="不是本项目指派的施工单位"):
        p.check_party(Actor(id="other", role="contractor"), "contractor")
    p.check_party(Actor(id="boss", role="official"), "contractor")  # the construction unit may


def test_placing_an_item_in_the_ground_changes_the_order():
    p = project(Project.WorkItemFinished(item_id="shed"))
    p.place_item(item_id="pipes", zone="1号楼", layer=Layer.ABOVE_GROUND)
    p.collect()
    p.start_item(item_id="road")
    assert then(p)[0].event_type == "construction.WorkItemStarted"


GREEN = item("green", "greening", zone="3号楼", name="绿化整治")
LAMPS = item("lamps", "lighting", zone="3号楼", name="照明设施")
WATER = item("water", "water_supply", zone="3号楼", name="供水管")
CABLE = item("cable", "weak_current", zone="3号楼", name="弱电入地")


def test_landscape_waits_for_the_zone_functional_works_and_the_refusal_is_an_event():
    p = project(Project.WorkItemFinished(item_id="water"), items=(GREEN, LAMPS, WATER))
    with pytest.raises(RecordedRefusal) as refused:
        p.start_item(item_id="green")
    assert "先功能后景观" in refused.value.message and "照明设施" in refused.value.message
    assert refused.value.details["rule"] == "function_before_landscape"
    assert then(p) == [Project.WorkStartRefused(item_id="green", rule="function_before_landscape",
                                                reason=refused.value.message, waiting_for=("lamps",))]
    p.override(item_id="green", rule=Rule.FUNCTION_FIRST, reason="苗木栽植季节不等人")
    p.start_item(item_id="green")
    assert [e.event_type for e in then(p)] == ["construction.OrderOfWorksOverridden", "construction.WorkItemStarted"]


def test_all_utilities_of_a_zone_are_dug_in_one_excavation():
    p = project(Project.WorkItemStarted(item_id="water", zone="3号楼"), items=(WATER, CABLE))
    p.start_item(item_id="cable")  # the trench is still open: lay the cable in it
    assert [e.event_type for e in then(p)] == ["construction.WorkItemStarted"]

    q = project(Project.WorkItemStarted(item_id="water", zone="3号楼"), Project.WorkItemFinished(item_id="water"),
                items=(WATER, CABLE))
    with pytest.raises(RecordedRefusal) as refused:
        q.start_item(item_id="cable")
    assert "管线一次开挖" in refused.value.message and "供水管" in refused.value.message
    assert then(q) == [Project.WorkStartRefused(item_id="cable", rule="one_excavation",
                                                reason=refused.value.message, waiting_for=("water",))]
    q.override(item_id="cable", rule=Rule.ONE_EXCAVATION, reason="通信单位年底才能进场，经论证单独开挖")
    q.start_item(item_id="cable")
    assert then(q)[-1] == Project.WorkItemStarted(item_id="cable", zone="3号楼")


def test_no_start_before_the_safety_check_and_no_restart_after_a_stop_without_a_new_one():
    p = project(checked=False)
    with pytest.raises(RecordedRefusal) as refused:
        p.start_item(item_id="walls")
    assert "开工前安全检查" in refused.value.message and "脚手架" in refused.value.message
    assert refused.value.details["rule"] == "safety_check"
    assert [e.event_type for e in then(p)] == ["construction.WorkStartRefused"]
    p.pass_safety_check(zone="2号楼", inspection_id="s1")
    p.start_item(item_id="walls")
    assert [e.event_type for e in then(p)] == ["construction.SafetyCheckPassed", "construction.WorkItemStarted"]

    # a stop, lifted: the check before it no longer counts — a restart needs a new one
    q = project(Project.StopWorkOrdered(zone="2号楼", inspection_id="i1", defect_ids=("i1.1",)),
                Project.StopWorkLifted(zone="2号楼", inspection_id="i2"))
    with pytest.raises(RecordedRefusal, match="复工前安全检查"):
        q.start_item(item_id="walls")
    q.collect()
    q.pass_safety_check(zone="site", inspection_id="s2")
    q.start_item(item_id="walls")
    assert then(q)[-1] == Project.WorkItemStarted(item_id="walls", zone="2号楼")
