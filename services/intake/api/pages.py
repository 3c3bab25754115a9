"""Intake's pages: the community register and the registration form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from services.intake.adapters.community import list_communities
from services.intake.application.community import RegisterCommunity, register_community
from services.intake.api.community import Registrar
from shared.auth import OptionalActor
from shared.errors import RenovationError
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)

REGISTRAR_ROLES = {"official", "street_office", "community", "admin"}


async def _form(request: Request) -> dict:
    return dict(await request.form())


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep, actor: OptionalActor) -> HTMLResponse:
    """The community register with its key figures."""
    with service.engine.connect() as conn:
        communities = list_communities(conn)
    return request.app.state.templates.render(request, "intake/home.html", {
        "communities": communities,
        "households": sum(c["household_count"] for c in communities),
        "can_register": actor is not None and actor.role in REGISTRAR_ROLES,
    })


@router.get("/communities/new", response_class=HTMLResponse)
def new_form(request: Request, actor: Registrar) -> HTMLResponse:
    """The registration form."""
    return request.app.state.templates.render(request, "intake/register.html", {"form": {}, "errors": []})


@router.post("/communities/new", response_class=HTMLResponse)
def submit_form(
    request: Request, actor: Registrar, service: ServiceDep,
    form: Annotated[dict, Depends(_form)],
) -> HTMLResponse:
    """Register from the form; on bad input show the form again with the reasons."""
    values = {k: v for k, v in form.items() if v != ""}
    try:
        command = RegisterCommunity.model_validate(values)
        uow = service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)
        register_community(command, uow)
    except ValidationError as error:
        errors = [f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in error.errors()]
        return _again(request, form, errors)
    except RenovationError as error:
        return _again(request, form, [error.message])
    return RedirectResponse("/", status_code=303)


def _again(request: Request, form: dict, errors: list[str]) -> HTMLResponse:
    return request.app.state.templates.render(
        request, "intake/register.html", {"form": form, "errors": errors}, status_code=422)
