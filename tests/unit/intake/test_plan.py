"""The plan: items classified by the seeds' vocabulary, funding adding up to the fen, the elevator rule."""

import pytest
from pydantic import ValidationError

from services.intake.domain.plan import Plan, elevator_checks, yuan
from services.intake.domain.vocabulary import Category, FundingSource
from tests.unit.intake.given import RULES

PARTIES = {"construction_unit": "和平区住建局", "street_office": "南市街道", "residents_committee": "南市社区",
           "owners_committee": "业主代表", "designer": "设计院"}


def plan(items, funding, **extra) -> Plan:
    return Plan(summary="改造方案", items=items, funding=funding, after_care="property_management",
                parties=PARTIES, **extra)


def item(kind: str, budget: int, n: int = 1, **extra) -> dict:
    return {"item_id": f"i{n}", "kind": kind, "quantity": 10, "budget_fen": budget} | extra


ELEVATOR = item("elevator_retrofit", 60_000_000, 9, building="3", appraisal_grade="B", appraisal_report="JD-2025-17")


@pytest.mark.parametrize("kind, category", [("roof_waterproofing", Category.BASIC),
                                            ("rain_sewage_separation", Category.BASIC), ("fire_lane", Category.BASIC),
                                            ("parking", Category.IMPROVEMENT), ("ebike_charging", Category.IMPROVEMENT),
                                            ("elevator_retrofit", Category.IMPROVEMENT),
                                            ("community_service", Category.UPGRADE),
                                            ("smart_facilities", Category.UPGRADE)])
def test_items_are_classified_by_what_they_are(kind, category):
    extra = ELEVATOR if kind == "elevator_retrofit" else {}
    p = plan([item(kind, 100) | {k: v for k, v in extra.items() if k.startswith(("building", "appraisal"))}],
             [{"source": "government", "amount_fen": 100}])
    assert p.items[0].category == category and p.items[0].name


def test_a_category_that_contradicts_the_kind_is_refused():
    with pytest.raises(ValidationError, match="属于基础类"):
        plan([item("roof_waterproofing", 100, category="upgrade")], [{"source": "government", "amount_fen": 100}])


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError, match="未知的改造内容"):
        plan([item("golden_roof", 100)], [{"source": "government", "amount_fen": 100}])


def test_funding_must_add_up_to_the_budget_to_the_fen():
    items = [item("road", 180_000_001), item("greening", 20_000_000, 2)]
    funded = plan(items, [{"source": "government", "amount_fen": 150_000_000},
                          {"source": "residents", "amount_fen": 50_000_001}])
    assert funded.budget_fen == 200_000_001
    assert [f.source for f in funded.funding] == list(FundingSource)
    assert funded.funding[-1].amount_fen == 0
    with pytest.raises(ValidationError, match="相差 0.01 元"):
        plan(items, [{"source": "government", "amount_fen": 200_000_000}])


def test_a_source_may_appear_once():
    with pytest.raises(ValidationError, match="只能填写一次"):
        plan([item("road", 100)], [{"source": "government", "amount_fen": 50},
                                   {"source": "government", "amount_fen": 50}])


def test_an_elevator_item_names_its_building_and_appraisal():
    with pytest.raises(ValidationError, match="楼号、房屋安全鉴定等级和鉴定报告编号"):
        plan([item("elevator_retrofit", 100)], [{"source": "government", "amount_fen": 100}])


def elevator_results(signed: int, objecting: int, households: int = 12, grade: str = "B"):
    p = plan([ELEVATOR | {"appraisal_grade": grade}], [{"source": "residents", "amount_fen": 60_000_000}])
    return {r.rule.split(":")[0]: r for r in elevator_checks(p, tallies={"3": (signed, objecting, households)},
                                                            rules=RULES)}


@pytest.mark.parametrize("signed, passed", [(8, True), (7, False), (12, True)])
def test_elevator_needs_two_thirds_of_the_buildings_owners(signed, passed):
    result = elevator_results(signed, 0)["elevator_consent"]
    assert result.passed is passed and f"{signed}/12" in result.figures


@pytest.mark.parametrize("objecting, passed", [(0, True), (1, False)])
def test_elevator_needs_no_neighbour_objecting(objecting, passed):
    assert elevator_results(12 - objecting, objecting)["elevator_objection"].passed is passed


@pytest.mark.parametrize("grade, passed", [("A", True), ("B", True), ("C", False), ("D", False)])
def test_elevator_needs_appraisal_grade_b_or_better(grade, passed):
    result = elevator_results(12, 0, grade=grade)["elevator_appraisal"]
    assert result.passed is passed and "JD-2025-17" in result.figures


def test_yuan_is_exact():
    assert yuan(520_000_001) == "5,200,000.01" and yuan(0) == "0.00" and yuan(-5) == "-0.05"
