"""Evidence ingest: prove the file, hash it once, flag what needs a look, keep it write-once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from services.construction.adapters import queries
from services.construction.application.context import Construction
from services.construction.domain.evidence import (
    Evidence, EvidenceRefused, EvidenceTooLarge, Probed, Subject, place_flags, reuse_flags, time_flags)
from shared.objectstore import evidence_key


@dataclass(frozen=True)
class Upload:
    """A file as received: its bytes, the name and type the client gave, a caption."""

    data: bytes
    filename: str
    content_type: str | None = None
    caption: str = ""


@dataclass(frozen=True)
class Examined:
    """An upload proven to be what it claims, with its SHA-256 (the evidence id)."""

    upload: Upload
    probed: Probed
    sha256: str


def examine(ctx: Construction, upload: Upload) -> Examined:
    """Check size and decode; refuse with a reason. Nothing is stored or recorded here."""
    size = len(upload.data)
    if size == 0:
        raise EvidenceRefused(f"文件“{upload.filename}”是空文件", code="evidence_empty")
    limit = ctx.settings.max_upload_bytes
    if size > limit:
        raise EvidenceTooLarge(f"文件“{upload.filename}”有 {size / 1048576:.1f} MB，超过 {limit / 1048576:.0f} MB 的上限")
    probed = ctx.probe(upload.data, filename=upload.filename, content_type=upload.content_type)
    return Examined(upload=upload, probed=probed, sha256=hashlib.sha256(upload.data).hexdigest())


def examine_all(ctx: Construction, uploads: list[Upload]) -> list[Examined]:
    """Examine every upload of a request before anything is kept: one bad file refuses them all."""
    examined = [examine(ctx, upload) for upload in uploads]
    unique: dict[str, Examined] = {}
    for item in examined:
        unique.setdefault(item.sha256, item)
    return list(unique.values())


def describe(ctx: Construction, conn: Connection, item: Examined, *, subject: Subject) -> Evidence:
    """The evidence record of an examined upload for one subject, with every flag it earns."""
    probed, now = item.probed, ctx.now()
    flags = [*time_flags(probed.sighting, uploaded_at=now, tolerance=ctx.capture_tolerance),
             *place_flags(probed.sighting, site=queries.site_of(conn, subject.project_id),
                          flag_missing=ctx.settings.flag_missing_position)]
    if probed.phash:
        found = queries.lookalikes(conn, probed.phash, max_distance=ctx.settings.near_duplicate_distance)
        flags += reuse_flags(found, subject=subject)
    return Evidence(
        sha256=item.sha256, key=evidence_key(item.sha256), size=len(item.upload.data),
        media_type=probed.media_type, width=probed.width, height=probed.height,
        captured_at=probed.sighting.captured_at, latitude=probed.sighting.latitude,
        longitude=probed.sighting.longitude, phash=probed.phash, uploaded_at=now,
        filename=item.upload.filename[:200], caption=item.upload.caption[:200], flags=tuple(flags))


def keep(ctx: Construction, items: list[tuple[Examined, Evidence]]) -> None:
    """Put the bytes in the object store (content-addressed, write-once) before the events commit."""
    for item, evidence in items:
        ctx.store.put(data=item.upload.data, sha256=item.sha256, media_type=evidence.media_type)
