"""Work items on site and the order of works: 先拆违后改造、先地下后地上、先功能后景观、管线一次开挖 (`003`)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.contract.work_kinds import Layer, Stage, layer_of, stage_of

# The whole community: a zone whose stop-work order stops every zone.
SITE_ZONE = "site"
REMOVAL_KIND = "illegal_structure_removal"


class Rule(StrEnum):
    """A rule of the order of works that can refuse a start, or be overridden with a reason."""

    REMOVAL_FIRST = "illegal_structures_first"
    UNDERGROUND_FIRST = "underground_first"
    FUNCTION_FIRST = "function_before_landscape"
    ONE_EXCAVATION = "one_excavation"


RULE_LABELS = {Rule.REMOVAL_FIRST: "先拆违后改造", Rule.UNDERGROUND_FIRST: "先地下后地上",
               Rule.FUNCTION_FIRST: "先功能后景观", Rule.ONE_EXCAVATION: "管线一次开挖"}


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

    @property
    def stage(self) -> Stage:
        """Removal, function or landscape: the item's place in the order of works."""
        return stage_of(self.kind)


def default_layer(kind: str) -> Layer:
    """The layer an item of this kind is placed in unless someone says otherwise (the shared vocabulary's)."""
    return layer_of(kind)


def default_zone(building: str | None, zone: str | None = None) -> str:
    """An item's zone: what the plan says, else its building, else the whole site."""
    return (zone or building or SITE_ZONE).strip() or SITE_ZONE


def blockers(items: dict[str, WorkItem], item: WorkItem) -> list[tuple[Rule, list[WorkItem]]]:
    """Every rule that forbids starting `item` now, in order, each with the items it concerns."""
    others = [other for other in items.values() if other.zone == item.zone and other.item_id != item.item_id]
    unfinished = [other for other in others if other.status != ItemStatus.FINISHED]
    found: list[tuple[Rule, list[WorkItem]]] = []

    def rule(name: Rule, waiting: list[WorkItem]) -> None:
        if waiting:
            found.append((name, waiting))

    if not item.is_removal:
        rule(Rule.REMOVAL_FIRST, [other for other in unfinished if other.is_removal])
        if item.layer == Layer.ABOVE_GROUND:
            rule(Rule.UNDERGROUND_FIRST, [other for other in unfinished if other.layer == Layer.UNDERGROUND])
    if item.stage == Stage.LANDSCAPE:
        rule(Rule.FUNCTION_FIRST, [other for other in unfinished if other.stage == Stage.FUNCTION])
    if item.layer == Layer.UNDERGROUND:
        # All utilities are dug in one excavation: once a trench of the zone is backfilled (an
        # underground item finished), another buried item would open the ground again.
        rule(Rule.ONE_EXCAVATION, [other for other in others if other.layer == Layer.UNDERGROUND
                                   and other.status == ItemStatus.FINISHED])
    return found


def refusal_text(rule: Rule, item: WorkItem, waiting: list[WorkItem]) -> str:
    """The zh-CN reason a start is refused."""
    names = "、".join(f"“{other.name}”" for other in waiting)
    zone = "全小区" if item.zone == SITE_ZONE else item.zone
    if rule == Rule.REMOVAL_FIRST:
        return f"“{item.name}”不能开工：{zone}的违法建设拆除{names}尚未完成（先拆违后改造）"
    if rule == Rule.FUNCTION_FIRST:
        return f"“{item.name}”是景观工程，不能开工：{zone}的功能性工程{names}尚未完成（先功能后景观）"
    if rule == Rule.ONE_EXCAVATION:
        return (f"“{item.name}”是地下管线，不能再次开挖：{zone}的{names}已完工回填，"
                "各类管线应一次开挖、同步敷设（管线一次开挖）")
    return f"“{item.name}”是地上工程，不能开工：{zone}的地下工程{names}尚未完成（先地下后地上）"
