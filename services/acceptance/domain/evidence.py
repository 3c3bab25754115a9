"""Photo evidence as acceptance's events carry it (never bytes): hash, object key, where and when, flags."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


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
