"""The household roll (入户调查): who speaks for each household, consent, needs, elevator signatures.

One voice per household: a later answer of the same household replaces its earlier one,
and every answer is an event. Only households of the current survey count.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from services.intake.domain.eligibility import ConsentTally
from shared.aggregate import Aggregate
from services.intake.domain.survey import Survey
from services.intake.domain.vocabulary import ITEM_KINDS
from shared.errors import Forbidden, InvalidCommand
from shared.event import DomainEvent


class Answer(StrEnum):
    """A household's answer to "renovate or not" (改不改)."""

    AGREE = "agree"
    DISAGREE = "disagree"


class ElevatorAnswer(StrEnum):
    """A household's stand on an elevator for its building (`001`: signature or objection)."""

    SIGN = "sign"
    OBJECT = "object"
    NEUTRAL = "neutral"


class Channel(StrEnum):
    """How an answer reached the system: the resident online, or staff with a paper form or visit."""

    ONLINE = "online"
    PAPER_FORM = "paper_form"
    HOME_VISIT = "home_visit"


class Evidence(StrEnum):
    """What staff checked before linking an account to a household."""

    PROPERTY_CERTIFICATE = "property_certificate"  # 不动产权证书 / 房产证
    PURCHASE_CONTRACT = "purchase_contract"        # 房改售房合同
    PUBLIC_HOUSING_LEASE = "public_housing_lease"  # 公房租赁合同
    OTHER = "other"


class Households(Aggregate):
    """The households of one community and what each of them said."""

    stream_prefix = "households"

    class AccountLinked(DomainEvent):
        """Staff checked a resident's papers and let their account speak for a household."""
        event_type = "intake.HouseholdAccountLinked"

        community_id: str
        household_id: str
        account_id: str
        evidence: Evidence

    class AccountUnlinked(DomainEvent):
        """An account no longer speaks for a household."""
        event_type = "intake.HouseholdAccountUnlinked"

        community_id: str
        household_id: str
        account_id: str

    class ConsentRecorded(DomainEvent):
        """A household answered whether to renovate; it replaces its earlier answer."""
        event_type = "intake.ConsentRecorded"

        community_id: str
        household_id: str
        answer: Answer
        channel: Channel

    class NeedsRecorded(DomainEvent):
        """A household said which works it asks for (入户调查)."""
        event_type = "intake.HouseholdNeedsRecorded"

        community_id: str
        household_id: str
        needs: list[str]
        note: str = Field(default="", max_length=500)

    class ElevatorConsentRecorded(DomainEvent):
        """A household signed, objected to, or stood back from an elevator for its building."""
        event_type = "intake.ElevatorConsentRecorded"

        community_id: str
        household_id: str
        building: str
        answer: ElevatorAnswer
        channel: Channel

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.community_id = ""
        self.accounts: dict[str, set[str]] = {}
        self.consent: dict[str, Answer] = {}
        self.needs: dict[str, list[str]] = {}
        self.elevator: dict[str, ElevatorAnswer] = {}

    @classmethod
    def of(cls, community_id: str) -> Households:
        """An empty roll for a community (its stream starts with the first answer)."""
        roll = cls(cls.stream_for(community_id))
        roll.community_id = community_id
        return roll

    def link_account(self, *, survey: Survey, household_id: str, account_id: str, evidence: Evidence) -> None:
        """Let an account speak for a household, once staff have seen its papers."""
        _known(survey, household_id)
        if account_id in self.accounts.get(household_id, set()):
            raise InvalidCommand(f"账号 {account_id} 已绑定 {household_id} 户", code="account_already_linked")
        self._record(self.AccountLinked(community_id=self.community_id, household_id=household_id,
                                        account_id=account_id, evidence=evidence))

    def unlink_account(self, *, household_id: str, account_id: str) -> None:
        """Stop an account speaking for a household."""
        if account_id not in self.accounts.get(household_id, set()):
            raise InvalidCommand(f"账号 {account_id} 未绑定 {household_id} 户", code="account_not_linked")
        self._record(self.AccountUnlinked(community_id=self.community_id, household_id=household_id,
                                          account_id=account_id))

    def ensure_may_speak(self, *, household_id: str, account_id: str, resident: bool) -> None:
        """A resident speaks only for a household their account is linked to; staff for any."""
        if resident and account_id not in self.accounts.get(household_id, set()):
            raise Forbidden(f"账号 {account_id} 未绑定 {household_id} 户：请携带房产证明到社区居委会办理绑定",
                            code="household_not_linked")

    def record_consent(self, *, survey: Survey, household_id: str, answer: Answer, channel: Channel) -> None:
        """Record a household's answer; it replaces any earlier answer of the same household."""
        _known(survey, household_id)
        self._record(self.ConsentRecorded(community_id=self.community_id, household_id=household_id,
                                          answer=answer, channel=channel))

    def record_needs(self, *, survey: Survey, household_id: str, needs: list[str], note: str = "") -> None:
        """Record which works a household asks for (入户调查); replaces its earlier list."""
        _known(survey, household_id)
        unknown = sorted(set(needs) - set(ITEM_KINDS))
        if unknown:
            raise InvalidCommand(f"未知的改造内容：{'、'.join(unknown)}", code="unknown_item_kind")
        self._record(self.NeedsRecorded(community_id=self.community_id, household_id=household_id,
                                        needs=sorted(set(needs)), note=note))

    def record_elevator_consent(self, *, survey: Survey, household_id: str, answer: ElevatorAnswer,
                                channel: Channel) -> None:
        """Record a household's signature or objection to an elevator for its own building."""
        building = _known(survey, household_id)
        self._record(self.ElevatorConsentRecorded(
            community_id=self.community_id, household_id=household_id, building=building,
            answer=answer, channel=channel))

    def consent_tally(self, survey: Survey | None) -> ConsentTally:
        """Consent counted over the households of the current survey."""
        register = set(survey.household_ids()) if survey else set()
        answers = [a for h, a in self.consent.items() if h in register]
        return ConsentTally(agreed=answers.count(Answer.AGREE), disagreed=answers.count(Answer.DISAGREE),
                            households=len(register))

    def elevator_tally(self, survey: Survey, building: str) -> tuple[int, int, int]:
        """(signed, objecting, households) of one building."""
        found = next((b for b in survey.buildings if b.building == building), None)
        ids = found.household_ids() if found else []
        answers = [self.elevator.get(h) for h in ids]
        return answers.count(ElevatorAnswer.SIGN), answers.count(ElevatorAnswer.OBJECT), len(ids)

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        self.community_id = getattr(event, "community_id", self.community_id)
        match event:
            case Households.AccountLinked(household_id=h, account_id=a):
                self.accounts.setdefault(h, set()).add(a)
            case Households.AccountUnlinked(household_id=h, account_id=a):
                self.accounts.get(h, set()).discard(a)
            case Households.ConsentRecorded(household_id=h, answer=answer):
                self.consent[h] = answer
            case Households.NeedsRecorded(household_id=h, needs=needs):
                self.needs[h] = needs
            case Households.ElevatorConsentRecorded(household_id=h, answer=answer):
                self.elevator[h] = answer


def _known(survey: Survey, household_id: str) -> str:
    """The building of a surveyed household; refuses a household the survey does not list."""
    building = survey.building_of(household_id)
    if building is None:
        raise InvalidCommand(f"户号 {household_id} 不在摸底调查的户册中（格式：楼号-单元号-户号，如 3-2-501）",
                             code="household_unknown", details={"household_id": household_id})
    return building.building
