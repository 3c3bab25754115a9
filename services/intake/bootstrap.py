"""Wires intake: settings, its read models, routes and migrations into one app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.intake.adapters.community import projection
from services.intake.api import community, pages
from shared.service import ServiceSpec, build_app
from shared.settings import KernelSettings, ServiceSettings

HERE = Path(__file__).parent


class IntakeSettings(ServiceSettings):
    """Intake's own settings (env prefix INTAKE_)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: str = "intake"


def spec() -> ServiceSpec:
    """What intake is made of."""
    return ServiceSpec(
        name="intake", title_zh="项目受理", title_en="Intake", projection=projection,
        migrations=HERE / "migrations", routers=[community.router, pages.router],
        template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale")


def create_app(settings: IntakeSettings | None = None, kernel: KernelSettings | None = None) -> FastAPI:
    """The intake app; settings come from the environment unless given."""
    return build_app(spec(), settings=settings or IntakeSettings(), kernel=kernel or KernelSettings())
