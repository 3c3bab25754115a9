"""Read models of hidden works, inspections, rectification orders and the evidence attached to them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.construction.adapters.project_projection import dumps
from services.construction.adapters.tables import (
    evidence_band_table, evidence_flag_table, evidence_table, hidden_work_table, inspection_table,
    rectification_table)
from services.construction.domain.evidence import FlagReason, phash_bands
from shared.envelope import Envelope
from shared.unit_of_work import Projection

projection = Projection(hidden_work_table, evidence_table, evidence_band_table, evidence_flag_table,
                        inspection_table, rectification_table)


def _at(envelope: Envelope) -> str:
    return envelope.occurred_at.isoformat()


def store_evidence(conn: Connection, envelope: Envelope, evidence: dict, *, kind: str, subject_id: str,
                   label: str, item_code: str | None = None) -> None:
    """One attachment of one file: its row, its hash bands and its flags."""
    key = {"sha256": evidence["sha256"], "subject_kind": kind, "subject_id": subject_id}
    project_id = envelope.project_id
    flags = evidence.get("flags", [])
    conn.execute(evidence_table.insert().values(
        **key, project_id=project_id, item_code=item_code, object_key=evidence["key"], size=evidence["size"],
        media_type=evidence["media_type"], width=evidence["width"], height=evidence["height"],
        captured_at=evidence.get("captured_at"), latitude=evidence.get("latitude"),
        longitude=evidence.get("longitude"), phash=evidence.get("phash"), uploaded_at=evidence["uploaded_at"],
        uploaded_by=envelope.actor.id, filename=evidence.get("filename", "")[:200],
        caption=evidence.get("caption", "")[:200], flag_count=len(flags), flags=dumps(flags)))
    if evidence.get("phash"):
        conn.execute(evidence_band_table.insert(), [
            {**key, "band": band, "value": value, "project_id": project_id, "phash": evidence["phash"],
             "label": label[:200]} for band, value in enumerate(phash_bands(evidence["phash"]))])
    for number, flag in enumerate(flags):
        other = flag.get("other") or {}
        conn.execute(evidence_flag_table.insert().values(
            **key, flag_no=number, project_id=project_id, reason=flag["reason"], detail=flag["detail"],
            other_sha256=flag.get("other_sha256"), other_kind=other.get("kind"), other_id=other.get("id"),
            other_project_id=other.get("project_id")))


def _work(envelope: Envelope):
    return hidden_work_table.update().where(
        hidden_work_table.c.hidden_work_id == envelope.payload["hidden_work_id"])


@projection.on("construction.HiddenWorkDeclared")
def _declared(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(hidden_work_table.insert().values(
        hidden_work_id=p["hidden_work_id"], project_id=p["project_id"], item_id=p.get("item_id"), zone=p["zone"],
        location=p["location"], kind=p["kind"], description=p.get("description", ""), state="declared",
        declared_at=_at(envelope), declared_by=envelope.actor.id, photo_count=0, refusals=0))


@projection.on("construction.HiddenWorkEvidenceAttached")
def _work_evidence(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    location = conn.execute(sa.select(hidden_work_table.c.location).where(
        hidden_work_table.c.hidden_work_id == p["hidden_work_id"])).scalar_one()
    store_evidence(conn, envelope, p["evidence"], kind="hidden_work", subject_id=p["hidden_work_id"],
                   label=f"隐蔽工程“{location}”")
    evidence = p["evidence"]
    if evidence["media_type"].startswith("image/") and not any(
            f["reason"] == FlagReason.SUSPECTED_REUSE for f in evidence.get("flags", [])):
        conn.execute(_work(envelope).values(photo_count=hidden_work_table.c.photo_count + 1))


@projection.on("construction.HiddenWorkAccepted")
def _accepted(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_work(envelope).values(state="accepted", accepted_at=_at(envelope), accepted_by=envelope.actor.id,
                                        acceptance_note=envelope.payload.get("note", "")))


@projection.on("construction.HiddenWorkRejected")
def _rejected(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_work(envelope).values(state="rejected", rejected_reason=envelope.payload["reason"]))


@projection.on("construction.HiddenWorkConcealed")
def _concealed(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_work(envelope).values(state="concealed", concealed_at=_at(envelope)))


@projection.on("construction.ConcealmentRefused")
def _refused(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_work(envelope).values(refusals=hidden_work_table.c.refusals + 1))


@projection.on("construction.InspectionRecorded")
def _inspected(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(inspection_table.insert().values(
        inspection_id=p["inspection_id"], project_id=p["project_id"], zone=p["zone"], kind=p["kind"],
        task_id=p.get("task_id"), result=p["result"], inspector=envelope.actor.id, recorded_at=_at(envelope),
        failed_count=len(p["defects"]), items=dumps(p["items"])))


@projection.on("construction.InspectionEvidenceAttached")
def _inspection_evidence(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    store_evidence(conn, envelope, p["evidence"], kind="inspection", subject_id=p["inspection_id"],
                   label=f"巡查记录（{envelope.occurred_at.date().isoformat()}）", item_code=p["item_code"])


def _order(envelope: Envelope):
    return rectification_table.update().where(rectification_table.c.order_id == envelope.payload["order_id"])


@projection.on("construction.RectificationOrdered")
def _ordered(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    d = p["defect"]
    conn.execute(rectification_table.insert().values(
        order_id=p["order_id"], project_id=p["project_id"], inspection_id=p["inspection_id"], item_code=d["code"],
        category=d["category"], severity=d["severity"], description=d["description"], zone=d["zone"],
        status="issued", issued_on=p["issued_on"], due_on=p["due_on"], working_days=p["working_days"],
        due_provisional=p.get("due_provisional", False), overdue_noted=False, submissions=0))


@projection.on("construction.RectificationDueRecomputed")
def _due_recomputed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(_order(envelope).values(due_on=p["due_on"], due_provisional=p["due_provisional"]))


@projection.on("construction.RectificationSubmitted")
def _submitted(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    count = conn.execute(sa.select(rectification_table.c.submissions).where(
        rectification_table.c.order_id == p["order_id"])).scalar_one() + 1
    conn.execute(_order(envelope).values(status="submitted", submissions=count, submitted_at=_at(envelope)))
    for evidence in p["evidence"]:
        store_evidence(conn, envelope, evidence, kind="rectification", subject_id=p["order_id"],
                       label=f"整改单 {p['order_id']}（第 {count} 次提交）")


@projection.on("construction.RectificationVerified")
def _verified(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_order(envelope).values(status="verified", verified_at=_at(envelope)))


@projection.on("construction.RectificationRejected")
def _order_rejected(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_order(envelope).values(status="rejected", last_reason=envelope.payload["reason"]))


@projection.on("construction.RectificationOverdue")
def _overdue(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_order(envelope).values(overdue_noted=True))
