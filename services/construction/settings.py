"""Construction's own settings (env prefix CONSTRUCTION_): every number of the rules is configuration."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ConstructionSettings(ServiceSettings):
    """Construction's own settings (env prefix CONSTRUCTION_)."""

    model_config = SettingsConfigDict(env_prefix="CONSTRUCTION_", extra="ignore")
    service_name: str = "construction"

    # Evidence
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # One request (all its files): over it, refused on the Content-Length before the body is read.
    max_request_bytes: int = Field(default=160 * 1024 * 1024, ge=1024)
    # Decompression-bomb guard: decoded pixels of one photo or video frame (a 108 MP phone fits).
    max_pixels: int = Field(default=120_000_000, ge=10_000)
    capture_time_tolerance_hours: float = Field(default=48.0, gt=0)
    flag_missing_position: bool = True
    # Camera clocks without an EXIF offset are read in this zone.
    camera_time_zone: str = "Asia/Shanghai"
    # Hamming distance of 64-bit perceptual hashes at or below which photos count as the same.
    near_duplicate_distance: int = Field(default=6, ge=0, le=7)

    # Hidden works (GB 50300 acceptance before concealment)
    hidden_work_min_photos: int = Field(default=3, ge=1)

    # Rectification: working days to fix a defect, by severity.
    rectification_working_days: dict[str, int] = Field(
        default_factory=lambda: {"critical": 1, "major": 3, "minor": 5})
    overdue_check_seconds: float = Field(default=60.0, gt=0)

    # Design changes: major when the content is, or the cost moves by this much (fen) or share.
    design_change_major_fen: int = Field(default=50_000_000, ge=0)
    design_change_major_ratio: float = Field(default=0.05, gt=0)
    design_change_notice_working_days: int = Field(default=5, ge=1)
