"""Construction's read-model tables (migration 0002 creates the same): kept by the projections."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

S = sa.String
ID = sa.String(64)


def _c(name: str, type_, **kw) -> sa.Column:
    return sa.Column(name, type_, **kw)


project_table = sa.Table(
    "project", metadata,
    _c("project_id", ID, primary_key=True), _c("community_id", ID, nullable=False),
    _c("community_name", S(100), nullable=False), _c("district", S(50), nullable=False),
    _c("address", S(200), nullable=False), _c("latitude", sa.Float, nullable=False),
    _c("longitude", sa.Float, nullable=False), _c("geofence_radius_m", sa.Integer, nullable=False),
    _c("boundary", sa.Text), _c("plan_year", sa.Integer), _c("budget_fen", sa.BigInteger, nullable=False),
    _c("contractor", S(200)), _c("supervision_unit", S(200)), _c("designer", S(200)),
    _c("pipeline_units", sa.Text, nullable=False), _c("accounts", sa.Text, nullable=False),
    _c("contract_no", S(100)), _c("contract_amount_fen", sa.BigInteger), _c("contract_signed_on", S(10)),
    _c("hotline", S(50)), _c("contact_name", S(100)), _c("status", S(20), nullable=False),
    _c("opened_at", S(40), nullable=False), _c("completed_on", S(10)),
)

work_item_table = sa.Table(
    "work_item", metadata,
    _c("project_id", ID, primary_key=True), _c("item_id", ID, primary_key=True),
    _c("kind", S(50), nullable=False), _c("name", S(200), nullable=False), _c("category", S(20), nullable=False),
    _c("zone", S(100), nullable=False), _c("layer", S(20), nullable=False),
    _c("budget_fen", sa.BigInteger, nullable=False), _c("status", S(20), nullable=False),
    _c("started_at", S(40)), _c("finished_at", S(40)), _c("overrides", sa.Text, nullable=False),
)

stop_work_table = sa.Table(
    "stop_work", metadata,
    _c("project_id", ID, primary_key=True), _c("zone", S(100), primary_key=True),
    _c("inspection_id", ID, primary_key=True), _c("defect_ids", sa.Text, nullable=False),
    _c("ordered_at", S(40), nullable=False), _c("lifted_at", S(40)), _c("lifted_by", ID),
)

hidden_work_table = sa.Table(
    "hidden_work", metadata,
    _c("hidden_work_id", ID, primary_key=True), _c("project_id", ID, nullable=False, index=True),
    _c("item_id", ID), _c("zone", S(100), nullable=False), _c("location", S(200), nullable=False),
    _c("kind", S(30), nullable=False), _c("description", sa.Text, nullable=False),
    _c("state", S(20), nullable=False), _c("declared_at", S(40), nullable=False),
    _c("declared_by", S(100), nullable=False), _c("photo_count", sa.Integer, nullable=False),
    _c("accepted_at", S(40)), _c("accepted_by", S(100)), _c("acceptance_note", sa.Text),
    _c("rejected_reason", sa.Text), _c("concealed_at", S(40)), _c("refusals", sa.Integer, nullable=False),
)

evidence_table = sa.Table(
    "evidence", metadata,
    _c("sha256", S(64), primary_key=True), _c("subject_kind", S(20), primary_key=True),
    _c("subject_id", ID, primary_key=True), _c("project_id", ID, nullable=False, index=True),
    _c("item_code", S(60)), _c("object_key", S(100), nullable=False), _c("size", sa.BigInteger, nullable=False),
    _c("media_type", S(30), nullable=False), _c("width", sa.Integer, nullable=False),
    _c("height", sa.Integer, nullable=False), _c("captured_at", S(40)), _c("latitude", sa.Float),
    _c("longitude", sa.Float), _c("phash", S(16)), _c("uploaded_at", S(40), nullable=False),
    _c("uploaded_by", S(100), nullable=False), _c("filename", S(200), nullable=False),
    _c("caption", S(200), nullable=False), _c("flag_count", sa.Integer, nullable=False),
    _c("flags", sa.Text, nullable=False),
)

# Bytes of each perceptual hash, so near-duplicates are found by index, not by a full scan.
evidence_band_table = sa.Table(
    "evidence_band", metadata,
    _c("sha256", S(64), primary_key=True), _c("subject_kind", S(20), primary_key=True),
    _c("subject_id", ID, primary_key=True), _c("band", sa.Integer, primary_key=True),
    _c("value", sa.Integer, nullable=False), _c("project_id", ID, nullable=False),
    _c("phash", S(16), nullable=False), _c("label", S(200), nullable=False),
    sa.Index("ix_evidence_band_value", "band", "value"),
)

evidence_flag_table = sa.Table(
    "evidence_flag", metadata,
    _c("sha256", S(64), primary_key=True), _c("subject_kind", S(20), primary_key=True),
    _c("subject_id", ID, primary_key=True), _c("flag_no", sa.Integer, primary_key=True),
    _c("project_id", ID, nullable=False, index=True), _c("reason", S(30), nullable=False),
    _c("detail", sa.Text, nullable=False), _c("other_sha256", S(64)), _c("other_kind", S(20)),
    _c("other_id", ID), _c("other_project_id", ID, index=True),
)

inspection_table = sa.Table(
    "inspection", metadata,
    _c("inspection_id", ID, primary_key=True), _c("project_id", ID, nullable=False, index=True),
    _c("zone", S(100), nullable=False), _c("kind", S(20), nullable=False), _c("task_id", ID),
    _c("result", S(10), nullable=False), _c("inspector", S(100), nullable=False),
    _c("recorded_at", S(40), nullable=False), _c("failed_count", sa.Integer, nullable=False),
    _c("items", sa.Text, nullable=False),
)

rectification_table = sa.Table(
    "rectification", metadata,
    _c("order_id", ID, primary_key=True), _c("project_id", ID, nullable=False, index=True),
    _c("inspection_id", ID, nullable=False), _c("item_code", S(60), nullable=False),
    _c("category", S(30), nullable=False), _c("severity", S(10), nullable=False),
    _c("description", sa.Text, nullable=False), _c("zone", S(100), nullable=False),
    _c("status", S(20), nullable=False), _c("issued_on", S(10), nullable=False),
    _c("due_on", S(10), nullable=False), _c("working_days", sa.Integer, nullable=False),
    _c("due_provisional", sa.Boolean, nullable=False, default=False),
    _c("overdue_noted", sa.Boolean, nullable=False), _c("submissions", sa.Integer, nullable=False),
    _c("submitted_at", S(40)), _c("verified_at", S(40)), _c("last_reason", sa.Text),
)

design_change_table = sa.Table(
    "design_change", metadata,
    _c("change_id", ID, primary_key=True), _c("project_id", ID, nullable=False, index=True),
    _c("title", S(200), nullable=False), _c("description", sa.Text, nullable=False),
    _c("reason", sa.Text, nullable=False), _c("cost_delta_fen", sa.BigInteger, nullable=False),
    _c("major", sa.Boolean, nullable=False), _c("major_reasons", sa.Text, nullable=False),
    _c("status", S(20), nullable=False), _c("requested_at", S(40), nullable=False),
    _c("requested_by", S(100), nullable=False), _c("notice_id", ID), _c("notice_start", S(10)),
    _c("notice_end", S(10)), _c("objections", sa.Integer), _c("objections_unanswered", sa.Integer),
    _c("decision_note", sa.Text),
)

inspection_task_table = sa.Table(
    "inspection_task", metadata,
    _c("task_id", ID, primary_key=True), _c("project_id", ID, nullable=False, index=True),
    _c("complaint_id", ID, nullable=False), _c("category", S(20), nullable=False),
    _c("summary", sa.Text, nullable=False), _c("status", S(10), nullable=False),
    _c("opened_at", S(40), nullable=False), _c("inspection_id", ID),
)

refusal_table = sa.Table(
    "refusal", metadata,
    _c("event_id", S(36), primary_key=True), _c("project_id", ID, nullable=False, index=True),
    _c("kind", S(20), nullable=False), _c("subject_id", ID, nullable=False),
    _c("reason", sa.Text, nullable=False), _c("actor", S(100), nullable=False), _c("at", S(40), nullable=False),
)

TABLES = (project_table, work_item_table, stop_work_table, hidden_work_table, evidence_table,
          evidence_band_table, evidence_flag_table, inspection_table, rectification_table,
          design_change_table, inspection_task_table, refusal_table)
