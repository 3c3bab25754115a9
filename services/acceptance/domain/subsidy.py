"""The government subsidy paid in tranches (`003` 七(二): 30 % at the contract, 50 % at completion,
20 % at settlement). A tranche becomes due only when its condition holds, is paid once, by an
authorised official, for exactly its amount. All money is integer fen.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.aggregate import Aggregate
from shared.errors import Forbidden, InvalidCommand, NotFound
from shared.event import DomainEvent

CONDITION_ZH = {"contract_signed": "签订施工合同", "completion_accepted": "竣工验收通过", "settlement": "完成工程结算"}


class Tranche(BaseModel):
    """One tranche of the plan."""

    model_config = ConfigDict(frozen=True)

    key: str
    percent: int
    amount_fen: int = Field(ge=0)
    condition: str


def split(total_fen: int, rules: list[tuple[str, int, str]]) -> tuple[Tranche, ...]:
    """Tranches of `total_fen` by percent, rounded down; the last takes the remainder so they add up."""
    tranches, given = [], 0
    for index, (key, pct, condition) in enumerate(rules):
        amount = total_fen - given if index == len(rules) - 1 else total_fen * pct // 100
        given += amount
        tranches.append(Tranche(key=key, percent=pct, amount_fen=amount, condition=condition))
    return tuple(tranches)


class Subsidy(Aggregate):
    """The subsidy of one project and its tranches."""

    stream_prefix = "subsidy"

    class Planned(DomainEvent):
        event_type = "acceptance.SubsidyPlanned"
        project_id: str
        budget_fen: int
        subsidy_fen: int
        tranches: tuple[Tranche, ...]

    class TrancheDue(DomainEvent):
        event_type = "acceptance.TrancheDue"
        project_id: str
        key: str
        amount_fen: int
        condition: str
        due_on: date

    class TranchePaid(DomainEvent):
        event_type = "acceptance.TranchePaid"
        project_id: str
        key: str
        amount_fen: int
        paid_on: date
        voucher: str
        paid_by: str

    class Settled(DomainEvent):
        event_type = "acceptance.SettlementRecorded"
        project_id: str
        settled_fen: int
        settled_on: date

    plan: Planned | None = None
    settled: Settled | None = None
    due: dict[str, TrancheDue]
    paid: dict[str, TranchePaid]

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.due, self.paid = {}, {}

    @classmethod
    def planned(cls, *, project_id: str, budget_fen: int, subsidy_fen: int,
                rules: list[tuple[str, int, str]]) -> "Subsidy":
        """The tranche plan of an approved project."""
        subsidy = cls(cls.stream_for(project_id))
        subsidy._record(cls.Planned(project_id=project_id, budget_fen=budget_fen, subsidy_fen=subsidy_fen,
                                    tranches=split(subsidy_fen, rules)))
        return subsidy

    def condition_met(self, condition: str, *, on: date) -> list[str]:
        """Make every tranche with this condition due (once); the keys that became due."""
        became = []
        for tranche in self.plan.tranches:
            if tranche.condition == condition and tranche.key not in self.due:
                self._record(self.TrancheDue(project_id=self.plan.project_id, key=tranche.key,
                                             amount_fen=tranche.amount_fen, condition=condition, due_on=on))
                became.append(tranche.key)
        return became

    def settle(self, *, settled_fen: int, on: date, accepted: bool) -> None:
        """Record the final accounts (竣工财务决算); only after the completion acceptance."""
        if not accepted:
            raise InvalidCommand("竣工验收通过后才能登记工程结算", code="not_accepted")
        if self.settled is not None:
            raise InvalidCommand("工程结算已登记", code="already_settled")
        if settled_fen <= 0:
            raise InvalidCommand("结算金额必须大于 0", code="settlement_amount")
        self._record(self.Settled(project_id=self.plan.project_id, settled_fen=settled_fen, settled_on=on))
        self.condition_met("settlement", on=on)

    def pay(self, *, key: str, amount_fen: int, paid_on: date, voucher: str, official: str,
            authorised: list[str]) -> None:
        """Record a payment of a due tranche, for exactly its amount, by an authorised official."""
        tranche = next((t for t in self.plan.tranches if t.key == key), None)
        if tranche is None:
            raise NotFound(f"没有补助分期“{key}”")
        if authorised and official not in authorised:
            raise Forbidden(f"账号“{official}”未被授权登记补助拨付", code="payment_not_authorised")
        if key not in self.due:
            condition = CONDITION_ZH.get(tranche.condition, tranche.condition)
            raise InvalidCommand(f"第“{key}”期补助的拨付条件（{condition}）尚未满足，不能拨付", code="tranche_not_due",
                                 details={"condition": tranche.condition})
        if key in self.paid:
            raise InvalidCommand(f"第“{key}”期补助已拨付", code="tranche_paid")
        if amount_fen != tranche.amount_fen:
            raise InvalidCommand(f"拨付金额 {amount_fen} 分与该期应拨 {tranche.amount_fen} 分不符",
                                 code="tranche_amount")
        if paid_on < self.due[key].due_on:
            raise InvalidCommand("拨付日期不能早于该期补助到期日", code="paid_before_due")
        self._record(self.TranchePaid(project_id=self.plan.project_id, key=key, amount_fen=amount_fen,
                                      paid_on=paid_on, voucher=voucher, paid_by=official))

    def figures(self) -> dict:
        """Budget, subsidy, due, paid and outstanding, in fen."""
        due = sum(t.amount_fen for t in self.due.values())
        paid = sum(t.amount_fen for t in self.paid.values())
        return {"budget_fen": self.plan.budget_fen, "subsidy_fen": self.plan.subsidy_fen, "due_fen": due,
                "paid_fen": paid, "outstanding_fen": due - paid}

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Subsidy.Planned():
                self.plan = event
            case Subsidy.TrancheDue():
                self.due[event.key] = event
            case Subsidy.TranchePaid():
                self.paid[event.key] = event
            case Subsidy.Settled():
                self.settled = event
