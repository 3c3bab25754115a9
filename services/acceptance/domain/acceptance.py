"""The joint acceptance of one project: 初验 by every party, checklist, rectification, 竣工验收, 备案.

Rules: `000` part 3 五(二)3 and `002` 三(五) (the construction unit convenes the street office,
residents' committee, owners' committee, designer, contractor, supervision and pipeline units);
`003` 二(四) (eleven checks); 建设工程质量管理条例 art. 16 (the construction unit organises the
completion acceptance) and art. 49 (filing within 15 days). A party's verdict is bound to the
root hash of the dossier it saw; when the dossier changes the verdict is stale and must be given
again, so the final acceptance rests on every party having accepted the same, final state.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar, Literal

from services.acceptance.domain.checklist import Check
from services.acceptance.domain.evidence import Evidence
from services.acceptance.domain.party import Representative, check_roll, check_signer, party_label
from shared.errors import RecordedRefusal
from shared.aggregate import Aggregate
from shared.errors import InvalidCommand, NotFound
from shared.event import DomainEvent

Verdict = Literal["pass", "fail"]


class Acceptance(Aggregate):
    """One project's acceptance, from the request to the filing."""

    stream_prefix = "acceptance"

    class Refused(DomainEvent):
        event_type = "acceptance.AcceptanceRefused"
        project_id: str
        missing: tuple[dict, ...]

    class Convened(DomainEvent):
        event_type = "acceptance.InitialAcceptanceConvened"
        in_dossier: ClassVar[bool] = True
        project_id: str
        convened_on: date
        parties: tuple[Representative, ...]
        checks: tuple[Check, ...]

    class VerdictRecorded(DomainEvent):
        event_type = "acceptance.PartyVerdictRecorded"
        project_id: str
        party: str
        account: str
        verdict: Verdict
        comments: str = ""
        dossier_root: str
        dossier_size: int

    class CheckRecorded(DomainEvent):
        event_type = "acceptance.CheckRecorded"
        in_dossier: ClassVar[bool] = True
        project_id: str
        check_id: str
        result: Verdict
        note: str = ""
        evidence: tuple[Evidence, ...] = ()

    class ItemRaised(DomainEvent):
        event_type = "acceptance.RectificationItemRaised"
        in_dossier: ClassVar[bool] = True
        project_id: str
        item_id: str
        source: str
        text: str

    class ItemFixed(DomainEvent):
        event_type = "acceptance.RectificationItemFixed"
        in_dossier: ClassVar[bool] = True
        project_id: str
        item_id: str
        note: str
        evidence: tuple[Evidence, ...] = ()

    class ItemRechecked(DomainEvent):
        event_type = "acceptance.RectificationItemRechecked"
        in_dossier: ClassVar[bool] = True
        project_id: str
        item_id: str
        passed: bool
        note: str = ""

    class FinalRefused(DomainEvent):
        event_type = "acceptance.FinalAcceptanceRefused"
        project_id: str
        missing: tuple[dict, ...]

    class FinalAccepted(DomainEvent):
        event_type = "acceptance.FinalAcceptancePassed"
        project_id: str
        accepted_on: date
        dossier_root: str
        dossier_size: int
        filing_due_on: date
        evaluation: dict

    class Filed(DomainEvent):
        event_type = "acceptance.FilingRecorded"
        project_id: str
        filed_on: date
        filing_no: str
        authority: str
        late: bool

    class FilingLate(DomainEvent):
        event_type = "acceptance.FilingFellLate"
        project_id: str
        due_on: date
        noted_on: date

    convened: Convened | None = None
    accepted: FinalAccepted | None = None
    filed: Filed | None = None
    late_noted = False
    roll: dict[str, Representative]
    verdicts: dict[str, VerdictRecorded]
    checks: dict[str, CheckRecorded]
    items: dict[str, dict]
    check_at: dict[str, int]

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.roll, self.verdicts, self.checks, self.items, self.check_at = {}, {}, {}, {}, {}

    @classmethod
    def start(cls, project_id: str) -> "Acceptance":
        """An empty acceptance of a project (nothing recorded yet)."""
        return cls(cls.stream_for(project_id))

    @property
    def project_id(self) -> str:
        """The project accepted."""
        return self.stream_id.removeprefix(f"{self.stream_prefix}-")

    def convene(self, *, gaps: list[dict], roll: list[Representative], required: list[str],
                checks: tuple[Check, ...], today: date) -> None:
        """Convene the initial acceptance, or record the refusal naming everything missing."""
        if self.convened is not None:
            raise InvalidCommand("初验已经召集，不能重复召集", code="already_convened")
        if gaps:
            self._record(self.Refused(project_id=self.project_id, missing=tuple(gaps)))
            raise RecordedRefusal("不能申请验收，尚缺：" + "；".join(g["text"] for g in gaps),
                                  code="acceptance_refused", details={"missing": gaps})
        check_roll(roll, required)
        self._record(self.Convened(project_id=self.project_id, convened_on=today, parties=tuple(roll),
                                   checks=checks))

    def sign(self, *, party: str, account: str, role: str, verdict: Verdict, comments: str,
             seen_root: str, current_root: str, size: int) -> None:
        """A party's verdict on the dossier state it saw, which must be the current one."""
        self._check_open()
        check_signer(self.roll, party, account=account, role=role)
        if seen_root != current_root:
            raise InvalidCommand("您签署的卷宗版本已不是当前版本（卷宗在您查看后有变更），请刷新页面核对后重新签署",
                                 code="dossier_changed", details={"current_root": current_root})
        if verdict == "fail" and len(comments.strip()) < 2:
            raise InvalidCommand("不同意验收时须写明意见", code="comments_required")
        self._record(self.VerdictRecorded(project_id=self.project_id, party=party, account=account, verdict=verdict,
                                          comments=comments.strip(), dossier_root=current_root, dossier_size=size))
        if verdict == "fail":
            self._raise_item(f"party:{party}", f"{party_label(party)}：{comments.strip()}")

    def record_check(self, *, check_id: str, result: Verdict, note: str, evidence: tuple[Evidence, ...],
                     min_photos: int) -> None:
        """Record one check of the checklist, pass or fail, with its photos."""
        check = self.check_for(check_id)
        if result == "pass" and len(evidence) < min_photos:
            raise InvalidCommand(f"“{check.title}”判为合格须附至少 {min_photos} 张现场照片", code="check_photos")
        if result == "fail" and len(note.strip()) < 2:
            raise InvalidCommand(f"“{check.title}”判为不合格须写明问题", code="check_note")
        self._record(self.CheckRecorded(project_id=self.project_id, check_id=check_id, result=result,
                                        note=note.strip(), evidence=evidence))
        if result == "fail":
            self._raise_item(f"check:{check_id}", f"{check.title}：{note.strip()}")

    def check_for(self, check_id: str) -> Check:
        """A check of the checklist that may still be recorded."""
        self._check_open()
        check = next((c for c in self.convened.checks if c.check_id == check_id), None)
        if check is None:
            raise NotFound(f"检查清单中没有“{check_id}”")
        return check

    def raise_item(self, *, source: str, text: str) -> str:
        """Add a rectification item (e.g. from the residents' evaluation)."""
        self._check_open()
        return self._raise_item(source, text)

    def fix_item(self, *, item_id: str, note: str, evidence: tuple[Evidence, ...]) -> None:
        """The contractor reports an item fixed."""
        item = self.item(item_id)
        if item["state"] not in ("open", "reopened"):
            raise InvalidCommand("该整改项当前不是待整改状态", code="item_state")
        if len(note.strip()) < 2:
            raise InvalidCommand("请写明整改情况", code="fix_note")
        self._record(self.ItemFixed(project_id=self.project_id, item_id=item_id, note=note.strip(), evidence=evidence))

    def recheck_item(self, *, item_id: str, passed: bool, note: str) -> None:
        """Re-check a fixed item: closed when it passes, open again when not."""
        item = self.item(item_id)
        if item["state"] != "fixed":
            raise InvalidCommand("整改项须先报整改完成，才能复查", code="item_state")
        if not passed and len(note.strip()) < 2:
            raise InvalidCommand("复查不合格须写明原因", code="recheck_note")
        self._record(self.ItemRechecked(project_id=self.project_id, item_id=item_id, passed=passed, note=note.strip()))

    def accept_final(self, *, gaps: list[dict], current_root: str, size: int, evaluation: dict,
                     today: date, filing_days: int) -> None:
        """竣工验收: only when every party, check, item and the residents passed; else the refusal is recorded."""
        self._check_open()
        missing = [*gaps, *self.final_gaps(current_root), *evaluation.get("gaps", [])]
        if missing:
            self._record(self.FinalRefused(project_id=self.project_id, missing=tuple(missing)))
            raise RecordedRefusal("不能竣工验收，尚缺：" + "；".join(g["text"] for g in missing),
                                  code="final_acceptance_refused", details={"missing": missing})
        self._record(self.FinalAccepted(
            project_id=self.project_id, accepted_on=today, dossier_root=current_root, dossier_size=size,
            filing_due_on=today + timedelta(days=filing_days),
            evaluation={k: v for k, v in evaluation.items() if k != "gaps"}))

    def final_gaps(self, current_root: str) -> list[dict]:
        """What the parties, the checklist and the rectification items still lack."""
        gaps = [{"kind": "party", "id": key, "text": text} for key in self.roll
                if (text := self._party_gap(key, current_root))]
        for check in self.convened.checks:
            state = self.check_state(check.check_id)
            if state not in ("pass", "rectified"):
                text = "尚未检查" if state == "unchecked" else "不合格，整改未销项"
                gaps.append({"kind": "check", "id": check.check_id, "text": f"检查“{check.title}”{text}"})
        gaps += [{"kind": "rectification_item", "id": item_id, "text": f"整改项“{item['text']}”未销项"}
                 for item_id, item in self.items.items() if item["state"] != "closed"]
        return gaps

    def party_state(self, key: str, current_root: str) -> str:
        """missing | stale | pass | fail for one party against the current dossier."""
        verdict = self.verdicts.get(key)
        if verdict is None:
            return "missing"
        if verdict.dossier_root != current_root:
            return "stale"
        return verdict.verdict

    def _party_gap(self, key: str, current_root: str) -> str | None:
        label = f"{party_label(key)}（{self.roll[key].organisation}）"
        return {"missing": f"{label}尚未签署", "stale": f"{label}的签署已过期（卷宗在其签署后有变更），须重新签署",
                "fail": f"{label}不同意验收"}.get(self.party_state(key, current_root))

    def check_state(self, check_id: str) -> str:
        """unchecked | pass | fail | rectified."""
        recorded = self.checks.get(check_id)
        if recorded is None:
            return "unchecked"
        if recorded.result == "pass":
            return "pass"
        since = self.check_at[check_id]
        items = [i for i in self.items.values() if i["source"] == f"check:{check_id}" and i["at"] >= since]
        return "rectified" if items and all(i["state"] == "closed" for i in items) else "fail"

    def record_filing(self, *, filed_on: date, filing_no: str, authority: str) -> None:
        """备案 (art. 49): recorded once, after the final acceptance; late when past the due date."""
        if self.accepted is None:
            raise InvalidCommand("竣工验收通过后才能备案", code="not_accepted")
        if self.filed is not None:
            raise InvalidCommand("已经备案", code="already_filed")
        if filed_on < self.accepted.accepted_on:
            raise InvalidCommand("备案日期不能早于竣工验收日期", code="filing_date")
        self._record(self.Filed(project_id=self.project_id, filed_on=filed_on, filing_no=filing_no,
                                authority=authority, late=filed_on > self.accepted.filing_due_on))

    def note_late(self, today: date) -> bool:
        """Record once that the filing is past its 15-day limit; False when nothing to note."""
        if self.accepted is None or self.filed is not None or self.late_noted:
            return False
        if today <= self.accepted.filing_due_on:
            return False
        self._record(self.FilingLate(project_id=self.project_id, due_on=self.accepted.filing_due_on, noted_on=today))
        return True

    def _raise_item(self, source: str, text: str) -> str:
        item_id = f"{len(self.items) + 1}"
        self._record(self.ItemRaised(project_id=self.project_id, item_id=item_id, source=source, text=text[:500]))
        return item_id

    def item(self, item_id: str) -> dict:
        """A rectification item that may still change."""
        self._check_open()
        if item_id not in self.items:
            raise NotFound(f"没有整改项 {item_id}")
        return self.items[item_id]

    def _check_open(self) -> None:
        if self.convened is None:
            raise InvalidCommand("初验尚未召集", code="not_convened")
        if self.accepted is not None:
            raise InvalidCommand("已通过竣工验收，验收记录不能再修改", code="already_accepted")

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Acceptance.Convened():
                self.convened = event
                self.roll = {rep.party: rep for rep in event.parties}
            case Acceptance.VerdictRecorded():
                self.verdicts[event.party] = event
            case Acceptance.CheckRecorded():
                self.checks[event.check_id] = event
                self.check_at[event.check_id] = self.version
            case Acceptance.ItemRaised():
                self.items[event.item_id] = {"source": event.source, "text": event.text, "state": "open",
                                             "at": self.version}
            case Acceptance.ItemFixed():
                self.items[event.item_id]["state"] = "fixed"
            case Acceptance.ItemRechecked():
                self.items[event.item_id]["state"] = "closed" if event.passed else "reopened"
            case Acceptance.FinalAccepted():
                self.accepted = event
            case Acceptance.Filed():
                self.filed = event
            case Acceptance.FilingLate():
                self.late_noted = True
