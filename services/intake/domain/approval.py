"""Approval into the project library (项目库): the conditions, and the figures the event carries."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from services.intake.domain.decision import review_gaps
from services.intake.domain.eligibility import ConsentTally, RuleResult
from services.intake.domain.plan import Funding, Parties, PlanItem
from services.intake.domain.ratio import decimal_text, ratio_text
from services.intake.domain.rules import Rules
from services.intake.domain.survey import Building, Survey
from services.intake.domain.vocabulary import AfterCare

if TYPE_CHECKING:
    from services.intake.domain.community import Community
    from services.intake.domain.project import Project


class Location(BaseModel):
    """Where the works are: for geofencing site photos later."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str
    latitude: float
    longitude: float
    geofence_radius_m: int
    boundary: list[tuple[float, float]] | None = None


class Figures(BaseModel):
    """The figures that made the approval valid (the audit proves them later)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    consent: dict[str, int | str]
    fee_collection_rate: str
    notice: dict[str, str | int]
    vote: dict[str, int | str | bool]
    reviews: list[dict[str, str]]
    eligibility: list[RuleResult]


class Approval(BaseModel):
    """The payload of intake.ProjectApproved v1 (docs/events.md), with intake's additions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project_id: str
    community_id: str
    community_name: str
    district: str
    street_office: str
    residents_committee: str
    plan_year: int
    approved_on: date
    plan_revision: int
    location: Location
    household_count: int
    floor_area_m2: float
    buildings: list[Building]
    items: list[PlanItem]
    budget_fen: int
    funding: list[Funding]
    after_care: AfterCare
    parties: Parties
    figures: Figures


def approval_checklist(project: Project, rules: Rules) -> list[RuleResult]:
    """What the project itself must show: a plan, a notice served and answered, a vote carried, a review."""
    notice, tally = project.notice, project.tally
    days = notice.window.working_days if notice else 0
    checks = [
        RuleResult(rule="plan", title="已编制改造方案", passed=project.plan is not None,
                   figures=f"第 {project.revision} 版" if project.plan else "尚未编制"),
        RuleResult(rule="notice_ended", title=f"方案公示期满（≥ {rules.notice_working_days} 个工作日）",
                   passed=bool(notice and notice.ended and days >= rules.notice_working_days),
                   figures=(f"{notice.window.start.isoformat()} 至 {notice.window.end.isoformat()}，{days} 个工作日"
                            f"{'，已期满' if notice.ended else '，公示中'}") if notice else "尚未公示"),
        RuleResult(rule="objections_answered", title="公示期间的异议均已答复",
                   passed=bool(notice) and notice.unanswered == 0,
                   figures=(f"异议 {len(notice.objections)} 条，未答复 {notice.unanswered} 条"
                            if notice else "尚未公示")),
        RuleResult(rule="vote", title=f"居民投票通过（参与 ≥ {ratio_text(rules.vote_quorum)}，赞成 ≥ "
                                      f"{ratio_text(rules.vote_pass)}）", passed=bool(tally and tally.passed),
                   figures=f"{tally.quorum_figure}；{tally.majority_figure}" if tally else "投票尚未结束"),
    ]
    gaps = review_gaps(project.opinions, rules)
    checks.append(RuleResult(rule="review", title="联合审查各部门同意", passed=not gaps,
                             figures="；".join(gaps) if gaps else f"{len(rules.review_departments)} 个部门均已同意"))
    return checks


def build_approval(*, project: Project, community: Community, consent: ConsentTally,
                   eligibility: list[RuleResult], today: date, rules: Rules) -> Approval:
    """The approval event's payload from the project and its community as they stand."""
    facts, survey, plan = community.facts, community.require_survey(), project.plan
    if plan is None or project.notice is None or project.tally is None:
        raise ValueError("build_approval needs a plan, a notice and a closed vote")
    return Approval(
        project_id=project.project_id, community_id=facts.community_id, community_name=facts.name,
        district=facts.district, street_office=facts.street_office,
        residents_committee=facts.residents_committee, plan_year=project.plan_year, approved_on=today,
        plan_revision=project.revision, location=_location(facts, survey),
        household_count=survey.household_count, floor_area_m2=facts.floor_area_m2,
        buildings=survey.buildings, items=plan.items, budget_fen=plan.budget_fen, funding=plan.funding,
        after_care=plan.after_care, parties=plan.parties,
        figures=_figures(project, survey, consent, eligibility, rules))


def _location(facts: Community.Registered, survey: Survey) -> Location:
    return Location(address=facts.address, latitude=facts.latitude, longitude=facts.longitude,
                    geofence_radius_m=facts.geofence_radius_m, boundary=survey.site_boundary)


def _figures(project: Project, survey: Survey, consent: ConsentTally, eligibility: list[RuleResult],
             rules: Rules) -> Figures:
    window, tally = project.notice.window, project.tally
    ratio = Fraction(consent.agreed, consent.households) if consent.households else Fraction(0)
    return Figures(
        consent={"agreed": consent.agreed, "households": consent.households,
                 "ratio": decimal_text(ratio), "threshold": ratio_text(rules.consent)},
        fee_collection_rate=str(survey.fee_collection_rate),
        notice={"start": window.start.isoformat(), "end": window.end.isoformat(),
                "working_days": window.working_days, "objections": len(project.notice.objections)},
        vote={"for": tally.votes_for, "against": tally.against, "abstain": tally.abstain,
              "households": tally.households, "quorum": tally.quorum, "majority": tally.majority,
              "passed": tally.passed},
        reviews=[{"department": d.value, "opinion": project.opinions[d].value}
                 for d in rules.review_departments if d in project.opinions],
        eligibility=eligibility)
