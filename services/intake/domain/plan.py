"""The renovation plan (改造方案, `002` 三(三)): classified items, budget, funding, after-care, parties."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.intake.domain.eligibility import RuleResult
from services.intake.domain.ratio import ratio_text, share_figure
from services.intake.domain.rules import Rules
from services.intake.domain.survey import Survey
from services.intake.domain.vocabulary import (
    CATEGORY_LABELS,
    ELEVATOR,
    ITEM_KINDS,
    AfterCare,
    Category,
    FundingSource,
    category_of,
)

MAX_FEN = 10**13  # 1000 亿元: beyond any single community's budget, well inside a 64-bit integer


class PlanItem(BaseModel):
    """One line of the project item list; its category follows from its kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str = Field(pattern=r"^[0-9A-Za-z_-]{1,40}$")
    kind: str
    name: str = Field(min_length=1, max_length=100)
    category: Category
    quantity: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=10)
    budget_fen: int = Field(gt=0, le=MAX_FEN)
    building: str | None = Field(default=None, max_length=12)
    appraisal_grade: str | None = Field(default=None, pattern=r"^[ABCD]$")
    appraisal_report: str | None = Field(default=None, max_length=60)

    @model_validator(mode="before")
    @classmethod
    def _classify(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        kind = data.get("kind")
        if kind not in ITEM_KINDS:
            raise ValueError(f"未知的改造内容“{kind}”：请使用基础类、完善类、提升类的规范名称")
        given, actual = data.get("category"), category_of(kind)
        if given not in (None, "", actual):
            raise ValueError(f"“{ITEM_KINDS[kind][1]}”属于{CATEGORY_LABELS[actual]}，不是{given}")
        data = {**data, "category": actual}
        data.setdefault("name", ITEM_KINDS[kind][1])
        data.setdefault("unit", ITEM_KINDS[kind][2])
        return data

    @model_validator(mode="after")
    def _elevator_needs_building(self) -> PlanItem:
        if self.kind == ELEVATOR and not (self.building and self.appraisal_grade and self.appraisal_report):
            raise ValueError("加装电梯须写明楼号、房屋安全鉴定等级和鉴定报告编号")
        return self


class Funding(BaseModel):
    """How much one source pays, in fen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: FundingSource
    amount_fen: int = Field(ge=0, le=MAX_FEN)


class Parties(BaseModel):
    """Who is responsible (DOMAIN.md "Parties"); the owners' committee or owner representatives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    construction_unit: str = Field(min_length=2, max_length=100, description="建设单位")
    street_office: str = Field(min_length=2, max_length=100, description="街道办事处")
    residents_committee: str = Field(min_length=2, max_length=100, description="社区居委会")
    owners_committee: str = Field(min_length=2, max_length=100, description="业主委员会或业主代表")
    designer: str = Field(min_length=2, max_length=100, description="设计单位")


class Plan(BaseModel):
    """The plan as drawn up with residents: whole, so every revision is a complete document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    summary: str = Field(min_length=2, max_length=2000, description="改造方案说明（规划设计、总体任务）")
    items: list[PlanItem] = Field(min_length=1, max_length=200)
    funding: list[Funding]
    after_care: AfterCare
    parties: Parties

    @model_validator(mode="after")
    def _adds_up(self) -> Plan:
        if len({i.item_id for i in self.items}) != len(self.items):
            raise ValueError("改造项目编号重复")
        sources = [f.source for f in self.funding]
        if len(set(sources)) != len(sources):
            raise ValueError("同一资金来源只能填写一次")
        funded = sum(f.amount_fen for f in self.funding)
        if funded != self.budget_fen:
            raise ValueError(f"资金来源合计 {yuan(funded)} 元，与项目预算 {yuan(self.budget_fen)} 元不一致"
                             f"（相差 {yuan(abs(funded - self.budget_fen))} 元）")
        # All four sources are listed, in a fixed order, so readers never miss a zero.
        amounts = {f.source: f.amount_fen for f in self.funding}
        object.__setattr__(self, "funding", [Funding(source=s, amount_fen=amounts.get(s, 0))
                                             for s in FundingSource])
        return self

    @property
    def budget_fen(self) -> int:
        """The budget: the sum of the items' budgets."""
        return sum(item.budget_fen for item in self.items)

    def budget_by_category(self) -> dict[Category, int]:
        """Budget per category, in fen."""
        totals = dict.fromkeys(Category, 0)
        for item in self.items:
            totals[item.category] += item.budget_fen
        return totals

    def check_buildings(self, survey: Survey) -> None:
        """Refuse items on buildings the survey does not list."""
        known = {b.building for b in survey.buildings}
        unknown = sorted({i.building for i in self.items if i.building and i.building not in known})
        if unknown:
            raise ValueError(f"楼号不在摸底调查中：{'、'.join(unknown)}")


def elevator_checks(plan: Plan, *, tallies: dict[str, tuple[int, int, int]], rules: Rules) -> list[RuleResult]:
    """The elevator rule of `001` for each elevator item: signatures, no objection, appraisal grade.

    `tallies` gives (signed, objecting, households) per building.
    """
    results = []
    for item in (i for i in plan.items if i.kind == ELEVATOR):
        signed, objecting, households = tallies.get(item.building or "", (0, 0, 0))
        passed, figure = share_figure(signed, households, rules.elevator_consent)
        grade_ok = rules.grade_at_most(item.appraisal_grade or "D", rules.elevator_max_grade)
        results += [
            RuleResult(rule=f"elevator_consent:{item.item_id}", passed=passed,
                       title=f"{item.building}号楼加装电梯：业主签字 ≥ {ratio_text(rules.elevator_consent)}",
                       figures=f"签字 {figure}"),
            RuleResult(rule=f"elevator_objection:{item.item_id}", passed=objecting == 0,
                       title=f"{item.building}号楼加装电梯：相邻业主无反对意见",
                       figures=f"反对 {objecting} 户"),
            RuleResult(rule=f"elevator_appraisal:{item.item_id}", passed=grade_ok,
                       title=f"{item.building}号楼加装电梯：房屋鉴定 {rules.elevator_max_grade} 级及以上",
                       figures=f"鉴定报告 {item.appraisal_report}：{item.appraisal_grade} 级"),
        ]
    return results


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals and thousands separators, exactly (integer arithmetic)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"
