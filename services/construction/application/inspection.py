"""Recording an inspection: defects become rectification orders; critical ones stop the zone."""

from __future__ import annotations

from services.construction.adapters import queries
from services.construction.application.context import Construction, load_project
from services.construction.application.evidence import Examined, describe, keep
from services.construction.domain.evidence import Subject
from services.construction.domain.inspection import CheckedItem, Inspection, InspectionKind
from services.construction.domain.inspection_task import InspectionTask
from services.construction.domain.project import Project
from services.construction.domain.rectification import RectificationOrder
from shared.envelope import new_event_id
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork


def record_inspection(uow: UnitOfWork, ctx: Construction, *, project_id: str, zone: str, kind: InspectionKind,
                      items: list[CheckedItem], task_id: str | None = None,
                      photos: list[tuple[str, Examined]] = ()) -> str:
    """Record the checklist with its photos, issue orders, stop or release the zone; answers the id."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, uow.actor.role)
    if zone not in {*(i.zone for i in project.items.values()), "site"}:
        raise InvalidCommand(f"本项目没有施工区域“{zone}”", code="unknown_zone")
    inspection_id = str(new_event_id())
    inspection = Inspection.record(inspection_id=inspection_id, project_id=project_id, zone=zone, kind=kind,
                                   items=items, task_id=task_id)
    _attach(uow, ctx, inspection, photos)
    _issue_orders(uow, ctx, inspection)
    _stop_or_release(uow, project, inspection)
    if task_id:
        _complete_task(uow, task_id=task_id, project_id=project_id, inspection_id=inspection_id)
    uow.save(inspection, project_id=project_id)
    if project.pending:
        uow.save(project, project_id=project_id)
    return inspection_id


def _attach(uow: UnitOfWork, ctx: Construction, inspection: Inspection, photos) -> None:
    recorded = inspection.recorded
    subject = Subject(kind="inspection", id=recorded.inspection_id, project_id=recorded.project_id,
                      label=f"巡查记录（{ctx.today().isoformat()}）")
    kept = []
    for item_code, examined in photos:
        evidence = describe(ctx, uow.conn, examined, subject=subject)
        if inspection.attach(item_code=item_code, evidence=evidence):
            kept.append((examined, evidence))
    keep(ctx, kept)


def _issue_orders(uow: UnitOfWork, ctx: Construction, inspection: Inspection) -> None:
    today = ctx.today()
    for defect in inspection.recorded.defects:
        days = ctx.settings.rectification_working_days.get(str(defect.severity), 5)
        due_on = ctx.calendar.add_working_days(today, days)
        order = RectificationOrder.issue(
            project_id=inspection.recorded.project_id, inspection_id=inspection.recorded.inspection_id,
            defect=defect, issued_on=today, working_days=days, due_on=due_on,
            due_provisional=ctx.calendar.provisional_between(today, due_on))
        uow.save(order, project_id=inspection.recorded.project_id)


def _stop_or_release(uow: UnitOfWork, project: Project, inspection: Inspection) -> None:
    recorded = inspection.recorded
    if inspection.critical:
        project.order_stop(zone=recorded.zone, inspection_id=recorded.inspection_id,
                           defect_ids=tuple(d.defect_id for d in inspection.critical))
        return
    if inspection.safety_passed:
        project.pass_safety_check(zone=recorded.zone, inspection_id=recorded.inspection_id)
    if recorded.kind in (InspectionKind.REINSPECTION, InspectionKind.START_CHECK):
        # Only a re-inspection (or restart check) that finds nothing critical lifts a stop-work
        # order, and only once the critical orders that caused it are verified.
        open_orders = queries.open_order_ids(uow.conn, recorded.project_id)
        project.lift_stop(zone=recorded.zone, inspection_id=recorded.inspection_id, open_orders=open_orders)


def _complete_task(uow: UnitOfWork, *, task_id: str, project_id: str, inspection_id: str) -> None:
    task = uow.get(InspectionTask, InspectionTask.stream_for(task_id), missing=f"巡查任务 {task_id} 不存在")
    task.complete(project_id=project_id, inspection_id=inspection_id)
    uow.save(task, project_id=project_id)


def attach_evidence(uow: UnitOfWork, ctx: Construction, *, inspection_id: str, item_code: str,
                    examined: list[Examined]) -> int:
    """Add photos to one item of a recorded inspection; answers how many were new."""
    inspection = uow.get(Inspection, Inspection.stream_for(inspection_id), missing=f"巡查记录 {inspection_id} 不存在")
    _attach(uow, ctx, inspection, [(item_code, item) for item in examined])
    added = len(inspection.pending)
    uow.save(inspection, project_id=inspection.recorded.project_id)
    return added
