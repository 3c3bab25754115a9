"""Construction's read models: projects, work items, stop-work, hidden works, evidence, inspections,
rectification orders, design changes, inspection tasks and refusals.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("community_id", sa.String(64), nullable=False),
        sa.Column("community_name", sa.String(100), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("geofence_radius_m", sa.Integer, nullable=False),
        sa.Column("plan_year", sa.Integer),
        sa.Column("budget_fen", sa.BigInteger, nullable=False),
        sa.Column("contractor", sa.String(200)),
        sa.Column("supervision_unit", sa.String(200)),
        sa.Column("designer", sa.String(200)),
        sa.Column("pipeline_units", sa.Text, nullable=False),
        sa.Column("accounts", sa.Text, nullable=False),
        sa.Column("contract_no", sa.String(100)),
        sa.Column("contract_amount_fen", sa.BigInteger),
        sa.Column("contract_signed_on", sa.String(10)),
        sa.Column("hotline", sa.String(50)),
        sa.Column("contact_name", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", sa.String(40), nullable=False),
        sa.Column("completed_on", sa.String(10)),
    )
    op.create_table(
        "work_item",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("zone", sa.String(100), nullable=False),
        sa.Column("layer", sa.String(20), nullable=False),
        sa.Column("budget_fen", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.String(40)),
        sa.Column("finished_at", sa.String(40)),
        sa.Column("overrides", sa.Text, nullable=False),
    )
    op.create_table(
        "stop_work",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("zone", sa.String(100), primary_key=True),
        sa.Column("inspection_id", sa.String(64), primary_key=True),
        sa.Column("defect_ids", sa.Text, nullable=False),
        sa.Column("ordered_at", sa.String(40), nullable=False),
        sa.Column("lifted_at", sa.String(40)),
        sa.Column("lifted_by", sa.String(64)),
    )
    op.create_table(
        "hidden_work",
        sa.Column("hidden_work_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(64)),
        sa.Column("zone", sa.String(100), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("declared_at", sa.String(40), nullable=False),
        sa.Column("declared_by", sa.String(100), nullable=False),
        sa.Column("photo_count", sa.Integer, nullable=False),
        sa.Column("accepted_at", sa.String(40)),
        sa.Column("accepted_by", sa.String(100)),
        sa.Column("acceptance_note", sa.Text),
        sa.Column("rejected_reason", sa.Text),
        sa.Column("concealed_at", sa.String(40)),
        sa.Column("refusals", sa.Integer, nullable=False),
    )
    op.create_index("ix_hidden_work_project_id", "hidden_work", ["project_id"])
    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("subject_kind", sa.String(20), primary_key=True),
        sa.Column("subject_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(60)),
        sa.Column("object_key", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(30), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("captured_at", sa.String(40)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("phash", sa.String(16)),
        sa.Column("uploaded_at", sa.String(40), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("caption", sa.String(200), nullable=False),
        sa.Column("flag_count", sa.Integer, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
    )
    op.create_index("ix_evidence_project_id", "evidence", ["project_id"])
    op.create_table(
        "evidence_band",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("subject_kind", sa.String(20), primary_key=True),
        sa.Column("subject_id", sa.String(64), primary_key=True),
        sa.Column("band", sa.Integer, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("phash", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
    )
    op.create_index("ix_evidence_band_value", "evidence_band", ["band", "value"])
    op.create_table(
        "evidence_flag",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("subject_kind", sa.String(20), primary_key=True),
        sa.Column("subject_id", sa.String(64), primary_key=True),
        sa.Column("flag_no", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("other_sha256", sa.String(64)),
        sa.Column("other_kind", sa.String(20)),
        sa.Column("other_id", sa.String(64)),
        sa.Column("other_project_id", sa.String(64)),
    )
    op.create_index("ix_evidence_flag_other_project_id", "evidence_flag", ["other_project_id"])
    op.create_index("ix_evidence_flag_project_id", "evidence_flag", ["project_id"])
    op.create_table(
        "inspection",
        sa.Column("inspection_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("zone", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("task_id", sa.String(64)),
        sa.Column("result", sa.String(10), nullable=False),
        sa.Column("inspector", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("failed_count", sa.Integer, nullable=False),
        sa.Column("items", sa.Text, nullable=False),
    )
    op.create_index("ix_inspection_project_id", "inspection", ["project_id"])
    op.create_table(
        "rectification",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("inspection_id", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(60), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("zone", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("issued_on", sa.String(10), nullable=False),
        sa.Column("due_on", sa.String(10), nullable=False),
        sa.Column("working_days", sa.Integer, nullable=False),
        sa.Column("overdue_noted", sa.Boolean, nullable=False),
        sa.Column("submissions", sa.Integer, nullable=False),
        sa.Column("submitted_at", sa.String(40)),
        sa.Column("verified_at", sa.String(40)),
        sa.Column("last_reason", sa.Text),
    )
    op.create_index("ix_rectification_project_id", "rectification", ["project_id"])
    op.create_table(
        "design_change",
        sa.Column("change_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("cost_delta_fen", sa.BigInteger, nullable=False),
        sa.Column("major", sa.Boolean, nullable=False),
        sa.Column("major_reasons", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", sa.String(40), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("notice_id", sa.String(64)),
        sa.Column("notice_start", sa.String(10)),
        sa.Column("notice_end", sa.String(10)),
        sa.Column("objections", sa.Integer),
        sa.Column("objections_unanswered", sa.Integer),
        sa.Column("decision_note", sa.Text),
    )
    op.create_index("ix_design_change_project_id", "design_change", ["project_id"])
    op.create_table(
        "inspection_task",
        sa.Column("task_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", sa.String(40), nullable=False),
        sa.Column("inspection_id", sa.String(64)),
    )
    op.create_index("ix_inspection_task_project_id", "inspection_task", ["project_id"])
    op.create_table(
        "refusal",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_refusal_project_id", "refusal", ["project_id"])


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped; read models are rebuilt from it")
