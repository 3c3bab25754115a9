"""The complaint and its 12345 loop: received → acknowledged → assigned → responded → resolved → the resident's word.

Rules (DOMAIN.md "Oversight", "Complaint handling (12345 practice)"; seeds `000` 五(二)2, 七(四),
`002` 三(五), 五(三)): every step is an event; only the resident (or an operator's return visit,
回访) closes a complaint; "not satisfied" sends it back with a fresh clock; repeats are merged
into the open case. Name and phone never appear here in clear: `person_id` names the vault
entry, `contact_sealed` is readable only with that person's key (erasure destroys it).
"""

from __future__ import annotations

from datetime import datetime

from services.complaints.domain.category import BY_CODE, LEVEL_ZH, Rating
from services.complaints.domain.events import ComplaintEvents, Photo, Place  # noqa: F401 - re-exported
from services.complaints.domain.time_limit import LEVELS, Due, Limit
from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent

OPEN_STATES = ("received", "acknowledged", "assigned", "responded", "resolved")
ASSIGNEE_KINDS = ("contractor", "street_office", "department")


class Complaint(ComplaintEvents, Aggregate):
    """One complaint (工单), from receipt to the resident's last word."""

    stream_prefix = "complaint"

    # Defaults on the class: the kernel's rehydrate skips __init__.
    received: ComplaintEvents.Received | None = None
    state = "received"
    project_id: str | None = None
    community_id: str | None = None
    assignee: tuple[str, str] | None = None
    limit: ComplaintEvents.TimeLimitSet | None = None
    levels: tuple[str, ...] = ()
    finding: ComplaintEvents.InspectionFindingReceived | None = None
    resolved_at: datetime | None = None
    return_visit_due = False
    safety_open = False

    @classmethod
    def receive(cls, **facts) -> "Complaint":
        """A complaint arrives through one of the three ways in."""
        complaint = cls(cls.stream_for(facts["complaint_id"]))
        complaint._record(cls.Received(**facts))
        return complaint

    @property
    def complaint_id(self) -> str:
        """The complaint's id."""
        return self.received.complaint_id

    @property
    def category(self) -> str:
        """The Open311 service code."""
        return self.received.category

    @property
    def construction_category(self) -> str | None:
        """quality / safety when construction inspects this kind, else None."""
        return BY_CODE[self.category].construction

    def route(self, *, project_id: str | None, community_id: str, method: str, distance_m: float | None = None) -> None:
        """Send the complaint to the community (and the project there, if any)."""
        self._open()
        self._record(self.Routed(complaint_id=self.complaint_id, project_id=project_id, community_id=community_id,
                                 method=method, distance_m=distance_m))

    def triage(self, reason: str) -> None:
        """No community or site could be found: an operator must route it."""
        self._record(self.SentToTriage(complaint_id=self.complaint_id, reason=reason))

    def set_limit(self, limit: Limit, due: Due, *, started_at: datetime, reason: str = "") -> None:
        """Start (or restart, or extend) the clock."""
        cycle = (self.limit.cycle + (0 if reason else 1)) if self.limit else 1
        self._record(self.TimeLimitSet(
            complaint_id=self.complaint_id, cycle=cycle, rule=limit.rule, amount=limit.amount, unit=limit.unit,
            started_at=started_at, due_at=due.at, due_provisional=due.provisional, reason=reason))

    def extend(self, limit: Limit, due: Due, *, reason: str) -> None:
        """A complex case gets the longer limit, with a stated reason (DOMAIN.md: 15 working days)."""
        self._clock_running()
        if len(reason.strip()) < 4:
            raise InvalidCommand("延长办理时限必须写明理由（至少 4 个字）", code="extension_reason")
        if self.limit.rule == limit.rule:
            raise InvalidCommand("本工单已按复杂事项延期，不能再次延期", code="already_extended")
        self.set_limit(limit, due, started_at=self.limit.started_at, reason=reason.strip())

    def recompute(self, due: Due) -> None:
        """The calendar year is now loaded: the provisional limit becomes firm (same clock, same start)."""
        last = self.limit
        self._record(self.TimeLimitSet(
            complaint_id=self.complaint_id, cycle=last.cycle, rule=last.rule, amount=last.amount, unit=last.unit,
            started_at=last.started_at, due_at=due.at, due_provisional=due.provisional, reason=last.reason,
            recomputed=True))

    def acknowledge(self, *, at: datetime) -> None:
        """The handling unit signs for the complaint (签收)."""
        if self.state != "received":
            raise InvalidCommand("工单已签收", code="already_acknowledged")
        self._record(self.Acknowledged(complaint_id=self.complaint_id, at=at))

    def assign(self, *, kind: str, assignee: str, note: str = "", at: datetime) -> None:
        """Dispatch (派单) to the contractor, the street office or a named department."""
        self._check_assignee(kind, assignee)
        if self.state not in ("received", "acknowledged"):
            raise InvalidCommand("工单已派出，请使用“转办”并写明理由", code="already_assigned")
        if self.community_id is None:
            raise InvalidCommand("工单尚未确定所属小区，请先在分拣列表中指定小区", code="not_routed")
        if self.state == "received":
            self.acknowledge(at=at)
        self._record(self.Assigned(complaint_id=self.complaint_id, assignee_kind=kind, assignee=assignee.strip(),
                                   note=note.strip()))

    def transfer(self, *, kind: str, assignee: str, reason: str) -> None:
        """Hand the complaint to another unit (转办), with the reason."""
        self._check_assignee(kind, assignee)
        if self.state != "assigned":
            raise InvalidCommand("只有办理中的工单可以转办", code="not_assigned")
        if len(reason.strip()) < 4:
            raise InvalidCommand("转办必须写明理由（至少 4 个字）", code="transfer_reason")
        if (kind, assignee.strip()) == self.assignee:
            raise InvalidCommand("不能转给当前承办单位", code="same_assignee")
        self._record(self.Transferred(complaint_id=self.complaint_id, from_kind=self.assignee[0],
                                      from_assignee=self.assignee[1], assignee_kind=kind, assignee=assignee.strip(),
                                      reason=reason.strip()))

    def receive_finding(self, *, inspection_id: str, result: str, summary: str) -> bool:
        """Construction's inspection for this complaint: kept for the operator to confirm as the response."""
        if self.state not in OPEN_STATES or (self.finding and self.finding.inspection_id == inspection_id):
            return False
        self._record(self.InspectionFindingReceived(complaint_id=self.complaint_id, inspection_id=inspection_id,
                                                    result=result, summary=summary))
        return True

    def respond(self, *, response: str, at: datetime, from_inspection: bool = False) -> None:
        """The handling unit's reply (答复); it stops the clock."""
        if self.state != "assigned":
            raise InvalidCommand("只有已派单、办理中的工单可以答复", code="not_assigned")
        if from_inspection and self.finding is None:
            raise InvalidCommand("施工监管尚未反馈巡查结果", code="no_finding")
        if len(response.strip()) < 4:
            raise InvalidCommand("答复内容至少 4 个字", code="response_short")
        self._record(self.Responded(complaint_id=self.complaint_id, response=response.strip(), at=at,
                                    source="inspection" if from_inspection else "staff",
                                    inspection_id=self.finding.inspection_id if from_inspection else None))

    def resolve(self, *, resolution: str, at: datetime) -> None:
        """The case is handled (办结); now only the resident's word closes it."""
        if self.state != "responded":
            raise InvalidCommand("工单须先答复，才能办结", code="not_responded")
        if len(resolution.strip()) < 2:
            raise InvalidCommand("请填写办结情况", code="resolution_short")
        self._record(self.Resolved(complaint_id=self.complaint_id, resolution=resolution.strip(), at=at))

    def confirm(self, *, rating: Rating, comment: str, channel: str, at: datetime) -> None:
        """The resident's rating (or the operator's return visit); 不满意 sends it back."""
        if self.state == "closed":
            raise InvalidCommand("本工单已评价，不能重复评价", code="already_rated")
        if self.state != "resolved":
            raise InvalidCommand("工单尚未办结，暂不能评价", code="not_resolved")
        self._record(self.Confirmed(complaint_id=self.complaint_id, rating=rating, comment=comment.strip(),
                                    channel=channel, at=at))
        if rating == Rating.NOT_SATISFIED:
            self._reopen(reason=comment.strip() or "居民评价不满意", channel=channel, at=at)
        else:
            self._close(rating, at)

    def reopen(self, *, reason: str, channel: str, at: datetime) -> None:
        """The resident says it is not solved (before rating)."""
        if self.state != "resolved":
            raise InvalidCommand("只有待评价的工单可以退回重办", code="not_resolved")
        if len(reason.strip()) < 4:
            raise InvalidCommand("退回重办请写明理由（至少 4 个字）", code="reopen_reason")
        self._reopen(reason=reason.strip(), channel=channel, at=at)

    def _reopen(self, *, reason: str, channel: str, at: datetime) -> None:
        self._record(self.Reopened(complaint_id=self.complaint_id, reason=reason, channel=channel, at=at))
        self._publish_safety_opened(at)

    def _close(self, rating: Rating, at: datetime) -> None:
        self._record(self.Closed(complaint_id=self.complaint_id, rating=rating, at=at))
        self._publish_safety_closed("resolved", at, rating)

    def mark_return_visit_due(self) -> bool:
        """The resident has not answered in time: an operator calls back (回访)."""
        if self.state != "resolved" or self.return_visit_due:
            return False
        self._record(self.ReturnVisitDue(complaint_id=self.complaint_id, resolved_at=self.resolved_at))
        return True

    def escalate(self, level: str, *, at: datetime) -> None:
        """The clock ran out: record the next level of the ladder."""
        if level not in LEVELS or level in self.levels:
            raise InvalidCommand(f"已{LEVEL_ZH.get(level, level)}", code="already_escalated")
        self._record(self.Escalated(complaint_id=self.complaint_id, level=level, cycle=self.limit.cycle,
                                    due_at=self.limit.due_at, at=at))

    def suggest_duplicate(self, *, candidate_id: str, score: float, distance_m: float | None) -> None:
        """A similar open complaint exists: staff decide whether to merge."""
        self._record(self.DuplicateSuggested(complaint_id=self.complaint_id, candidate_id=candidate_id,
                                             score=round(score, 1), distance_m=distance_m))

    def merge_into(self, primary: "Complaint", *, at: datetime) -> None:
        """This complaint repeats `primary`: it follows that case (国办函〔2025〕66号, repeats merged)."""
        self._open()
        primary._open()
        if primary.complaint_id == self.complaint_id:
            raise InvalidCommand("不能把工单合并到它自己", code="merge_self")
        if primary.state == "merged":
            raise InvalidCommand("目标工单本身已被合并，请合并到主工单", code="merge_chain")
        self._record(self.Merged(complaint_id=self.complaint_id, primary_id=primary.complaint_id))
        self._publish_safety_closed("merged", at, None)
        primary._record(primary.DuplicateAttached(complaint_id=primary.complaint_id, duplicate_id=self.complaint_id))

    def publish_filed(self, *, at: datetime) -> None:
        """Tell construction (quality/safety on a project) and acceptance (open safety complaint)."""
        kind = self.construction_category
        if kind is None or self.project_id is None:
            return
        self._record(self.Filed(complaint_id=self.complaint_id, project_id=self.project_id,
                                community_id=self.community_id, category=kind, service_code=self.category,
                                urgency=self.received.urgency, summary=self.received.text[:200], filed_at=at))

    def publish_safety_opened(self, *, at: datetime) -> None:
        """Acceptance holds back while a quality or safety complaint about the project is open."""
        self._publish_safety_opened(at)

    def _publish_safety_opened(self, at: datetime) -> None:
        if self.construction_category and self.project_id and not self.safety_open:
            self._record(self.SafetyComplaintOpened(complaint_id=self.complaint_id, project_id=self.project_id,
                                                    community_id=self.community_id,
                                                    category=self.construction_category, opened_at=at))

    def _publish_safety_closed(self, outcome: str, at: datetime, rating: Rating | None) -> None:
        if self.safety_open:
            self._record(self.SafetyComplaintClosed(complaint_id=self.complaint_id, project_id=self.project_id,
                                                    outcome=outcome, rating=rating, closed_at=at))

    def _open(self) -> None:
        if self.state not in OPEN_STATES:
            raise InvalidCommand("工单已办结或已合并", code="complaint_closed")

    def _clock_running(self) -> None:
        if self.state not in ("received", "acknowledged", "assigned") or self.limit is None:
            raise InvalidCommand("工单已答复或已办结，时限不再计算", code="clock_stopped")

    @staticmethod
    def _check_assignee(kind: str, assignee: str) -> None:
        if kind not in ASSIGNEE_KINDS:
            raise InvalidCommand("承办单位类型须为施工单位、街道办事处或职能部门", code="assignee_kind")
        if not assignee.strip():
            raise InvalidCommand("请填写承办单位名称", code="assignee_missing")

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Complaint.Received():
                self.received, self.community_id = event, event.place.community_id
            case Complaint.Routed():
                self.project_id, self.community_id = event.project_id, event.community_id
            case Complaint.TimeLimitSet():
                self.limit = event
            case Complaint.Acknowledged():
                self.state = "acknowledged"
            case Complaint.Assigned() | Complaint.Transferred():
                self.state, self.assignee = "assigned", (event.assignee_kind, event.assignee)
            case Complaint.InspectionFindingReceived():
                self.finding = event
            case Complaint.Responded():
                self.state = "responded"
            case Complaint.Resolved():
                self.state, self.resolved_at, self.return_visit_due = "resolved", event.at, False
            case Complaint.Reopened():
                self.state, self.levels = "assigned", ()
            case Complaint.Closed():
                self.state = "closed"
            case Complaint.ReturnVisitDue():
                self.return_visit_due = True
            case Complaint.Escalated():
                self.levels = (*self.levels, event.level)
            case Complaint.Merged():
                self.state = "merged"
            case Complaint.SafetyComplaintOpened():
                self.safety_open = True
            case Complaint.SafetyComplaintClosed():
                self.safety_open = False
