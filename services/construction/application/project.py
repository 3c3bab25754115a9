"""Commands on projects: opening, parties, contract, site contact, work items, completion."""

from __future__ import annotations

from datetime import date

from services.construction.adapters import queries
from services.construction.application.context import Construction, attempt, load_project
from services.construction.domain.completion import completion_gaps
from services.construction.domain.project import Location, Parties, Project
from services.construction.domain.works import Layer, Rule, WorkItem, default_layer, default_zone
from shared.unit_of_work import UnitOfWork


def open_project(uow: UnitOfWork, *, approved) -> bool:
    """Open the project intake approved (a policy); False if it is already open."""
    project_id = approved.project_id
    if uow.find(Project, Project.stream_for(project_id)) is not None:
        return False
    items = tuple(
        WorkItem(item_id=i.item_id, kind=i.kind, name=i.name, category=i.category or "",
                 zone=default_zone(i.building, i.zone), layer=default_layer(i.kind), budget_fen=i.budget_fen or 0)
        for i in approved.items)
    project = Project.open(
        project_id=project_id, community_id=approved.community_id, community_name=approved.community_name,
        district=approved.district or "", street_office=approved.street_office or "", plan_year=approved.plan_year,
        location=Location(**approved.location.model_dump()), budget_fen=approved.budget_fen or 0,
        plan_parties={k: v for k, v in (approved.parties or {}).items() if isinstance(v, str)}, items=items)
    uow.save(project, project_id=project_id)
    return True


def assign_parties(uow: UnitOfWork, *, project_id: str, parties: Parties) -> None:
    """Name the parties of the works and the accounts acting for them."""
    project = load_project(uow, project_id)
    project.assign_parties(parties)
    uow.save(project, project_id=project_id)


def sign_contract(uow: UnitOfWork, *, project_id: str, contract_no: str, amount_fen: int, signed_on: date) -> None:
    """Record the construction contract."""
    project = load_project(uow, project_id)
    project.sign_contract(contract_no=contract_no, amount_fen=amount_fen, signed_on=signed_on)
    uow.save(project, project_id=project_id)


def publish_contact(uow: UnitOfWork, *, project_id: str, hotline: str, contact_name: str) -> None:
    """Record the hotline and contact posted on site."""
    project = load_project(uow, project_id)
    if uow.actor.role == "contractor":
        project.check_party(uow.actor, "contractor")
    project.publish_contact(hotline=hotline, contact_name=contact_name)
    uow.save(project, project_id=project_id)


def place_item(uow: UnitOfWork, *, project_id: str, item_id: str, zone: str, layer: Layer) -> None:
    """Move a planned item to another zone or layer."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, uow.actor.role)
    project.place_item(item_id=item_id, zone=zone, layer=layer)
    uow.save(project, project_id=project_id)


def override_order(uow: UnitOfWork, *, project_id: str, item_id: str, rule: Rule, reason: str) -> None:
    """Authorise one start against the order of works, with the reason on record."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, uow.actor.role)
    project.override(item_id=item_id, rule=rule, reason=reason)
    uow.save(project, project_id=project_id)


def lift_stop(uow: UnitOfWork, *, project_id: str, zone: str, reason: str) -> None:
    """An authorised official lifts a stop-work order with a reason (the event names who)."""
    project = load_project(uow, project_id)
    project.lift_stop_by_authority(zone=zone, reason=reason)
    uow.save(project, project_id=project_id)


def start_item(uow: UnitOfWork, *, project_id: str, item_id: str) -> None:
    """Start a work item; a refusal (order of works, stop-work) is recorded."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, "contractor")
    attempt(uow, project, lambda: project.start_item(item_id=item_id), project_id=project_id)
    uow.save(project, project_id=project_id)


def finish_item(uow: UnitOfWork, *, project_id: str, item_id: str) -> None:
    """Finish a work item whose hidden works are all concealed."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, "contractor")
    works = queries.item_hidden_works(uow.conn, project_id, item_id)
    project.finish_item(item_id=item_id, hidden_works=works)
    uow.save(project, project_id=project_id)


def declare_completion(uow: UnitOfWork, ctx: Construction, *, project_id: str) -> None:
    """Declare completion, or record the refusal naming everything still missing."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, "contractor")
    works, open_orders, changes = queries.completion_inputs(uow.conn, project_id)
    missing = completion_gaps(items=list(project.items.values()), hidden_works=works,
                              open_orders=open_orders, pending_changes=changes)
    attempt(uow, project, lambda: project.declare_completion(missing=missing, today=ctx.today()),
            project_id=project_id)
    uow.save(project, project_id=project_id)
