"""Residents' photos through the kernel's evidence pipeline: decoded, hashed, kept write-once."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.complaints.application.context import ComplaintsContext
from services.complaints.domain.complaint import Photo
from shared.evidence.model import PHOTO_TYPES, EvidenceRefused
from shared.evidence.probe import Limits, examine


def prove(ctx: ComplaintsContext, uploads: list[tuple[str, str | None, bytes]]) -> list[tuple[Photo, bytes]]:
    """Every photo proven before anything is stored: one bad file refuses the complaint."""
    limits = Limits(max_pixels=ctx.settings.max_pixels, default_zone=ZoneInfo("Asia/Shanghai"),
                    max_bytes=ctx.settings.max_photo_bytes)
    proven = []
    for name, content_type, data in uploads:
        probed = examine(data, filename=name, content_type=content_type, limits=limits)
        if probed.media_type not in PHOTO_TYPES:
            raise EvidenceRefused(f"“{name}”不是照片：投诉只接受 JPEG、PNG、HEIC 照片", code="evidence_not_photo")
        proven.append((Photo(sha256=probed.sha256, object_key="", media_type=probed.media_type, size=probed.size,
                             width=probed.width, height=probed.height), data))
    return proven


def keep(ctx: ComplaintsContext, proven: list[tuple[Photo, bytes]]) -> list[Photo]:
    """Store the proven photos write-once (content-addressed; a repeat upload is the same object)."""
    kept = []
    for photo, data in proven:
        stored = ctx.store.put(data=data, sha256=photo.sha256, media_type=photo.media_type)
        kept.append(photo.model_copy(update={"object_key": stored.key}))
    return kept
