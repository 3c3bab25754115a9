"""Commands on hidden works: declare, attach evidence, accept or reject, conceal."""

from __future__ import annotations

from services.construction.application.context import Construction, attempt, load_project
from services.construction.application.evidence import Examined, describe, keep
from services.construction.domain.evidence import Evidence, Subject
from services.construction.domain.hidden_work import HiddenWork
from shared.envelope import new_event_id
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork


def load_work(uow: UnitOfWork, hidden_work_id: str) -> HiddenWork:
    """The hidden work, or 404."""
    return uow.get(HiddenWork, HiddenWork.stream_for(hidden_work_id), missing=f"隐蔽工程 {hidden_work_id} 不存在")


def declare(uow: UnitOfWork, *, project_id: str, item_id: str | None, zone: str | None, location: str,
            kind: str, description: str = "") -> str:
    """The contractor declares work that will be covered; answers its id."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, "contractor")
    if project.contract is None:
        raise InvalidCommand("施工合同尚未登记，不能申报隐蔽工程", code="contract_missing")
    if project.completed:
        raise InvalidCommand("项目已申报完工", code="project_completed")
    if item_id is not None and item_id not in project.items:
        raise InvalidCommand(f"本项目没有工程项目 {item_id}", code="unknown_item")
    zone = zone or (project.items[item_id].zone if item_id else "site")
    hidden_work_id = str(new_event_id())
    work = HiddenWork.declare(hidden_work_id=hidden_work_id, project_id=project_id, item_id=item_id, zone=zone,
                              location=location, kind=kind, description=description)
    uow.save(work, project_id=project_id)
    return hidden_work_id


def attach_evidence(uow: UnitOfWork, ctx: Construction, *, hidden_work_id: str,
                    examined: list[Examined]) -> list[Evidence]:
    """Attach examined photos or videos; the objects are stored before the events commit."""
    work = load_work(uow, hidden_work_id)
    project_id = work.declared.project_id
    project = load_project(uow, project_id)
    if uow.actor.role in ("contractor", "supervision_engineer"):
        project.check_party(uow.actor, uow.actor.role)
    subject = Subject(kind="hidden_work", id=hidden_work_id, project_id=project_id,
                      label=f"隐蔽工程“{work.declared.location}”")
    attached, results = [], []
    for item in examined:
        evidence = describe(ctx, uow.conn, item, subject=subject)
        if work.attach(evidence):
            attached.append((item, evidence))
        results.append(work.evidence[item.sha256])
    keep(ctx, attached)
    uow.save(work, project_id=project_id)
    return results


def accept(uow: UnitOfWork, ctx: Construction, *, hidden_work_id: str, note: str = "") -> None:
    """The supervision engineer accepts the work before it may be covered."""
    work = load_work(uow, hidden_work_id)
    load_project(uow, work.declared.project_id).check_party(uow.actor, "supervision_engineer")
    work.accept(min_photos=ctx.settings.hidden_work_min_photos, note=note)
    uow.save(work, project_id=work.declared.project_id)


def reject(uow: UnitOfWork, *, hidden_work_id: str, reason: str) -> None:
    """The supervision engineer sends the work back."""
    work = load_work(uow, hidden_work_id)
    load_project(uow, work.declared.project_id).check_party(uow.actor, "supervision_engineer")
    work.reject(reason=reason)
    uow.save(work, project_id=work.declared.project_id)


def conceal(uow: UnitOfWork, *, hidden_work_id: str) -> None:
    """The contractor covers the work; refused (and recorded) until it is accepted."""
    work = load_work(uow, hidden_work_id)
    project_id = work.declared.project_id
    project = load_project(uow, project_id)
    project.check_party(uow.actor, "contractor")
    stopped = project.stop_for(work.declared.zone)
    attempt(uow, work, lambda: work.conceal(stopped_zone=stopped), project_id=project_id)
    uow.save(work, project_id=project_id)
