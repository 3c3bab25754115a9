"""Wires complaints: settings, its read models, its subscription to intake, routes and migrations."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.complaints.adapters.community import projection
from services.complaints.api import community, pages
from shared.service import ServiceSpec, build_app
from shared.settings import KernelSettings, ServiceSettings

HERE = Path(__file__).parent


class ComplaintsSettings(ServiceSettings):
    """Complaints's own settings (env prefix COMPLAINTS_)."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", extra="ignore")
    service_name: str = "complaints"


def spec() -> ServiceSpec:
    """What complaints is made of."""
    return ServiceSpec(
        name="complaints", title_zh="投诉处理", title_en="Complaints", projection=projection,
        migrations=HERE / "migrations", routers=[community.router, pages.router],
        subscribes_to=["intake"], template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale")


def create_app(settings: ComplaintsSettings | None = None, kernel: KernelSettings | None = None) -> FastAPI:
    """The complaints app; settings come from the environment unless given."""
    return build_app(spec(), settings=settings or ComplaintsSettings(), kernel=kernel or KernelSettings())
