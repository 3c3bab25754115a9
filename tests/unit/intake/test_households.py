"""The household roll: one voice per household, every answer an event, residents only for their own."""

import pytest

from services.intake.domain.households import Answer, Channel, ElevatorAnswer, Evidence, Households
from shared.errors import Forbidden, InvalidCommand
from tests.unit.intake.given import building, given, survey, then

SURVEY = survey(building("1", storeys=6, per_floor=1), building("2", storeys=6, per_floor=1))


def consent(household: str, answer: Answer) -> Households.ConsentRecorded:
    return Households.ConsentRecorded(community_id="c1", household_id=household, answer=answer,
                                      channel=Channel.PAPER_FORM)


def roll(*events):
    return given(Households, "households-c1", *events) if events else Households.of("c1")


def test_every_answer_is_an_event_and_a_later_one_replaces_the_earlier():
    households = roll(consent("1-1-101", Answer.AGREE))
    households.record_consent(survey=SURVEY, household_id="1-1-101", answer=Answer.DISAGREE,
                              channel=Channel.HOME_VISIT)
    assert then(households) == [Households.ConsentRecorded(
        community_id="c1", household_id="1-1-101", answer=Answer.DISAGREE, channel=Channel.HOME_VISIT)]
    tally = households.consent_tally(SURVEY)
    assert (tally.agreed, tally.disagreed, tally.households, tally.unanswered) == (0, 1, 12, 11)


def test_one_voice_per_household_however_often_it_answers():
    households = roll(*[consent("1-1-101", Answer.AGREE)] * 5, consent("2-1-601", Answer.AGREE))
    assert households.consent_tally(SURVEY).agreed == 2


def test_a_household_not_in_the_survey_is_refused():
    with pytest.raises(InvalidCommand, match="户号 9-1-101 不在摸底调查的户册中"):
        roll().record_consent(survey=SURVEY, household_id="9-1-101", answer=Answer.AGREE, channel=Channel.ONLINE)


def test_households_dropped_by_a_later_survey_stop_counting():
    households = roll(consent("1-1-101", Answer.AGREE), consent("2-1-101", Answer.AGREE))
    smaller = survey(building("1", storeys=6, per_floor=1))
    assert households.consent_tally(smaller).agreed == 1 and households.consent_tally(smaller).households == 6


def test_a_resident_speaks_only_for_a_household_linked_to_their_account():
    linked = Households.AccountLinked(community_id="c1", household_id="1-1-101", account_id="wang",
                                      evidence=Evidence.PROPERTY_CERTIFICATE)
    households = roll(linked)
    households.ensure_may_speak(household_id="1-1-101", account_id="wang", resident=True)
    with pytest.raises(Forbidden, match="未绑定"):
        households.ensure_may_speak(household_id="1-1-102", account_id="wang", resident=True)
    households.ensure_may_speak(household_id="1-1-102", account_id="li.staff", resident=False)


def test_linking_twice_is_refused_and_unlinking_takes_the_voice_away():
    households = roll()
    households.link_account(survey=SURVEY, household_id="1-1-101", account_id="wang",
                            evidence=Evidence.PROPERTY_CERTIFICATE)
    with pytest.raises(InvalidCommand, match="已绑定"):
        households.link_account(survey=SURVEY, household_id="1-1-101", account_id="wang", evidence=Evidence.OTHER)
    households.unlink_account(household_id="1-1-101", account_id="wang")
    assert [type(e) for e in then(households)] == [Households.AccountLinked, Households.AccountUnlinked]
    with pytest.raises(Forbidden):
        households.ensure_may_speak(household_id="1-1-101", account_id="wang", resident=True)


def test_needs_use_the_item_vocabulary():
    households = roll()
    households.record_needs(survey=SURVEY, household_id="1-1-101", needs=["parking", "parking", "lighting"])
    assert then(households)[0].needs == ["lighting", "parking"]
    with pytest.raises(InvalidCommand, match="未知的改造内容"):
        households.record_needs(survey=SURVEY, household_id="1-1-101", needs=["swimming_pool"])


def test_elevator_signatures_are_counted_per_building():
    households = roll()
    for household, answer in [("1-1-101", ElevatorAnswer.SIGN), ("1-1-201", ElevatorAnswer.OBJECT),
                              ("1-1-201", ElevatorAnswer.SIGN), ("2-1-101", ElevatorAnswer.OBJECT)]:
        households.record_elevator_consent(survey=SURVEY, household_id=household, answer=answer,
                                           channel=Channel.PAPER_FORM)
    assert then(households)[0].building == "1"
    assert households.elevator_tally(SURVEY, "1") == (2, 0, 6)
    assert households.elevator_tally(SURVEY, "2") == (0, 1, 6)
