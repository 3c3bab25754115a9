"""Hidden works (隐蔽工程): recorded on photo before they are covered, accepted before concealment.

Rules: 建设工程质量管理条例 art. 30 and 37, GB 50300 §3.0.6, `000` part 3 七(三)
(隐蔽工程应录制影像资料): the supervision engineer accepts, with enough site photos; a
concealment before acceptance is refused, and the refusal itself is recorded.
"""

from __future__ import annotations

from enum import StrEnum

from services.construction.domain.evidence import Evidence, FlagReason
from shared.errors import RecordedRefusal
from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class HiddenWorkState(StrEnum):
    """Where a hidden work stands."""

    DECLARED = "declared"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    CONCEALED = "concealed"


HIDDEN_WORK_KINDS = {
    "buried_pipe": "埋地管道", "drainage": "排水管道", "cabling": "电缆敷设", "waterproofing": "防水层",
    "foundation": "基础/垫层", "insulation": "保温层", "embedded_parts": "预埋件", "other": "其他",
}


class HiddenWork(Aggregate):
    """One piece of work that will be covered: declared, evidenced, accepted, concealed."""

    stream_prefix = "hidden-work"

    class Declared(DomainEvent):
        event_type = "construction.HiddenWorkDeclared"
        hidden_work_id: str
        project_id: str
        item_id: str | None = None
        zone: str
        location: str
        kind: str
        description: str = ""

    class EvidenceAttached(DomainEvent):
        event_type = "construction.HiddenWorkEvidenceAttached"
        hidden_work_id: str
        project_id: str
        evidence: Evidence

    class Accepted(DomainEvent):
        event_type = "construction.HiddenWorkAccepted"
        hidden_work_id: str
        project_id: str
        photo_count: int
        evidence: tuple[str, ...]
        note: str = ""

    class Rejected(DomainEvent):
        event_type = "construction.HiddenWorkRejected"
        hidden_work_id: str
        project_id: str
        reason: str

    class Concealed(DomainEvent):
        event_type = "construction.HiddenWorkConcealed"
        hidden_work_id: str
        project_id: str

    class ConcealmentRefused(DomainEvent):
        event_type = "construction.ConcealmentRefused"
        hidden_work_id: str
        project_id: str
        state: str
        reason: str

    # Containers are created by the first event: the kernel's rehydrate skips __init__.
    declared: Declared | None = None
    state = HiddenWorkState.DECLARED
    evidence: dict[str, Evidence]

    @classmethod
    def declare(cls, *, hidden_work_id: str, project_id: str, item_id: str | None, zone: str,
                location: str, kind: str, description: str = "") -> "HiddenWork":
        """Declare work that will be covered, with where it is and what it is."""
        if kind not in HIDDEN_WORK_KINDS:
            raise InvalidCommand(f"未知的隐蔽工程类别：{kind}", code="hidden_work_kind")
        if not location.strip():
            raise InvalidCommand("请写明隐蔽工程的部位", code="hidden_work_location")
        work = cls(cls.stream_for(hidden_work_id))
        work._record(cls.Declared(hidden_work_id=hidden_work_id, project_id=project_id, item_id=item_id,
                                  zone=zone, location=location.strip(), kind=kind,
                                  description=description.strip()))
        return work

    @property
    def ids(self) -> dict[str, str]:
        """The ids every event of this work carries."""
        return {"hidden_work_id": self.declared.hidden_work_id, "project_id": self.declared.project_id}

    def attach(self, evidence: Evidence) -> bool:
        """Attach a photo or video taken before covering; False if this file is already attached."""
        if self.state == HiddenWorkState.CONCEALED:
            raise InvalidCommand("隐蔽工程已隐蔽，不能再补充影像", code="hidden_work_concealed")
        if evidence.sha256 in self.evidence:
            return False
        self._record(self.EvidenceAttached(**self.ids, evidence=evidence))
        return True

    def counted_photos(self) -> list[Evidence]:
        """The photos that count towards acceptance: a suspected reuse proves nothing here."""
        return [e for e in self.evidence.values() if e.is_photo and not e.has(FlagReason.SUSPECTED_REUSE)]

    def accept(self, *, min_photos: int, note: str = "") -> None:
        """Accept the work: enough own photos, and any flags reviewed in a note."""
        if self.state not in (HiddenWorkState.DECLARED, HiddenWorkState.REJECTED):
            raise InvalidCommand(f"隐蔽工程当前状态为“{STATE_ZH[self.state]}”，不能验收", code="hidden_work_state")
        photos = self.counted_photos()
        if len(photos) < min_photos:
            raise InvalidCommand(
                f"验收至少需要 {min_photos} 张现场照片（疑似重复使用的照片不计），目前只有 {len(photos)} 张",
                code="too_few_photos", details={"required": min_photos, "counted": len(photos)})
        flagged = [e.sha256 for e in self.evidence.values() if e.flags]
        if flagged and len(note.strip()) < 4:
            raise InvalidCommand(f"有 {len(flagged)} 份影像带有警示标记：请逐一核查，并在验收意见中写明核查结论",
                                 code="flags_not_reviewed", details={"flagged": flagged})
        self._record(self.Accepted(**self.ids, photo_count=len(photos),
                                   evidence=tuple(e.sha256 for e in photos), note=note.strip()))

    def reject(self, *, reason: str) -> None:
        """Send the work back to the contractor with the reason."""
        if self.state not in (HiddenWorkState.DECLARED, HiddenWorkState.REJECTED):
            raise InvalidCommand(f"隐蔽工程当前状态为“{STATE_ZH[self.state]}”，不能退回", code="hidden_work_state")
        if len(reason.strip()) < 2:
            raise InvalidCommand("请写明退回理由", code="reject_reason")
        self._record(self.Rejected(**self.ids, reason=reason.strip()))

    def conceal(self, *, stopped_zone: str | None = None) -> None:
        """Cover the work: only once accepted and not in a stopped zone; a refusal is recorded."""
        if self.state == HiddenWorkState.CONCEALED:
            raise InvalidCommand("隐蔽工程已隐蔽", code="hidden_work_concealed")
        if self.state != HiddenWorkState.ACCEPTED:
            self._refuse(f"隐蔽工程“{self.declared.location}”尚未经监理工程师验收（当前：{STATE_ZH[self.state]}），"
                         "不得隐蔽")
        if stopped_zone is not None:
            self._refuse(f"隐蔽工程所在区域已停工，不得隐蔽（{stopped_zone}）")
        self._record(self.Concealed(**self.ids))

    def _refuse(self, reason: str) -> None:
        self._record(self.ConcealmentRefused(**self.ids, state=str(self.state), reason=reason))
        raise RecordedRefusal(reason, code="concealment_refused", details={"state": str(self.state)})

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case HiddenWork.Declared():
                self.declared, self.evidence = event, {}
            case HiddenWork.EvidenceAttached():
                self.evidence[event.evidence.sha256] = event.evidence
            case HiddenWork.Accepted():
                self.state = HiddenWorkState.ACCEPTED
            case HiddenWork.Rejected():
                self.state = HiddenWorkState.REJECTED
            case HiddenWork.Concealed():
                self.state = HiddenWorkState.CONCEALED


STATE_ZH = {HiddenWorkState.DECLARED: "待验收", HiddenWorkState.REJECTED: "已退回",
            HiddenWorkState.ACCEPTED: "已验收", HiddenWorkState.CONCEALED: "已隐蔽"}
