"""The project: plan, notice, vote, joint review and approval as given-events / when-command / then-events."""

from datetime import date

import pytest

from services.intake.domain.approval import build_approval
from services.intake.domain.community import Community
from services.intake.domain.decision import Choice
from services.intake.domain.eligibility import ConsentTally, RuleResult, assess
from services.intake.domain.households import Channel
from services.intake.domain.notice import NoticeWindow
from services.intake.domain.plan import Plan
from services.intake.domain.project import Project, Status
from services.intake.domain.vocabulary import Department, Opinion
from shared.errors import InvalidCommand
from tests.unit.intake.given import RULES, building, given, registered, survey, surveyed, then
from tests.unit.intake.test_plan import PARTIES

SURVEY = survey(building("1", storeys=6, per_floor=2))  # 12 households
HOUSEHOLDS = SURVEY.household_ids()
PLAN = Plan(summary="方案", items=[{"item_id": "i1", "kind": "road", "quantity": 100, "budget_fen": 1_000_000}],
            funding=[{"source": "government", "amount_fen": 1_000_000}], after_care="self_management",
            parties=PARTIES)
OPENED = Project.Opened(project_id="p1", community_id="c1", plan_year=2026)
REVISED = Project.PlanRevised(project_id="p1", revision=1, plan=PLAN)
PUBLISHED = Project.PlanNoticePublished(project_id="p1", notice_id="n1", revision=1, start=date(2025, 9, 29),
                                        end=date(2025, 10, 23), working_days=14)
ENDED = Project.PlanNoticeEnded(project_id="p1", notice_id="n1", end=date(2025, 10, 23), working_days=14,
                                objections=0, objections_unanswered=0)
VOTE = Project.VoteOpened(project_id="p1", revision=1, opened_on=date(2025, 10, 9))
REVIEWS = [Project.ReviewOpinionRecorded(project_id="p1", department=d, opinion=Opinion.APPROVE,
                                         reviewed_on=date(2025, 10, 27)) for d in Department]


def ballots(n_for: int, n_against: int = 0, n_abstain: int = 0):
    choices = [Choice.FOR] * n_for + [Choice.AGAINST] * n_against + [Choice.ABSTAIN] * n_abstain
    return [Project.VoteCast(project_id="p1", household_id=h, choice=c, channel=Channel.PAPER_FORM)
            for h, c in zip(HOUSEHOLDS, choices, strict=False)]


def project(*events) -> Project:
    return given(Project, "project-p1", OPENED, *events)


def closed(n_for: int, n_against: int = 0, n_abstain: int = 0) -> Project:
    p = project(REVISED, PUBLISHED, VOTE, *ballots(n_for, n_against, n_abstain))
    p.close_vote(households=HOUSEHOLDS, rules=RULES, today=date(2025, 10, 24))
    return p


def test_the_plan_is_revised_only_while_it_is_drawn_up():
    p = project(REVISED)
    p.revise_plan(PLAN)
    assert then(p) == [Project.PlanRevised(project_id="p1", revision=2, plan=PLAN)]
    with pytest.raises(InvalidCommand, match="重新打开方案"):
        project(REVISED, PUBLISHED).revise_plan(PLAN)


def test_a_notice_needs_a_plan_and_the_elevator_rule():
    window = NoticeWindow(start=date(2025, 9, 29), end=date(2025, 10, 23), working_days=14)
    with pytest.raises(InvalidCommand, match="尚未编制改造方案"):
        project().publish_notice(notice_id="n1", window=window, elevator_failures=[])
    with pytest.raises(InvalidCommand, match="加装电梯条件不满足：反对 1 户"):
        project(REVISED).publish_notice(notice_id="n1", window=window, elevator_failures=["反对 1 户"])
    p = project(REVISED)
    p.publish_notice(notice_id="n1", window=window, elevator_failures=[])
    assert then(p) == [PUBLISHED] and p.status == Status.IN_NOTICE


def test_one_ballot_per_household_a_later_one_replaces_it():
    p = project(REVISED, PUBLISHED, VOTE, *ballots(1))
    p.cast_vote(household_id=HOUSEHOLDS[0], choice=Choice.AGAINST, channel=Channel.ONLINE)
    tally = p.close_vote(households=HOUSEHOLDS, rules=RULES, today=date(2025, 10, 24))
    assert (tally.votes_for, tally.against, tally.households) == (0, 1, 12)


@pytest.mark.parametrize("n_for, n_against, n_abstain, passed", [
    (6, 2, 0, True),    # 8/12 take part = exactly 2/3; 6/8 for = exactly 3/4
    (6, 1, 0, False),   # 7/12 take part: below the quorum
    (5, 2, 1, False),   # 5/8 for: below 3/4
    (9, 3, 0, True),    # 12/12 take part, 9/12 for = exactly 3/4
])
def test_the_vote_carries_at_exactly_its_quorum_and_majority(n_for, n_against, n_abstain, passed):
    p = closed(n_for, n_against, n_abstain)
    [event] = then(p)
    assert isinstance(event, Project.VoteClosed) and event.tally.passed is passed
    assert event.tally.quorum_figure.startswith(f"参与 {n_for + n_against + n_abstain}/12")


def test_ballots_of_households_not_surveyed_do_not_count():
    p = project(REVISED, PUBLISHED, VOTE, Project.VoteCast(project_id="p1", household_id="9-9-999",
                                                           choice=Choice.FOR, channel=Channel.ONLINE))
    assert p.close_vote(households=HOUSEHOLDS, rules=RULES, today=date(2025, 10, 24)).voted == 0


def test_the_joint_review_waits_for_the_end_of_the_notice_and_needs_reasons_to_refuse():
    with pytest.raises(InvalidCommand, match="公示期满后"):
        project(REVISED, PUBLISHED).record_review(department=Department.FINANCE, opinion=Opinion.APPROVE,
                                                  comments="", rules=RULES, today=date(2025, 10, 20))
    p = project(REVISED, PUBLISHED, ENDED)
    with pytest.raises(InvalidCommand, match="须写明意见"):
        p.record_review(department=Department.FINANCE, opinion=Opinion.REJECT, comments="", rules=RULES,
                        today=date(2025, 10, 27))
    p.record_review(department=Department.FINANCE, opinion=Opinion.REJECT, comments="预算过高",
                    rules=RULES, today=date(2025, 10, 27))
    assert then(p)[0].opinion == Opinion.REJECT


def community() -> Community:
    return given(Community, "community-c1", registered(households=12), surveyed(SURVEY))


def approval_for(p: Project, agreed: int = 12):
    consent = ConsentTally(agreed=agreed, disagreed=0, households=12)
    eligibility = assess(built_year=1995, built_month=6, survey=SURVEY, consent=consent, rules=RULES)
    return build_approval(project=p, community=community(), consent=consent, eligibility=eligibility,
                          today=date(2025, 10, 28), rules=RULES), eligibility


def test_approval_records_the_figures_that_made_it_valid():
    p = closed(9, 3)
    p = project(REVISED, PUBLISHED, ENDED, VOTE, *ballots(9, 3), *then(p), *REVIEWS)
    approval, eligibility = approval_for(p)
    p.approve(approval, preconditions=eligibility, rules=RULES)
    [event] = then(p)
    assert isinstance(event, Project.Approved) and p.status == Status.APPROVED
    figures = event.figures
    assert figures.consent == {"agreed": 12, "households": 12, "ratio": "1.0000", "threshold": "2/3"}
    assert figures.notice == {"start": "2025-09-29", "end": "2025-10-23", "working_days": 14, "objections": 0}
    assert figures.vote["for"] == 9 and figures.vote["households"] == 12 and figures.vote["passed"] is True
    assert len(figures.reviews) == 6 and event.budget_fen == 1_000_000 and event.household_count == 12


def test_approval_is_refused_listing_every_gap():
    p = project(REVISED, PUBLISHED)
    failing = RuleResult(rule="consent", title="业主同意改造 ≥ 2/3", passed=False, figures="同意 7/12 = 58.3% < 66.7%")
    with pytest.raises(InvalidCommand) as refused:
        p.approve(None, preconditions=[failing], rules=RULES)
    gaps = refused.value.details["gaps"]
    assert gaps[0] == "业主同意改造 ≥ 2/3（同意 7/12 = 58.3% < 66.7%）"
    assert any("公示期满" in g for g in gaps) and any("居民投票" in g for g in gaps)
    assert any("财政部门尚未出具意见" in g for g in gaps)
    assert then(p) == []


def test_a_rejecting_department_or_an_unanswered_objection_blocks_approval():
    raised = Project.ObjectionRaised(project_id="p1", notice_id="n1", objection_id="o1", text="反对加装围墙",
                                     raised_on=date(2025, 10, 9))
    vote = then(closed(12))
    reject = Project.ReviewOpinionRecorded(project_id="p1", department=Department.FINANCE, opinion=Opinion.REJECT,
                                           comments="资金未落实", reviewed_on=date(2025, 10, 27))
    p = project(REVISED, PUBLISHED, raised, ENDED, VOTE, *ballots(12), *vote, *REVIEWS, reject)
    with pytest.raises(InvalidCommand, match="尚有 1 条|未答复 1 条") as refused:
        p.approve(None, preconditions=[], rules=RULES)
    assert "财政部门不同意" in refused.value.message


def test_reopening_voids_notice_vote_and_reviews_but_only_once_objections_are_answered():
    raised = Project.ObjectionRaised(project_id="p1", notice_id="n1", objection_id="o1", text="方案需调整",
                                     raised_on=date(2025, 10, 9))
    p = project(REVISED, PUBLISHED, raised)
    with pytest.raises(InvalidCommand, match="请先答复"):
        p.reopen_plan("居民意见较大")
    p.answer_objection(objection_id="o1", answer="将调整方案后重新公示", today=date(2025, 10, 10))
    p.reopen_plan("居民意见较大")
    assert p.status == Status.DRAFTING and p.notice is None and p.tally is None and p.opinions == {}


def test_a_withdrawn_or_approved_project_is_closed():
    p = project(REVISED)
    p.withdraw("小区纳入征收范围")
    assert then(p)[0] == Project.Withdrawn(project_id="p1", community_id="c1", reason="小区纳入征收范围")
    with pytest.raises(InvalidCommand, match="已批准或已撤回"):
        p.revise_plan(PLAN)
