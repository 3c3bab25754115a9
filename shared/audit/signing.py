"""Ed25519 keys of the services and the pinned public-key file auditors check checkpoints with.

Embedded default: each service generates its key on first start under
`var/audit/keys/<service>.key` (mode 0600) and enters its public key in
`var/audit/public-keys.json`. Deployment: the key comes from the service's settings
(`RENOVATION_AUDIT_SIGNING_KEY`, base64 of the 32-byte seed; `renovation audit keygen`
makes one) and the public-key file is distributed by the operator; a service whose key
does not match its pinned entry refuses to start.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import KernelSettings

KEYS_FORMAT = "renovation-audit-keys/1"

log = logging.getLogger("renovation.audit")


class AuditSettings(BaseSettings):
    """Where keys, pinned public keys and the last verify report live; how often to checkpoint."""

    model_config = SettingsConfigDict(env_prefix="RENOVATION_AUDIT_", extra="ignore")

    signing_key: SecretStr | None = None
    key_dir: Path | None = None
    public_keys_file: Path | None = None
    report_file: Path | None = None
    checkpoint_seconds: float = 60.0

    def resolved(self, kernel: KernelSettings) -> AuditSettings:
        """These settings with the folders under the kernel's var/ filled in."""
        base = kernel.var_dir / "audit"
        return self.model_copy(update={
            "key_dir": self.key_dir or base / "keys",
            "public_keys_file": self.public_keys_file or base / "public-keys.json",
            "report_file": self.report_file or base / "verify-report.json",
        })


class SignatureRefused(ValueError):
    """A signature does not verify against the pinned key (or no key is pinned)."""


def key_id(public: bytes) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


@dataclass(frozen=True)
class Signer:
    """A service's signing key."""

    service: str
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        """The 32-byte public key."""
        return self.private.public_key().public_bytes_raw()

    @property
    def key_id(self) -> str:
        """The key's short name, recorded in every checkpoint it signs."""
        return key_id(self.public_raw)

    def sign(self, data: bytes) -> str:
        """The base64 Ed25519 signature of `data`."""
        return base64.b64encode(self.private.sign(data)).decode("ascii")


def generate_seed() -> str:
    """A new Ed25519 private key as base64 of its 32-byte seed."""
    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode("ascii")


def load_signer(service: str, kernel: KernelSettings, audit: AuditSettings | None = None) -> Signer:
    """The service's key: from settings, or (embedded only) generated once under var/ with 0600."""
    audit = (audit or AuditSettings()).resolved(kernel)
    if audit.signing_key is not None:
        seed = base64.b64decode(audit.signing_key.get_secret_value(), validate=True)
        signer = Signer(service, Ed25519PrivateKey.from_private_bytes(seed))
    elif kernel.mode == "embedded":
        signer = Signer(service, _embedded_key(audit.key_dir / f"{service}.key"))
    else:
        raise ValueError("RENOVATION_AUDIT_SIGNING_KEY must hold the service's Ed25519 key outside "
                         "the embedded default (make one with `renovation audit keygen`)")
    _pin(audit.public_keys_file, signer, may_write=kernel.mode == "embedded")
    return signer


def _embedded_key(path: Path) -> Ed25519PrivateKey:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole, then linked into place: a service starting at the same moment
        # either sees no key or the complete one, and the first link wins.
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(Ed25519PrivateKey.generate().private_bytes_raw())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        tmp.unlink()
    if path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} must be readable by its owner only (chmod 600)")
    return Ed25519PrivateKey.from_private_bytes(path.read_bytes())


def _pin(path: Path, signer: Signer, *, may_write: bool) -> None:
    if not may_write and not path.parent.exists():
        log.warning("no pinned public-key file at %s: auditors cannot check %s's checkpoints yet",
                    path, signer.service)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Four services start at once and share the file: one writer at a time.
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        keys = PinnedKeys.load(path).keys if path.exists() else {}
        entry = keys.get(signer.service)
        if entry == signer.public_raw:
            return
        if entry is not None:
            raise ValueError(f"{signer.service}'s signing key does not match the key pinned in {path}")
        if not may_write:
            # Deployment: the operator distributes the pinned file; say what to add to it.
            log.warning("%s's public key %s (key id %s) is not pinned in %s yet", signer.service,
                        base64.b64encode(signer.public_raw).decode("ascii"), signer.key_id, path)
            return
        keys[signer.service] = signer.public_raw
        PinnedKeys(keys).save(path)


@dataclass(frozen=True)
class PinnedKeys:
    """The public keys auditors pin: service → 32-byte Ed25519 public key."""

    keys: dict[str, bytes]

    @classmethod
    def load(cls, path: Path) -> PinnedKeys:
        """Read a public-key file (ValueError if it is not one)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != KEYS_FORMAT:
            raise ValueError(f"{path} is not a {KEYS_FORMAT} file")
        return cls({name: base64.b64decode(entry["public_key"], validate=True)
                    for name, entry in data["keys"].items()})

    def save(self, path: Path) -> None:
        """Write the file atomically."""
        data = {"format": KEYS_FORMAT, "algorithm": "Ed25519", "keys": {
            name: {"public_key": base64.b64encode(raw).decode("ascii"), "key_id": key_id(raw)}
            for name, raw in sorted(self.keys.items())}}
        tmp = Path(f"{path}.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def verify(self, service: str, data: bytes, signature: str) -> None:
        """Raise SignatureRefused unless `signature` is `service`'s over `data`."""
        raw = self.keys.get(service)
        if raw is None:
            raise SignatureRefused(f"no public key is pinned for {service}")
        try:
            sig = base64.b64decode(signature, validate=True)
            Ed25519PublicKey.from_public_bytes(raw).verify(sig, data)
        except (InvalidSignature, ValueError) as error:
            raise SignatureRefused(f"the signature is not {service}'s (key {key_id(raw)})") from error
