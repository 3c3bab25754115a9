"""Checklist and rectification photos: proven by the kernel's evidence probe, kept write-once, flagged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.acceptance.application.context import AcceptanceContext
from services.acceptance.domain.evidence import Evidence, Site, distance_m
from shared.evidence import EvidenceRefused
from shared.evidence.probe import examine
from shared.objectstore import evidence_key

CAPTURE_TOLERANCE = timedelta(hours=48)


@dataclass(frozen=True)
class Upload:
    """A file as received."""

    data: bytes
    filename: str
    content_type: str | None = None


def flags_of(seen, *, now, site: Site | None) -> tuple[str, ...]:
    """Why a photo needs a person's look: time missing, far or weak; position missing or off site."""
    flags = []
    if seen.captured_at is None:
        flags.append("no_capture_time")
    elif abs(seen.captured_at - now) > CAPTURE_TOLERANCE:
        flags.append("capture_time_far")
    elif seen.time_weak:
        flags.append("capture_time_weak")
    if seen.latitude is None or seen.longitude is None:
        flags.append("no_position")
    elif site and distance_m(seen.latitude, seen.longitude, site.latitude, site.longitude) > site.radius_m:
        flags.append("outside_geofence")
    return tuple(flags)


def take(ctx: AcceptanceContext, uploads: list[Upload], *, caption: str = "",
         site: Site | None = None) -> tuple[Evidence, ...]:
    """Prove every upload first (one bad file refuses them all), then keep the bytes; the evidence records."""
    if len(uploads) > 20:
        raise EvidenceRefused("一次最多上传 20 张照片", code="evidence_too_many")
    proven = [(upload, examine(upload.data, filename=upload.filename, content_type=upload.content_type,
                               limits=ctx.limits)) for upload in uploads]
    now, records = ctx.now(), {}
    for upload, probed in proven:
        ctx.store.put(data=upload.data, sha256=probed.sha256, media_type=probed.media_type)
        seen = probed.sighting
        flags = flags_of(seen, now=now, site=site)
        records[probed.sha256] = Evidence(
            sha256=probed.sha256, key=evidence_key(probed.sha256), size=probed.size, media_type=probed.media_type,
            captured_at=seen.captured_at, latitude=seen.latitude, longitude=seen.longitude, uploaded_at=now,
            filename=upload.filename[:200], caption=caption[:200], flags=flags)
    return tuple(records.values())
