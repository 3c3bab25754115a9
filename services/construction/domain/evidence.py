"""Photo and video evidence as the events carry it (never bytes), and the flags a person must see.

An upload is never silently accepted: a missing or distant capture time, a missing
position, a position outside the community's geofence, or a near-duplicate of a photo
already offered for another subject each add a flag that travels with the evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from shapely.geometry import Point, Polygon

# The kernel's evidence types, re-exported: the probe that yields them lives in shared.evidence.probe.
from shared.evidence import (
    MEDIA_TYPES, PHOTO_TYPES, EvidenceRefused, EvidenceTooLarge, Probed, Sighting, TimeSource, hamming,
    phash_bands)

__all__ = ["MEDIA_TYPES", "PHOTO_TYPES", "EvidenceRefused", "EvidenceTooLarge", "Probed", "Sighting",
           "TimeSource", "hamming", "phash_bands"]

EARTH_RADIUS_M = 6_371_008.8


class FlagReason(StrEnum):
    """Why an upload needs a person's attention."""

    NO_CAPTURE_TIME = "no_capture_time"
    CAPTURE_TIME_FAR = "capture_time_far"
    CAPTURE_TIME_WEAK = "capture_time_weak"
    NO_POSITION = "no_position"
    OUTSIDE_GEOFENCE = "outside_geofence"
    SUSPECTED_REUSE = "suspected_reuse"


class Subject(BaseModel):
    """What a piece of evidence was offered for: a hidden work, an inspection item, a rectification."""

    model_config = ConfigDict(frozen=True)

    kind: str  # hidden_work | inspection | rectification
    id: str
    project_id: str
    label: str = ""


class Flag(BaseModel):
    """One reason for attention, with a zh-CN explanation and, for reuse, the other subject."""

    model_config = ConfigDict(frozen=True)

    reason: FlagReason
    detail: str
    other_sha256: str | None = None
    other: Subject | None = None
    distance: int | None = None


class Evidence(BaseModel):
    """The facts about one upload: its hash is its id; the bytes stay in the object store."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    key: str
    size: int
    media_type: str
    width: int
    height: int
    captured_at: datetime | None = None
    captured_from: str | None = None  # the tag the time was read from (TimeSource); None before it was kept
    latitude: float | None = None
    longitude: float | None = None
    phash: str | None = None
    uploaded_at: datetime
    filename: str = ""
    caption: str = ""
    flags: tuple[Flag, ...] = ()

    @property
    def is_photo(self) -> bool:
        """Whether it is a still photo (videos do not count towards the photo minimum)."""
        return self.media_type in PHOTO_TYPES

    def has(self, reason: FlagReason) -> bool:
        """Whether a flag of this reason is raised."""
        return any(flag.reason == reason for flag in self.flags)


@dataclass(frozen=True)
class Site:
    """Where photos of a project should have been taken: inside the boundary if known, else the radius."""

    latitude: float
    longitude: float
    radius_m: float
    boundary: tuple[tuple[float, float], ...] | None = None  # (latitude, longitude) corners

    def outline(self) -> Polygon | None:
        """The boundary as a polygon in metres around the centre (None: no usable boundary)."""
        if not self.boundary or len(self.boundary) < 3:
            return None
        polygon = Polygon([self.metres(lat, lon) for lat, lon in self.boundary])
        return polygon if polygon.is_valid and polygon.area > 0 else None

    def metres(self, latitude: float, longitude: float) -> tuple[float, float]:
        """(east, north) in metres from the centre: equirectangular, exact enough across a community."""
        east = math.radians(longitude - self.longitude) * EARTH_RADIUS_M * math.cos(math.radians(self.latitude))
        north = math.radians(latitude - self.latitude) * EARTH_RADIUS_M
        return east, north


@dataclass(frozen=True)
class Lookalike:
    """Earlier evidence whose perceptual hash is close to the new upload's."""

    sha256: str
    subject: Subject
    distance: int


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0)))


def time_flags(sighting: Sighting, *, uploaded_at: datetime, tolerance: timedelta) -> list[Flag]:
    """A flag when the capture time is missing, read from a weak tag, or further from the upload than `tolerance`."""
    if sighting.captured_at is None:
        why = f"（{sighting.note}）" if sighting.note else ""
        return [Flag(reason=FlagReason.NO_CAPTURE_TIME, detail=f"文件中没有拍摄时间{why}")]
    weak = [] if not sighting.time_weak else [Flag(
        reason=FlagReason.CAPTURE_TIME_WEAK,
        detail=f"拍摄时间取自{sighting.time_source.label_zh}，不一定是拍摄时刻，请核对")]
    gap = abs(uploaded_at - sighting.captured_at)
    if gap <= tolerance:
        return weak
    hours = gap.total_seconds() / 3600
    span = f"{hours:.0f} 小时" if hours < 72 else f"{hours / 24:,.0f} 天"
    when = "晚于" if sighting.captured_at > uploaded_at else "早于"
    return [*weak, Flag(reason=FlagReason.CAPTURE_TIME_FAR,
                        detail=f"拍摄时间 {sighting.captured_at:%Y-%m-%d %H:%M} {when}上传时间约 {span}")]


def place_flags(sighting: Sighting, *, site: Site | None, flag_missing: bool) -> list[Flag]:
    """A flag when the position is missing, or lies outside the community's geofence."""
    if sighting.latitude is None or sighting.longitude is None:
        if not flag_missing:
            return []
        return [Flag(reason=FlagReason.NO_POSITION, detail="文件中没有拍摄位置（GPS）")]
    if site is None:
        return []
    # The receiver's own stated error counts in the photo's favour, never against it.
    slack = sighting.position_error_m or 0.0
    outline = site.outline()
    if outline is not None:
        # The surveyed red line is the geofence where intake published one; the radius is the fallback.
        beyond = outline.distance(Point(site.metres(sighting.latitude, sighting.longitude)))
        if beyond - slack <= 0:
            return []
        return [Flag(reason=FlagReason.OUTSIDE_GEOFENCE,
                     detail=f"拍摄位置在小区红线（用地边界）外约 {beyond:,.0f} 米")]
    away = distance_m(site.latitude, site.longitude, sighting.latitude, sighting.longitude)
    if away - slack <= site.radius_m:
        return []
    return [Flag(reason=FlagReason.OUTSIDE_GEOFENCE,
                 detail=f"拍摄位置距小区中心约 {away:,.0f} 米，超出 {site.radius_m:.0f} 米的地理围栏")]


def reuse_flags(lookalikes: list[Lookalike], *, subject: Subject) -> list[Flag]:
    """A flag per earlier subject a near-duplicate was offered for, naming it."""
    flags = []
    seen: set[tuple[str, str]] = set()
    for other in sorted(lookalikes, key=lambda item: item.distance):
        if (other.subject.kind, other.subject.id) == (subject.kind, subject.id):
            continue
        if (other.subject.kind, other.subject.id) in seen:
            continue
        seen.add((other.subject.kind, other.subject.id))
        same = "相同" if other.distance == 0 else f"高度相似（差异 {other.distance}）"
        where = "其他项目" if other.subject.project_id != subject.project_id else "本项目"
        flags.append(Flag(
            reason=FlagReason.SUSPECTED_REUSE, other_sha256=other.sha256, other=other.subject,
            distance=other.distance,
            detail=f"疑似重复使用：与{where}的{other.subject.label or other.subject.id}中的影像{same}"))
    return flags
