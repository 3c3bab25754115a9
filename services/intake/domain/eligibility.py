"""Eligibility (`000` part 3 三, `002`, `003`): every rule with its configured threshold and figures."""

from __future__ import annotations

import calendar as months
from datetime import date
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from services.intake.domain.ratio import compare_percent, ratio_text, share_figure
from services.intake.domain.rules import Rules
from services.intake.domain.survey import BuildingKind, Survey
from services.intake.domain.vocabulary import LAND_LABELS, LandStatus

NO_SURVEY = "尚未完成摸底调查"


class RuleResult(BaseModel):
    """One rule: whether it holds, and the figures behind the answer, as a person reads them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    title: str
    passed: bool
    figures: str


class ConsentTally(BaseModel):
    """Owners' consent as counted now: one voice per household of the surveyed register."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agreed: int
    disagreed: int
    households: int

    @property
    def unanswered(self) -> int:
        """Households that have not answered."""
        return self.households - self.agreed - self.disagreed


def latest_completion(built_year: int, built_month: int | None) -> date:
    """The latest day the community can have been completed, given what was registered."""
    month = built_month or 12
    return date(built_year, month, months.monthrange(built_year, month)[1])


def assess(*, built_year: int, built_month: int | None, survey: Survey | None,
           consent: ConsentTally, rules: Rules) -> list[RuleResult]:
    """Every rule of eligibility, in the order of the seeds, each with its figures."""
    return [
        _built_before(built_year, built_month, rules),
        _land(survey),
        _demolition(survey, rules),
        _structure(survey, rules),
        _consent(survey, consent, rules),
        _fee_collection(survey, rules),
        _not_dangerous_rebuild(survey),
    ]


def _built_before(year: int, month: int | None, rules: Rules) -> RuleResult:
    latest = latest_completion(year, month)
    built = f"{year}年{month}月" if month else f"{year}年（月份未登记，按年底计）"
    passed = latest <= rules.built_before
    return RuleResult(rule="built_before", title="建成年代", passed=passed,
                      figures=f"建成于 {built} {'≤' if passed else '>'} 截止 {rules.built_before.isoformat()}")


def _land(survey: Survey | None) -> RuleResult:
    title = "城镇建成区国有土地"
    if survey is None:
        return RuleResult(rule="land", title=title, passed=False, figures=NO_SURVEY)
    passed = survey.land_status == LandStatus.STATE_OWNED and survey.in_built_up_area
    area = "位于城镇建成区" if survey.in_built_up_area else "不在城镇建成区"
    return RuleResult(rule="land", title=title, passed=passed,
                      figures=f"土地权属：{LAND_LABELS[survey.land_status]}；{area}")


def _demolition(survey: Survey | None, rules: Rules) -> RuleResult:
    title = f"未列入近 {rules.demolition_horizon_years} 年征收拆迁计划"
    if survey is None:
        return RuleResult(rule="demolition", title=title, passed=False, figures=NO_SURVEY)
    on_plan = survey.on_demolition_plan
    return RuleResult(rule="demolition", title=title, passed=not on_plan,
                      figures="已列入棚户区改造或征收拆迁计划" if on_plan else "未列入棚户区改造或征收拆迁计划")


def _structure(survey: Survey | None, rules: Rules) -> RuleResult:
    title = f"{rules.min_storeys} 层及以上单元楼且主体结构安全"
    if survey is None:
        return RuleResult(rule="structure", title=title, passed=False, figures=NO_SURVEY)
    grades = "/".join(sorted(rules.safe_grades))
    failing = [b for b in survey.buildings if b.kind != BuildingKind.UNIT_BUILDING
               or b.storeys < rules.min_storeys or b.safety_grade not in rules.safe_grades]
    total = len(survey.buildings)
    figures = f"{total - len(failing)}/{total} 栋符合（单元楼、≥{rules.min_storeys} 层、鉴定等级 {grades}）"
    if failing:
        named = "、".join(f"{b.building}号楼（{b.storeys}层，{b.safety_grade}级）" for b in failing[:10])
        figures += f"；不符合：{named}{' 等' if len(failing) > 10 else ''}"
    return RuleResult(rule="structure", title=title, passed=not failing, figures=figures)


def _consent(survey: Survey | None, consent: ConsentTally, rules: Rules) -> RuleResult:
    title = f"业主同意改造 ≥ {ratio_text(rules.consent)}"
    if survey is None:
        return RuleResult(rule="consent", title=title, passed=False, figures=NO_SURVEY)
    passed, figure = share_figure(consent.agreed, consent.households, rules.consent)
    return RuleResult(rule="consent", title=title, passed=passed, figures=f"同意 {figure}")


def _fee_collection(survey: Survey | None, rules: Rules) -> RuleResult:
    title = f"物业费收缴率 ≥ {ratio_text(rules.fee_collection)}"
    if survey is None:
        return RuleResult(rule="fee_collection", title=title, passed=False, figures=NO_SURVEY)
    rate = Fraction(survey.fee_collection_rate)
    passed = rate >= rules.fee_collection
    shown, needed = compare_percent(rate, rules.fee_collection)
    return RuleResult(rule="fee_collection", title=title, passed=passed,
                      figures=f"收缴率 {shown} {'≥' if passed else '<'} {needed}")


def _not_dangerous_rebuild(survey: Survey | None) -> RuleResult:
    title = "不属于危旧房改造或拆除新建"
    if survey is None:
        return RuleResult(rule="not_dangerous_rebuild", title=title, passed=False, figures=NO_SURVEY)
    rebuild = survey.dangerous_building_rebuild
    return RuleResult(rule="not_dangerous_rebuild", title=title, passed=not rebuild,
                      figures="属于危旧房改造或拆除新建" if rebuild else "不属于危旧房改造或拆除新建")
