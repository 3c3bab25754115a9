"""What acceptance reads of construction's events (tolerant readers; each is listed in docs/events.md)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from services.acceptance.consumers.reader import EvidenceRead, Reader


class PartiesRead(Reader):
    """The parties of the works as construction named them."""

    contractor: str
    supervision_unit: str
    designer: str = ""
    pipeline_units: tuple[str, ...] = ()
    accounts: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class PartiesAssigned(Reader):
    """construction.PartiesAssigned v1."""

    event_type: ClassVar[str] = "construction.PartiesAssigned"
    parties: PartiesRead


class ContractSigned(Reader):
    """construction.ContractSigned v1: the condition of the first subsidy tranche."""

    event_type: ClassVar[str] = "construction.ContractSigned"
    contract_no: str
    amount_fen: int
    signed_on: date


class HiddenWorkDeclared(Reader):
    """construction.HiddenWorkDeclared v1."""

    event_type: ClassVar[str] = "construction.HiddenWorkDeclared"
    hidden_work_id: str
    project_id: str
    location: str


class HiddenWorkEvidenceAttached(Reader):
    """construction.HiddenWorkEvidenceAttached v1."""

    event_type: ClassVar[str] = "construction.HiddenWorkEvidenceAttached"
    hidden_work_id: str
    project_id: str
    evidence: EvidenceRead


class HiddenWorkAccepted(Reader):
    """construction.HiddenWorkAccepted v1."""

    event_type: ClassVar[str] = "construction.HiddenWorkAccepted"
    hidden_work_id: str
    project_id: str


class HiddenWorkRejected(HiddenWorkAccepted):
    """construction.HiddenWorkRejected v1."""

    event_type: ClassVar[str] = "construction.HiddenWorkRejected"


class HiddenWorkConcealed(HiddenWorkAccepted):
    """construction.HiddenWorkConcealed v1."""

    event_type: ClassVar[str] = "construction.HiddenWorkConcealed"


class DefectRead(Reader):
    """The defect a rectification order is about."""

    description: str


class RectificationOrdered(Reader):
    """construction.RectificationOrdered v1."""

    event_type: ClassVar[str] = "construction.RectificationOrdered"
    order_id: str
    project_id: str
    defect: DefectRead


class RectificationSubmitted(Reader):
    """construction.RectificationSubmitted v1 (its photos go into the archive's manifest)."""

    event_type: ClassVar[str] = "construction.RectificationSubmitted"
    order_id: str
    project_id: str
    evidence: tuple[EvidenceRead, ...] = ()


class RectificationVerified(Reader):
    """construction.RectificationVerified v1."""

    event_type: ClassVar[str] = "construction.RectificationVerified"
    order_id: str
    project_id: str


class RectificationRejected(RectificationVerified):
    """construction.RectificationRejected v1."""

    event_type: ClassVar[str] = "construction.RectificationRejected"


class InspectionEvidenceAttached(Reader):
    """construction.InspectionEvidenceAttached v1."""

    event_type: ClassVar[str] = "construction.InspectionEvidenceAttached"
    inspection_id: str
    project_id: str
    item_code: str
    evidence: EvidenceRead


class CompletionDeclared(Reader):
    """construction.CompletionDeclared v1."""

    event_type: ClassVar[str] = "construction.CompletionDeclared"
    project_id: str
    declared_on: date


READERS: tuple[type[Reader], ...] = (
    PartiesAssigned, ContractSigned, HiddenWorkDeclared, HiddenWorkEvidenceAttached, HiddenWorkAccepted,
    HiddenWorkRejected, HiddenWorkConcealed, RectificationOrdered, RectificationSubmitted, RectificationVerified,
    RectificationRejected, InspectionEvidenceAttached, CompletionDeclared)

