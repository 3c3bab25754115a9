"""Complaints' own settings (env prefix COMPLAINTS_): every limit of the 12345 practice is configuration."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# DOMAIN.md "Complaint handling (12345 practice)": the common defaults; cities differ.
PLACEHOLDER_PEPPER = "embedded-complaints-pepper-not-for-deployment"
DEFAULT_LIMITS = {"emergency": "2h", "outage": "24h", "consultation": "1wd", "complaint": "5wd", "complex": "15wd"}


class ComplaintsSettings(ServiceSettings):
    """Complaints' own settings (env prefix COMPLAINTS_)."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", extra="ignore")
    service_name: str = "complaints"

    # Time limits: "<n>h" (hours on the clock) or "<n>wd" (working days on the official calendar).
    time_limits: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_LIMITS))
    # A category may have its own limit for normal urgency, e.g. {"noise": "3wd"}.
    category_limits: dict[str, str] = Field(default_factory=dict)
    # Escalation after the limit ran out: 催办 at once, 督办 and 通报 this many hours later.
    supervision_after_hours: float = Field(default=24.0, ge=0)
    public_notice_after_hours: float = Field(default=72.0, ge=0)
    # 回访: an operator calls when the resident has not confirmed within this many working days.
    return_visit_working_days: int = Field(default=3, ge=1)
    tick_seconds: float = Field(default=60.0, gt=0)

    # Routing: the nearest site within this radius when no boundary holds the point.
    nearest_site_radius_m: float = Field(default=500.0, ge=0)
    # Duplicates: same project and category, within this distance, text at least this similar (0-100).
    duplicate_radius_m: float = Field(default=200.0, ge=0)
    duplicate_min_score: float = Field(default=50.0, ge=0, le=100)

    # Anonymous web form: filings per client address per hour, per phone number per day.
    rate_per_client_per_hour: int = Field(default=10, ge=1)
    rate_per_phone_per_day: int = Field(default=5, ge=1)
    max_photos: int = Field(default=4, ge=0)
    max_photo_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # The photos and the form together: refused on the Content-Length before the body is read.
    max_request_bytes: int = Field(default=48 * 1024 * 1024, ge=1024)
    max_pixels: int = Field(default=120_000_000, ge=10_000)

    # Open311 GeoReport v2.
    jurisdiction_id: str = "shenyang.renovation"
    # Keyed hash of phone numbers (find a person again, rate-limit) — never stored in clear.
    phone_pepper: SecretStr = SecretStr(PLACEHOLDER_PEPPER)
