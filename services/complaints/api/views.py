"""How a complaint is shown: labels in zh-CN, the contact whole or masked by role, the clock's state."""

from __future__ import annotations

from datetime import datetime

from services.complaints.application.context import ComplaintsContext
from services.complaints.domain.category import (
    ASSIGNEE_ZH, BY_CODE, CHANNEL_ZH, LEVEL_ZH, RATING_ZH, STATE_ZH, URGENCY_ZH)
from services.complaints.domain.privacy import contact_for, redact_numbers
from shared.calendar import CHINA


def local_time(value: str | datetime | None) -> str:
    """An instant as China wall-clock time, to the minute."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def clock(row: dict, now: datetime) -> dict:
    """What the clock says: minutes left (negative when overdue), whether provisional, the level reached."""
    running = row["state"] in ("received", "acknowledged", "assigned") and row.get("due_at")
    left = None
    if running:
        left = int((datetime.fromisoformat(row["due_at"]) - now).total_seconds() // 60)
    return {"running": bool(running), "minutes_left": left, "overdue": left is not None and left < 0,
            "due": local_time(row.get("due_at")), "provisional": bool(row.get("due_provisional")),
            "level": row.get("level"), "level_zh": LEVEL_ZH.get(row.get("level") or "", ""),
            "limit": row.get("limit_label") or ""}


def present(row: dict, *, role: str | None, ctx: ComplaintsContext, contact: dict | None, own: bool = False,
            now: datetime | None = None) -> dict:
    """A complaint for staff (or its own complainant): labels, contact as the role may see it, the clock."""
    kind = BY_CODE.get(row["category"])
    shown = dict(row)
    shown.pop("contact_sealed", None)
    shown.pop("secret_digest", None)
    has_person = bool(row.get("person_id"))
    shown["contact"] = contact_for(role, contact, own=own) if has_person else None
    shown.update(category_zh=kind.name if kind else row["category"], state_zh=STATE_ZH.get(row["state"], row["state"]),
                 urgency_zh=URGENCY_ZH.get(row["urgency"], row["urgency"]),
                 channel_zh=CHANNEL_ZH.get(row["channel"], ""),
                 assignee_zh=ASSIGNEE_ZH.get(row.get("assignee_kind") or "", ""),
                 rating_zh=RATING_ZH.get(row.get("rating") or "", ""), received=local_time(row["received_at"]),
                 clock=clock(row, now or ctx.now()))
    return shown


def with_photo_urls(ctx: ComplaintsContext, shown: dict) -> dict:
    """Short-lived links to the complaint's photos (staff and the complainant; never the public list)."""
    for photo in shown.get("photos") or []:
        photo["url"] = ctx.store.url(photo["object_key"], media_type=photo["media_type"])
        photo["inline"] = photo["media_type"] in ("image/jpeg", "image/png")
    return shown


def public(row: dict) -> dict:
    """What anyone may read: no name, no phone, no secret, numbers in the text hidden."""
    kind = BY_CODE.get(row["category"])
    return {"tracking_no": row["tracking_no"], "category": row["category"],
            "category_zh": kind.name if kind else row["category"], "state": row["state"],
            "state_zh": STATE_ZH.get(row["state"], row["state"]), "community_id": row["community_id"],
            "community_name": row.get("community_name") or "", "project_id": row.get("project_id"),
            "received": local_time(row["received_at"]), "responded": local_time(row.get("responded_at")),
            "closed": local_time(row.get("closed_at")), "summary": redact_numbers(row["text"])[:120],
            "response": row.get("response") or "", "rating_zh": RATING_ZH.get(row.get("rating") or "", "")}


def visible(conn, role: str, account: str, rows: list[dict]) -> list[dict]:
    """The rows this account may see: a contractor only its own projects' complaints."""
    if role != "contractor":
        return rows
    from services.complaints.adapters.community import contractor_projects

    own = contractor_projects(conn, account)
    return [r for r in rows if r.get("project_id") in own]
