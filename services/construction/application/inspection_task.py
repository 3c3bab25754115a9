"""Opening inspection tasks from complaints (a policy)."""

from __future__ import annotations

from services.construction.domain.inspection_task import TASK_CATEGORIES, InspectionTask
from shared.unit_of_work import UnitOfWork


def open_task(uow: UnitOfWork, *, project_id: str, complaint_id: str, category: str, summary: str) -> bool:
    """Open the inspection task of a quality or safety complaint; False if not one, or already open."""
    if category not in TASK_CATEGORIES:
        return False
    if uow.find(InspectionTask, InspectionTask.stream_for(complaint_id)) is not None:
        return False
    # The project may not have reached construction yet (topics are not ordered across
    # services): the task is kept by project id and shows once the project opens.
    task = InspectionTask.open(project_id=project_id, complaint_id=complaint_id, category=category, summary=summary)
    uow.save(task, project_id=project_id)
    return True
