"""What the services' in-process test harnesses share: a session's accounts and metric readings."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping

from fastapi.testclient import TestClient

PASSWORD = "pass-word-123"
_IDENTITIES: dict[str, str] = {}


def session_identity(users: Mapping[str, str], *, name: str) -> str:
    """One identity database per harness for the whole session (argon2 is slow on purpose)."""
    if name not in _IDENTITIES:
        from shared.auth.identity import IdentityStore

        url = f"sqlite:///{tempfile.mkdtemp(prefix=f'{name}-identity-')}/identity.db"
        store = IdentityStore.from_url(url)
        store.create_schema()
        for username, role in users.items():
            store.add_user(username=username, password=PASSWORD, role=role, display_name=username)
        _IDENTITIES[name] = url
    return _IDENTITIES[name]


def metric_value(client: TestClient, line_start: str) -> float:
    """The value of the first exposed sample whose line starts with `line_start`."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no metric {line_start}")
