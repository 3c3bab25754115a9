"""The numbers intake is configured with (DOMAIN.md "Numbers"): thresholds as exact values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from services.intake.domain.vocabulary import Department


@dataclass(frozen=True)
class Rules:
    """Every configured threshold of intake; built from settings, never hard-coded in a rule."""

    built_before: date = date(2000, 12, 31)            # 002: end of 2000 (003: end of June 2000)
    consent: Fraction = Fraction(2, 3)                 # 000 part 3 三(三)
    fee_collection: Fraction = Fraction(1, 2)          # 000 part 3 三(三)
    demolition_horizon_years: int = 10                 # 000 part 3 三(一)
    min_storeys: int = 4                               # 多层 = 4–6 storeys (GB 50096-2011)
    safe_grades: frozenset[str] = frozenset({"A", "B"})  # JGJ 125 appraisal: C and D are dangerous
    notice_working_days: int = 14                      # 002 三(三)
    design_change_notice_working_days: int = 14        # same mechanism as the plan's
    elevator_consent: Fraction = Fraction(2, 3)        # 001: 2/3 of the building's owners sign
    elevator_max_grade: str = "B"                      # 001: appraisal grade B or better
    vote_quorum: Fraction = Fraction(2, 3)             # 民法典 art. 278: 2/3 take part
    vote_pass: Fraction = Fraction(3, 4)               # 民法典 art. 278: 3/4 of those taking part
    review_departments: tuple[Department, ...] = field(default_factory=lambda: tuple(Department))
    annual_plan_due_month: int = 9                     # 002 三(二): by 30 September
    annual_plan_due_day: int = 30
    annual_plan_due_year_offset: int = -1              # the plan of year Y is due in Y-1

    def annual_plan_due(self, plan_year: int) -> date:
        """The reporting deadline of the annual plan of `plan_year`."""
        return date(plan_year + self.annual_plan_due_year_offset, self.annual_plan_due_month,
                    self.annual_plan_due_day)

    def grade_at_most(self, grade: str, worst: str) -> bool:
        """Whether appraisal `grade` is `worst` or better (A is best)."""
        return grade.upper() <= worst.upper()
