"""The residents' evaluation: one voice per household, decided at and around its pass level and participation."""

from __future__ import annotations

from datetime import date

import pytest

from services.acceptance.domain.evaluation import Evaluation, evaluation_gaps
from shared.errors import InvalidCommand

HOUSEHOLDS = [f"1-1-{n:03d}" for n in range(1, 21)]  # 20 households


def opened(pass_level="4/5", min_participation="2/3") -> Evaluation:
    return Evaluation.open(project_id="p1", households=HOUSEHOLDS, satisfied_score=4, pass_level=pass_level,
                           min_participation=min_participation, today=date(2026, 12, 1))


def voices(evaluation: Evaluation, satisfied: int, unsatisfied: int) -> Evaluation:
    for n, household in enumerate(HOUSEHOLDS[: satisfied + unsatisfied]):
        evaluation.record(household_id=household, score=5 if n < satisfied else 2, comments="", channel="paper_form")
    return evaluation


@pytest.mark.parametrize(("satisfied", "unsatisfied", "passed", "figure"), [
    (12, 3, True, "满意 12/15 = 80.0% ≥ 80.0%"),     # exactly at the pass level
    (11, 4, False, "满意 11/15 = 73.3% < 80.0%"),     # one voice below
    (13, 2, True, "满意 13/15 = 86.7% ≥ 80.0%"),     # one voice above
])
def test_satisfaction_is_decided_at_and_around_the_pass_level(satisfied, unsatisfied, passed, figure):
    tally = voices(opened(), satisfied, unsatisfied).close(today=date(2026, 12, 8))
    assert tally["passed"] is passed and tally["satisfaction_figure"] == figure


@pytest.mark.parametrize(("count", "passed", "figure"), [
    (14, True, "参与 14/20 = 70.0% ≥ 66.7%"),
    (13, False, "参与 13/20 = 65.0% < 66.7%"),
])
def test_participation_below_the_minimum_fails_even_when_everyone_is_satisfied(count, passed, figure):
    tally = voices(opened(), count, 0).close(today=date(2026, 12, 8))
    assert tally["passed"] is passed and tally["participation_figure"] == figure


def test_a_configured_level_is_an_exact_fraction():
    tally = voices(opened(pass_level="2/3", min_participation="1/2"), 8, 4).tally()
    assert tally["passed"] and tally["satisfaction"] == "2/3"


def test_a_second_voice_of_a_household_and_an_unknown_household_are_refused():
    evaluation = voices(opened(), 1, 0)
    with pytest.raises(InvalidCommand) as twice:
        evaluation.record(household_id=HOUSEHOLDS[0], score=1, comments="", channel="online")
    assert twice.value.code == "household_voted" and "一户一票" in twice.value.message
    with pytest.raises(InvalidCommand, match="不在本小区的住户名册"):
        evaluation.record(household_id="9-9-999", score=5, comments="", channel="online")
    assert len(evaluation.voices) == 1 and evaluation.voices[HOUSEHOLDS[0]].score == 5


def test_a_failed_evaluation_blocks_the_final_acceptance_and_a_new_round_starts_empty():
    evaluation = voices(opened(), 5, 10)
    evaluation.close(today=date(2026, 12, 8))
    assert "民意验收未通过" in evaluation_gaps(evaluation)[0]["text"]
    evaluation.reopen(today=date(2026, 12, 20))
    assert evaluation.opened.round == 2 and not evaluation.voices and evaluation.closed is None
    assert evaluation_gaps(evaluation)[0]["text"] == "民意验收尚未完成"


def test_no_household_register_no_evaluation():
    with pytest.raises(InvalidCommand, match="住户名册"):
        Evaluation.open(project_id="p1", households=[], satisfied_score=4, pass_level="4/5",
                        min_participation="2/3", today=date(2026, 12, 1))
