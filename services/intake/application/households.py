"""Commands of the household roll: linking accounts, consent, needs, elevator signatures."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from services.intake.application.guard import retrying
from services.intake.application.reader import Reader
from services.intake.domain.community import Community
from services.intake.domain.households import Answer, Channel, ElevatorAnswer, Evidence, Households
from services.intake.domain.survey import Survey
from shared.actor import Role
from shared.unit_of_work import UnitOfWork
from shared.text import FreeText, LineText


class LinkAccount(BaseModel):
    """Let a resident's account speak for a household, after staff checked its papers."""

    model_config = ConfigDict(extra="forbid")

    account_id: LineText = Field(min_length=1, max_length=100, description="居民登录账号")
    evidence: Evidence = Field(description="核验的证明材料")


class RecordConsent(BaseModel):
    """A household's answer to whether the community should be renovated."""

    model_config = ConfigDict(extra="forbid")

    answer: Answer
    channel: Channel = Field(default=Channel.ONLINE, description="online | paper_form | home_visit")


class RecordNeeds(BaseModel):
    """What a household asks the renovation to do (入户调查)."""

    model_config = ConfigDict(extra="forbid")

    needs: list[str] = Field(max_length=60, description="改造内容代码，如 rain_sewage_separation")
    note: FreeText = Field(default="", max_length=500)


class RecordElevatorConsent(BaseModel):
    """A household's signature or objection for an elevator in its building."""

    model_config = ConfigDict(extra="forbid")

    answer: ElevatorAnswer
    channel: Channel = Channel.ONLINE


def load(uow: UnitOfWork | Reader, community_id: str) -> tuple[Community, Households]:
    """The community and its household roll (an empty roll if nobody has answered yet)."""
    community = uow.get(Community, Community.stream_for(community_id), missing=f"小区 {community_id} 不存在")
    roll = uow.find(Households, Households.stream_for(community_id)) or Households.of(community_id)
    return community, roll


def _speak(uow: UnitOfWork, community_id: str, household_id: str,
           act: Callable[[Households, Survey], None]) -> None:
    """Run one household's answer: the speaker must be allowed to speak for it."""

    def run() -> None:
        with uow:
            community, roll = load(uow, community_id)
            survey = community.require_survey()
            roll.ensure_may_speak(household_id=household_id, account_id=uow.actor.id,
                                  resident=uow.actor.role == Role.RESIDENT)
            act(roll, survey)
            uow.save(roll, project_id=community_id)
            uow.commit()

    retrying(run)


def _channel(uow: UnitOfWork, channel: Channel) -> Channel:
    # A resident's own answer can only have come online; staff say how they collected it.
    return Channel.ONLINE if uow.actor.role == Role.RESIDENT else channel


def record_consent(command: RecordConsent, uow: UnitOfWork, *, community_id: str, household_id: str) -> None:
    """Record a household's consent; a later answer replaces the earlier one."""
    _speak(uow, community_id, household_id, lambda roll, survey: roll.record_consent(
        survey=survey, household_id=household_id, answer=command.answer,
        channel=_channel(uow, command.channel)))


def record_needs(command: RecordNeeds, uow: UnitOfWork, *, community_id: str, household_id: str) -> None:
    """Record a household's needs from the household survey."""
    _speak(uow, community_id, household_id, lambda roll, survey: roll.record_needs(
        survey=survey, household_id=household_id, needs=command.needs, note=command.note))


def record_elevator_consent(command: RecordElevatorConsent, uow: UnitOfWork, *, community_id: str,
                            household_id: str) -> None:
    """Record a household's signature or objection for an elevator in its building."""
    _speak(uow, community_id, household_id, lambda roll, survey: roll.record_elevator_consent(
        survey=survey, household_id=household_id, answer=command.answer,
        channel=_channel(uow, command.channel)))


def link_account(command: LinkAccount, uow: UnitOfWork, *, community_id: str, household_id: str) -> None:
    """Link a resident account to a household."""
    with uow:
        community, roll = load(uow, community_id)
        roll.link_account(survey=community.require_survey(), household_id=household_id,
                          account_id=command.account_id, evidence=command.evidence)
        uow.save(roll, project_id=community_id)
        uow.commit()


def unlink_account(uow: UnitOfWork, *, community_id: str, household_id: str, account_id: str) -> None:
    """Unlink a resident account from a household."""
    with uow:
        _, roll = load(uow, community_id)
        roll.unlink_account(household_id=household_id, account_id=account_id)
        uow.save(roll, project_id=community_id)
        uow.commit()
