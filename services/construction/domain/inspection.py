"""A site inspection: the checklist answered item by item; each failed item opens a defect."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from services.construction.domain.checklist import BY_CODE, ITEMS, SAFETY_CATEGORIES, Result, Severity
from services.construction.domain.evidence import Evidence
from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class InspectionKind(StrEnum):
    """Why the inspector came."""

    ROUTINE = "routine"
    START_CHECK = "start_check"
    REINSPECTION = "reinspection"
    COMPLAINT = "complaint"


KIND_ZH = {InspectionKind.ROUTINE: "日常巡查", InspectionKind.START_CHECK: "开工/复工前检查",
           InspectionKind.REINSPECTION: "复查", InspectionKind.COMPLAINT: "投诉核查"}


class CheckedItem(BaseModel):
    """One checklist item as found."""

    model_config = ConfigDict(frozen=True)

    code: str
    result: Result
    notes: str = ""
    severity: Severity | None = None


class Defect(BaseModel):
    """What a failed item found; its rectification order carries the same id."""

    model_config = ConfigDict(frozen=True)

    defect_id: str
    code: str
    category: str
    severity: Severity
    description: str
    zone: str


class Inspection(Aggregate):
    """One visit to the site by an inspector or the supervision engineer."""

    stream_prefix = "inspection"

    class Recorded(DomainEvent):
        event_type = "construction.InspectionRecorded"
        inspection_id: str
        project_id: str
        zone: str
        kind: InspectionKind
        task_id: str | None = None
        items: tuple[CheckedItem, ...]
        result: str
        defects: tuple[Defect, ...] = ()

    class EvidenceAttached(DomainEvent):
        event_type = "construction.InspectionEvidenceAttached"
        inspection_id: str
        project_id: str
        item_code: str
        evidence: Evidence

    # Containers are created by the first event: the kernel's rehydrate skips __init__.
    recorded: Recorded | None = None
    evidence: dict[str, str]

    @classmethod
    def record(cls, *, inspection_id: str, project_id: str, zone: str, kind: InspectionKind,
               items: list[CheckedItem], task_id: str | None = None) -> "Inspection":
        """Record a complete checklist; failed items become defects."""
        _check_complete(items)
        if kind == InspectionKind.COMPLAINT and not task_id:
            raise InvalidCommand("投诉核查须关联巡查任务", code="task_missing")
        defects = tuple(
            Defect(defect_id=f"{inspection_id}.{n}", code=item.code, category=BY_CODE[item.code].category,
                   severity=item.severity, description=item.notes.strip(), zone=zone)
            for n, item in enumerate((i for i in items if i.result == Result.FAIL), start=1))
        inspection = cls(cls.stream_for(inspection_id))
        inspection._record(cls.Recorded(
            inspection_id=inspection_id, project_id=project_id, zone=zone, kind=kind, task_id=task_id,
            items=tuple(items), result="failed" if defects else "passed", defects=defects))
        return inspection

    @property
    def safety_passed(self) -> bool:
        """A start/restart check with every safety category (scaffolding … fire) passed or not applicable."""
        return self.recorded.kind == InspectionKind.START_CHECK and not any(
            d.category in SAFETY_CATEGORIES for d in self.recorded.defects)

    @property
    def critical(self) -> tuple[Defect, ...]:
        """The defects that stop work in the zone."""
        return tuple(d for d in self.recorded.defects if d.severity == Severity.CRITICAL)

    def attach(self, *, item_code: str, evidence: Evidence) -> bool:
        """Attach a photo to one checklist item; False if this file is already attached."""
        if item_code not in BY_CODE:
            raise InvalidCommand(f"检查表中没有条目 {item_code}", code="unknown_check_item")
        if evidence.sha256 in self.evidence:
            return False
        self._record(self.EvidenceAttached(inspection_id=self.recorded.inspection_id,
                                           project_id=self.recorded.project_id, item_code=item_code,
                                           evidence=evidence))
        return True

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Inspection.Recorded():
                self.recorded, self.evidence = event, {}
            case Inspection.EvidenceAttached():
                self.evidence[event.evidence.sha256] = event.item_code


def _check_complete(items: list[CheckedItem]) -> None:
    codes = [item.code for item in items]
    unknown = sorted(set(codes) - set(BY_CODE))
    if unknown:
        raise InvalidCommand(f"检查表中没有这些条目：{'、'.join(unknown)}", code="unknown_check_item")
    if len(codes) != len(set(codes)):
        raise InvalidCommand("同一检查条目只能填写一次", code="duplicate_check_item")
    missing = [item.text for item in ITEMS if item.code not in codes]
    if missing:
        raise InvalidCommand(f"检查表未填完，还有 {len(missing)} 项：{'；'.join(missing)}",
                             code="checklist_incomplete", details={"missing": missing})
    for item in items:
        if item.result == Result.FAIL and (item.severity is None or len(item.notes.strip()) < 2):
            raise InvalidCommand(f"不合格项“{BY_CODE[item.code].text}”须选择严重程度并描述问题",
                                 code="defect_incomplete", details={"code": item.code})
        if item.result != Result.FAIL and item.severity is not None:
            raise InvalidCommand(f"“{BY_CODE[item.code].text}”不是不合格项，不应填写严重程度",
                                 code="severity_without_defect", details={"code": item.code})
