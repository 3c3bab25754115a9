"""The token signing secret: the configured one, or in embedded mode a random one kept under var/."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from pydantic import SecretStr

from shared.settings import KernelSettings

log = logging.getLogger("renovation.auth")

SECRET_FILE = "jwt-secret"
_OWNER_ONLY = 0o600


def signing_secret(settings: KernelSettings) -> SecretStr:
    """RENOVATION_JWT_SECRET when set; in embedded mode otherwise `<var_dir>/jwt-secret`.

    The file is created on first use with 48 random bytes and mode 0600, atomically, so the
    four services and the CLI starting at once all end up with the same secret.
    """
    if settings.jwt_secret is not None:
        return settings.jwt_secret
    if settings.mode != "embedded":  # the settings refuse this already; never sign with nothing
        raise RuntimeError("RENOVATION_JWT_SECRET is required outside the embedded mode")
    return SecretStr(_read_or_create(Path(settings.var_dir) / SECRET_FILE))


def _read_or_create(path: Path) -> str:
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o): made it owner-only", path, mode)
        path.chmod(_OWNER_ONLY)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < 32:
        raise RuntimeError(f"{path} holds no usable secret: delete it to have a new one generated")
    return value


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _OWNER_ONLY)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(draft, path)  # fails if another process got there first: theirs wins
        except FileExistsError:
            pass
    finally:
        draft.unlink(missing_ok=True)
