"""Photo evidence as acceptance's events carry it (never bytes): hash, object key, where and when, flags."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Site:
    """The community's centre and the radius acceptance photos should be taken within."""

    latitude: float
    longitude: float
    radius_m: int


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


class Evidence(BaseModel):
    """One photo kept in the evidence store; its SHA-256 is its id (DA/T 50: with its EXIF and caption)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sha256: str
    key: str
    size: int = 0
    media_type: str = ""
    captured_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    uploaded_at: datetime | None = None
    filename: str = ""
    caption: str = ""
    flags: tuple[str, ...] = ()

    def manifest(self) -> dict:
        """The archive's manifest entry of this photo."""
        return self.model_dump(mode="json", include={"sha256", "key", "captured_at", "latitude", "longitude",
                                                     "flags", "media_type", "size"})
