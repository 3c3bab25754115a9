"""Wires acceptance: settings, its read models, its subscription to intake, routes and migrations."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.acceptance.adapters.community import projection
from services.acceptance.api import community, pages
from shared.service import ServiceSpec, build_app
from shared.settings import KernelSettings, ServiceSettings

HERE = Path(__file__).parent


class AcceptanceSettings(ServiceSettings):
    """Acceptance's own settings (env prefix ACCEPTANCE_)."""

    model_config = SettingsConfigDict(env_prefix="ACCEPTANCE_", extra="ignore")
    service_name: str = "acceptance"


def spec() -> ServiceSpec:
    """What acceptance is made of."""
    return ServiceSpec(
        name="acceptance", title_zh="竣工验收", title_en="Acceptance", projection=projection,
        migrations=HERE / "migrations", routers=[community.router, pages.router],
        subscribes_to=["intake"], template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale")


def create_app(settings: AcceptanceSettings | None = None, kernel: KernelSettings | None = None) -> FastAPI:
    """The acceptance app; settings come from the environment unless given."""
    return build_app(spec(), settings=settings or AcceptanceSettings(), kernel=kernel or KernelSettings())
