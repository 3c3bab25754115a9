"""Residents' vote on the plan (`003` 四(一)2) and the joint review (`002` 三(四)): tallies and checks."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from services.intake.domain.ratio import ratio_text, share_figure
from services.intake.domain.rules import Rules
from services.intake.domain.vocabulary import DEPARTMENT_LABELS, Department, Opinion


class Choice(StrEnum):
    """A household's ballot."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class VoteTally(BaseModel):
    """A closed vote: counts over the surveyed households, and whether the plan was carried.

    Quorum and majority follow 民法典 art. 278 by default (2/3 take part, 3/4 of them agree);
    both are settings.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    votes_for: int
    against: int
    abstain: int
    households: int
    quorum: str
    majority: str
    quorum_figure: str
    majority_figure: str
    passed: bool

    @property
    def voted(self) -> int:
        """Households that cast a ballot."""
        return self.votes_for + self.against + self.abstain


def count_ballots(ballots: dict[str, Choice], households: list[str], rules: Rules) -> VoteTally:
    """Close the count: only ballots of surveyed households count, one per household."""
    register = set(households)
    counted = [c for h, c in ballots.items() if h in register]
    votes_for, against, abstain = (counted.count(c) for c in (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN))
    voted = len(counted)
    quorum_ok, quorum_figure = share_figure(voted, len(register), rules.vote_quorum)
    majority_ok, majority_figure = share_figure(votes_for, voted, rules.vote_pass)
    return VoteTally(votes_for=votes_for, against=against, abstain=abstain, households=len(register),
                     quorum=ratio_text(rules.vote_quorum), majority=ratio_text(rules.vote_pass),
                     quorum_figure=f"参与 {quorum_figure}", majority_figure=f"赞成 {majority_figure}",
                     passed=quorum_ok and majority_ok)


def review_gaps(opinions: dict[Department, Opinion], rules: Rules) -> list[str]:
    """What keeps the joint review from holding: departments missing or against."""
    gaps = []
    for department in rules.review_departments:
        opinion = opinions.get(department)
        if opinion is None:
            gaps.append(f"{DEPARTMENT_LABELS[department]}尚未出具意见")
        elif opinion == Opinion.REJECT:
            gaps.append(f"{DEPARTMENT_LABELS[department]}不同意")
    return gaps


def share(part: int, whole: int) -> Fraction:
    """part/whole, 0 when there is no whole."""
    return Fraction(part, whole) if whole else Fraction(0)
