"""Eligibility: every rule of DOMAIN.md at and around its configured threshold, reported with figures."""

from dataclasses import replace
from datetime import date

import pytest

from services.intake.domain.community import Community
from services.intake.domain.eligibility import ConsentTally, assess
from services.intake.domain.survey import Survey
from shared.errors import InvalidCommand
from tests.unit.intake.given import RULES, building, given, registered, survey, surveyed, then


def rule(name: str, *, year: int = 1995, month: int | None = 6, s: Survey | None = None, agreed: int = 12,
         households: int = 12, rules=RULES):
    results = assess(built_year=year, built_month=month, survey=s or survey(building(storeys=6, per_floor=1)),
                     consent=ConsentTally(agreed=agreed, disagreed=0, households=households), rules=rules)
    return next(r for r in results if r.rule == name)


@pytest.mark.parametrize("year, month, passed", [(2000, 12, True), (2001, 1, False), (2000, None, True),
                                                  (1999, None, True), (2001, None, False)])
def test_built_before_the_end_of_2000(year, month, passed):
    assert rule("built_before", year=year, month=month).passed is passed


@pytest.mark.parametrize("year, month, passed", [(2000, 6, True), (2000, 7, False), (2000, None, False)])
def test_the_cut_off_is_configuration_end_of_june_2000_as_in_shenyang(year, month, passed):
    shenyang = replace(RULES, built_before=date(2000, 6, 30))
    result = rule("built_before", year=year, month=month, rules=shenyang)
    assert result.passed is passed and "2000-06-30" in result.figures


@pytest.mark.parametrize("agreed, passed", [(8, True), (7, False), (12, True)])
def test_consent_of_exactly_two_thirds_passes(agreed, passed):
    result = rule("consent", agreed=agreed, households=12)
    assert result.passed is passed


def test_consent_reads_with_its_figures():
    assert rule("consent", agreed=61, households=90).figures == "同意 61/90 = 67.8% ≥ 66.7%"
    assert rule("consent", agreed=59, households=90).figures == "同意 59/90 = 65.6% < 66.7%"


@pytest.mark.parametrize("fee, passed", [("0.5", True), ("0.499", False), ("0.62", True), ("0", False)])
def test_fee_collection_of_exactly_half_passes(fee, passed):
    result = rule("fee_collection", s=survey(fee=fee))
    assert result.passed is passed
    assert ("≥" if passed else "<") in result.figures


@pytest.mark.parametrize("storeys, grade, kind, passed", [
    (4, "B", "unit_building", True), (3, "B", "unit_building", False), (6, "A", "unit_building", True),
    (6, "C", "unit_building", False), (6, "D", "unit_building", False), (6, "B", "bungalow", False)])
def test_multi_storey_unit_buildings_with_a_safe_structure(storeys, grade, kind, passed):
    s = survey(building("1"), building("2", storeys=storeys, grade=grade, kind=kind))
    result = rule("structure", s=s)
    assert result.passed is passed
    assert result.figures.startswith(f"{1 + passed}/2 栋符合")
    if not passed:
        assert "2号楼" in result.figures


def test_land_must_be_state_owned_in_the_built_up_area():
    assert rule("land").passed
    assert not rule("land", s=survey(land_status="collective")).passed
    assert not rule("land", s=survey(in_built_up_area=False)).passed


def test_a_demolition_plan_or_a_dangerous_building_rebuild_is_refused():
    assert not rule("demolition", s=survey(on_demolition_plan=True)).passed
    assert rule("demolition").passed
    assert not rule("not_dangerous_rebuild", s=survey(dangerous_building_rebuild=True)).passed


def test_without_a_survey_every_survey_rule_fails_saying_so():
    results = assess(built_year=1995, built_month=6, survey=None,
                     consent=ConsentTally(agreed=0, disagreed=0, households=0), rules=RULES)
    assert [r.rule for r in results if not r.passed] == [
        "land", "demolition", "structure", "consent", "fee_collection", "not_dangerous_rebuild"]
    assert all(r.figures == "尚未完成摸底调查" for r in results if not r.passed)


def test_an_assessment_is_recorded_with_every_rule_and_names_the_first_failure():
    community = given(Community, "community-c1", registered(), surveyed(survey(fee="0.4")))
    failed = community.assess_eligibility(consent=ConsentTally(agreed=12, disagreed=0, households=12),
                                          rules=RULES, today=date(2025, 9, 22))
    [event] = then(community)
    assert isinstance(event, Community.EligibilityAssessed) and event.eligible is False
    assert len(event.rules) == 7 and failed.rule == "fee_collection"


def test_a_project_is_declared_only_for_an_eligible_community():
    community = given(Community, "community-c1", registered(), surveyed(survey()))
    with pytest.raises(InvalidCommand, match="资格评估"):
        community.declare_project(project_id="p1", plan_year=2026)
    community.assess_eligibility(consent=ConsentTally(agreed=7, disagreed=5, households=12), rules=RULES,
                                 today=date(2025, 9, 22))
    with pytest.raises(InvalidCommand, match="业主同意改造"):
        community.declare_project(project_id="p1", plan_year=2026)
