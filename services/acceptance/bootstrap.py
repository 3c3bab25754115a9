"""Wires acceptance: settings, ports, read models, subscriptions, policies, ticker, routes, metrics, migrations."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from services.acceptance.adapters.metrics import AcceptanceCollector
from services.acceptance.adapters.projection import projection
from services.acceptance.api import acceptance, archive, community, evaluation, money, page_forms, pages
from services.acceptance.application.acceptance import filing_ticker
from services.acceptance.application.context import AcceptanceContext
from services.acceptance.consumers.policies import policies
from services.acceptance.settings import AcceptanceSettings
from shared.clock import Clock
from shared.evidence.probe import Limits
from shared.objectstore import ObjectStore, local_object_router, open_object_store
from shared.service import ServiceSpec, build_app
from shared.settings import KernelSettings

__all__ = ["AcceptanceSettings", "create_app", "spec"]

HERE = Path(__file__).parent


def build_context(settings: AcceptanceSettings, kernel: KernelSettings, store: ObjectStore | None = None,
                  clock: Clock | None = None) -> AcceptanceContext:
    """Acceptance's ports: the evidence store (the same as construction's), the kernel clock, the probe limits."""
    limits = Limits(max_pixels=120_000_000, default_zone=ZoneInfo("Asia/Shanghai"), max_bytes=settings.max_upload_bytes)
    return AcceptanceContext(settings=settings, store=store or open_object_store(kernel),
                             clock=clock or Clock.from_settings(kernel), limits=limits)


def spec(ctx: AcceptanceContext | None = None) -> ServiceSpec:
    """What acceptance is made of."""
    routers = [community.router, acceptance.router, evaluation.router, money.router, archive.router, pages.router,
               page_forms.router,
               local_object_router(lambda request: request.app.state.acceptance.store)]
    tickers = [(ctx.settings.filing_check_seconds, filing_ticker(ctx))] if ctx else []
    return ServiceSpec(
        name="acceptance", title_zh="竣工验收", title_en="Acceptance", projection=projection,
        migrations=HERE / "migrations", routers=routers, subscribes_to=["intake", "construction", "complaints"],
        policies=policies(ctx) if ctx else {}, tickers=tickers,
        template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale")


def create_app(settings: AcceptanceSettings | None = None, kernel: KernelSettings | None = None, *,
               store: ObjectStore | None = None, clock: Clock | None = None) -> FastAPI:
    """The acceptance app; settings come from the environment unless given."""
    settings = settings or AcceptanceSettings()
    kernel = kernel or KernelSettings()
    ctx = build_context(settings, kernel, store, clock)
    app = build_app(spec(ctx), settings=settings, kernel=kernel)
    app.state.acceptance = ctx
    service = app.state.service
    service.registry.register(AcceptanceCollector(service.engine, today=ctx.today,
                                                  payment_days=settings.tranche_payment_days))
    return app
