"""Work items on site and the order of works: 先拆违后改造, 先地下后地上 (`003` 四(三), `002`)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

# The whole community: a zone whose stop-work order stops every zone.
SITE_ZONE = "site"
REMOVAL_KIND = "illegal_structure_removal"
# Kinds laid in the ground by default; a project may re-place an item (WorkItemPlaced).
UNDERGROUND_KINDS = frozenset({
    "rain_sewage_separation", "water_supply", "drainage", "sewage", "gas", "heating", "power",
    "telecom", "pipeline", "cable_burial", "underground_pipe",
})


class Layer(StrEnum):
    """Where the work lies: in the ground (buried) or above it."""

    UNDERGROUND = "underground"
    ABOVE_GROUND = "above_ground"


class Rule(StrEnum):
    """A rule of the order of works that can refuse a start, or be overridden with a reason."""

    REMOVAL_FIRST = "illegal_structures_first"
    UNDERGROUND_FIRST = "underground_first"


RULE_LABELS = {Rule.REMOVAL_FIRST: "先拆违后改造", Rule.UNDERGROUND_FIRST: "先地下后地上"}


class ItemStatus(StrEnum):
    """Where a work item stands."""

    PLANNED = "planned"
    STARTED = "started"
    FINISHED = "finished"


class WorkItem(BaseModel):
    """One item of the approved plan, placed in a zone and a layer."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    kind: str
    name: str
    category: str = ""
    zone: str = SITE_ZONE
    layer: Layer = Layer.ABOVE_GROUND
    budget_fen: int = 0
    status: ItemStatus = ItemStatus.PLANNED

    @property
    def is_removal(self) -> bool:
        """Whether the item removes illegal structures (which comes before any renovation)."""
        return self.kind == REMOVAL_KIND


def default_layer(kind: str) -> Layer:
    """The layer an item of this kind is placed in unless someone says otherwise."""
    return Layer.UNDERGROUND if kind in UNDERGROUND_KINDS else Layer.ABOVE_GROUND


def default_zone(building: str | None, zone: str | None = None) -> str:
    """An item's zone: what the plan says, else its building, else the whole site."""
    return (zone or building or SITE_ZONE).strip() or SITE_ZONE


def blockers(items: dict[str, WorkItem], item: WorkItem) -> tuple[Rule, list[WorkItem]] | None:
    """The first rule that forbids starting `item` now, with the unfinished items it waits for."""
    same_zone = [other for other in items.values()
                 if other.zone == item.zone and other.item_id != item.item_id
                 and other.status != ItemStatus.FINISHED]
    if not item.is_removal:
        removals = [other for other in same_zone if other.is_removal]
        if removals:
            return Rule.REMOVAL_FIRST, removals
    if item.layer == Layer.ABOVE_GROUND and not item.is_removal:
        buried = [other for other in same_zone if other.layer == Layer.UNDERGROUND]
        if buried:
            return Rule.UNDERGROUND_FIRST, buried
    return None


def refusal_text(rule: Rule, item: WorkItem, waiting: list[WorkItem]) -> str:
    """The zh-CN reason a start is refused."""
    names = "、".join(f"“{other.name}”" for other in waiting)
    zone = "全小区" if item.zone == SITE_ZONE else item.zone
    if rule == Rule.REMOVAL_FIRST:
        return f"“{item.name}”不能开工：{zone}的违法建设拆除{names}尚未完成（先拆违后改造）"
    return f"“{item.name}”是地上工程，不能开工：{zone}的地下工程{names}尚未完成（先地下后地上）"
