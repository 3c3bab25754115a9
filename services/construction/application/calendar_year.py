"""When a year's official calendar is loaded: recompute the provisional due dates construction holds."""

from __future__ import annotations

import logging

from services.construction.adapters import queries
from services.construction.application.context import Construction
from services.construction.application.rectification import load_order
from shared.actor import Actor

log = logging.getLogger("renovation.construction")


def recompute_due_dates(ctx: Construction):
    """The kernel hook: each open order on a provisional due date gets it recomputed, as an event."""

    def on_calendar_year(service, year: int) -> None:
        with service.engine.connect() as conn:
            order_ids = queries.provisional_orders(conn)
        changed = 0
        for order_id in order_ids:
            # One transaction per order: a failure leaves the others recomputed, and the
            # kernel calls the hook again for what is left.
            uow = service.unit_of_work(actor=Actor.system("construction-calendar"))
            with uow:
                order = load_order(uow, order_id)
                issued = order.issued
                due_on = ctx.calendar.add_working_days(issued.issued_on, issued.working_days)
                if order.recompute_due(due_on=due_on, reason=f"{year}年工作日历已载入",
                                       due_provisional=ctx.calendar.provisional_between(issued.issued_on, due_on)):
                    uow.save(order, project_id=issued.project_id)
                    changed += 1
                uow.commit()
        log.info("calendar %d: %d of %d provisional rectification due dates recomputed", year, changed, len(order_ids))

    on_calendar_year.__name__ = "recompute_rectification_due_dates"
    return on_calendar_year
