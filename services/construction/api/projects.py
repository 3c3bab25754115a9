"""JSON API: projects, their parties, contract, site contact, work items and completion."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response, status

from services.construction.adapters import queries
from services.construction.adapters.listing import project_page, refusal_page
from services.construction.api.deps import (
    ContactPublisher, Contractor, CtxDep, Official, OrderAuthority, unit_of_work)
from services.construction.api.schemas import (
    ContractSign, ItemPlacement, OrderOverride, PartiesAssign, SiteContact, StopLift)
from services.construction.application import project as handlers
from services.construction.application.context import run
from services.construction.domain.project import Parties
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(prefix="/api/projects", tags=["projects 项目"])
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("", summary="项目列表 Projects")
def get_projects(_: CurrentActor, service: ServiceDep, page: PageQuery, request: Request, response: Response,
                 district: str | None = None,
                 state: Literal["open", "stopped", "completed"] | None = None) -> list[dict]:
    """One page of projects (newest first) with what needs attention; `q` searches the community name."""
    with service.engine.connect() as conn:
        found = project_page(conn, page, district=district, state=state)
    return answer(found, request, response)


@router.get("/{project_id}", summary="项目详情 One project")
def get_project(project_id: str, _: CurrentActor, service: ServiceDep) -> dict:
    """A project with its parties, work items and stop-work orders in force."""
    with service.engine.connect() as conn:
        project = queries.get_project(conn, project_id)
    if project is None:
        raise NotFound(f"项目 {project_id} 不存在")
    return project


@router.put("/{project_id}/parties", status_code=NO_CONTENT, summary="指派参建单位 Assign parties")
def put_parties(project_id: str, body: PartiesAssign, actor: Official, service: ServiceDep, request: Request) -> None:
    """The construction unit names contractor, supervision, designer, pipeline units and accounts."""
    parties = Parties(contractor=body.contractor, supervision_unit=body.supervision_unit, designer=body.designer,
                      pipeline_units=tuple(body.pipeline_units),
                      accounts={role: tuple(names) for role, names in body.accounts.items()})
    run(unit_of_work(service, actor, request), handlers.assign_parties, project_id=project_id, parties=parties)


@router.post("/{project_id}/contract", status_code=NO_CONTENT, summary="登记施工合同 Sign the contract")
def post_contract(project_id: str, body: ContractSign, actor: Official, service: ServiceDep, request: Request) -> None:
    """Record the construction contract (amount in fen, date signed)."""
    run(unit_of_work(service, actor, request), handlers.sign_contract, project_id=project_id, **body.model_dump())


@router.put("/{project_id}/site-contact", status_code=NO_CONTENT, summary="公布投诉热线 Site hotline")
def put_contact(project_id: str, body: SiteContact, actor: ContactPublisher, service: ServiceDep,
                request: Request) -> None:
    """Record the complaint hotline and named site contact posted on site."""
    run(unit_of_work(service, actor, request), handlers.publish_contact, project_id=project_id, **body.model_dump())


@router.put("/{project_id}/items/{item_id}/placement", status_code=NO_CONTENT, summary="调整区域/层次 Place an item")
def put_placement(project_id: str, item_id: str, body: ItemPlacement, actor: OrderAuthority, service: ServiceDep,
                  request: Request) -> None:
    """Move a planned work item to another zone or layer."""
    run(unit_of_work(service, actor, request), handlers.place_item, project_id=project_id, item_id=item_id,
        zone=body.zone, layer=body.layer)


@router.post("/{project_id}/items/{item_id}/override", status_code=NO_CONTENT, summary="批准越序施工 Override")
def post_override(project_id: str, item_id: str, body: OrderOverride, actor: OrderAuthority, service: ServiceDep,
                  request: Request) -> None:
    """Authorise one item to start against a rule of the order of works, with the reason."""
    run(unit_of_work(service, actor, request), handlers.override_order, project_id=project_id, item_id=item_id,
        rule=body.rule, reason=body.reason)


@router.post("/{project_id}/stops/{zone}/lifting", status_code=NO_CONTENT, summary="解除停工令 Lift a stop")
def post_stop_lifting(project_id: str, zone: str, body: StopLift, actor: Official, service: ServiceDep,
                      request: Request) -> None:
    """An authorised official lifts a zone's stop-work order with the reason, before its orders are verified."""
    run(unit_of_work(service, actor, request), handlers.lift_stop, project_id=project_id, zone=zone,
        reason=body.reason)


@router.post("/{project_id}/items/{item_id}/start", status_code=NO_CONTENT, summary="开工 Start an item")
def post_start(project_id: str, item_id: str, actor: Contractor, service: ServiceDep, request: Request) -> None:
    """Start a work item; out of order or in a stopped zone it is refused, and the refusal recorded."""
    run(unit_of_work(service, actor, request), handlers.start_item, project_id=project_id, item_id=item_id)


@router.post("/{project_id}/items/{item_id}/finish", status_code=NO_CONTENT, summary="完工 Finish an item")
def post_finish(project_id: str, item_id: str, actor: Contractor, service: ServiceDep, request: Request) -> None:
    """Finish a work item whose hidden works are all accepted and concealed."""
    run(unit_of_work(service, actor, request), handlers.finish_item, project_id=project_id, item_id=item_id)


@router.post("/{project_id}/completion", status_code=NO_CONTENT, summary="申报完工 Declare completion")
def post_completion(project_id: str, actor: Contractor, service: ServiceDep, ctx: CtxDep, request: Request) -> None:
    """Declare completion; refused (and recorded) with the list of what is missing."""
    run(unit_of_work(service, actor, request), handlers.declare_completion, ctx=ctx, project_id=project_id)


@router.get("/{project_id}/refusals", summary="拒绝记录 Refused attempts")
def get_refusals(project_id: str, _: CurrentActor, service: ServiceDep, page: PageQuery, request: Request,
                 response: Response) -> list[dict]:
    """One page of the concealments, starts and completions that were refused, newest first."""
    with service.engine.connect() as conn:
        return answer(refusal_page(conn, page, project_id=project_id), request, response)
