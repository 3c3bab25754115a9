"""Acceptance's own settings (env prefix ACCEPTANCE_): every number of the rules is configuration."""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TrancheRule(BaseModel):
    """One subsidy tranche: its share in percent and the condition that makes it due."""

    key: str
    percent: int = Field(ge=0, le=100)
    condition: str  # contract_signed | completion_accepted | settlement


class AcceptanceSettings(ServiceSettings):
    """Acceptance's own settings (env prefix ACCEPTANCE_)."""

    model_config = SettingsConfigDict(env_prefix="ACCEPTANCE_", extra="ignore")
    service_name: str = "acceptance"

    # Residents' evaluation (民意验收, `003` 二(四)): a voice is satisfied at or above this score of 5;
    # the evaluation passes when satisfied/voices reaches the pass level and voices/households the minimum.
    satisfied_score: int = Field(default=4, ge=1, le=5)
    evaluation_pass_level: str = "4/5"
    evaluation_min_participation: str = "2/3"

    # Checklist: photos a passed check needs (GB 50300 written record; DA/T 50 photo archive).
    check_min_photos: int = Field(default=1, ge=0)
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)

    # 建设工程质量管理条例 art. 49: filing within 15 days of the completion acceptance.
    filing_days: int = Field(default=15, ge=1)
    filing_check_seconds: float = Field(default=60.0, gt=0)

    # Shenyang (`003` 七(二)): 30 % at contract, 50 % at completion, 20 % at settlement.
    tranches: list[TrancheRule] = Field(default_factory=lambda: [
        TrancheRule(key="contract", percent=30, condition="contract_signed"),
        TrancheRule(key="completion", percent=50, condition="completion_accepted"),
        TrancheRule(key="settlement", percent=20, condition="settlement")])
    # A due tranche unpaid after this many days counts as overdue on the supervisor's page.
    tranche_payment_days: int = Field(default=30, ge=1)
    # Accounts allowed to record a payment; empty means any official.
    payment_officials: list[str] = Field(default_factory=list)

    @field_validator("evaluation_pass_level", "evaluation_min_participation")
    @classmethod
    def _fraction(cls, value: str) -> str:
        share = Fraction(value)
        if not 0 <= share <= 1:
            raise ValueError("a share between 0 and 1, e.g. 4/5")
        return value

    @field_validator("tranches")
    @classmethod
    def _whole(cls, value: list[TrancheRule]) -> list[TrancheRule]:
        if sum(rule.percent for rule in value) != 100:
            raise ValueError("the tranches must add up to 100 %")
        return value
