"""Request and response bodies of construction's JSON API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from services.construction.domain.checklist import Result, Severity
from services.construction.domain.inspection import InspectionKind
from services.construction.domain.works import Layer, Rule
from shared.text import FreeText, LineText


class PartiesAssign(BaseModel):
    """Name the parties of the works and the accounts that act for them."""

    contractor: LineText = Field(min_length=2, max_length=200, description="施工单位")
    supervision_unit: LineText = Field(min_length=2, max_length=200, description="监理单位")
    designer: LineText = Field(default="", max_length=200, description="设计单位")
    pipeline_units: list[str] = Field(default_factory=list, max_length=20, description="管线单位")
    accounts: dict[str, list[str]] = Field(
        default_factory=dict, description="按角色指派的登录账号：contractor, supervision_engineer, inspector, …")


class ContractSign(BaseModel):
    """The construction contract (施工合同)."""

    contract_no: LineText = Field(min_length=1, max_length=100)
    amount_fen: int = Field(gt=0, description="合同金额（分）")
    signed_on: date


class SiteContact(BaseModel):
    """The complaint hotline and named contact posted on site."""

    hotline: LineText = Field(min_length=5, max_length=50, pattern=r"^[0-9+\-() ]+$", description="投诉热线")
    contact_name: LineText = Field(min_length=2, max_length=100, description="现场联系人")


class ItemPlacement(BaseModel):
    """Where a work item lies."""

    zone: LineText = Field(min_length=1, max_length=100)
    layer: Layer


class OrderOverride(BaseModel):
    """An authorised exception to the order of works."""

    rule: Rule
    reason: FreeText = Field(min_length=4, max_length=500)


class StopLift(BaseModel):
    """An authorised official lifts a stop-work order; the reason goes on record."""

    reason: FreeText = Field(min_length=4, max_length=500, description="解除理由")


class HiddenWorkCreate(BaseModel):
    """Declare a hidden work (隐蔽工程报验)."""

    item_id: LineText | None = Field(max_length=100, default=None, description="所属工程项目")
    zone: LineText | None = Field(default=None, max_length=100)
    location: LineText = Field(min_length=2, max_length=200, description="部位")
    kind: LineText = Field(max_length=100, description="类别：buried_pipe, drainage, cabling, waterproofing, …")
    description: FreeText = Field(default="", max_length=1000)


class Decision(BaseModel):
    """An acceptance or verification note."""

    note: FreeText = Field(default="", max_length=1000)


class Refusal(BaseModel):
    """A rejection with its reason."""

    reason: FreeText = Field(min_length=2, max_length=1000)


class CheckedItemIn(BaseModel):
    """One checklist answer."""

    code: LineText = Field(max_length=100)
    result: Result
    notes: FreeText = Field(default="", max_length=1000)
    severity: Severity | None = None


class InspectionCreate(BaseModel):
    """A complete site checklist."""

    zone: LineText = Field(default="site", max_length=100)
    kind: InspectionKind = InspectionKind.ROUTINE
    task_id: LineText | None = Field(default=None, max_length=100)
    items: list[CheckedItemIn]


class DesignChangeCreate(BaseModel):
    """A requested change to the approved design, explained in writing."""

    title: LineText = Field(min_length=2, max_length=200)
    description: FreeText = Field(default="", max_length=2000)
    reason: FreeText = Field(min_length=4, max_length=2000, description="技术合理性和经济性的书面说明")
    cost_delta_fen: int = Field(description="投资变化（分，可为负）")
    major_content: bool = Field(default=False, description="是否涉及重大内容")


class Created(BaseModel):
    """The id of what was created."""

    id: str


class EvidenceRead(BaseModel):
    """One attached file: hash, key, size, type, when and where, flags."""

    sha256: str
    key: str
    size: int
    media_type: str
    width: int
    height: int
    captured_at: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phash: str | None = None
    uploaded_at: str
    filename: str = ""
    caption: str = ""
    flags: list[dict] = Field(default_factory=list)


class ViewUrl(BaseModel):
    """A short-lived URL to view a piece of evidence."""

    url: str
    expires_in: int
    media_type: str
