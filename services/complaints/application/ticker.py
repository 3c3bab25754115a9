"""The clock's work: escalate expired limits (催办 → 督办 → 通报), call for return visits, firm up provisional ones."""

from __future__ import annotations

from datetime import timedelta

from services.complaints.adapters import queries
from services.complaints.application.context import ComplaintsContext, load, save
from services.complaints.domain.time_limit import Limit, levels_reached
from shared.actor import Actor
from shared.errors import ConcurrencyError
from shared.unit_of_work import UnitOfWork


def tick(service, ctx: ComplaintsContext) -> dict[str, int]:
    """One pass; each complaint in its own transaction, so one conflict does not hold back the rest."""
    counts = {"escalated": 0, "return_visits": 0, "recomputed": 0}
    now = ctx.now()
    with service.engine.connect() as conn:
        provisional = queries.provisional_clocks(conn)
        expired = queries.expired_clocks(conn, now=now.isoformat())
        waiting = queries.awaiting_rating(conn)
    for complaint_id in provisional:
        counts["recomputed"] += _step(service, _recompute, ctx, complaint_id)
    for complaint_id in expired:
        counts["escalated"] += _step(service, _escalate, ctx, complaint_id)
    for complaint_id, resolved_at in waiting:
        counts["return_visits"] += _step(service, _return_visit, ctx, complaint_id, resolved_at)
    return counts


def _step(service, fn, ctx: ComplaintsContext, *args) -> int:
    uow = service.unit_of_work(actor=Actor.system("complaints-clock"))
    try:
        with uow:
            done = fn(uow, ctx, *args)
            uow.commit()
        return done
    except ConcurrencyError:
        return 0  # someone acted on it meanwhile: the next tick looks again


def _escalate(uow: UnitOfWork, ctx: ComplaintsContext, complaint_id: str) -> int:
    complaint = load(uow, complaint_id)
    limit = complaint.limit
    if complaint.state not in ("received", "acknowledged", "assigned") or limit is None or limit.due_provisional:
        return 0  # a provisional limit is never ended early: it waits for the year's calendar
    s = ctx.settings
    reached = levels_reached(now=ctx.now(), due=limit.due_at,
                             supervision_after=timedelta(hours=s.supervision_after_hours),
                             public_notice_after=timedelta(hours=s.public_notice_after_hours))
    new = [level for level in reached if level not in complaint.levels]
    for level in new:
        complaint.escalate(level, at=ctx.now())
    save(uow, complaint)
    return len(new)


def _return_visit(uow: UnitOfWork, ctx: ComplaintsContext, complaint_id: str, resolved_at: str) -> int:
    complaint = load(uow, complaint_id)
    if complaint.resolved_at is None:
        return 0
    due = ctx.calendar.deadline_after(complaint.resolved_at, ctx.settings.return_visit_working_days)
    if ctx.now() <= due or not complaint.mark_return_visit_due():
        return 0
    save(uow, complaint)
    return 1


def _recompute(uow: UnitOfWork, ctx: ComplaintsContext, complaint_id: str) -> int:
    complaint = load(uow, complaint_id)
    limit = complaint.limit
    if limit is None or not limit.due_provisional:
        return 0
    due = ctx.due(limit.started_at, Limit(rule=limit.rule, amount=limit.amount, unit=limit.unit))
    if due.provisional:
        return 0
    complaint.recompute(due)
    save(uow, complaint)
    return 1


def recompute_provisional(service, ctx: ComplaintsContext) -> int:
    """Firm up every provisional limit the calendar can now answer (idempotent: each once)."""
    with service.engine.connect() as conn:
        provisional = queries.provisional_clocks(conn)
    return sum(_step(service, _recompute, ctx, complaint_id) for complaint_id in provisional)


def on_calendar_year(ctx: ComplaintsContext):
    """The kernel's hook: a year's official schedule was loaded into the calendar."""
    def complaints_calendar_year(service, year: int) -> None:
        recompute_provisional(service, ctx)
    return complaints_calendar_year


def ticker(ctx: ComplaintsContext):
    """The service ticker of this context (ServiceSpec.tickers)."""
    def complaints_clock(service) -> None:
        tick(service, ctx)
    return complaints_clock
