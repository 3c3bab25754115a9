"""Design changes (设计变更): explained in writing; major ones approved and publicly noticed first.

`000` part 3 五(二)2: 就调整或者变更设计的技术合理性和经济性向建设单位书面说明。涉及重大内容、
投资改变的，履行报批手续后要在小区进行公示. Intake runs the notice (docs/events.md).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class ChangeStatus(StrEnum):
    """Where a design change stands."""

    REQUESTED = "requested"
    AWAITING_NOTICE = "awaiting_notice"
    IN_NOTICE = "in_notice"
    HELD = "held"
    EFFECTIVE = "effective"
    REJECTED = "rejected"


STATUS_ZH = {ChangeStatus.REQUESTED: "待审批", ChangeStatus.AWAITING_NOTICE: "待公示",
             ChangeStatus.IN_NOTICE: "公示中", ChangeStatus.HELD: "公示有未答复异议",
             ChangeStatus.EFFECTIVE: "已生效", ChangeStatus.REJECTED: "未批准"}


def major_reasons(*, major_content: bool, cost_delta_fen: int, base_fen: int,
                  threshold_fen: int, threshold_ratio: float) -> list[str]:
    """Why a change counts as major (empty: it does not), by the configured thresholds."""
    reasons = ["涉及重大内容"] if major_content else []
    if abs(cost_delta_fen) >= threshold_fen:
        reasons.append(f"投资变化 {abs(cost_delta_fen) / 100:,.2f} 元，达到 {threshold_fen / 100:,.2f} 元")
    elif base_fen > 0 and abs(cost_delta_fen) / base_fen >= threshold_ratio:
        reasons.append(f"投资变化达到合同（预算）金额的 {threshold_ratio:.0%}")
    return reasons


class DesignChange(Aggregate):
    """One change to the approved design, with its reason and cost."""

    stream_prefix = "design-change"

    class Requested(DomainEvent):
        event_type = "construction.DesignChangeRequested"
        change_id: str
        project_id: str
        title: str
        description: str
        reason: str
        cost_delta_fen: int
        major: bool
        major_reasons: tuple[str, ...] = ()

    class Approved(DomainEvent):
        event_type = "construction.DesignChangeApproved"
        change_id: str
        project_id: str
        note: str = ""

    class Rejected(DomainEvent):
        event_type = "construction.DesignChangeRejected"
        change_id: str
        project_id: str
        reason: str

    class NoticeRequested(DomainEvent):
        """The published contract with intake (docs/events.md): keep these fields."""

        event_type = "construction.DesignChangeNoticeRequested"
        project_id: str
        change_id: str
        title: str
        description: str
        cost_delta_fen: int
        working_days: int

    class NoticeOpened(DomainEvent):
        event_type = "construction.DesignChangeNoticeOpened"
        change_id: str
        project_id: str
        notice_id: str
        start: date
        end: date

    class NoticeClosed(DomainEvent):
        event_type = "construction.DesignChangeNoticeClosed"
        change_id: str
        project_id: str
        notice_id: str
        objections: int
        objections_unanswered: int

    class TookEffect(DomainEvent):
        event_type = "construction.DesignChangeTookEffect"
        change_id: str
        project_id: str

    # Defaults live on the class: the kernel's rehydrate skips __init__.
    requested: Requested | None = None
    status = ChangeStatus.REQUESTED
    notice_id: str | None = None

    @classmethod
    def request(cls, *, change_id: str, project_id: str, title: str, description: str, reason: str,
                cost_delta_fen: int, reasons: list[str]) -> "DesignChange":
        """Ask for a change; the written reason is required (技术合理性和经济性的书面说明)."""
        if len(reason.strip()) < 4:
            raise InvalidCommand("设计变更须书面说明技术合理性和经济性（理由至少 4 个字）", code="change_reason")
        change = cls(cls.stream_for(change_id))
        change._record(cls.Requested(change_id=change_id, project_id=project_id, title=title.strip(),
                                     description=description.strip(), reason=reason.strip(),
                                     cost_delta_fen=cost_delta_fen, major=bool(reasons),
                                     major_reasons=tuple(reasons)))
        return change

    @property
    def ids(self) -> dict[str, str]:
        """The ids every event of this change carries."""
        return {"change_id": self.requested.change_id, "project_id": self.requested.project_id}

    def approve(self, *, note: str, notice_working_days: int) -> None:
        """Approve: a minor change takes effect; a major one goes to public notice first."""
        self._expect(ChangeStatus.REQUESTED)
        self._record(self.Approved(**self.ids, note=note.strip()))
        if not self.requested.major:
            self._record(self.TookEffect(**self.ids))
            return
        r = self.requested
        self._record(self.NoticeRequested(project_id=r.project_id, change_id=r.change_id, title=r.title,
                                          description=r.description, cost_delta_fen=r.cost_delta_fen,
                                          working_days=notice_working_days))

    def reject(self, *, reason: str) -> None:
        """Turn the change down (also after objections were left unanswered)."""
        if self.status in (ChangeStatus.EFFECTIVE, ChangeStatus.REJECTED):
            raise InvalidCommand(f"设计变更已{STATUS_ZH[self.status]}", code="change_state")
        if len(reason.strip()) < 2:
            raise InvalidCommand("请写明不批准的理由", code="reject_reason")
        self._record(self.Rejected(**self.ids, reason=reason.strip()))

    def notice_opened(self, *, notice_id: str, start: date, end: date) -> bool:
        """Intake posted the notice in the community; False if already known."""
        if self.status != ChangeStatus.AWAITING_NOTICE:
            return False
        self._record(self.NoticeOpened(**self.ids, notice_id=notice_id, start=start, end=end))
        return True

    def notice_closed(self, *, notice_id: str, objections: int, unanswered: int) -> bool:
        """The notice period ended: the change takes effect unless objections went unanswered."""
        if self.status not in (ChangeStatus.AWAITING_NOTICE, ChangeStatus.IN_NOTICE):
            return False
        self._record(self.NoticeClosed(**self.ids, notice_id=notice_id, objections=objections,
                                       objections_unanswered=unanswered))
        if unanswered == 0:
            self._record(self.TookEffect(**self.ids))
        return True

    def _expect(self, status: ChangeStatus) -> None:
        if self.status != status:
            raise InvalidCommand(f"设计变更当前为“{STATUS_ZH[self.status]}”", code="change_state")

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case DesignChange.Requested():
                self.requested = event
            case DesignChange.NoticeRequested():
                self.status = ChangeStatus.AWAITING_NOTICE
            case DesignChange.NoticeOpened():
                self.status, self.notice_id = ChangeStatus.IN_NOTICE, event.notice_id
            case DesignChange.NoticeClosed():
                self.status = ChangeStatus.HELD if event.objections_unanswered else self.status
            case DesignChange.TookEffect():
                self.status = ChangeStatus.EFFECTIVE
            case DesignChange.Rejected():
                self.status = ChangeStatus.REJECTED
