"""Commands on rectification orders, and the clock that notes overdue ones."""

from __future__ import annotations

import logging

from services.construction.adapters import queries
from services.construction.application.context import Construction, load_project
from services.construction.application.evidence import Examined, describe, keep
from services.construction.domain.evidence import Subject
from services.construction.domain.rectification import RectificationOrder
from shared.actor import Actor
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("renovation.construction")


def load_order(uow: UnitOfWork, order_id: str) -> RectificationOrder:
    """The order, or 404."""
    return uow.get(RectificationOrder, RectificationOrder.stream_for(order_id), missing=f"整改单 {order_id} 不存在")


def submit(uow: UnitOfWork, ctx: Construction, *, order_id: str, note: str, examined: list[Examined]) -> None:
    """The contractor reports the fix with photos of it."""
    order = load_order(uow, order_id)
    project_id = order.issued.project_id
    load_project(uow, project_id).check_party(uow.actor, "contractor")
    reused = [item.upload.filename for item in examined if item.sha256 in order.evidence]
    if reused:
        raise InvalidCommand(f"这些照片已在之前的整改提交中用过：{'、'.join(reused)}；请拍摄整改后的新照片",
                             code="fix_photo_reused")
    subject = Subject(kind="rectification", id=order_id, project_id=project_id, label=f"整改单 {order_id}")
    described = [(item, describe(ctx, uow.conn, item, subject=subject)) for item in examined]
    order.submit(note=note, evidence=[evidence for _, evidence in described])
    keep(ctx, described)
    uow.save(order, project_id=project_id)


def verify(uow: UnitOfWork, *, order_id: str, note: str = "") -> None:
    """An inspector (or the project's supervision engineer) closes the order; a stop it held lifts."""
    order = load_order(uow, order_id)
    project_id = order.issued.project_id
    project = load_project(uow, project_id)
    project.check_party(uow.actor, uow.actor.role)
    order.verify(note=note)
    project.order_verified(order_id=order_id, open_orders=queries.open_order_ids(uow.conn, project_id))
    uow.save(order, project_id=project_id)
    if project.pending:
        uow.save(project, project_id=project_id)


def reject(uow: UnitOfWork, *, order_id: str, reason: str) -> None:
    """The fix is not good enough; the contractor must submit again."""
    order = load_order(uow, order_id)
    load_project(uow, order.issued.project_id).check_party(uow.actor, uow.actor.role)
    order.reject(reason=reason)
    uow.save(order, project_id=order.issued.project_id)


def note_overdue(uow: UnitOfWork, ctx: Construction) -> int:
    """Record each open order whose due date has passed, once; answers how many were new."""
    today, noted = ctx.today(), 0
    for row in queries.overdue_orders(uow.conn, today=today):
        if row["overdue_noted"]:
            continue
        order = load_order(uow, row["order_id"])
        if order.note_overdue(today=today):
            uow.save(order, project_id=order.issued.project_id)
            noted += 1
    return noted


def overdue_ticker(ctx: Construction):
    """A ticker for the service: note overdue orders as the system (idempotent on repeat)."""

    def tick(service) -> None:
        uow = service.unit_of_work(actor=Actor.system("construction-clock"))
        with uow:
            noted = note_overdue(uow, ctx)
            uow.commit()
        if noted:
            log.info("noted %d rectification orders overdue", noted)

    tick.__name__ = "note_overdue_rectifications"
    return tick
