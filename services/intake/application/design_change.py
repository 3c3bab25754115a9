"""Design-change notices for construction: published on request, ended when the period is over."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from services.intake.application.context import Intake
from services.intake.application.project import load_project
from services.intake.domain.design_change import DesignChangeNotice
from services.intake.domain.notice import open_window
from services.intake.domain.project import Status
from shared.calendar import CHINA
from shared.envelope import new_event_id
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("renovation.intake.design_change")


def publish_design_change_notice(uow: UnitOfWork, *, project_id: str, change_id: str, title: str,
                                 description: str, cost_delta_fen: int, requested_working_days: int,
                                 received_at: datetime, intake: Intake) -> str | None:
    """Publish the notice of a design change, inside the consumer's transaction.

    The notice starts the day after the request reached intake (it is posted in the
    community the next morning) and runs at least the configured working days. A
    repeated request for the same change is answered by the notice already running.
    """
    if uow.find(DesignChangeNotice, DesignChangeNotice.stream_for(change_id)) is not None:
        log.info("design change %s already noticed; request ignored", change_id)
        return None
    project = load_project(uow, project_id)
    if project.status != Status.APPROVED:
        raise InvalidCommand(f"项目 {project_id} 尚未批准入库，不能公示设计变更", code="project_not_approved")
    today = intake.today()
    start = max(received_at.astimezone(CHINA).date(), today) + timedelta(days=1)
    minimum = intake.rules.design_change_notice_working_days
    window = open_window(intake.calendar, start=start, working_days=max(requested_working_days, minimum),
                         minimum=minimum, today=today)
    notice_id = str(new_event_id())
    notice = DesignChangeNotice.publish(
        project_id=project_id, change_id=change_id, notice_id=notice_id, window=window, title=title,
        description=description, cost_delta_fen=cost_delta_fen, requested_working_days=requested_working_days)
    uow.save(notice, project_id=project_id)
    return notice_id
