"""Complaints' own read models, kept by its events: the complaint row, its steps, escalations, 311 clients."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.complaints.adapters.tables import (
    complaint_table as ct, escalation_table, open311_client_table, step_table)
from services.complaints.domain.category import ASSIGNEE_ZH, LEVEL_ZH, RATING_ZH
from services.complaints.domain.client import Open311Client
from services.complaints.domain.complaint import Complaint
from shared.envelope import Envelope
from shared.unit_of_work import Projection

projection = Projection(ct, step_table, escalation_table, open311_client_table)
C = Complaint


def _iso(value: str) -> str:
    # Payloads carry "…Z"; read models compare instants as strings, so write one form everywhere.
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


def _update(conn: Connection, envelope: Envelope, **values) -> None:
    conn.execute(ct.update().where(ct.c.complaint_id == envelope.payload["complaint_id"])
                 .values(updated_at=envelope.occurred_at.astimezone(UTC).isoformat(), **values))


def _step(conn: Connection, envelope: Envelope, text: str, *, public: bool = True) -> None:
    conn.execute(step_table.insert().values(position=envelope.position, complaint_id=envelope.payload["complaint_id"],
                                            event_type=envelope.event_type, at=envelope.occurred_at.isoformat(),
                                            text=text, public=public))


@projection.on(C.Received.event_type)
def _received(conn: Connection, envelope: Envelope) -> None:
    e = C.Received.model_validate(envelope.payload)
    conn.execute(ct.insert().values(
        complaint_id=e.complaint_id, tracking_no=e.tracking_no, channel=e.channel, category=e.category,
        urgency=e.urgency, text=e.text, community_id=e.place.community_id, building=e.place.building,
        latitude=e.place.latitude, longitude=e.place.longitude, address=e.place.address, person_id=e.person_id,
        contact_sealed=e.contact_sealed, secret_digest=e.secret_digest, client_id=e.client_id,
        photos=json.dumps([p.model_dump() for p in e.photos]), state="received",
        received_at=e.received_at.astimezone(UTC).isoformat(), updated_at=envelope.occurred_at.isoformat()))
    _step(conn, envelope, "投诉已受理")


@projection.on(C.Routed.event_type)
def _routed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, community_id=p["community_id"], project_id=p["project_id"], route_method=p["method"],
            triage_reason=None)
    _step(conn, envelope, "已确定所属小区" + ("及改造项目" if p["project_id"] else ""), public=False)


@projection.on(C.SentToTriage.event_type)
def _triage(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, triage_reason=envelope.payload["reason"])
    _step(conn, envelope, "待人工分拣：" + envelope.payload["reason"], public=False)


@projection.on(C.TimeLimitSet.event_type)
def _limit(conn: Connection, envelope: Envelope) -> None:
    e = C.TimeLimitSet.model_validate(envelope.payload)
    label = f"{e.amount} 小时" if e.unit == "h" else f"{e.amount} 个工作日"
    _update(conn, envelope, cycle=e.cycle, limit_rule=e.rule, limit_label=label,
            due_at=e.due_at.astimezone(UTC).isoformat(),
            due_provisional=e.due_provisional, extension_reason=e.reason or None)
    if e.recomputed:
        _step(conn, envelope, f"工作日历已公布，办理时限确定为 {e.due_at.isoformat()[:16]}", public=False)
    elif e.reason:
        _step(conn, envelope, f"复杂事项，办理时限延长为 {label}：{e.reason}")


@projection.on(C.Acknowledged.event_type)
def _ack(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, state="acknowledged", acknowledged_at=_iso(envelope.payload["at"]))
    _step(conn, envelope, "已签收")


@projection.on(C.Assigned.event_type, C.Transferred.event_type)
def _assigned(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, state="assigned", assignee_kind=p["assignee_kind"], assignee=p["assignee"])
    who = f"{ASSIGNEE_ZH[p['assignee_kind']]}（{p['assignee']}）"
    _step(conn, envelope, f"转办至{who}：{p['reason']}" if "reason" in p else f"已派单至{who}")


@projection.on(C.InspectionFindingReceived.event_type)
def _finding(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, finding_inspection_id=p["inspection_id"], finding_result=p["result"],
            finding_summary=p["summary"])
    _step(conn, envelope, "施工监管已现场核查：" + p["summary"], public=False)


@projection.on(C.Responded.event_type)
def _responded(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, state="responded", responded_at=_iso(p["at"]), response=p["response"],
            response_source=p["source"])
    _step(conn, envelope, "答复：" + p["response"])


@projection.on(C.Resolved.event_type)
def _resolved(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, state="resolved", resolved_at=_iso(p["at"]), resolution=p["resolution"],
            return_visit_due=False)
    _step(conn, envelope, "已办结，请评价：" + p["resolution"])


@projection.on(C.Confirmed.event_type)
def _confirmed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, rating=p["rating"], rating_comment=p["comment"], rating_channel=p["channel"])
    via = "回访" if p["channel"] == "return_visit" else "居民"
    _step(conn, envelope, f"{via}评价：{RATING_ZH[p['rating']]}" + (f"（{p['comment']}）" if p["comment"] else ""))


@projection.on(C.Reopened.event_type)
def _reopened(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, state="assigned", reopen_count=ct.c.reopen_count + 1, level=None,
            responded_at=None, resolved_at=None, return_visit_due=False)
    _step(conn, envelope, "退回重办：" + envelope.payload["reason"])


@projection.on(C.Closed.event_type)
def _closed(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, state="closed", closed_at=_iso(envelope.payload["at"]), return_visit_due=False)
    _step(conn, envelope, "工单已办结")


@projection.on(C.ReturnVisitDue.event_type)
def _return_visit(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, return_visit_due=True)
    _step(conn, envelope, "居民未在期限内评价，待话务员回访", public=False)


@projection.on(C.Escalated.event_type)
def _escalated(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    category = conn.execute(sa.select(ct.c.category).where(ct.c.complaint_id == p["complaint_id"])).scalar()
    conn.execute(escalation_table.insert().values(complaint_id=p["complaint_id"], cycle=p["cycle"], level=p["level"],
                                                  at=_iso(p["at"]), due_at=_iso(p["due_at"]), category=category or ""))
    _update(conn, envelope, level=p["level"], escalations=ct.c.escalations + 1)
    _step(conn, envelope, f"超过办理时限：{LEVEL_ZH[p['level']]}")


@projection.on(C.DuplicateSuggested.event_type)
def _suggested(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    _update(conn, envelope, suggested_duplicate_of=p["candidate_id"], duplicate_score=p["score"])


@projection.on(C.Merged.event_type)
def _merged(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, state="merged", merged_into=envelope.payload["primary_id"])
    _step(conn, envelope, "与同一事项的工单合并办理，进度与结果见下方")


@projection.on(C.DuplicateAttached.event_type)
def _attached(conn: Connection, envelope: Envelope) -> None:
    _step(conn, envelope, "已合并一件重复投诉", public=False)


@projection.on(C.Filed.event_type)
def _filed(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, published_to_construction=True)
    _step(conn, envelope, "已通知施工监管安排现场核查")


@projection.on(C.SafetyComplaintOpened.event_type, C.SafetyComplaintClosed.event_type)
def _safety(conn: Connection, envelope: Envelope) -> None:
    _update(conn, envelope, safety_open=envelope.event_type == C.SafetyComplaintOpened.event_type)


@projection.on(Open311Client.Registered.event_type)
def _client(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(open311_client_table.insert().values(client_id=p["client_id"], name=p["name"],
                                                      key_digest=p["key_digest"],
                                                      registered_at=envelope.occurred_at.isoformat()))


@projection.on(Open311Client.Revoked.event_type)
def _revoked(conn: Connection, envelope: Envelope) -> None:
    conn.execute(open311_client_table.update().where(open311_client_table.c.client_id == envelope.payload["client_id"])
                 .values(revoked=True))
