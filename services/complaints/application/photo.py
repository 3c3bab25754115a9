"""Residents' photos through the kernel's evidence pipeline: decoded, hashed, kept write-once."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.complaints.application.context import ComplaintsContext
from services.complaints.domain.complaint import Photo
from shared.evidence.model import PHOTO_TYPES, EvidenceRefused
from shared.evidence.probe import Limits, examine
from shared.objectstore import evidence_key


def prove(ctx: ComplaintsContext, uploads: list[tuple[str, str | None, bytes]]) -> list[tuple[Photo, bytes]]:
    """Every photo proven before anything is stored: one bad file refuses the complaint."""
    limits = Limits(max_pixels=ctx.settings.max_pixels, default_zone=ZoneInfo("Asia/Shanghai"),
                    max_bytes=ctx.settings.max_photo_bytes)
    proven = []
    for name, content_type, data in uploads:
        probed = examine(data, filename=name, content_type=content_type, limits=limits)
        if probed.media_type not in PHOTO_TYPES:
            raise EvidenceRefused(f"“{name}”不是照片：投诉只接受 JPEG、PNG、HEIC 照片", code="evidence_not_photo")
        proven.append((Photo(sha256=probed.sha256, object_key=evidence_key(probed.sha256),
                             media_type=probed.media_type, size=probed.size, width=probed.width,
                             height=probed.height), data))
    return proven


def keep(ctx: ComplaintsContext, proven: list[tuple[Photo, bytes]]) -> None:
    """Store the proven photos write-once under their content address (a repeat upload is the same object).

    Called once the complaint's events are valid and before they commit: a refused complaint leaves
    no object behind, and a failed put rolls the complaint back.
    """
    for photo, data in proven:
        stored = ctx.store.put(data=data, sha256=photo.sha256, media_type=photo.media_type)
        if stored.key != photo.object_key:
            raise RuntimeError(f"object store kept {photo.sha256} under {stored.key}, not {photo.object_key}")
