"""Wires construction: settings, ports, read models, subscriptions, policies, routes, metrics, migrations."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from services.construction.adapters import community, project_projection, work_projection
from services.construction.adapters.metrics import SupervisionCollector
from services.construction.api import (
    community as community_api, design_changes, evidence, hidden_works, inspections, page_forms, pages,
    projects, rectifications)
from services.construction.application.calendar_year import recompute_due_dates
from services.construction.application.context import Construction
from services.construction.application.rectification import overdue_ticker
from services.construction.consumers import complaints as complaints_consumer, intake as intake_consumer
from services.construction.settings import ConstructionSettings
from shared.calendar import WorkingDayCalendar
from shared.clock import Clock
from shared.evidence import probe as evidence_probe
from shared.objectstore import ObjectStore, local_object_router, open_object_store
from shared.service import ServiceSpec, build_app
from shared.settings import KernelSettings
from shared.unit_of_work import Projection

__all__ = ["ConstructionSettings", "create_app", "spec"]

HERE = Path(__file__).parent

projection = Projection.merge(community.projection, project_projection.projection, work_projection.projection)


def build_context(settings: ConstructionSettings, kernel: KernelSettings,
                  store: ObjectStore | None = None) -> Construction:
    """Construction's ports: the evidence store, the working-day calendar and the media probe."""
    limits = evidence_probe.Limits(max_pixels=settings.max_pixels, default_zone=ZoneInfo(settings.camera_time_zone),
                                   max_bytes=settings.max_upload_bytes)
    return Construction(settings=settings, store=store or open_object_store(kernel),
                        calendar=WorkingDayCalendar.from_settings(kernel),
                        probe=partial(evidence_probe.examine, limits=limits), clock=Clock.from_settings(kernel).now)


def spec(ctx: Construction | None = None) -> ServiceSpec:
    """What construction is made of."""
    routers = [community_api.router, projects.router, hidden_works.router, inspections.router,
               rectifications.router, design_changes.router, evidence.router, pages.router, page_forms.router,
               local_object_router(lambda request: request.app.state.construction.store)]
    tickers = [(ctx.settings.overdue_check_seconds, overdue_ticker(ctx))] if ctx else []
    return ServiceSpec(
        name="construction", title_zh="施工监管", title_en="Construction", projection=projection,
        migrations=HERE / "migrations", routers=routers, subscribes_to=["intake", "complaints"],
        policies={**intake_consumer.POLICIES, **complaints_consumer.POLICIES}, tickers=tickers,
        calendar=ctx.calendar if ctx else None, on_calendar_year=[recompute_due_dates(ctx)] if ctx else (),
        template_dir=HERE / "api" / "templates", locale_dir=HERE / "locale")


def create_app(settings: ConstructionSettings | None = None, kernel: KernelSettings | None = None,
               *, store: ObjectStore | None = None) -> FastAPI:
    """The construction app; settings come from the environment unless given."""
    settings = settings or ConstructionSettings()
    kernel = kernel or KernelSettings()
    ctx = build_context(settings, kernel, store)
    app = build_app(spec(ctx), settings=settings, kernel=kernel)
    app.state.construction = ctx
    service = app.state.service
    service.registry.register(SupervisionCollector(service.engine, today=ctx.today))
    return app
