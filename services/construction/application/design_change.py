"""Commands on design changes, and intake's notice coming back (policies)."""

from __future__ import annotations

from datetime import date

from services.construction.application.context import Construction, load_project
from services.construction.domain.design_change import DesignChange, major_reasons
from shared.actor import Role
from shared.envelope import new_event_id
from shared.errors import Forbidden
from shared.unit_of_work import UnitOfWork


def load_change(uow: UnitOfWork, change_id: str) -> DesignChange:
    """The design change, or 404."""
    return uow.get(DesignChange, DesignChange.stream_for(change_id), missing=f"设计变更 {change_id} 不存在")


def request_change(uow: UnitOfWork, ctx: Construction, *, project_id: str, title: str, description: str,
                   reason: str, cost_delta_fen: int, major_content: bool) -> str:
    """Ask for a change; whether it is major is decided now, by today's thresholds, and recorded."""
    project = load_project(uow, project_id)
    project.check_party(uow.actor, uow.actor.role)
    base = project.contract.amount_fen if project.contract else project.opened.budget_fen
    reasons = major_reasons(major_content=major_content, cost_delta_fen=cost_delta_fen, base_fen=base,
                            threshold_fen=ctx.settings.design_change_major_fen,
                            threshold_ratio=ctx.settings.design_change_major_ratio)
    change_id = str(new_event_id())
    change = DesignChange.request(change_id=change_id, project_id=project_id, title=title, description=description,
                                  reason=reason, cost_delta_fen=cost_delta_fen, reasons=reasons)
    uow.save(change, project_id=project_id)
    return change_id


def approve(uow: UnitOfWork, ctx: Construction, *, change_id: str, note: str = "") -> None:
    """Approve: a major change only by the construction unit (报批), then to public notice."""
    change = load_change(uow, change_id)
    load_project(uow, change.requested.project_id).check_party(uow.actor, uow.actor.role)
    if change.requested.major and uow.actor.role not in (Role.OFFICIAL, Role.ADMIN):
        raise Forbidden("重大设计变更须由建设单位（住建部门）审批", code="major_change_needs_official")
    change.approve(note=note, notice_working_days=ctx.settings.design_change_notice_working_days)
    uow.save(change, project_id=change.requested.project_id)


def reject(uow: UnitOfWork, *, change_id: str, reason: str) -> None:
    """Turn the change down."""
    change = load_change(uow, change_id)
    load_project(uow, change.requested.project_id).check_party(uow.actor, uow.actor.role)
    change.reject(reason=reason)
    uow.save(change, project_id=change.requested.project_id)


def notice_published(uow: UnitOfWork, *, change_id: str, notice_id: str, start: date, end: date) -> None:
    """Intake posted the notice (a policy)."""
    change = uow.find(DesignChange, DesignChange.stream_for(change_id))
    if change is not None and change.notice_opened(notice_id=notice_id, start=start, end=end):
        uow.save(change, project_id=change.requested.project_id)


def notice_ended(uow: UnitOfWork, *, change_id: str, notice_id: str, objections: int, unanswered: int) -> None:
    """The notice period ended (a policy): effective unless objections went unanswered."""
    change = uow.find(DesignChange, DesignChange.stream_for(change_id))
    if change is not None and change.notice_closed(notice_id=notice_id, objections=objections,
                                                   unanswered=unanswered):
        uow.save(change, project_id=change.requested.project_id)
