"""What complaints reads of construction's events: who builds where, and what an inspection found for a complaint."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from services.complaints.application.finding import record_finding
from shared.envelope import Envelope
from shared.unit_of_work import UnitOfWork


class _Reader(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ProjectOpened(_Reader):
    """construction.ProjectOpened v1: the project is under construction."""

    event_type: ClassVar[str] = "construction.ProjectOpened"
    project_id: str
    community_id: str


class Parties(_Reader):
    """The contractor's name (complaints assigns to it) and the accounts acting for each party."""

    contractor: str
    accounts: dict[str, list[str]] = {}


class PartiesAssigned(_Reader):
    """construction.PartiesAssigned v1 (key: project_id)."""

    event_type: ClassVar[str] = "construction.PartiesAssigned"
    parties: Parties


class CompletionDeclared(_Reader):
    """construction.CompletionDeclared v1: the works are done."""

    event_type: ClassVar[str] = "construction.CompletionDeclared"
    project_id: str


class Defect(_Reader):
    """What a failed checklist item found."""

    description: str = ""
    severity: str = ""


class InspectionRecorded(_Reader):
    """construction.InspectionRecorded v1: `task_id` is the complaint id when a complaint sent the inspector."""

    event_type: ClassVar[str] = "construction.InspectionRecorded"
    inspection_id: str
    project_id: str
    task_id: str | None = None
    result: str
    defects: list[Defect] = []


SEVERITY_ZH = {"critical": "严重", "major": "较重", "minor": "一般"}


def on_inspection_recorded(envelope: Envelope, uow: UnitOfWork) -> None:
    """An inspection answering a complaint: its findings wait for the operator as a proposed response."""
    fact = InspectionRecorded.model_validate(envelope.payload)
    if not fact.task_id:
        return
    if fact.result == "passed":
        summary = "现场核查未发现问题，检查表各项合格"
    else:
        found = "；".join(f"{d.description}（{SEVERITY_ZH.get(d.severity, d.severity)}）" for d in fact.defects)
        summary = f"现场核查发现 {len(fact.defects)} 处问题，已下达整改：{found}"
    record_finding(uow, complaint_id=fact.task_id, inspection_id=fact.inspection_id, result=fact.result,
                   summary=summary[:1000])


POLICIES = {InspectionRecorded.event_type: on_inspection_recorded}
