"""Subsidy tranches: due only when their condition holds, paid once for their amount by an authorised official."""

from __future__ import annotations

from datetime import date

import pytest

from services.acceptance.domain.subsidy import Subsidy, split
from shared.errors import Forbidden, InvalidCommand

RULES = [("contract", 30, "contract_signed"), ("completion", 50, "completion_accepted"),
         ("settlement", 20, "settlement")]


def planned(total=1_000_001) -> Subsidy:
    return Subsidy.planned(project_id="p1", budget_fen=2_000_000, subsidy_fen=total, rules=RULES)


def test_tranches_add_up_to_the_subsidy_in_whole_fen():
    amounts = [t.amount_fen for t in split(1_000_001, RULES)]
    assert amounts == [300_000, 500_000, 200_001] and sum(amounts) == 1_000_001


def test_a_tranche_paid_before_its_condition_is_refused_and_nothing_is_recorded():
    subsidy = planned()
    with pytest.raises(InvalidCommand) as refused:
        subsidy.pay(key="completion", amount_fen=500_000, paid_on=date(2026, 11, 5), voucher="V1", official="off",
                    authorised=[])
    assert refused.value.code == "tranche_not_due" and "竣工验收通过" in refused.value.message
    assert subsidy.collect()[1:] == []


def test_each_condition_makes_only_its_tranche_due_and_payment_follows():
    subsidy = planned()
    assert subsidy.condition_met("contract_signed", on=date(2026, 11, 2)) == ["contract"]
    assert subsidy.condition_met("contract_signed", on=date(2026, 11, 3)) == []
    assert subsidy.figures()["due_fen"] == 300_000
    with pytest.raises(InvalidCommand, match="不符"):
        subsidy.pay(key="contract", amount_fen=299_999, paid_on=date(2026, 11, 5), voucher="V1", official="off",
                    authorised=[])
    with pytest.raises(Forbidden):
        subsidy.pay(key="contract", amount_fen=300_000, paid_on=date(2026, 11, 5), voucher="V1", official="clerk",
                    authorised=["treasurer"])
    subsidy.pay(key="contract", amount_fen=300_000, paid_on=date(2026, 11, 5), voucher="V1", official="treasurer",
                authorised=["treasurer"])
    with pytest.raises(InvalidCommand, match="已拨付"):
        subsidy.pay(key="contract", amount_fen=300_000, paid_on=date(2026, 11, 6), voucher="V2", official="treasurer",
                    authorised=[])
    assert subsidy.figures() == {"budget_fen": 2_000_000, "subsidy_fen": 1_000_001, "due_fen": 300_000,
                                 "paid_fen": 300_000, "outstanding_fen": 0}


def test_settlement_only_after_the_completion_acceptance():
    subsidy = planned()
    with pytest.raises(InvalidCommand, match="竣工验收通过后"):
        subsidy.settle(settled_fen=900_000, on=date(2027, 1, 5), accepted=False)
    subsidy.condition_met("completion_accepted", on=date(2026, 12, 20))
    subsidy.settle(settled_fen=900_000, on=date(2027, 1, 5), accepted=True)
    assert set(subsidy.due) == {"completion", "settlement"} and subsidy.figures()["outstanding_fen"] == 700_001
