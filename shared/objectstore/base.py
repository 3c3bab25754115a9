"""The evidence store's contract: content-addressed keys, what a put and a staging answer, its settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_HEX = frozenset("0123456789abcdef")


class ObjectStoreError(RuntimeError):
    """The store could not keep or give back an object (unreachable, refused, misconfigured)."""


class ObjectMissing(KeyError):
    """No object is stored under this key."""


@dataclass(frozen=True)
class StoredObject:
    """Where an object lives and whether this call created it (False: it was already there)."""

    key: str
    size: int
    created: bool


class ObjectStore(Protocol):
    """What the services need of an evidence store."""

    def put(self, *, data: bytes, sha256: str, media_type: str) -> StoredObject:
        """Keep `data` under the key of `sha256`; an existing key is left untouched."""

    def get(self, key: str) -> bytes:
        """The bytes stored under `key` (ObjectMissing if none)."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    def url(self, key: str, *, media_type: str, ttl: timedelta | None = None) -> str:
        """A short-lived URL a browser can GET the object with."""

    def write_once(self) -> bool:
        """Whether the store itself refuses to change or delete what it keeps."""

    def stage(self, *, data: bytes, sha256: str, media_type: str, path: Path | None = None) -> Staged:
        """Start keeping `data` while it is proven: nothing is visible under a key until `keep`."""


class Staged(Protocol):
    """Bytes written and synced ahead of their proof, kept only if `keep` is called."""

    def keep(self) -> StoredObject:
        """Publish under the key of the digest staged with; an existing key is left untouched."""

    def discard(self) -> None:
        """Give the staged bytes up: nothing was, or will be, published."""


def evidence_key(sha256: str) -> str:
    """The content-addressed key of a SHA-256 hex digest: `sha256/ab/cd/<hex>`."""
    digest = sha256.lower()
    if len(digest) != 64 or not set(digest) <= _HEX:
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"


def _check_key(key: str) -> str:
    parts = key.split("/")
    if len(parts) != 4 or evidence_key(parts[3]) != key:
        raise ValueError(f"not an evidence key: {key!r}")
    return key


class ObjectStoreSettings(BaseSettings):
    """Where evidence goes (env prefix RENOVATION_EVIDENCE_): empty endpoint = the local folder."""

    model_config = SettingsConfigDict(env_prefix="RENOVATION_EVIDENCE_", extra="ignore")

    endpoint: str = ""  # host:port of the S3 API, e.g. minio:9000
    secure: bool = True
    bucket: str = "evidence"
    region: str = "us-east-1"  # given, so presigning needs no round trip to the server
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    # host:port browsers reach the store at, when it differs from `endpoint` (compose: minio:9000)
    public_endpoint: str = ""
    public_secure: bool | None = None
    url_ttl_seconds: int = 300
    # >0: per-object GOVERNANCE retention (needs s3:PutObjectRetention); 0: the bucket's default
    retention_days: int = 0
    require_object_lock: bool = False
    # signs the local folder's URLs; derived from the JWT secret when unset
    url_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _keys_with_endpoint(self) -> "ObjectStoreSettings":
        if self.endpoint and not (self.access_key and self.secret_key):
            raise ValueError("RENOVATION_EVIDENCE_ACCESS_KEY and _SECRET_KEY are required with an endpoint")
        return self
