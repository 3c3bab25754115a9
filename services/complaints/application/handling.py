"""The handling loop: acknowledge, assign, transfer, respond, resolve, the resident's word, return visits, merges."""

from __future__ import annotations

import hmac

from services.complaints.adapters.community import contractor_projects
from services.complaints.application.context import ComplaintsContext, load, save
from services.complaints.application.filing import secret_digest
from services.complaints.domain.category import Rating
from services.complaints.domain.complaint import Complaint
from shared.errors import Forbidden, InvalidCommand
from shared.unit_of_work import UnitOfWork


def check_party(uow: UnitOfWork, complaint: Complaint) -> None:
    """A contractor acts only on its own projects' complaints, and only once they are assigned to a contractor."""
    if uow.actor.role != "contractor":
        return
    if complaint.project_id not in contractor_projects(uow.conn, uow.actor.id):
        raise Forbidden("该工单不属于您所在施工单位承建的项目", code="not_your_project")
    if complaint.assignee is None or complaint.assignee[0] != "contractor":
        raise Forbidden("该工单未派给施工单位，请由承办单位处理", code="not_assigned_to_contractor")


def acknowledge(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str) -> None:
    """签收."""
    complaint = load(uow, complaint_id)
    check_party(uow, complaint)
    complaint.acknowledge(at=ctx.now())
    save(uow, complaint)


def assign(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, kind: str, assignee: str,
           note: str = "") -> None:
    """派单 to the contractor, the street office or a department."""
    complaint = load(uow, complaint_id)
    complaint.assign(kind=kind, assignee=assignee, note=note, at=ctx.now())
    save(uow, complaint)


def transfer(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, kind: str, assignee: str,
             reason: str) -> None:
    """转办, with the reason."""
    complaint = load(uow, complaint_id)
    complaint.transfer(kind=kind, assignee=assignee, reason=reason)
    save(uow, complaint)


def extend(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, reason: str) -> None:
    """A complex case: the longer limit from the same start, with the reason."""
    complaint = load(uow, complaint_id)
    limit = ctx.complex_limit()
    complaint.extend(limit, ctx.due(complaint.limit.started_at, limit), reason=reason)
    save(uow, complaint)


def respond(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, response: str,
            from_inspection: bool = False) -> None:
    """答复 (the clock stops); from an inspection, the operator confirms construction's finding."""
    complaint = load(uow, complaint_id)
    check_party(uow, complaint)
    complaint.respond(response=response, at=ctx.now(), from_inspection=from_inspection)
    save(uow, complaint)


def resolve(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, resolution: str) -> None:
    """办结: the resident is asked for their word."""
    complaint = load(uow, complaint_id)
    check_party(uow, complaint)
    complaint.resolve(resolution=resolution, at=ctx.now())
    save(uow, complaint)


def confirm(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, rating: Rating, comment: str = "",
            channel: str = "resident") -> None:
    """The rating, by the resident or by return visit; 不满意 sends it back with a new clock."""
    complaint = load(uow, complaint_id)
    now = ctx.now()
    complaint.confirm(rating=rating, comment=comment, channel=channel, at=now)
    _restart_if_reopened(ctx, complaint, now)
    save(uow, complaint)


def reopen(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, reason: str) -> None:
    """The resident says it is not solved."""
    complaint = load(uow, complaint_id)
    now = ctx.now()
    complaint.reopen(reason=reason, channel="resident", at=now)
    _restart_if_reopened(ctx, complaint, now)
    save(uow, complaint)


def _restart_if_reopened(ctx: ComplaintsContext, complaint: Complaint, now) -> None:
    if complaint.state == "assigned":
        limit = ctx.limit_for(complaint.category, complaint.received.urgency)
        complaint.set_limit(limit, ctx.due(now, limit), started_at=now)


def merge(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, into: str) -> None:
    """Staff merge a repeat into the open case; its complainant follows that case."""
    duplicate, primary = load(uow, complaint_id), load(uow, into)
    if duplicate.category != primary.category or duplicate.community_id != primary.community_id:
        raise InvalidCommand("只能合并同一小区、同一类别的工单", code="merge_mismatch")
    duplicate.merge_into(primary, at=ctx.now())
    save(uow, duplicate)
    save(uow, primary)


def check_secret(uow: UnitOfWork, *, complaint_id: str, secret: str) -> Complaint:
    """The complaint of a tracking link, or 403 when the secret does not match."""
    complaint = load(uow, complaint_id)
    require_secret(complaint.received.secret_digest, secret)
    return complaint


def require_secret(recorded: str | None, secret: str) -> None:
    """403 unless `secret` is the one whose digest was recorded (compared in constant time)."""
    if not secret or not recorded or not hmac.compare_digest(recorded, secret_digest(secret)):
        raise Forbidden("查询链接无效：请使用受理时收到的完整链接", code="wrong_secret")


def resident_confirm(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, secret: str, rating: Rating,
                     comment: str = "") -> None:
    """The resident rates through the secret link."""
    check_secret(uow, complaint_id=complaint_id, secret=secret)
    confirm(uow, ctx, complaint_id=complaint_id, rating=rating, comment=comment, channel="resident")


def resident_reopen(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, secret: str, reason: str) -> None:
    """The resident sends it back through the secret link."""
    check_secret(uow, complaint_id=complaint_id, secret=secret)
    reopen(uow, ctx, complaint_id=complaint_id, reason=reason)
