"""Proofs computed from a project's events: each rule with its figures, and the event that breaks it.

- consent ≥ 2/3 and notice ≥ 14 working days held at approval (recounted from the consent
  answers and recomputed with the official calendar: DOMAIN.md, 002 三(二));
- every hidden work had accepted evidence before it was concealed;
- every complaint's clock: met, or breached and escalated (a breach nobody escalated fails);
- every acceptance party signed the dossier the final acceptance passed on.
Statuses: pass, fail, pending (not reached yet at that moment), none (nothing to prove).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from shared.calendar import WorkingDayCalendar

NOTICE_WORKING_DAYS = 14
CONSENT = Fraction(2, 3)


@dataclass(frozen=True)
class Fact:
    """One event as the rules read it."""

    service: str
    event_type: str
    event_id: str
    position: int
    occurred_at: datetime
    payload: dict[str, Any]
    source: str = "topic"

    def name(self) -> dict:
        """How a proof names the event that breaks it."""
        return {"service": self.service, "event_type": self.event_type, "event_id": self.event_id,
                "position": self.position, "occurred_at": self.occurred_at.isoformat()}


@dataclass
class Proof:
    """A rule's outcome with its figures."""

    rule: str
    title: str
    status: str
    figures: list[str] = field(default_factory=list)
    breaking: dict | None = None

    def to_dict(self) -> dict:
        """As JSON."""
        return asdict(self)


def prove_all(facts: Sequence[Fact], *, calendar: WorkingDayCalendar, now: datetime) -> list[Proof]:
    """Every rule over one project's events (in time order) as known at `now`."""
    return [consent_and_notice(facts, calendar), hidden_works(facts), complaint_clocks(facts, now=now),
            dossier_signed(facts)]


def _of(facts: Sequence[Fact], *types: str) -> list[Fact]:
    return [f for f in facts if f.event_type in types]


def consent_and_notice(facts: Sequence[Fact], calendar: WorkingDayCalendar) -> Proof:
    """Consent ≥ 2/3 of households and a notice of ≥ 14 working days, both held when approved."""
    proof = Proof("consent_notice", "同意率≥2/3、公示≥14个工作日（批准时）", "pending")
    approved = _of(facts, "intake.ProjectApproved")
    if not approved:
        proof.figures.append("项目尚未批准入库")
        return proof
    approval = approved[0]
    before = [f for f in facts if f.position < approval.position or f.service != "intake"]
    figures = approval.payload.get("figures", {})
    problems = _consent(before, approval, figures.get("consent", {}), proof) + _notice(
        before, approval, figures.get("notice", {}), calendar, proof)
    proof.status = "fail" if problems else "pass"
    if problems:
        proof.breaking = approval.name()
    return proof


def _consent(before: list[Fact], approval: Fact, claimed: dict, proof: Proof) -> int:
    answers: dict[str, str] = {}
    for fact in _of(before, "intake.ConsentRecorded"):
        answers[fact.payload.get("household_id")] = fact.payload.get("answer")
    households = int(claimed.get("households") or approval.payload.get("household_count") or 0)
    if answers:
        agreed, source = sum(a == "agree" for a in answers.values()), "按各户同意记录重新计数"
    else:
        agreed, source = int(claimed.get("agreed") or 0), "主题中无逐户记录，取批准事件中的数字"
    if not households:
        proof.figures.append("批准事件没有户数：无法核验同意率")
        return 1
    ratio = Fraction(agreed, households)
    proof.figures.append(f"同意 {agreed}/{households} = {float(ratio):.1%}（{source}）"
                         f"{'≥' if ratio >= CONSENT else '<'} 66.7%")
    problems = int(ratio < CONSENT)
    if answers and claimed.get("agreed") is not None and int(claimed["agreed"]) != agreed:
        proof.figures.append(f"批准事件称同意 {claimed['agreed']} 户，与逐户记录的 {agreed} 户不符")
        problems += 1
    return problems


def _notice(before: list[Fact], approval: Fact, claimed: dict, calendar: WorkingDayCalendar, proof: Proof) -> int:
    reopened = [f.position for f in _of(before, "intake.PlanReopened")]
    published = [f for f in _of(before, "intake.PlanNoticePublished") if not reopened or f.position > max(reopened)]
    notice = published[-1].payload if published else claimed
    try:
        start, end = date.fromisoformat(notice["start"]), date.fromisoformat(notice["end"])
    except (KeyError, TypeError, ValueError):
        proof.figures.append("没有公示记录：无法核验公示期")
        return 1
    days = calendar.working_days_between(start, end)
    provisional = calendar.provisional_between(start, end)
    proof.figures.append(f"公示 {start}–{end}：{days} 个工作日（按{'暂定' if provisional else '官方'}日历重算）"
                         f"{'≥' if days >= NOTICE_WORKING_DAYS else '<'} {NOTICE_WORKING_DAYS}")
    approved_on = approval.payload.get("approved_on")
    problems = int(days < NOTICE_WORKING_DAYS)
    if approved_on and date.fromisoformat(approved_on) <= end:
        proof.figures.append(f"批准日 {approved_on} 不在公示期结束（{end}）之后")
        problems += 1
    return problems


def hidden_works(facts: Sequence[Fact]) -> Proof:
    """Each concealed hidden work was accepted, with evidence attached, before the concealment."""
    proof = Proof("hidden_works", "隐蔽工程先验收（有影像证据）后隐蔽", "none")
    works: dict[str, dict] = {}
    for fact in _of(facts, "construction.HiddenWorkDeclared", "construction.HiddenWorkEvidenceAttached",
                    "construction.HiddenWorkAccepted", "construction.HiddenWorkRejected",
                    "construction.HiddenWorkConcealed"):
        work = works.setdefault(fact.payload.get("hidden_work_id"), {"evidence": 0, "accepted": None})
        kind = fact.event_type.removeprefix("construction.HiddenWork")
        if kind == "EvidenceAttached":
            work["evidence"] += 1
        elif kind == "Accepted":
            work["accepted"] = work["evidence"] or None  # evidence seen when accepted
        elif kind == "Rejected":
            work["accepted"] = None
        elif kind == "Concealed":
            work["concealed"] = fact
    concealed = [(wid, w) for wid, w in works.items() if "concealed" in w]
    bad = [(wid, w) for wid, w in concealed if not w["accepted"]]
    proof.figures.append(f"隐蔽工程 {len(works)} 项，已隐蔽 {len(concealed)} 项，"
                         f"其中先验收后隐蔽 {len(concealed) - len(bad)} 项")
    if bad:
        proof.status, proof.breaking = "fail", bad[0][1]["concealed"].name()
        proof.figures.append(f"{bad[0][0]} 在没有通过验收（或没有影像证据）时被隐蔽")
    elif works:
        proof.status = "pass" if concealed else "pending"
    return proof


def complaint_clocks(facts: Sequence[Fact], *, now: datetime) -> Proof:
    """Each complaint clock: met (answered by its due time), or breached and escalated."""
    proof = Proof("complaint_clocks", "投诉时限：按时答复，或超时即督办", "none")
    clocks: dict[tuple[str, int], dict] = {}
    for fact in facts:
        p, cid = fact.payload, fact.payload.get("complaint_id")
        if fact.event_type == "complaints.TimeLimitSet":
            clocks.setdefault((cid, p["cycle"]), {})["limit"] = fact
        elif fact.event_type == "complaints.ComplaintResponded":
            open_cycles = [k for k in clocks if k[0] == cid and "answered" not in clocks[k]]
            if open_cycles:
                clocks[max(open_cycles)]["answered"] = fact
        elif fact.event_type == "complaints.ComplaintEscalated":
            clocks.setdefault((cid, p.get("cycle")), {})["escalated"] = fact
    outcome = {"met": 0, "breached": 0, "escalated": 0, "running": 0}
    for (cid, cycle), clock in sorted(clocks.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or 0)):
        state = _clock_state(clock, now)
        outcome[state] += 1
        if state == "breached" and proof.breaking is None:
            proof.breaking = (clock.get("answered") or clock["limit"]).name()
            proof.figures.append(f"投诉 {cid} 第 {cycle} 轮时限 {clock['limit'].payload.get('due_at')} 已超时且未督办")
    proof.figures.insert(0, "按时 {met}，超时已督办 {escalated}，超时未督办 {breached}，"
                            "计时中 {running}".format(**outcome))
    if clocks:
        proof.status = "fail" if outcome["breached"] else ("pass" if not outcome["running"] else "pending")
    return proof


def _clock_state(clock: dict, now: datetime) -> str:
    if "limit" not in clock:
        return "escalated"
    due = datetime.fromisoformat(clock["limit"].payload["due_at"])
    answered = clock.get("answered")
    at = datetime.fromisoformat(answered.payload["at"]) if answered else None
    if at is not None and at <= due:
        return "met"
    if at is None and now <= due:
        return "running"
    return "escalated" if "escalated" in clock else "breached"


def dossier_signed(facts: Sequence[Fact]) -> Proof:
    """Every party of the joint acceptance signed (passed) the very dossier the final acceptance passed on."""
    proof = Proof("dossier_signed", "验收各方均签署最终验收档案", "none")
    convened = _of(facts, "acceptance.InitialAcceptanceConvened")
    final = _of(facts, "acceptance.FinalAcceptancePassed")
    if not convened:
        return proof
    parties = [p.get("party") for p in convened[-1].payload.get("parties", [])]
    if not final:
        proof.status = "pending"
        proof.figures.append(f"验收已召集，{len(parties)} 方尚待最终验收")
        return proof
    root = final[0].payload.get("dossier_root")
    signed = {f.payload.get("party") for f in _of(facts, "acceptance.PartyVerdictRecorded")
              if f.position < final[0].position and f.payload.get("verdict") == "pass"
              and f.payload.get("dossier_root") == root}
    missing = [p for p in parties if p not in signed]
    proof.figures.append(f"档案根 {str(root)[:16]}…（{final[0].payload.get('dossier_size')} 条）："
                         f"{len(parties) - len(missing)}/{len(parties)} 方签署")
    if missing:
        proof.status, proof.breaking = "fail", final[0].name()
        proof.figures.append("未签署该档案的一方：" + "、".join(str(p) for p in missing))
    else:
        proof.status = "pass"
    return proof
