"""Settings shared by every service (env prefix RENOVATION_) and the base of each service's own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values people paste from examples: refused as signing secrets outside the embedded mode.
_PLACEHOLDER_WORDS = ("change", "example", "placeholder", "secret-here", "not-for-deployment", "xxxx")

SERVICE_NAMES = ("intake", "construction", "complaints", "acceptance")

DEFAULT_PORTS = {"intake": 8101, "construction": 8102, "complaints": 8103, "acceptance": 8104}

EMBEDDED_BROKER = "127.0.0.1:19092"


def _local_url(service: str) -> str:
    return f"http://127.0.0.1:{os.environ.get(f'{service.upper()}_PORT') or DEFAULT_PORTS[service]}"


class KernelSettings(BaseSettings):
    """What every service and the CLI agree on: the broker, tokens, identity, where data lives."""

    model_config = SettingsConfigDict(env_prefix="RENOVATION_", extra="ignore")

    mode: Literal["embedded", "deployment"] = "embedded"
    # Demo mode (embedded only): demo data is loaded and the kernel clock may be moved.
    demo: bool = False
    kafka_bootstrap_servers: str = Field(
        default=EMBEDDED_BROKER,
        validation_alias=AliasChoices(
            "KAFKA_BOOTSTRAP_SERVERS", "RENOVATION_KAFKA_BOOTSTRAP_SERVERS"
        ),
    )
    topic_partitions: int = 3
    # Off for the embedded tansu broker, which does not implement InitProducerId.
    producer_idempotence: bool = False
    # tansu does not wake a waiting fetch when data arrives (ARCHITECTURE.md): keep it short.
    consumer_fetch_max_wait_ms: int = 10
    consumer_max_attempts: int = 3
    relay_batch_size: int = 500
    # How often the relay re-reads its last acknowledged record to detect a broker that lost
    # its data (the embedded one on restart). Durable Kafka in deployment can afford minutes.
    relay_retention_check_seconds: float = 5.0
    # Unset in embedded mode: a random secret is generated under var_dir (shared.auth.secret).
    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "renovation"
    jwt_ttl_minutes: int = 12 * 60
    identity_database_url: str = "sqlite:///var/identity.db"
    var_dir: Path = Path("var")
    # Official calendar years stop here even if the bundled package knows later ones: later
    # years count as provisional (a test or a demo of the turn of the year; unset in use).
    calendar_official_through: int | None = None
    # The embedded default's evidence store: a local folder with content-addressed keys.
    evidence_dir: Path = Path("var/evidence")
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    # Where each service answers; by default on this machine at <SERVICE>_PORT (what `renovation up`
    # binds), so `renovation status` and the CLI find a stack started on other ports.
    intake_url: str = Field(default_factory=lambda: _local_url("intake"))
    construction_url: str = Field(default_factory=lambda: _local_url("construction"))
    complaints_url: str = Field(default_factory=lambda: _local_url("complaints"))
    acceptance_url: str = Field(default_factory=lambda: _local_url("acceptance"))

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "KernelSettings":
        if self.mode != "embedded" and _placeholder(self.jwt_secret):
            raise ValueError(
                "RENOVATION_JWT_SECRET must be set to a real secret of at least 32 characters "
                "outside the embedded default"
            )
        return self

    def service_url(self, service: str) -> str:
        """The public base URL of one of the four services."""
        return getattr(self, f"{service}_url")


def _placeholder(secret: SecretStr | None) -> bool:
    value = secret.get_secret_value() if secret is not None else ""
    lowered = value.lower()
    return len(value) < 32 or len(set(value)) < 10 or any(w in lowered for w in _PLACEHOLDER_WORDS)


class ServiceSettings(BaseSettings):
    """One service's own settings; each service subclasses it with its env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    database_url: str = ""
    # One request's body (all its files and fields): over it, refused before it is read.
    max_request_bytes: int = Field(default=160 * 1024 * 1024, ge=1024)

    @model_validator(mode="after")
    def _defaults(self) -> "ServiceSettings":
        if not self.port:
            self.port = DEFAULT_PORTS[self.service_name]
        if not self.database_url:
            self.database_url = f"sqlite:///var/{self.service_name}.db"
        return self
