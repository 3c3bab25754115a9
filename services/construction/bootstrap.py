"""Wires construction: settings, its read models, its subscription to intake, routes and migrations."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.construction.adapters.community import projection
from services.construction.api import community, pages
from shared.service import ServiceSpec, build_app
from shared.settings import KernelSettings, ServiceSettings

HERE = Path(__file__).parent


class ConstructionSettings(ServiceSettings):
    """Construction's own settings (env prefix CONSTRUCTION_)."""

    model_config = SettingsConfigDict(env_prefix="CONSTRUCTION_", extra="ignore")
    service_name: str = "construction"


def spec() -> ServiceSpec:
    """What construction is made of."""
    return ServiceSpec(
        name="construction", title_zh="施工监管", title_en="Construction", projection=projection,
        migrations=HERE / "migrations", routers=[community.router, pages.router],
        subscribes_to=["intake"], template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale")


def create_app(settings: ConstructionSettings | None = None, kernel: KernelSettings | None = None) -> FastAPI:
    """The construction app; settings come from the environment unless given."""
    return build_app(spec(), settings=settings or ConstructionSettings(), kernel=kernel or KernelSettings())
