"""Builds one service: database, event store, relay, consumer, auth, pages, metrics, health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from aiokafka.errors import KafkaError
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.specification import AsyncAPI
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator

from shared.actor import Actor, Role
from shared.audit.checkpoint import CheckpointPublisher
from shared.audit.router import TEMPLATES as AUDIT_TEMPLATES
from shared.audit.router import audit_router
from shared.audit.signing import AuditSettings, load_signer
from shared.auth import Auth, auth_router, require_roles
from shared.broker import broker_reachable, make_broker, topic_for
from shared.calendar import WorkingDayCalendar
from shared.calendar import sync as calendar_sync
from shared.clock import Clock
from shared.consumer import IdempotentConsumer, Policy
from shared.db import create_engine
from shared.dead_letters import dead_letter_router
from shared.envelope import Envelope, new_event_id
from shared.errors import Unauthenticated
from shared.eventstore import EventStore
from shared.http import ParameterGuard, install_error_handlers, install_request_ids
from shared.log import configure_logging
from shared.metrics import KernelMetrics
from shared.migrations import upgrade
from shared.openapi import install_openapi
from shared.relay import Relay
from shared.schema import dead_letter, inbox
from shared.settings import SERVICE_NAMES, KernelSettings, ServiceSettings
from shared.unit_of_work import Projection, UnitOfWork
from shared.upload import CloseUnreadBody, RequestSizeLimit
from shared.web import NavLink, install_shell, service_nav
from shared.web.cross_origin import CrossOriginProtection
from shared.web.shell import HANDOFF_PATH, Handoff, LoginResult

log = logging.getLogger("renovation.service")

Ticker = Callable[["Service"], None]
# Called with (service, year) once `year`'s official schedule is in service.calendar.
CalendarHook = Callable[["Service", int], None]


@dataclass(frozen=True)
class ServiceSpec:
    """What makes a service itself: its name, read models, routes, reactions, migrations."""

    name: str
    title_zh: str
    title_en: str
    projection: Projection
    migrations: Path
    routers: Sequence[APIRouter] = ()
    subscribes_to: Sequence[str] = ()
    policies: Mapping[str, Policy] = field(default_factory=dict)
    template_dir: Path | None = None
    locale_dir: Path | None = None
    # Work driven by the clock, not by a request: (seconds between runs, function of the
    # service). Each run should be idempotent: a tick may repeat after a restart.
    tickers: Sequence[tuple[float, Ticker]] = ()
    # The calendar the service's handlers use: the kernel loads official years into it in
    # place as intake.CalendarYearLoaded events arrive (built from settings when None).
    calendar: WorkingDayCalendar | None = None
    # Run in a worker thread, outside any transaction, after a year became official (at
    # least once per loaded schedule, again after a failure or restart): recompute the
    # provisional deadlines the service holds, each recomputation an event of its own.
    on_calendar_year: Sequence[CalendarHook] = ()


class Service:
    """The running parts of one service, kept on `app.state.service`."""

    def __init__(self, spec: ServiceSpec, *, settings: ServiceSettings, kernel: KernelSettings):
        self.spec = spec
        self.settings = settings
        self.kernel = kernel
        self.engine = create_engine(settings.database_url)
        self.clock = Clock.from_settings(kernel)
        self.calendar = spec.calendar if spec.calendar is not None else WorkingDayCalendar.from_settings(kernel)
        # Every service keeps the loaded calendar years, whoever records them.
        self.projection = Projection.merge(spec.projection, calendar_sync.projection)
        self.calendar_keeper = calendar_sync.CalendarKeeper(
            engine=self.engine, calendar=self.calendar, hooks=spec.on_calendar_year, owner=self)
        self.registry = CollectorRegistry()
        self.metrics = KernelMetrics(self.registry)
        self.broker = make_broker(kernel, client_id=spec.name, registry=self.registry)
        self.relay = Relay(engine=self.engine, topic=topic_for(spec.name),
                           settings=kernel, metrics=self.metrics, batch_size=kernel.relay_batch_size,
                           check_seconds=kernel.relay_retention_check_seconds)
        self.consumer = IdempotentConsumer(
            name=spec.name, engine=self.engine, projection=self.projection, settings=kernel,
            metrics=self.metrics, policies=dict(spec.policies), clock=self.clock.now)
        # Declared for the AsyncAPI document: what this service publishes, and its schema.
        self.broker.publisher(
            topic_for(spec.name), title=f"{spec.name}:publish", schema=Envelope,
            description=f"Every event of the {spec.name} service, in log order, key = project_id.")
        if spec.subscribes_to:
            self.consumer.subscribe(self.broker, [topic_for(s) for s in spec.subscribes_to])
        self.auth = Auth.from_settings(kernel, service=spec.name)
        self.broker_connected = asyncio.Event()
        # Signed checkpoints of the log's Merkle root (shared/audit): on a ticker and on demand.
        self.audit_settings = AuditSettings().resolved(kernel)
        self.checkpoints = CheckpointPublisher(
            engine=self.engine, broker=self.broker, signer=load_signer(spec.name, kernel, self.audit_settings),
            clock=self.clock.now, seconds=self.audit_settings.checkpoint_seconds)

    def unit_of_work(self, *, actor: Actor, correlation_id: str | None = None,
                     causation_id: str | None = None) -> UnitOfWork:
        """A unit of work on this service's database; commits wake the relay."""
        return UnitOfWork(engine=self.engine, projection=self.projection, actor=actor,
                          correlation_id=correlation_id, causation_id=causation_id,
                          on_commit=self._committed, clock=self.clock.now)

    def _committed(self, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            self.metrics.events_appended.labels(envelope.event_type).inc()
            if envelope.event_type == calendar_sync.CALENDAR_EVENT:
                self.calendar_keeper.wake()
        self.relay.notify(envelopes[-1].position)

    def migrate(self) -> None:
        """Bring the database schema to the newest migration; load the calendar years recorded so far."""
        upgrade(self.engine, self.spec.migrations)
        calendar_sync.ensure_tables(self.engine)
        self.calendar_keeper.load()

    def status(self) -> dict[str, Any]:
        """Log position, relay checkpoint and lag, consumer lag and dead letters."""
        with self.engine.connect() as conn:
            head, _ = EventStore().head(conn)
            checkpoint = self.relay.load_checkpoint(conn)
            applied = conn.execute(sa.select(sa.func.count()).select_from(inbox).where(
                inbox.c.consumer == self.spec.name, inbox.c.status == "applied")).scalar()
            dead = conn.execute(sa.select(sa.func.count()).select_from(dead_letter).where(
                dead_letter.c.consumer == self.spec.name)).scalar()
        # The relay writes its checkpoint at most every half second; what it holds is live.
        relayed = checkpoint.position if self.relay.acknowledged is None else self.relay.acknowledged
        return {
            "service": self.spec.name,
            "log_position": head,
            "relay_position": relayed,
            # None (shown as 未知) while unknown: the broker is down, or not yet checked.
            "relay_lag": self.relay.lag(head, relayed),
            "relay_unacknowledged": max(head - relayed, 0),
            "broker_up": self.relay.broker_up,
            "broker_error": self.relay.last_error,
            "consumer_lag": (self.consumer.current_lag() if self.relay.broker_up else None)
            if self.spec.subscribes_to else 0,
            "consumer_lag_by_partition": {f"{t}/{p}": n for (t, p), n in sorted(self.consumer.lag.items())},
            "events_applied": applied,
            "dead_letters": dead,
            "subscribes_to": [topic_for(s) for s in self.spec.subscribes_to],
            # Years made official by an intake.CalendarYearLoaded this service has applied.
            "calendar_years_loaded": self.calendar_keeper.loaded_years(),
        }

    async def run_background(self, stop: asyncio.Event) -> None:
        """Connect to the broker (retrying while it is down), then run relay and subscribers."""
        if not await self._retry(stop, self._connect, "broker not reachable yet"):
            return
        # The relay needs only the producer; joining the consumer group takes seconds on
        # tansu, and commands should not wait for it to be published.
        relay = asyncio.create_task(self.relay.run(stop))
        await self._retry(stop, self.broker.start, "subscribers could not start")
        await relay

    async def _connect(self) -> None:
        # Probe with a client we close ourselves: a failed connect leaves FastStream's
        # producer half-open.
        await broker_reachable(self.kernel.kafka_bootstrap_servers)
        await self.broker.connect()
        self.broker_connected.set()

    async def _retry(self, stop: asyncio.Event, step, problem: str) -> bool:
        backoff = 0.2
        while not stop.is_set():
            try:
                await step()
                return True
            except (KafkaError, OSError, TimeoutError) as error:
                # Say it once at WARNING; the retries that follow are routine.
                level = logging.WARNING if backoff == 0.2 else logging.DEBUG
                log.log(level, "%s: %s (%r); retrying", self.spec.name, problem, error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
        return False

    async def run_ticker(self, stop: asyncio.Event, seconds: float, ticker: Ticker) -> None:
        """Run `ticker` every `seconds` until stopped; a failure is logged, not fatal."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(ticker, self)
            except Exception:  # the next tick tries again
                log.exception("%s: ticker %s failed", self.spec.name, getattr(ticker, "__name__", ticker))
            try:
                await asyncio.wait_for(stop.wait(), timeout=seconds)
            except TimeoutError:
                pass

    def login(self, username: str, password: str) -> LoginResult | None:
        """The page login: a token for the cookie, or None when credentials do not match."""
        try:
            login = self.auth.login(username=username, password=password)
        except Unauthenticated:
            return None
        return LoginResult(token=login.token, actor=login.user.actor, max_age=login.expires_in)

    def accept_handoff(self, code: str) -> LoginResult | None:
        """The page login carried over from another service's page, or None when the code is not good."""
        login = self.auth.accept_handoff(code, service=self.spec.name)
        if login is None:
            return None
        return LoginResult(token=login.token, actor=login.user.actor, max_age=login.expires_in)

    def nav(self) -> list[NavLink]:
        """Links to the four services, as this deployment reaches them."""
        return service_nav(self.kernel)


def get_service(request: Request) -> Service:
    """The service serving this request."""
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]
# Who may read a service's operational state (renovation status mints such a token).
OPERATOR_ROLES = (Role.ADMIN, Role.AUDITOR)
Operator = Annotated[Actor, Depends(require_roles(*OPERATOR_ROLES))]


def build_app(spec: ServiceSpec, *, settings: ServiceSettings, kernel: KernelSettings) -> FastAPI:
    """The service's FastAPI app, with the broker, relay and consumer in its lifespan."""
    configure_logging(kernel)
    service = Service(spec, settings=settings, kernel=kernel)
    service.migrate()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = asyncio.Event()
        tasks = [asyncio.create_task(service.run_background(stop)),
                 asyncio.create_task(service.consumer.run_commit_flusher(stop)),
                 asyncio.create_task(service.calendar_keeper.run(stop)),
                 asyncio.create_task(service.checkpoints.run(stop, service.broker_connected))]
        tasks += [asyncio.create_task(service.run_ticker(stop, seconds, ticker))
                  for seconds, ticker in spec.tickers]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            if service.broker_connected.is_set():
                try:
                    await service.consumer.flush_commits()
                except Exception as error:  # noqa: BLE001 - redelivery is harmless
                    log.warning("%s: final offset commit failed: %r", spec.name, error)
                await service.broker.stop()
            service.engine.dispose()

    app = FastAPI(title=f"{spec.title_zh} · {spec.title_en}", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description=f"{spec.title_zh}服务 API（{spec.title_en} service）。")
    app.state.service = service
    service.auth.install(app)
    install_request_ids(app)
    # A refusal before the body was read closes the connection (shared/upload.py).
    app.add_middleware(CloseUnreadBody)
    # No body over the service's limit is read, whichever route it was sent to.
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.state.templates = install_shell(
        app, service=spec.name, title_zh=spec.title_zh, title_en=spec.title_en, nav=service.nav(),
        login=service.login, current_user=service.auth.page_actor,
        asyncapi=lambda: AsyncAPI(service.broker, title=f"{spec.title_zh} · {spec.title_en}",
                                  version="0.1.0"),
        template_dirs=[*([spec.template_dir] if spec.template_dir else ()), AUDIT_TEMPLATES],
        locale_dirs=[spec.locale_dir] if spec.locale_dir else (),
        cookie_name=service.auth.cookie_name,
        handoff=Handoff(issue=lambda request, to: service.auth.handoff_code(request, to_service=to),
                        accept=service.accept_handoff),
        sign_out=service.auth.sign_out)
    # Every unsafe request from a browser must come from this service's own pages; the other
    # services' pages may only hand a sign-in over.
    app.add_middleware(CrossOriginProtection, cookie_name=service.auth.cookie_name,
                       trusted={HANDOFF_PATH: [kernel.service_url(name) for name in SERVICE_NAMES]})
    # Demo mode: a banner on every page, with the demo clock's date.
    for environment in app.state.templates.environments.values():
        environment.globals.update(demo_mode=service.clock.demo, demo_today=lambda: service.clock.today().isoformat())
    install_error_handlers(app)
    app.add_middleware(ParameterGuard)
    install_openapi(app)
    app.include_router(auth_router())
    app.include_router(_operations_router())
    app.include_router(dead_letter_router())
    app.include_router(audit_router())
    for router in spec.routers:
        app.include_router(router)
    Instrumentator(registry=service.registry, excluded_handlers=["/metrics", "/health"]).instrument(
        app).expose(app, endpoint="/metrics", include_in_schema=False)
    return app


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health", summary="健康检查 Health check")
    def health(service: ServiceDep) -> dict[str, Any]:
        with service.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return {"status": "ok", "service": service.spec.name,
                "broker_connected": service.broker_connected.is_set()}

    @router.get("/status", summary="运行状态 Log, relay and consumer status")
    def status(service: ServiceDep, _: Operator) -> dict[str, Any]:
        """Operators only (admin, auditor): positions, lags, dead letters say how the system is run."""
        return service.status()

    return router


def new_correlation_id() -> str:
    """A fresh correlation id for work that did not come from a request."""
    return str(new_event_id())


def serve(create_app, settings: ServiceSettings) -> None:
    """Run a service's app under uvicorn on its configured host and port."""
    import uvicorn

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="warning", access_log=False, timeout_graceful_shutdown=10)
