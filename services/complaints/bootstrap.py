"""Wires complaints: settings, ports, read models, subscriptions, policies, the clock's ticker, routes, metrics."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI

from services.complaints.adapters import community, projection as own
from services.complaints.adapters.metrics import ComplaintsCollector
from services.complaints.adapters.ratelimit import SlidingWindow
from services.complaints.adapters.vault import Vault
from services.complaints.api import (
    community as community_api, complaints, open311, open311_doc, page_forms, pages, public, resident)
from services.complaints.application.context import ComplaintsContext
from services.complaints.application.ticker import on_calendar_year, ticker
from services.complaints.consumers import construction as construction_consumer
from services.complaints.domain import duplicate
from services.complaints.settings import PLACEHOLDER_PEPPER, ComplaintsSettings
from shared.calendar import WorkingDayCalendar
from shared.clock import Clock
from shared.objectstore import ObjectStore, local_object_router, open_object_store
from shared.service import ServiceSpec, build_app
from shared.settings import KernelSettings
from shared.unit_of_work import Projection

__all__ = ["ComplaintsSettings", "create_app", "spec"]

HERE = Path(__file__).parent

projection = Projection.merge(community.projection, own.projection)


def build_context(settings: ComplaintsSettings, kernel: KernelSettings,
                  store: ObjectStore | None = None) -> ComplaintsContext:
    """Complaints' ports: calendar, kernel clock, personal-data vault, evidence store, rate limits."""
    pepper = settings.phone_pepper.get_secret_value()
    if kernel.mode != "embedded" and (pepper == PLACEHOLDER_PEPPER or len(pepper) < 32):
        raise ValueError("COMPLAINTS_PHONE_PEPPER must be set to a real secret of at least 32 characters "
                         "outside the embedded default")
    return ComplaintsContext(
        settings=settings, calendar=WorkingDayCalendar.from_settings(kernel),
        vault=Vault(pepper), store=store or open_object_store(kernel),
        clock=Clock.from_settings(kernel).now,
        per_client=SlidingWindow(limit=settings.rate_per_client_per_hour, seconds=3600, clock=time.monotonic),
        per_phone=SlidingWindow(limit=settings.rate_per_phone_per_day, seconds=86400, clock=time.monotonic))


def spec(ctx: ComplaintsContext | None = None) -> ServiceSpec:
    """What complaints is made of."""
    routers = [community_api.router, complaints.router, resident.router, public.router, open311.router,
               open311.discovery_router,
               pages.router, page_forms.router,
               local_object_router(lambda request: request.app.state.complaints.store)]
    tickers = [(ctx.settings.tick_seconds, ticker(ctx))] if ctx else []
    # The kernel loads newly published years into this same calendar, then calls the hook.
    calendar = {"calendar": ctx.calendar, "on_calendar_year": [on_calendar_year(ctx)]} if ctx else {}
    return ServiceSpec(
        name="complaints", title_zh="投诉处理", title_en="Complaints", projection=projection,
        migrations=HERE / "migrations", routers=routers, subscribes_to=["intake", "construction"],
        policies=dict(construction_consumer.POLICIES), tickers=tickers,
        template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale", **calendar)


def create_app(settings: ComplaintsSettings | None = None, kernel: KernelSettings | None = None,
               *, store: ObjectStore | None = None) -> FastAPI:
    """The complaints app; settings come from the environment unless given."""
    settings = settings or ComplaintsSettings()
    kernel = kernel or KernelSettings()
    ctx = build_context(settings, kernel, store)
    app = build_app(spec(ctx), settings=settings, kernel=kernel)
    open311_doc.document(app)
    app.state.complaints = ctx
    duplicate.warm()
    service = app.state.service
    ctx.clock = service.clock.now  # one kernel clock for payload times and envelopes alike
    service.registry.register(ComplaintsCollector(service.engine, now=ctx.now))
    return app
