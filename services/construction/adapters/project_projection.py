"""Read models of projects, work items, stop-work orders, design changes, tasks and refusals."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.construction.adapters.tables import (
    design_change_table, inspection_task_table, project_table, refusal_table, stop_work_table,
    work_item_table)
from services.construction.domain.design_change import ChangeStatus
from shared.envelope import Envelope
from shared.unit_of_work import Projection

projection = Projection(project_table, work_item_table, stop_work_table, design_change_table,
                        inspection_task_table, refusal_table)


def dumps(value) -> str:
    """Stable JSON for Text columns (a rebuild must produce the same bytes)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _at(envelope: Envelope) -> str:
    return envelope.occurred_at.isoformat()


@projection.on("construction.ProjectOpened")
def _opened(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    loc = p["location"]
    conn.execute(project_table.insert().values(
        project_id=p["project_id"], community_id=p["community_id"], community_name=p["community_name"],
        district=p.get("district", ""), address=loc.get("address", ""), latitude=loc["latitude"],
        longitude=loc["longitude"], geofence_radius_m=loc["geofence_radius_m"], plan_year=p.get("plan_year"),
        boundary=dumps(loc["boundary"]) if loc.get("boundary") else None,
        budget_fen=p.get("budget_fen", 0), pipeline_units="[]", accounts="{}", status="open",
        opened_at=_at(envelope), designer=p.get("plan_parties", {}).get("designer")))
    for item in p["items"]:
        conn.execute(work_item_table.insert().values(
            project_id=p["project_id"], item_id=item["item_id"], kind=item["kind"], name=item["name"],
            category=item.get("category", ""), zone=item["zone"], layer=item["layer"],
            budget_fen=item.get("budget_fen", 0), status=item["status"], overrides="[]"))


def _project(envelope: Envelope):
    return project_table.update().where(project_table.c.project_id == envelope.project_id)


def _item(envelope: Envelope):
    return work_item_table.update().where(work_item_table.c.project_id == envelope.project_id,
                                          work_item_table.c.item_id == envelope.payload["item_id"])


@projection.on("construction.PartiesAssigned")
def _parties(conn: Connection, envelope: Envelope) -> None:
    parties = envelope.payload["parties"]
    conn.execute(_project(envelope).values(
        contractor=parties["contractor"], supervision_unit=parties["supervision_unit"],
        designer=parties.get("designer") or None, pipeline_units=dumps(parties.get("pipeline_units", [])),
        accounts=dumps(parties.get("accounts", {}))))


@projection.on("construction.ContractSigned")
def _contract(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(_project(envelope).values(contract_no=p["contract_no"], contract_amount_fen=p["amount_fen"],
                                           contract_signed_on=p["signed_on"]))


@projection.on("construction.SiteContactPublished")
def _contact(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_project(envelope).values(hotline=envelope.payload["hotline"],
                                           contact_name=envelope.payload["contact_name"]))


@projection.on("construction.WorkItemPlaced")
def _placed(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_item(envelope).values(zone=envelope.payload["zone"], layer=envelope.payload["layer"]))


@projection.on("construction.WorkItemStarted")
def _started(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_item(envelope).values(status="started", started_at=_at(envelope)))


@projection.on("construction.WorkItemFinished")
def _finished(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_item(envelope).values(status="finished", finished_at=_at(envelope)))


@projection.on("construction.OrderOfWorksOverridden")
def _override(conn: Connection, envelope: Envelope) -> None:
    current = conn.execute(sa.select(work_item_table.c.overrides).where(
        work_item_table.c.project_id == envelope.project_id,
        work_item_table.c.item_id == envelope.payload["item_id"])).scalar_one()
    entry = {"rule": envelope.payload["rule"], "reason": envelope.payload["reason"], "by": envelope.actor.id}
    conn.execute(_item(envelope).values(overrides=dumps([*json.loads(current), entry])))


@projection.on("construction.StopWorkOrdered")
def _stop(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(stop_work_table.insert().values(
        project_id=envelope.project_id, zone=p["zone"], inspection_id=p["inspection_id"],
        defect_ids=dumps(p["defect_ids"]), ordered_at=_at(envelope)))


@projection.on("construction.StopWorkLifted")
def _lift(conn: Connection, envelope: Envelope) -> None:
    # A stop an official lifted names the official; one a re-inspection lifted names the inspection.
    lifted_by = envelope.payload["inspection_id"] or envelope.actor.id
    conn.execute(stop_work_table.update().where(
        stop_work_table.c.project_id == envelope.project_id, stop_work_table.c.zone == envelope.payload["zone"],
        stop_work_table.c.lifted_at.is_(None)).values(lifted_at=_at(envelope), lifted_by=lifted_by))


@projection.on("construction.CompletionDeclared")
def _completed(conn: Connection, envelope: Envelope) -> None:
    conn.execute(_project(envelope).values(status="completed", completed_on=envelope.payload["declared_on"]))


@projection.on("construction.ConcealmentRefused", "construction.WorkStartRefused",
               "construction.CompletionRefused")
def _refused(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    kind = {"construction.ConcealmentRefused": "concealment", "construction.WorkStartRefused": "work_start",
            "construction.CompletionRefused": "completion"}[envelope.event_type]
    reason = p.get("reason") or "；".join(gap["text"] for gap in p.get("missing", []))
    conn.execute(refusal_table.insert().values(
        event_id=str(envelope.event_id), project_id=envelope.project_id, kind=kind,
        subject_id=p.get("hidden_work_id") or p.get("item_id") or envelope.project_id, reason=reason,
        actor=envelope.actor.id, at=_at(envelope)))


@projection.on("construction.DesignChangeRequested")
def _change_requested(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(design_change_table.insert().values(
        change_id=p["change_id"], project_id=p["project_id"], title=p["title"], description=p["description"],
        reason=p["reason"], cost_delta_fen=p["cost_delta_fen"], major=p["major"],
        major_reasons=dumps(p["major_reasons"]), status="requested", requested_at=_at(envelope),
        requested_by=envelope.actor.id))


_CHANGE_STATUS = {"construction.DesignChangeNoticeRequested": ChangeStatus.AWAITING_NOTICE,
                  "construction.DesignChangeTookEffect": ChangeStatus.EFFECTIVE,
                  "construction.DesignChangeRejected": ChangeStatus.REJECTED}


@projection.on(*_CHANGE_STATUS)
def _change_status(conn: Connection, envelope: Envelope) -> None:
    values = {"status": str(_CHANGE_STATUS[envelope.event_type])}
    if "reason" in envelope.payload:
        values["decision_note"] = envelope.payload["reason"]
    conn.execute(_change(envelope).values(**values))


@projection.on("construction.DesignChangeNoticeOpened")
def _notice_opened(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(_change(envelope).values(status="in_notice", notice_id=p["notice_id"], notice_start=p["start"],
                                          notice_end=p["end"]))


@projection.on("construction.DesignChangeNoticeClosed")
def _notice_closed(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    values = {"objections": p["objections"], "objections_unanswered": p["objections_unanswered"]}
    if p["objections_unanswered"]:
        values["status"] = "held"
    conn.execute(_change(envelope).values(**values))


def _change(envelope: Envelope):
    return design_change_table.update().where(design_change_table.c.change_id == envelope.payload["change_id"])


@projection.on("construction.InspectionTaskOpened")
def _task_opened(conn: Connection, envelope: Envelope) -> None:
    p = envelope.payload
    conn.execute(inspection_task_table.insert().values(
        task_id=p["task_id"], project_id=p["project_id"], complaint_id=p["complaint_id"],
        category=p["category"], summary=p["summary"], status="open", opened_at=_at(envelope)))


@projection.on("construction.InspectionTaskDone")
def _task_done(conn: Connection, envelope: Envelope) -> None:
    conn.execute(inspection_task_table.update().where(
        inspection_task_table.c.task_id == envelope.payload["task_id"]).values(
        status="done", inspection_id=envelope.payload["inspection_id"]))
