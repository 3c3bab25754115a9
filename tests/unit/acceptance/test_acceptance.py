"""The acceptance aggregate: verdicts bound to the dossier root, stale after a change, every party required."""

from __future__ import annotations

from datetime import date

import pytest

from services.acceptance.domain.acceptance import Acceptance
from services.acceptance.domain.checklist import checklist_for
from services.acceptance.domain.party import Representative, required_parties
from shared.errors import RecordedRefusal
from shared.errors import Forbidden, InvalidCommand

ROOT_A, ROOT_B = "a" * 64, "b" * 64
ROLL = [Representative(party=p, organisation=p, accounts=(f"u-{p}",)) for p in required_parties(["水务"])]
ROLES = {"street_office": "street_office", "residents_committee": "community", "owners_committee": "owners_committee",
         "designer": "designer", "contractor": "contractor", "supervision": "supervision_engineer",
         "pipeline:水务": "pipeline_unit"}


def convened() -> Acceptance:
    acceptance = Acceptance.start("p1")
    acceptance.convene(gaps=[], roll=ROLL, required=required_parties(["水务"]), checks=checklist_for([]),
                       today=date(2026, 12, 1))
    return acceptance


def sign_all(acceptance: Acceptance, root: str) -> None:
    for rep in ROLL:
        acceptance.sign(party=rep.party, account=rep.accounts[0], role=ROLES[rep.party], verdict="pass", comments="",
                        seen_root=root, current_root=root, size=10)


def test_a_request_with_gaps_records_the_refusal_with_every_gap():
    acceptance = Acceptance.start("p1")
    gaps = [{"kind": "completion", "id": "p1", "text": "施工单位尚未申报完工"}]
    with pytest.raises(RecordedRefusal, match="施工单位尚未申报完工"):
        acceptance.convene(gaps=gaps, roll=ROLL, required=[], checks=(), today=date(2026, 12, 1))
    [refused] = acceptance.collect()
    assert isinstance(refused, Acceptance.Refused) and refused.missing == tuple(gaps)


def test_a_verdict_given_on_an_older_dossier_is_stale_and_blocks_the_final_acceptance():
    acceptance = convened()
    sign_all(acceptance, ROOT_A)
    assert {acceptance.party_state(r.party, ROOT_A) for r in ROLL} == {"pass"}
    assert {acceptance.party_state(r.party, ROOT_B) for r in ROLL} == {"stale"}
    gaps = [g for g in acceptance.final_gaps(ROOT_B) if g["kind"] == "party"]
    assert len(gaps) == len(ROLL) and "须重新签署" in gaps[0]["text"]


def test_the_root_a_party_saw_must_be_the_current_one():
    acceptance = convened()
    with pytest.raises(InvalidCommand) as refused:
        acceptance.sign(party="designer", account="u-designer", role="designer", verdict="pass", comments="",
                        seen_root=ROOT_A, current_root=ROOT_B, size=3)
    assert refused.value.code == "dossier_changed"
    assert acceptance.verdicts == {}


def test_only_a_named_representative_of_the_party_signs_for_it():
    acceptance = convened()
    with pytest.raises(Forbidden):
        acceptance.sign(party="designer", account="u-contractor", role="contractor", verdict="pass", comments="",
                        seen_root=ROOT_A, current_root=ROOT_A, size=3)
    with pytest.raises(Forbidden):
        acceptance.sign(party="designer", account="someone-else", role="designer", verdict="pass", comments="",
                        seen_root=ROOT_A, current_root=ROOT_A, size=3)


def test_a_missing_party_keeps_the_acceptance_open():
    acceptance = convened()
    for rep in ROLL[1:]:
        acceptance.sign(party=rep.party, account=rep.accounts[0], role=ROLES[rep.party], verdict="pass", comments="",
                        seen_root=ROOT_A, current_root=ROOT_A, size=3)
    gaps = acceptance.final_gaps(ROOT_A)
    assert [g["id"] for g in gaps if g["kind"] == "party"] == ["street_office"]
    with pytest.raises(RecordedRefusal, match="街道办事处（street_office）尚未签署"):
        acceptance.accept_final(gaps=[], current_root=ROOT_A, size=3, evaluation={}, today=date(2026, 12, 9),
                                filing_days=15)
    assert acceptance.accepted is None


def test_a_failing_verdict_needs_comments_and_raises_a_rectification_item():
    acceptance = convened()
    with pytest.raises(InvalidCommand, match="须写明意见"):
        acceptance.sign(party="owners_committee", account="u-owners_committee", role="owners_committee",
                        verdict="fail", comments="", seen_root=ROOT_A, current_root=ROOT_A, size=3)
    acceptance.sign(party="owners_committee", account="u-owners_committee", role="owners_committee", verdict="fail",
                    comments="楼道扶手松动", seen_root=ROOT_A, current_root=ROOT_A, size=3)
    assert [i["text"] for i in acceptance.items.values()] == ["业主委员会（业主代表）：楼道扶手松动"]


def test_the_filing_clock_runs_fifteen_days_and_notes_a_late_filing_once():
    acceptance = convened()
    for check in acceptance.convened.checks:
        acceptance.record_check(check_id=check.check_id, result="pass", note="", evidence=(), min_photos=0)
    sign_all(acceptance, ROOT_A)
    acceptance.accept_final(gaps=[], current_root=ROOT_A, size=3, evaluation={"passed": True}, today=date(2026, 12, 9),
                            filing_days=15)
    assert acceptance.accepted.filing_due_on == date(2026, 12, 24)
    assert not acceptance.note_late(date(2026, 12, 24))
    assert acceptance.note_late(date(2026, 12, 25)) and not acceptance.note_late(date(2026, 12, 26))
    acceptance.record_filing(filed_on=date(2026, 12, 28), filing_no="BA-1", authority="和平区住建局")
    assert acceptance.filed.late
