"""What proving an upload yields: its real type and size, where and when it says it was taken, its hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.errors import InvalidCommand

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/heic", "image/heif"})
MEDIA_TYPES = PHOTO_TYPES | {"video/mp4"}


class EvidenceRefused(InvalidCommand):
    """An upload that is not what it claims, or cannot be kept; nothing of it is stored."""

    code = "evidence_refused"


class EvidenceTooLarge(EvidenceRefused):
    """The upload exceeds the configured size limit."""

    status = 413
    code = "evidence_too_large"


class TimeSource(StrEnum):
    """Where a capture time was read, strongest first (the EXIF tag or the MP4 header field)."""

    DATETIME_ORIGINAL = "DateTimeOriginal"
    DATETIME_DIGITIZED = "DateTimeDigitized"
    DATETIME = "DateTime"
    GPS = "GPSDateStamp+GPSTimeStamp"
    MP4_CREATION = "creation_time"

    @property
    def weak(self) -> bool:
        """Whether the tag may not be the moment of capture.

        EXIF `DateTime` is the time the file was last changed (an editor rewrites it);
        the GPS stamp is the time of the last position fix, which may be older than the shot.
        """
        return self in (TimeSource.DATETIME, TimeSource.GPS)

    @property
    def label_zh(self) -> str:
        """How the source is named to a person."""
        return _LABELS_ZH[self]


_LABELS_ZH = {
    TimeSource.DATETIME_ORIGINAL: "EXIF 原始拍摄时间（DateTimeOriginal）",
    TimeSource.DATETIME_DIGITIZED: "EXIF 数字化时间（DateTimeDigitized）",
    TimeSource.DATETIME: "EXIF 文件修改时间（DateTime），编辑或转存会改写它",
    TimeSource.GPS: "GPS 定位时间（GPSDateStamp/GPSTimeStamp），是最后一次定位的时刻",
    TimeSource.MP4_CREATION: "视频文件头的创建时间（creation_time）",
}


@dataclass(frozen=True)
class Sighting:
    """Where and when the file says it was taken, as read from EXIF or the MP4 header."""

    captured_at: datetime | None
    latitude: float | None
    longitude: float | None
    position_error_m: float | None = None
    note: str = ""
    time_source: TimeSource | None = None

    @property
    def time_weak(self) -> bool:
        """Whether the capture time came from a tag that may not be the moment of capture."""
        return self.time_source is not None and self.time_source.weak


@dataclass(frozen=True)
class Probed:
    """What decoding an upload proved: real type, size in pixels, sighting, perceptual hash, SHA-256."""

    media_type: str
    width: int
    height: int
    sighting: Sighting
    phash: str | None
    sha256: str = ""
    size: int = 0


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex-encoded perceptual hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def phash_bands(phash: str) -> list[int]:
    """The eight bytes of a 64-bit hash: two hashes within 7 bits share at least one (pigeonhole)."""
    value = int(phash, 16)
    return [(value >> (8 * band)) & 0xFF for band in range(8)]
