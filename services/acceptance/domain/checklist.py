"""The professional checklist: Shenyang's eleven checks (`003` 二(四)) plus the plan's own items."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# `003` 二(四): 路要平整、水要畅通、灯要明亮、绿要美观、线要规整、车要有序、房要保暖、设施要齐全、
# 电梯要安全、违章建筑要拆除、市容要整洁清爽.
SHENYANG_CHECKS: tuple[tuple[str, str], ...] = (
    ("roads_level", "路要平整"),
    ("water_flowing", "水要畅通"),
    ("lights_bright", "灯要明亮"),
    ("greenery_tidy", "绿要美观"),
    ("lines_orderly", "线要规整"),
    ("vehicles_orderly", "车要有序"),
    ("homes_warm", "房要保暖"),
    ("facilities_complete", "设施要齐全"),
    ("elevators_safe", "电梯要安全"),
    ("illegal_structures_removed", "违章建筑要拆除"),
    ("streetscape_clean", "市容要整洁清爽"),
)


class Check(BaseModel):
    """One line of the checklist."""

    model_config = ConfigDict(frozen=True)

    check_id: str
    title: str
    source: str  # standard | plan


def checklist_for(plan_items: list[dict]) -> tuple[Check, ...]:
    """The eleven checks, then one per item of the approved plan ("built as the plan says")."""
    checks = [Check(check_id=key, title=title, source="standard") for key, title in SHENYANG_CHECKS]
    checks += [Check(check_id=f"item:{item['item_id']}",
                     title=f"方案项目“{item.get('name') or item['item_id']}”按方案完成", source="plan")
               for item in plan_items]
    return tuple(checks)
