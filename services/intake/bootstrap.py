"""Wires intake: settings and rules, read models, routes, policies, the notice clock, metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.intake.adapters.metrics import IntakeCollector
from services.intake.adapters.notice import due_notices
from services.intake.adapters.projection import projection
from services.intake.api import routers
from services.intake.application.calendar_year import recompute_notice_ends
from services.intake.application.context import Intake
from services.intake.application.notice import end_notice
from services.intake.consumers.construction import on_construction_event
from services.intake.domain.ratio import parse_ratio
from services.intake.domain.rules import Rules
from services.intake.domain.vocabulary import Department
from shared.actor import Actor
from shared.calendar import WorkingDayCalendar
from shared.clock import Clock
from shared.service import Service, ServiceSpec, build_app
from shared.settings import KernelSettings, ServiceSettings

HERE = Path(__file__).parent
log = logging.getLogger("renovation.intake")


class IntakeSettings(ServiceSettings):
    """Intake's own settings (env prefix INTAKE_): every threshold of DOMAIN.md "Numbers"."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: str = "intake"
    built_before: date = date(2000, 12, 31)
    consent_threshold: str = "2/3"
    fee_collection_threshold: str = "1/2"
    demolition_horizon_years: int = Field(default=10, ge=1)
    min_storeys: int = Field(default=4, ge=1)
    safe_grades: list[str] = ["A", "B"]
    notice_working_days: int = Field(default=14, ge=1)
    design_change_notice_working_days: int = Field(default=14, ge=1)
    elevator_consent_threshold: str = "2/3"
    elevator_max_grade: str = Field(default="B", pattern=r"^[ABCD]$")
    vote_quorum: str = "2/3"
    vote_pass: str = "3/4"
    review_departments: list[Department] = list(Department)
    annual_plan_due_month: int = Field(default=9, ge=1, le=12)
    annual_plan_due_day: int = Field(default=30, ge=1, le=31)
    annual_plan_due_year_offset: int = -1
    notice_tick_seconds: float = Field(default=60.0, gt=0)

    @field_validator("consent_threshold", "fee_collection_threshold", "elevator_consent_threshold",
                     "vote_quorum", "vote_pass")
    @classmethod
    def _ratio(cls, value: str) -> str:
        parse_ratio(value)  # refuse a nonsense threshold at start-up, not at the first vote
        return value

    def rules(self) -> Rules:
        """The configured rules as exact values."""
        return Rules(
            built_before=self.built_before, consent=parse_ratio(self.consent_threshold),
            fee_collection=parse_ratio(self.fee_collection_threshold),
            demolition_horizon_years=self.demolition_horizon_years, min_storeys=self.min_storeys,
            safe_grades=frozenset(g.upper() for g in self.safe_grades),
            notice_working_days=self.notice_working_days,
            design_change_notice_working_days=self.design_change_notice_working_days,
            elevator_consent=parse_ratio(self.elevator_consent_threshold),
            elevator_max_grade=self.elevator_max_grade, vote_quorum=parse_ratio(self.vote_quorum),
            vote_pass=parse_ratio(self.vote_pass), review_departments=tuple(self.review_departments),
            annual_plan_due_month=self.annual_plan_due_month, annual_plan_due_day=self.annual_plan_due_day,
            annual_plan_due_year_offset=self.annual_plan_due_year_offset)


def notice_clock(intake: Intake) -> Callable[[Service], None]:
    """The ticker that ends every notice whose last working day has passed (idempotent)."""

    def end_due_notices(service: Service) -> None:
        today = intake.today()
        with service.engine.connect() as conn:
            due = due_notices(conn, today)
        for notice_id in due:
            uow = service.unit_of_work(actor=Actor.system("intake-notice-clock"))
            if end_notice(uow, notice_id=notice_id, today=today):
                log.info("notice %s ended on %s", notice_id, today.isoformat())

    return end_due_notices


def spec(intake: Intake, settings: IntakeSettings | None = None) -> ServiceSpec:
    """What intake is made of."""
    settings = settings or IntakeSettings()
    return ServiceSpec(
        name="intake", title_zh="项目受理", title_en="Intake", projection=projection,
        migrations=HERE / "migrations", routers=routers(), subscribes_to=["construction"],
        policies=on_construction_event(intake),
        tickers=[(settings.notice_tick_seconds, notice_clock(intake))],
        calendar=intake.calendar, on_calendar_year=[recompute_notice_ends(intake)],
        template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale")


def create_app(settings: IntakeSettings | None = None, kernel: KernelSettings | None = None,
               clock: Callable[[], date] | None = None) -> FastAPI:
    """The intake app; settings come from the environment unless given."""
    settings, kernel = settings or IntakeSettings(), kernel or KernelSettings()
    intake = Intake(rules=settings.rules(), calendar=WorkingDayCalendar.from_settings(kernel),
                    clock=clock or Clock.from_settings(kernel).today)
    app = build_app(spec(intake, settings), settings=settings, kernel=kernel)
    app.state.intake = intake
    app.state.service.registry.register(IntakeCollector(app.state.service.engine))
    return app
