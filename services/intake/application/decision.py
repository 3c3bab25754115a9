"""The residents' vote, the joint review and the approval that needs them all."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from services.intake.application.context import Intake
from services.intake.application.guard import retrying
from services.intake.application.households import load
from services.intake.application.project import load_project
from services.intake.application.reader import Reader
from services.intake.domain.approval import approval_checklist, build_approval
from services.intake.domain.decision import Choice
from services.intake.domain.eligibility import ConsentTally, RuleResult
from services.intake.domain.households import Channel
from services.intake.domain.plan import elevator_checks
from services.intake.domain.vocabulary import Department, Opinion
from shared.actor import Role
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork
from shared.text import FreeText


class CastVote(BaseModel):
    """A household's ballot on the plan."""

    model_config = ConfigDict(extra="forbid")

    choice: Choice
    channel: Channel = Channel.ONLINE


class RecordReview(BaseModel):
    """A department's opinion in the joint review."""

    model_config = ConfigDict(extra="forbid")

    opinion: Opinion
    comments: FreeText = Field(default="", max_length=2000)


def open_vote(uow: UnitOfWork, *, project_id: str, intake: Intake) -> None:
    """Open the residents' vote on the noticed plan."""
    with uow:
        project = load_project(uow, project_id)
        project.open_vote(intake.today())
        uow.save(project, project_id=project_id)
        uow.commit()


def cast_vote(command: CastVote, uow: UnitOfWork, *, project_id: str, household_id: str) -> None:
    """Record one household's ballot; a later ballot replaces its earlier one."""
    resident = uow.actor.role == Role.RESIDENT

    def run() -> None:
        with uow:
            project = load_project(uow, project_id)
            community, roll = load(uow, project.community_id)
            if community.require_survey().building_of(household_id) is None:
                raise InvalidCommand(f"户号 {household_id} 不在本小区户册中", code="household_unknown")
            roll.ensure_may_speak(household_id=household_id, account_id=uow.actor.id, resident=resident)
            project.cast_vote(household_id=household_id, choice=command.choice,
                              channel=Channel.ONLINE if resident else command.channel)
            uow.save(project, project_id=project_id)
            uow.commit()

    retrying(run)


def close_vote(uow: UnitOfWork, *, project_id: str, intake: Intake):
    """Close the vote with its tally over the surveyed households."""
    with uow:
        project = load_project(uow, project_id)
        community, _ = load(uow, project.community_id)
        tally = project.close_vote(households=community.require_survey().household_ids(),
                                   rules=intake.rules, today=intake.today())
        uow.save(project, project_id=project_id)
        uow.commit()
    return tally


def record_review(command: RecordReview, uow: UnitOfWork, *, project_id: str, department: Department,
                  intake: Intake) -> None:
    """Record a department's opinion; a later opinion of the same department replaces it."""
    with uow:
        project = load_project(uow, project_id)
        project.record_review(department=department, opinion=command.opinion, comments=command.comments,
                              rules=intake.rules, today=intake.today())
        uow.save(project, project_id=project_id)
        uow.commit()


def preconditions(community, roll, project, rules) -> tuple[list[RuleResult], list[RuleResult], ConsentTally]:
    """The community's side of approval: (every eligibility rule now, the elevator rule, consent)."""
    consent = roll.consent_tally(community.survey)
    elevator: list[RuleResult] = []
    if project.plan is not None and community.survey is not None:
        survey = community.survey
        tallies = {b.building: roll.elevator_tally(survey, b.building) for b in survey.buildings}
        elevator = elevator_checks(project.plan, tallies=tallies, rules=rules)
    return community.eligibility(consent, rules), elevator, consent


def approval_now(engine: Engine, *, project_id: str, intake: Intake) -> list[RuleResult]:
    """Every approval condition as it stands, each with its figures (nothing recorded)."""
    with engine.connect() as conn:
        reader = Reader(conn)
        project = load_project(reader, project_id)
        community, roll = load(reader, project.community_id)
    eligibility, elevator, _ = preconditions(community, roll, project, intake.rules)
    return eligibility + elevator + approval_checklist(project, intake.rules)


def approve_project(uow: UnitOfWork, *, project_id: str, intake: Intake) -> None:
    """Approve into the project library when consent, eligibility, notice, vote and review hold."""
    rules = intake.rules
    with uow:
        project = load_project(uow, project_id)
        community, roll = load(uow, project.community_id)
        eligibility, elevator, consent = preconditions(community, roll, project, rules)
        ready = all(c.passed for c in eligibility + elevator + approval_checklist(project, rules))
        approval = build_approval(project=project, community=community, consent=consent,
                                  eligibility=eligibility, today=intake.today(), rules=rules) if ready else None
        project.approve(approval, preconditions=eligibility + elevator, rules=rules)
        uow.save(project, project_id=project_id)
        uow.commit()
