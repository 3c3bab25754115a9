"""What still stands between a project and its declared completion (`000` part 3 五(二)3)."""

from __future__ import annotations

from dataclasses import dataclass

from services.construction.domain.works import Layer, WorkItem


@dataclass(frozen=True)
class HiddenWorkStatus:
    """A hidden work as completion sees it."""

    hidden_work_id: str
    location: str
    state: str
    item_id: str | None


@dataclass(frozen=True)
class OpenOrder:
    """A rectification order not yet verified."""

    order_id: str
    description: str
    due_on: str


def completion_gaps(*, items: list[WorkItem], hidden_works: list[HiddenWorkStatus],
                    open_orders: list[OpenOrder], pending_changes: list[tuple[str, str]]) -> list[dict]:
    """Every hidden work accepted and concealed, no open rectification, no undecided change."""
    gaps = [{"kind": "hidden_work", "id": w.hidden_work_id,
             "text": f"隐蔽工程“{w.location}”未验收并隐蔽（{_STATE_ZH.get(w.state, w.state)}）"}
            for w in hidden_works if w.state != "concealed"]
    evidenced = {w.item_id for w in hidden_works}
    gaps += [{"kind": "hidden_work_record", "id": item.item_id,
              "text": f"地下工程“{item.name}”没有任何隐蔽工程影像记录"}
             for item in items if item.layer == Layer.UNDERGROUND and item.item_id not in evidenced]
    gaps += [{"kind": "rectification", "id": o.order_id,
              "text": f"整改单“{o.description}”未销项（期限 {o.due_on}）"} for o in open_orders]
    gaps += [{"kind": "design_change", "id": change_id, "text": f"设计变更“{title}”尚未定案"}
             for change_id, title in pending_changes]
    return gaps


_STATE_ZH = {"declared": "待验收", "rejected": "已退回", "accepted": "已验收未隐蔽"}
