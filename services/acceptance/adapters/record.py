"""The record of every event about a project, own and consumed: the archive's leaves and the dossier's root."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.acceptance.adapters.tables import evidence_table, file_table, record_table
from services.acceptance.adapters import bundle as archive
from shared.envelope import Envelope
from shared.event import registry
from shared.unit_of_work import Projection

SERVICE = "acceptance"
_SUBJECT_KEYS = ("hidden_work_id", "inspection_id", "order_id", "check_id", "item_id")


records = Projection(record_table, evidence_table)


@records.on_every
def record(conn: Connection, envelope: Envelope) -> None:
    """Keep every event about a project, own and consumed, in the order this service applied them.

    Own events reach it from the unit of work, other services' from the consumer: the record
    therefore holds every event of every service about a project, as read from the topics.
    Runs after the event's own read models, so an approval's file row exists when the root is computed.
    """
    if keep(conn, envelope):
        refresh_dossier(conn, envelope.project_id)


# What the parties judge is the works: construction's record, intake's plan and decisions, and the
# complaints that hold the acceptance back. A household's account link or a hotline clerk's routine
# step is kept in the archive but does not change the dossier (it would make every signature stale).
_HOUSEHOLD_EVENTS = frozenset({
    "intake.HouseholdAccountLinked", "intake.HouseholdAccountUnlinked", "intake.ConsentRecorded",
    "intake.HouseholdNeedsRecorded", "intake.ElevatorConsentRecorded", "intake.VoteCast"})
_COMPLAINTS_IN_DOSSIER = frozenset({
    "complaints.ComplaintFiled", "complaints.SafetyComplaintOpened", "complaints.SafetyComplaintClosed"})


def in_dossier(envelope: Envelope) -> bool:
    """Whether the event is part of what the parties sign (see the rule above; own: convening, checks, items)."""
    if envelope.service == SERVICE:
        cls = registry.class_for(envelope.event_type) if registry.knows(envelope.event_type) else None
        return bool(getattr(cls, "in_dossier", False))
    if envelope.service == "complaints":
        return envelope.event_type in _COMPLAINTS_IN_DOSSIER
    return envelope.event_type not in _HOUSEHOLD_EVENTS


def keep(conn: Connection, envelope: Envelope) -> bool:
    """Record one event once; whether it belongs to a dossier (so the root must be recomputed)."""
    if not envelope.project_id:
        return False
    seen = conn.execute(sa.select(record_table.c.seq).where(record_table.c.event_id == str(envelope.event_id))).first()
    if seen is not None:
        return False
    data = archive.event_leaf(envelope.model_dump(mode="json"))
    dossier = in_dossier(envelope)
    conn.execute(record_table.insert().values(
        event_id=str(envelope.event_id), key=envelope.project_id, service=envelope.service,
        event_type=envelope.event_type, in_dossier=dossier, body=envelope.to_json().decode(),
        leaf_hash=archive.leaf_hash(data).hex()))
    record_evidence(conn, envelope)
    return dossier


def record_evidence(conn: Connection, envelope: Envelope) -> None:
    """Every photo an event carries goes into the project's evidence manifest."""
    payload = envelope.payload
    found = archive.evidence_in(payload)
    if not found:
        return
    subject = next((f"{k.removesuffix('_id')}:{payload[k]}" for k in _SUBJECT_KEYS if k in payload),
                   envelope.event_type)
    for evidence in found:
        entry = archive.manifest_entry(evidence, event_id=str(envelope.event_id), subject=subject)
        conn.execute(evidence_table.insert().values(
            project_id=envelope.project_id, event_id=str(envelope.event_id), subject=subject,
            sha256=entry["sha256"], manifest=json.dumps(entry, ensure_ascii=False, sort_keys=True)))


def keys_of(conn: Connection, project_id: str) -> tuple[str, ...]:
    """The keys events about a project travel under: its id, and its community's id before it existed."""
    community = conn.execute(sa.select(file_table.c.community_id).where(
        file_table.c.project_id == project_id)).scalar()
    return (project_id, community) if community else (project_id,)


def dossier_leaves(conn: Connection, project_id: str) -> list[bytes]:
    """The leaf hashes of a project's dossier, in applied order."""
    rows = conn.execute(sa.select(record_table.c.leaf_hash).where(
        record_table.c.key.in_(keys_of(conn, project_id)), record_table.c.in_dossier.is_(True)
    ).order_by(record_table.c.seq))
    return [bytes.fromhex(row.leaf_hash) for row in rows]


def refresh_dossier(conn: Connection, key: str) -> None:
    """Recompute the dossier root of every project whose events travel under `key`."""
    projects = conn.execute(sa.select(file_table.c.project_id).where(
        sa.or_(file_table.c.project_id == key, file_table.c.community_id == key))).scalars().all()
    for project_id in projects:
        leaves = dossier_leaves(conn, project_id)
        conn.execute(file_table.update().where(file_table.c.project_id == project_id).values(
            dossier_root=archive.root_from_leaf_hashes(leaves).hex(), dossier_size=len(leaves)))


def current_dossier(conn: Connection, project_id: str) -> tuple[str, int]:
    """The dossier's root hash (hex) and size as it stands now."""
    row = conn.execute(sa.select(file_table.c.dossier_root, file_table.c.dossier_size).where(
        file_table.c.project_id == project_id)).first()
    return (row.dossier_root, row.dossier_size) if row else (hashlib.sha256(b"").hexdigest(), 0)
