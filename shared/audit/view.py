"""A project's state as the auditor sees it: folded from its events, with the proofs, timeline and evidence.

Also every project at once (one pass over the four topics) for the auditor's list and the CSV export.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime

from shared.audit.evidence_check import payload_refs
from shared.audit.replay import fact_from_json
from shared.audit.rules import Fact, prove_all
from shared.audit.topics import TopicUnavailable, iter_topic
from shared.broker import topic_for
from shared.calendar import WorkingDayCalendar
from shared.settings import SERVICE_NAMES

# Entities a project holds, by the payload field naming them, and the event-type prefix of their events.
ENTITIES = {"hidden_works": ("hidden_work_id", "construction.HiddenWork"),
            "rectifications": ("order_id", "construction.Rectification"),
            "complaints": ("complaint_id", "complaints.Complaint"),
            "acceptance_items": ("item_id", "acceptance.RectificationItem")}
STATUS_ZH = {"pass": "成立", "fail": "不成立", "pending": "尚未到期", "none": "无可证明事项"}


def project_state(project_id: str, facts: list[Fact], *, calendar: WorkingDayCalendar,
                  as_of: datetime | None = None) -> dict:
    """Plan, figures, hidden works, defects, complaints, acceptance and proofs as known at `as_of`."""
    now = as_of or datetime.now(UTC)
    approved = next((f.payload for f in facts if f.event_type == "intake.ProjectApproved"), {})
    state = {"project_id": project_id, "as_of": as_of.isoformat() if as_of else None,
             "plan": {k: approved.get(k) for k in ("community_name", "district", "street_office", "plan_year",
                                                    "household_count", "budget_fen", "approved_on")},
             "items": [i.get("name") for i in approved.get("items", [])],
             "proofs": [p.to_dict() for p in prove_all(facts, calendar=calendar, now=now)],
             "timeline": [_line(f) for f in facts], "evidence": _evidence(facts)}
    for section, (field, prefix) in ENTITIES.items():
        state[section] = _entities(facts, field, prefix)
    acceptance = [f.event_type.removeprefix("acceptance.") for f in facts if f.service == "acceptance"]
    state["acceptance"] = acceptance[-1] if acceptance else None
    return state


def _line(fact: Fact) -> dict:
    keys = ("hidden_work_id", "order_id", "complaint_id", "household_id", "party", "item_id", "check_id")
    subject = next((f"{k}={fact.payload[k]}" for k in keys if fact.payload.get(k)), "")
    return {"at": fact.occurred_at.isoformat(), "service": fact.service, "event_type": fact.event_type,
            "event_id": fact.event_id, "position": fact.position, "subject": subject, "source": fact.source}


def _entities(facts: list[Fact], field: str, prefix: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for fact in facts:
        key = fact.payload.get(field)
        if key is None or not fact.event_type.startswith(prefix.split(".")[0]):
            continue
        entity = found.setdefault(str(key), {"status": None, "events": 0, "evidence": 0})
        name = fact.event_type.removeprefix(prefix).removeprefix(prefix.split(".")[0] + ".")
        if "Evidence" not in name:  # attaching evidence adds to it; the decisions make the status
            entity["status"] = name.lower()
        entity["events"] += 1
        entity["evidence"] += len(_refs(fact))
    return found


def _refs(fact: Fact) -> set[str]:
    return payload_refs(fact.payload)


def _evidence(facts: list[Fact]) -> list[dict]:
    return [{"sha256": sha, "event_id": f.event_id, "event_type": f.event_type, "at": f.occurred_at.isoformat()}
            for f in facts for sha in sorted(_refs(f))]


def all_projects(bootstrap: str) -> dict[str, list[Fact]]:
    """Every approved project's events from the four topics in one pass (community-keyed intake events included)."""
    by_key: dict[str, list[Fact]] = defaultdict(list)
    for service in SERVICE_NAMES:
        try:
            for record in iter_topic(bootstrap, topic_for(service)):
                by_key[record.key or ""].append(fact_from_json(service, record.value)[0])
        except TopicUnavailable:
            continue
    projects: dict[str, list[Fact]] = {}
    for key, facts in by_key.items():
        approved = next((f for f in facts if f.event_type == "intake.ProjectApproved"), None)
        if approved is None:
            continue
        community = approved.payload.get("community_id")
        merged = facts + (by_key.get(community, []) if community and community != key else [])
        projects[key] = sorted(merged, key=lambda f: (f.occurred_at, SERVICE_NAMES.index(f.service), f.position))
    return projects


def summaries(projects: dict[str, list[Fact]], *, calendar: WorkingDayCalendar, district: str | None = None,
              year: int | None = None) -> list[dict]:
    """One row per project (optionally of one district and plan year) with each proof's status."""
    rows = []
    for project_id, facts in sorted(projects.items()):
        state = project_state(project_id, facts, calendar=calendar)
        plan = state["plan"]
        if (district and plan.get("district") != district) or (year and plan.get("plan_year") != year):
            continue
        rows.append({"project_id": project_id, **plan, "proofs": state["proofs"], "events": len(facts)})
    return rows


def export_csv(rows: list[dict]) -> str:
    """The auditor's CSV: one line per project and proof, with its figures and the breaking event."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["project_id", "community_name", "district", "plan_year", "rule", "title", "status",
                     "status_zh", "figures", "breaking_event_id", "breaking_event_type", "breaking_at"])
    for row in rows:
        for proof in row["proofs"]:
            breaking = proof.get("breaking") or {}
            writer.writerow([row["project_id"], row.get("community_name"), row.get("district"), row.get("plan_year"),
                             proof["rule"], proof["title"], proof["status"], STATUS_ZH[proof["status"]],
                             "；".join(proof["figures"]), breaking.get("event_id", ""),
                             breaking.get("event_type", ""), breaking.get("occurred_at", "")])
    return out.getvalue()
