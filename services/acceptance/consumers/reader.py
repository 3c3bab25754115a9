"""The base of acceptance's tolerant readers: only the fields it needs, anything else ignored."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Reader(BaseModel):
    """A tolerant reader of another service's published event (docs/events.md)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class EvidenceRead(Reader):
    """Evidence as construction's events carry it."""

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
    flags: tuple[dict, ...] = ()

