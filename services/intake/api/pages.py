"""Intake's overview pages: the community register, registration, project library, annual plan."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from services.intake.adapters.library import plan_choices
from services.intake.adapters.listing import (
    COMMUNITY_STATES, community_page, districts, library_figures, notice_page, project_page, register_figures)
from services.intake.adapters.project import list_projects
from services.intake.api.deps import IntakeDep, Official, Registrar
from services.intake.api.forms import FormFields, attempt, back, may
from services.intake.application.annual_plan import report_annual_plan
from services.intake.api.library import annual_plan
from services.intake.application.community import RegisterCommunity, register_community
from services.intake.domain.plan import yuan
from services.intake.domain.vocabulary import FUNDING_LABELS
from shared.http import Year
from shared.auth import CurrentActor, OptionalActor
from shared.errors import RenovationError
from shared.paging import PageQuery, PageRequest
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)

REGISTRAR_ROLES = {"official", "street_office", "community", "admin"}


async def _form(request: Request) -> dict:
    return dict(await request.form())


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep, actor: OptionalActor, page: PageQuery,
         district: str | None = None, state: str | None = None) -> HTMLResponse:
    """The community register: key figures, running notices, one page of communities."""
    state = state if state in COMMUNITY_STATES else None
    with service.engine.connect() as conn:
        communities = community_page(conn, page, district=district or None, state=state)
        running = notice_page(conn, PageRequest(size=10), state="open")
        context = {"figures": register_figures(conn), "districts": [(d, d) for d in districts(conn)]}
    return request.app.state.templates.render(request, "intake/home.html", context | {
        "communities": communities, "req": page, "open_notices": running,
        "filters": {"district": district or None, "state": state}, "states": COMMUNITY_STATES,
        "can_register": actor is not None and actor.role in REGISTRAR_ROLES,
    })


@router.get("/communities/new", response_class=HTMLResponse)
def new_form(request: Request, actor: Registrar) -> HTMLResponse:
    """The registration form."""
    return request.app.state.templates.render(request, "intake/register.html", {"form": {}, "errors": []})


@router.post("/communities/new", response_class=HTMLResponse)
def submit_form(
    request: Request, actor: Registrar, service: ServiceDep, intake: IntakeDep,
    form: Annotated[dict, Depends(_form)],
) -> HTMLResponse:
    """Register from the form; on bad input show the form again with the reasons."""
    values = {k: v for k, v in form.items() if v != ""}
    try:
        command = RegisterCommunity.model_validate(values)
        uow = service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)
        register_community(command, uow, today=intake.today())
    except ValidationError as error:
        errors = [f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in error.errors()]
        return _again(request, form, errors)
    except RenovationError as error:
        return _again(request, form, [error.message])
    return RedirectResponse("/", status_code=303)


def _again(request: Request, form: dict, errors: list[str]) -> HTMLResponse:
    return request.app.state.templates.render(
        request, "intake/register.html", {"form": form, "errors": errors}, status_code=422)


@router.get("/library", response_class=HTMLResponse)
def library(request: Request, service: ServiceDep, _: CurrentActor, page: PageQuery,
            district: str | None = None, plan_year: Year | None = None) -> HTMLResponse:
    """The project library: one page of approved projects, totals over all of them."""
    with service.engine.connect() as conn:
        rows = project_page(conn, page, district=district or None, plan_year=plan_year, approved_only=True)
        context = {"totals": library_figures(conn), "districts": [(d, d) for d in districts(conn)]}
    return request.app.state.templates.render(request, "intake/library.html", context | {
        "page_title": "项目库", "projects": rows, "req": page, "yuan": yuan,
        "filters": {"district": district or None, "plan_year": plan_year}})


@router.get("/annual-plan", response_class=HTMLResponse)
def annual(request: Request, service: ServiceDep, intake: IntakeDep, actor: CurrentActor,
           year: Year | None = None, district: str | None = None) -> HTMLResponse:
    """The annual plan of a year and district, with totals, the 30 September deadline and its report."""
    return annual_page(request, service, intake, actor, year=year, district=district)


def annual_page(request: Request, service, intake, actor, *, year: int | None, district: str | None,
                errors: tuple[str, ...] = (), status_code: int = 200) -> HTMLResponse:
    """The annual-plan page, with the reasons a report was refused if any."""
    with service.engine.connect() as conn:
        districts, years = plan_choices(conn)
    year = year or (years[0] if years else intake.today().year + 1)
    plan = annual_plan(service, intake, year, district or None)
    return request.app.state.templates.render(request, "intake/annual_plan.html", {
        "page_title": "年度改造计划", "plan": plan, "districts": districts,
        "years": sorted(set(years) | {year}, reverse=True), "yuan": yuan, "funding_labels": FUNDING_LABELS,
        "can_report": may(actor, "official"), "errors": errors, "done": request.query_params.get("done"),
        "pipeline": [p for p in list_projects_for(service, year, district) if p["status"] not in
                     ("approved", "withdrawn")]}, status_code=status_code)


@router.post("/annual-plan/report", response_class=HTMLResponse)
def report(request: Request, service: ServiceDep, intake: IntakeDep, actor: Official,
           form: FormFields) -> HTMLResponse:
    """Report the annual plan shown (year and district) from the page; refusals shown in place."""
    year, district = form.get("year", ""), form.get("district") or None
    if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
        return annual_page(request, service, intake, actor, year=None, district=district,
                           errors=("计划年度无效",), status_code=422)
    uow = service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)
    _, errors = attempt(lambda: report_annual_plan(uow, plan_year=int(year), district=district,
                                                   note=str(form.get("note", "")), intake=intake))
    if errors:
        return annual_page(request, service, intake, actor, year=int(year), district=district,
                           errors=tuple(errors), status_code=422)
    return back(f"/annual-plan?{urlencode({'year': year, 'district': district or ''})}", "reported")


def list_projects_for(service, year: int, district: str | None) -> list[dict]:
    """Projects of a plan year (and district) in any stage."""
    with service.engine.connect() as conn:
        return list_projects(conn, plan_year=year, district=district or None)
