"""Eligibility: the report as it stands, and recording an assessment."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from services.intake.application.households import load
from services.intake.application.reader import Reader
from services.intake.domain.eligibility import ConsentTally, RuleResult
from services.intake.domain.rules import Rules
from shared.unit_of_work import UnitOfWork


def eligibility_now(engine: Engine, *, community_id: str, rules: Rules) -> tuple[list[RuleResult], ConsentTally]:
    """Every rule with its figures as the community stands now; nothing is recorded."""
    with engine.connect() as conn:
        community, roll = load(Reader(conn), community_id)
    consent = roll.consent_tally(community.survey)
    return community.eligibility(consent, rules), consent


def assess_eligibility(uow: UnitOfWork, *, community_id: str, rules: Rules, today: date) -> list[RuleResult]:
    """Record an assessment against every rule; a refused community sees exactly why."""
    with uow:
        community, roll = load(uow, community_id)
        community.require_survey()
        community.assess_eligibility(consent=roll.consent_tally(community.survey), rules=rules, today=today)
        uow.save(community, project_id=community_id)
        uow.commit()
    return community.assessment.rules if community.assessment else []
