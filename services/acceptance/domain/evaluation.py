"""The residents' evaluation (民意验收, `003` 二(一)4 and 四(三)3): one voice per household.

Households are those intake registered ("<building>-<unit>-<room>"). A voice is a score of
1–5 and comments, given online by the household's linked account or on a paper form entered
by staff. It passes when the satisfied share (score ≥ the satisfied score) reaches the pass
level and the participation reaches the minimum; both are exact fractions, never floats.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Literal

from pydantic import Field

from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent

Channel = Literal["online", "paper_form"]


def percent(share: Fraction) -> str:
    """A share as a zh-CN percentage with one decimal, rounded half up."""
    tenths = (share * 1000 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}%"


class Evaluation(Aggregate):
    """The residents' evaluation of one project's result."""

    stream_prefix = "evaluation"

    class Opened(DomainEvent):
        event_type = "acceptance.EvaluationOpened"
        project_id: str
        households: tuple[str, ...]
        satisfied_score: int
        pass_level: str
        min_participation: str
        opened_on: date
        round: int = 1

    class VoiceRecorded(DomainEvent):
        event_type = "acceptance.ResidentVoiceRecorded"
        project_id: str
        household_id: str
        score: int = Field(ge=1, le=5)
        comments: str = ""
        channel: Channel

    class Closed(DomainEvent):
        event_type = "acceptance.EvaluationClosed"
        project_id: str
        closed_on: date
        tally: dict
        passed: bool

    opened: Opened | None = None
    closed: Closed | None = None
    voices: dict[str, VoiceRecorded]

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.voices = {}

    @classmethod
    def open(cls, *, project_id: str, households: list[str], satisfied_score: int, pass_level: str,
             min_participation: str, today: date) -> "Evaluation":
        """Open the evaluation over the households intake knows."""
        if not households:
            raise InvalidCommand("项目受理未提供本小区的住户名册，无法组织一户一票的民意验收", code="no_households")
        evaluation = cls(cls.stream_for(project_id))
        evaluation._record(cls.Opened(project_id=project_id, households=tuple(households),
                                      satisfied_score=satisfied_score, pass_level=pass_level,
                                      min_participation=min_participation, opened_on=today))
        return evaluation

    def reopen(self, *, today: date) -> None:
        """A new round after a failed evaluation and its rectification: every household may speak again."""
        if self.closed is None or self.closed.passed:
            raise InvalidCommand("只有未通过的民意验收才能重新组织", code="evaluation_not_failed")
        self._record(self.opened.model_copy(update={"opened_on": today, "round": self.opened.round + 1}))

    def record(self, *, household_id: str, score: int, comments: str, channel: Channel) -> None:
        """One household's voice; a second voice of the same household is refused."""
        if self.closed is not None:
            raise InvalidCommand("民意验收已结束，不能再评价", code="evaluation_closed")
        if household_id not in self.opened.households:
            raise InvalidCommand(f"住户“{household_id}”不在本小区的住户名册中", code="household_unknown")
        if household_id in self.voices:
            raise InvalidCommand(f"住户“{household_id}”已经评价过（一户一票），不能重复评价", code="household_voted",
                                 details={"household_id": household_id})
        if not 1 <= score <= 5:
            raise InvalidCommand("满意度评分须为 1 到 5 分", code="score_range")
        self._record(self.VoiceRecorded(project_id=self.opened.project_id, household_id=household_id, score=score,
                                        comments=comments.strip(), channel=channel))

    def tally(self) -> dict:
        """The figures the evaluation is decided on, with zh-CN sentences a resident can check."""
        opened = self.opened
        households, voices = len(opened.households), len(self.voices)
        satisfied = sum(1 for v in self.voices.values() if v.score >= opened.satisfied_score)
        level, minimum = Fraction(opened.pass_level), Fraction(opened.min_participation)
        participation = Fraction(voices, households)
        satisfaction = Fraction(satisfied, voices) if voices else Fraction(0)
        turnout_ok, satisfied_ok = participation >= minimum, voices > 0 and satisfaction >= level
        return {
            "households": households, "voices": voices, "satisfied": satisfied,
            "participation": f"{participation.numerator}/{participation.denominator}",
            "satisfaction": f"{satisfaction.numerator}/{satisfaction.denominator}",
            "participation_figure": f"参与 {voices}/{households} = {percent(participation)} "
                                    f"{'≥' if turnout_ok else '<'} {percent(minimum)}",
            "satisfaction_figure": f"满意 {satisfied}/{voices} = {percent(satisfaction)} "
                                   f"{'≥' if satisfied_ok else '<'} {percent(level)}",
            "average_score": str(round(Fraction(sum(v.score for v in self.voices.values()), voices or 1), 2)
                                 if voices else "0"),
            "passed": turnout_ok and satisfied_ok,
        }

    def close(self, *, today: date) -> dict:
        """End the evaluation and record its figures."""
        if self.closed is not None:
            raise InvalidCommand("民意验收已经结束", code="evaluation_closed")
        tally = self.tally()
        self._record(self.Closed(project_id=self.opened.project_id, closed_on=today, tally=tally,
                                 passed=tally["passed"]))
        return tally

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Evaluation.Opened():
                self.opened, self.closed, self.voices = event, None, {}
            case Evaluation.VoiceRecorded():
                self.voices[event.household_id] = event
            case Evaluation.Closed():
                self.closed = event


def evaluation_gaps(evaluation: Evaluation | None) -> list[dict]:
    """What the final acceptance still needs from the residents."""
    if evaluation is None or evaluation.closed is None:
        return [{"kind": "evaluation", "id": "evaluation", "text": "民意验收尚未完成"}]
    if not evaluation.closed.passed:
        tally = evaluation.closed.tally
        return [{"kind": "evaluation", "id": "evaluation",
                 "text": f"民意验收未通过（{tally['participation_figure']}；{tally['satisfaction_figure']}）"}]
    return []
