"""An inspection task: a quality or safety complaint sends the project's inspector to look."""

from __future__ import annotations

from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent

TASK_CATEGORIES = frozenset({"quality", "safety"})


class InspectionTask(Aggregate):
    """Opened by a complaint (one task per complaint), done by the inspection that answers it."""

    stream_prefix = "inspection-task"

    class Opened(DomainEvent):
        event_type = "construction.InspectionTaskOpened"
        task_id: str
        project_id: str
        complaint_id: str
        category: str
        summary: str

    class Done(DomainEvent):
        event_type = "construction.InspectionTaskDone"
        task_id: str
        project_id: str
        inspection_id: str

    # Defaults live on the class: the kernel's rehydrate skips __init__.
    opened: Opened | None = None
    done = False

    @classmethod
    def open(cls, *, project_id: str, complaint_id: str, category: str, summary: str) -> "InspectionTask":
        """Open the task of a complaint; its id is the complaint's, so a repeat finds it."""
        if category not in TASK_CATEGORIES:
            raise InvalidCommand(f"只有质量和安全投诉会生成巡查任务（收到：{category}）", code="task_category")
        task = cls(cls.stream_for(complaint_id))
        task._record(cls.Opened(task_id=complaint_id, project_id=project_id, complaint_id=complaint_id,
                                category=category, summary=summary[:500]))
        return task

    def complete(self, *, project_id: str, inspection_id: str) -> None:
        """Close the task with the inspection that answered it."""
        if project_id != self.opened.project_id:
            raise InvalidCommand("巡查任务属于另一个项目", code="task_project")
        if self.done:
            raise InvalidCommand("巡查任务已完成", code="task_done")
        self._record(self.Done(task_id=self.opened.task_id, project_id=project_id, inspection_id=inspection_id))

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case InspectionTask.Opened():
                self.opened = event
            case InspectionTask.Done():
                self.done = True
