"""Duplicate declarations (杜绝重复申报, 002 五(三)): refused with the reason, and the refusal recorded."""

from datetime import date

import pytest

from services.intake.domain.community import Community
from services.intake.domain.eligibility import ConsentTally
from shared.errors import InvalidCommand
from tests.unit.intake.given import given, registered, survey, surveyed, then

ELIGIBLE = Community.EligibilityAssessed(
    community_id="c1", assessed_on=date(2025, 9, 22), eligible=True, rules=[],
    consent=ConsentTally(agreed=12, disagreed=0, households=12))
DECLARED = Community.ProjectDeclared(community_id="c1", project_id="p1", plan_year=2026)


def eligible_community(*more):
    return given(Community, "community-c1", registered(), surveyed(survey()), ELIGIBLE, *more)


def test_the_first_declaration_of_a_year_is_recorded():
    community = eligible_community()
    community.declare_project(project_id="p1", plan_year=2026)
    assert then(community) == [DECLARED]


def test_a_second_declaration_for_the_same_year_is_refused_and_the_refusal_recorded():
    community = eligible_community(DECLARED)
    outcome = community.declare_project(project_id="p2", plan_year=2026)
    [event] = then(community)
    assert event is outcome and isinstance(event, Community.DuplicateDeclarationRefused)
    assert event.existing_project_id == "p1" and event.plan_year == 2026
    assert "不得重复申报" in event.reason and "p1" in event.reason
    assert community.live_projects == {2026: "p1"}


def test_another_year_may_be_declared():
    community = eligible_community(DECLARED)
    community.declare_project(project_id="p2", plan_year=2027)
    assert then(community) == [Community.ProjectDeclared(community_id="c1", project_id="p2", plan_year=2027)]


def test_a_withdrawn_project_frees_its_year():
    withdrawn = Community.DeclarationWithdrawn(community_id="c1", project_id="p1", plan_year=2026, reason="撤回")
    community = eligible_community(DECLARED, withdrawn)
    community.declare_project(project_id="p2", plan_year=2026)
    assert isinstance(then(community)[0], Community.ProjectDeclared)


def test_withdrawing_a_project_the_community_did_not_declare_is_refused():
    with pytest.raises(InvalidCommand):
        eligible_community().withdraw_declaration(project_id="p9", reason="撤回申报")


def test_registration_refuses_facts_that_cannot_be_true():
    facts = registered().model_dump(exclude={"community_id"})
    with pytest.raises(InvalidCommand, match="户数不能少于楼栋数"):
        Community.register(community_id="c2", **(facts | {"building_count": 20, "household_count": 3}))
