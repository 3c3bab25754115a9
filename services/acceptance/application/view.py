"""What a page, the API and the archive report show of one project's acceptance (read side)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Connection

from services.acceptance.adapters import queries
from services.acceptance.adapters.record import current_dossier
from services.acceptance.domain import precondition
from services.acceptance.domain.acceptance import Acceptance
from services.acceptance.domain.evaluation import Evaluation
from services.acceptance.domain.party import party_label
from services.acceptance.domain.subsidy import CONDITION_ZH, Subsidy
from shared.eventstore import EventStore
from shared.event import registry

PARTY_STATE_ZH = {"missing": "未签署", "stale": "已过期，须重新签署", "pass": "同意", "fail": "不同意"}
CHECK_STATE_ZH = {"unchecked": "未检查", "pass": "合格", "fail": "不合格", "rectified": "整改后合格"}
ITEM_STATE_ZH = {"open": "待整改", "fixed": "待复查", "reopened": "复查未通过", "closed": "已销项"}
STAGE_ZH = {"waiting": "待召集初验", "convened": "验收中", "accepted": "已竣工验收，待备案", "filed": "已备案"}


def _load(conn: Connection, cls, stream_id: str):
    envelopes = EventStore().load_stream(conn, stream_id)
    return cls.rehydrate(stream_id, [registry.load(e) for e in envelopes]) if envelopes else None


def project_view(conn: Connection, project_id: str, *, today: date, payment_days: int) -> dict:
    """The acceptance file, its gaps, the party roll, the checklist, items, evaluation, money and filing."""
    file = queries.file_row(conn, project_id)
    root, size = current_dossier(conn, project_id)
    acceptance = _load(conn, Acceptance, Acceptance.stream_for(project_id)) or Acceptance.start(project_id)
    evaluation = _load(conn, Evaluation, Evaluation.stream_for(project_id))
    subsidy = _load(conn, Subsidy, Subsidy.stream_for(project_id))
    return {
        "file": file, "stage": file["stage"], "stage_label": STAGE_ZH.get(file["stage"], file["stage"]),
        "dossier_root": root, "dossier_size": size,
        "missing": precondition.missing(queries.file_view(conn, project_id)),
        "parties": _parties(acceptance, root), "checks": _checks(acceptance), "items": _items(acceptance),
        "final_gaps": acceptance.final_gaps(root) if acceptance.convened and not acceptance.accepted else [],
        "accepted": acceptance.accepted.model_dump(mode="json") if acceptance.accepted else None,
        "filed": acceptance.filed.model_dump(mode="json") if acceptance.filed else None,
        "filing_late": bool(acceptance.accepted and not acceptance.filed
                            and today > acceptance.accepted.filing_due_on) or bool(file["filing_late"]),
        "evaluation": _evaluation(evaluation),
        "money": _money(subsidy, today=today, payment_days=payment_days),
    }


def _parties(acceptance: Acceptance, root: str) -> list[dict]:
    rows = []
    for key, rep in acceptance.roll.items():
        state = acceptance.party_state(key, root)
        verdict = acceptance.verdicts.get(key)
        rows.append({"party": key, "label": party_label(key), "organisation": rep.organisation,
                     "accounts": list(rep.accounts), "state": state, "state_label": PARTY_STATE_ZH[state],
                     "signed_by": verdict.account if verdict else None, "comments": verdict.comments if verdict else "",
                     "signed_root": verdict.dossier_root if verdict else None})
    return rows


def _checks(acceptance: Acceptance) -> list[dict]:
    if acceptance.convened is None:
        return []
    rows = []
    for check in acceptance.convened.checks:
        state = acceptance.check_state(check.check_id)
        recorded = acceptance.checks.get(check.check_id)
        rows.append({"check_id": check.check_id, "title": check.title, "source": check.source, "state": state,
                     "state_label": CHECK_STATE_ZH[state], "note": recorded.note if recorded else "",
                     "evidence": [e.model_dump(mode="json") for e in recorded.evidence] if recorded else []})
    return rows


def _items(acceptance: Acceptance) -> list[dict]:
    return [{"item_id": item_id, "source": item["source"], "text": item["text"], "state": item["state"],
             "state_label": ITEM_STATE_ZH[item["state"]]} for item_id, item in acceptance.items.items()]


def _evaluation(evaluation: Evaluation | None) -> dict | None:
    if evaluation is None:
        return None
    opened = evaluation.opened
    return {"round": opened.round, "households": list(opened.households), "pass_level": opened.pass_level,
            "min_participation": opened.min_participation, "satisfied_score": opened.satisfied_score,
            "closed": evaluation.closed is not None, "voted": sorted(evaluation.voices),
            "tally": evaluation.closed.tally if evaluation.closed else evaluation.tally()}


def _money(subsidy: Subsidy | None, *, today: date, payment_days: int) -> dict | None:
    if subsidy is None:
        return None
    tranches = []
    for t in subsidy.plan.tranches:
        due, paid = subsidy.due.get(t.key), subsidy.paid.get(t.key)
        overdue = bool(due and not paid and today > due.due_on + timedelta(days=payment_days))
        tranches.append({"key": t.key, "percent": t.percent, "amount_fen": t.amount_fen, "condition": t.condition,
                         "condition_label": CONDITION_ZH.get(t.condition, t.condition),
                         "due_on": due.due_on.isoformat() if due else None,
                         "paid_on": paid.paid_on.isoformat() if paid else None,
                         "voucher": paid.voucher if paid else None, "overdue": overdue})
    return {**subsidy.figures(), "tranches": tranches,
            "settled_fen": subsidy.settled.settled_fen if subsidy.settled else None}


def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals and thousands separators (no float on the way)."""
    if fen is None:
        return ""
    sign, fen = ("-" if fen < 0 else ""), abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"
