"""What must hold before the acceptance may be convened (`000` part 3 五(二)3, `002` 三(五)).

Every hidden work accepted and concealed with photo evidence (隐蔽工程应录制影像资料), every
rectification order verified, no safety or quality complaint open, completion declared.
Each gap is named, so a refusal lists exactly what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HiddenWorkView:
    """A hidden work as the acceptance file knows it from construction's events."""

    hidden_work_id: str
    location: str
    state: str
    photos: int


@dataclass(frozen=True)
class FileView:
    """The acceptance file of one project: what the other services told us."""

    project_id: str
    completion_declared_on: str | None = None
    hidden_works: list[HiddenWorkView] = field(default_factory=list)
    open_orders: list[tuple[str, str]] = field(default_factory=list)  # (order_id, description)
    open_complaints: list[tuple[str, str]] = field(default_factory=list)  # (complaint_id, category)


_STATE_ZH = {"declared": "待验收", "rejected": "已退回", "accepted": "已验收未隐蔽"}
_CATEGORY_ZH = {"safety": "安全", "quality": "质量"}


def missing(file: FileView) -> list[dict]:
    """Every precondition that fails, each as {kind, id, text}; empty when acceptance may start."""
    gaps = []
    for work in file.hidden_works:
        if work.state != "concealed":
            gaps.append({"kind": "hidden_work", "id": work.hidden_work_id,
                         "text": f"隐蔽工程“{work.location}”未验收并隐蔽（{_STATE_ZH.get(work.state, work.state)}）"})
        elif work.photos == 0:
            gaps.append({"kind": "hidden_work_evidence", "id": work.hidden_work_id,
                         "text": f"隐蔽工程“{work.location}”没有影像资料"})
    gaps += [{"kind": "rectification_order", "id": order_id, "text": f"整改单“{text}”未销项"}
             for order_id, text in file.open_orders]
    gaps += [{"kind": "complaint", "id": complaint_id,
              "text": f"{_CATEGORY_ZH.get(category, category)}投诉 {complaint_id} 尚未办结"}
             for complaint_id, category in file.open_complaints]
    if file.completion_declared_on is None:
        gaps.append({"kind": "completion", "id": file.project_id, "text": "施工单位尚未申报完工"})
    return gaps
