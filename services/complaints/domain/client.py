"""Registered Open311 client apps: each holds an API key; only a digest of the key is recorded."""

from __future__ import annotations

import hashlib
import secrets

from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


def key_digest(api_key: str) -> str:
    """SHA-256 of a key: high-entropy keys need no slow hash, and the log never holds the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()


class Open311Client(Aggregate):
    """A client app allowed to POST requests (GeoReport v2 `api_key`)."""

    stream_prefix = "open311-client"

    class Registered(DomainEvent):
        event_type = "complaints.Open311ClientRegistered"
        client_id: str
        name: str
        key_digest: str

    class Revoked(DomainEvent):
        event_type = "complaints.Open311ClientRevoked"
        client_id: str

    registered: Registered | None = None
    revoked = False

    @classmethod
    def register(cls, *, client_id: str, name: str) -> tuple["Open311Client", str]:
        """A new client and its key (shown once, never stored)."""
        if not name.strip():
            raise InvalidCommand("请填写应用名称", code="client_name")
        api_key = secrets.token_urlsafe(32)
        client = cls(cls.stream_for(client_id))
        client._record(cls.Registered(client_id=client_id, name=name.strip(), key_digest=key_digest(api_key)))
        return client, api_key

    def revoke(self) -> None:
        """The key stops working."""
        if self.revoked:
            raise InvalidCommand("该应用的密钥已停用", code="client_revoked")
        self._record(self.Revoked(client_id=self.registered.client_id))

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Open311Client.Registered():
                self.registered = event
            case Open311Client.Revoked():
                self.revoked = True
