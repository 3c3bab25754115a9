"""The audit routes every service mounts: signed checkpoints on demand, and the auditor's pages (zh-CN).

The pages rebuild what they show from the topics (never from this service's tables), so
whichever service an auditor opens shows the same: projects with each proof's status, a
project's timeline as of any moment, its evidence re-hashed on the way out, the last
`renovation audit verify` report, and downloads (proofs JSON, CSV, the report).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from shared.actor import Actor, Role
from shared.audit.checkpoint import recorded
from shared.audit.replay import BeforeFirstEvent, UnknownProject, parse_moment, replay_project
from shared.audit.verify import load_report
from shared.audit.view import all_projects, export_csv, project_state, summaries
from shared.auth import require_roles
from shared.audit.topics import TopicUnavailable, _reachable, iter_topic
from shared.broker import topic_for
from shared.errors import InvalidCommand, NotFound, RenovationError
from shared.settings import SERVICE_NAMES
from shared.objectstore import ObjectMissing, evidence_key, open_object_store

AuditorDep = Annotated[Actor, Depends(require_roles(Role.AUDITOR, Role.ADMIN))]


def _service(request: Request) -> Any:
    """The service serving this request (shared.service imports this module: no import back)."""
    return request.app.state.service


ServiceDep = Annotated[Any, Depends(_service)]
TEMPLATES = Path(__file__).parent / "templates"
AUDITORS = (Role.AUDITOR, Role.ADMIN)
_CACHE_SECONDS = 20.0


def audit_router() -> APIRouter:
    """Routes under /audit: checkpoints (JSON) and the auditor's pages."""
    router = APIRouter(prefix="/audit", tags=["audit"])

    @router.post("/checkpoints", summary="签发检查点 Sign the log's Merkle root now")
    def sign_now(service: ServiceDep, actor: AuditorDep) -> dict[str, Any]:
        return service.checkpoints.issue_now().to_dict()

    @router.get("/checkpoints", summary="已签发的检查点 Checkpoints this service signed")
    def signed(service: ServiceDep, actor: AuditorDep) -> list[dict[str, Any]]:
        with service.engine.connect() as conn:
            return [c.to_dict() for c in recorded(conn)]

    _pages(router)
    return router


def _page_actor(request: Request) -> Actor | RedirectResponse | HTMLResponse:
    actor = request.app.state.service.auth.page_actor(request)
    if actor is None:
        return RedirectResponse(f"/login?next={quote(str(request.url.path))}", status_code=303)
    if actor.role not in AUDITORS:
        return request.app.state.templates.render_error(request, 403, "此页面仅限审计人员和管理员")
    return actor


def _projects(service) -> dict:
    """Every project's events from the topics, cached briefly (one pass over four topics)."""
    cached = getattr(service, "_audit_projects", None)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    if not _reachable(service.kernel.kafka_bootstrap_servers):
        raise BrokerUnavailable("消息代理暂不可用，无法汇总各项目的证明，请稍后再试")
    projects = all_projects(service.kernel.kafka_bootstrap_servers)
    service._audit_projects = (time.monotonic(), projects)
    return projects


class BrokerUnavailable(RenovationError):
    """The topics cannot be read now: the page or download says so instead of waiting."""

    status = 503
    code = "broker_unavailable"


def _known_keys(service) -> set[str]:
    """Every key the four topics hold (a project or community id), cached briefly like _projects."""
    cached = getattr(service, "_audit_keys", None)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    keys: set[str] = set()
    try:
        for name in SERVICE_NAMES:
            keys |= {record.key for record in iter_topic(service.kernel.kafka_bootstrap_servers, topic_for(name))
                     if record.key}
    except TopicUnavailable as error:
        raise BrokerUnavailable(f"消息代理暂不可用，无法回放：{error}，请稍后再试") from None
    service._audit_keys = (time.monotonic(), keys)
    return keys


def _state(service, project_id: str, as_of_text: str | None) -> tuple[dict, Any]:
    replayed = replay_project(service.kernel.kafka_bootstrap_servers, project_id, as_of=parse_moment(as_of_text),
                              engines={service.spec.name: service.engine})
    return project_state(project_id, replayed.facts, calendar=service.calendar, as_of=replayed.as_of), replayed


def _pages(router: APIRouter) -> None:
    @router.get("", include_in_schema=False)
    def home(request: Request, service: ServiceDep, district: str | None = None, year: str | None = None):
        actor = _page_actor(request)
        if not isinstance(actor, Actor):
            return actor
        report = load_report(service.audit_settings.report_file)
        rows = summaries(_projects(service), calendar=service.calendar, district=district or None,
                         year=int(year) if year and year.isdigit() else None)
        return request.app.state.templates.render(request, "audit/home.html", {
            "page_title": "审计", "rows": rows, "report": report.to_dict() if report else None,
            "district": district, "year": year, "notes": []})

    @router.get("/projects/{project_id}", include_in_schema=False)
    def project(request: Request, service: ServiceDep, project_id: str, as_of: str | None = None):
        actor = _page_actor(request)
        if not isinstance(actor, Actor):
            return actor
        try:
            state, replayed = _state(service, project_id, as_of)
        except (UnknownProject, BeforeFirstEvent, InvalidCommand) as error:
            return request.app.state.templates.render_error(request, error.status, error.message)
        return request.app.state.templates.render(request, "audit/project.html", {
            "page_title": f"审计 · {project_id}", "state": state, "notes": replayed.notes,
            "sources": replayed.sources, "as_of_text": as_of, "evidence_base": "/audit/evidence"})

    @router.get("/projects/{project_id}/proofs.json", summary="项目的规则证明 A project's proofs as JSON",
                responses={503: {"description": "消息代理暂不可用 The broker cannot be reached"}})
    def proofs(service: ServiceDep, actor: AuditorDep, project_id: str, as_of: str | None = None):
        if project_id not in _known_keys(service):
            raise UnknownProject(f"没有项目 {project_id} 的任何事件")
        state, replayed = _state(service, project_id, as_of)
        return JSONResponse({**state, "sources": replayed.sources, "notes": replayed.notes},
                            headers={"Content-Disposition": f'attachment; filename="proofs-{project_id}.json"'})

    @router.get("/export.csv", summary="按区、年度导出证明 CSV of the proofs by district and year",
                response_class=Response,
                responses={200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                           503: {"description": "消息代理暂不可用 The broker cannot be reached"}})
    def export(service: ServiceDep, actor: AuditorDep, district: str | None = None, year: int | None = None):
        rows = summaries(_projects(service), calendar=service.calendar, district=district or None, year=year)
        return Response(export_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="audit-proofs.csv"'})

    @router.get("/report.json", summary="最近一次核验报告 The last verify report",
                responses={404: {"description": "尚无核验报告 No verification report yet"}})
    def report(service: ServiceDep, actor: AuditorDep):
        found = load_report(service.audit_settings.report_file)
        if found is None:
            raise NotFound("尚无核验报告：请运行 renovation audit verify")
        return JSONResponse(found.to_dict())

    @router.get("/evidence/{sha256}", summary="证据对象（重新哈希后给出）Evidence, re-hashed before it is served")
    def evidence(service: ServiceDep, actor: AuditorDep, sha256: str):
        try:
            key = evidence_key(sha256)
            data = open_object_store(service.kernel).get(key)
        except ValueError:
            raise InvalidCommand("不是 SHA-256 摘要", code="bad_digest") from None
        except ObjectMissing:
            raise NotFound(f"证据对象 {sha256} 不见了") from None
        if hashlib.sha256(data).hexdigest() != sha256.lower():
            raise InvalidCommand(f"证据对象 {sha256} 的内容与其摘要不符：已被改动", code="evidence_changed")
        headers = {"X-Content-SHA256": sha256.lower(), "Content-Disposition": f'inline; filename="{sha256}"'}
        return Response(data, media_type="application/octet-stream", headers=headers)


def standalone_html(state: dict, *, notes: list[str], sources: dict[str, str]) -> str:
    """A replay as one HTML file (for `renovation audit replay --html`)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("audit/standalone.html").render(state=state, notes=notes, sources=sources,
                                                             evidence_base=None)


def as_json(state: dict, *, notes: list[str], sources: dict[str, str]) -> str:
    """A replay as JSON."""
    return json.dumps({**state, "notes": notes, "sources": sources}, ensure_ascii=False, indent=2)
