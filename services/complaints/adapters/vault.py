"""The personal-data vault: one key per person; contacts sealed with it; erasure destroys the key.

Events carry only `person_id` and the sealed contact, so the hash chains never hold a name or
a phone in clear and never need rewriting: once the key is gone, every copy of the ciphertext
(in the log, in the broker, in backups of the log) is unreadable.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import Connection

from services.complaints.adapters.tables import person_table
from shared.envelope import new_event_id


class Vault:
    """Find or create the person of a phone number, seal and open contacts, erase a person."""

    def __init__(self, pepper: str) -> None:
        self._pepper = pepper.encode()

    def digest(self, phone_e164: str) -> str:
        """A keyed hash of the number: finds the person again without storing the number."""
        return hmac.new(self._pepper, phone_e164.encode(), hashlib.sha256).hexdigest()

    def person_for(self, conn: Connection, *, phone: str | None, now: str) -> tuple[str, bytes]:
        """The person of this number (a new one if unknown, or if there is no number): id and key."""
        digest = self.digest(phone) if phone else None
        known = self._known(conn, digest)
        if known is not None:
            return known
        person_id, key = str(new_event_id()), Fernet.generate_key()
        try:
            # A savepoint: two first calls from one number at once must not abort the filing.
            with conn.begin_nested():
                conn.execute(person_table.insert().values(person_id=person_id, phone_digest=digest,
                                                          key=key.decode(), created_at=now))
        except sa.exc.IntegrityError:
            known = self._known(conn, digest)
            if known is None:
                raise
            return known
        return person_id, key

    @staticmethod
    def _known(conn: Connection, digest: str | None) -> tuple[str, bytes] | None:
        if not digest:
            return None
        row = conn.execute(sa.select(person_table.c.person_id, person_table.c.key)
                           .where(person_table.c.phone_digest == digest)).first()
        return (row.person_id, row.key.encode()) if row is not None and row.key else None

    @staticmethod
    def seal(key: bytes, contact: dict) -> str:
        """The contact encrypted and authenticated with the person's key."""
        return Fernet(key).encrypt(json.dumps(contact, ensure_ascii=False).encode()).decode()

    def open(self, conn: Connection, person_id: str | None, sealed: str | None) -> dict | None:
        """The contact, or None when the person was erased (or there is none)."""
        if not person_id or not sealed:
            return None
        return self.open_many(conn, [(person_id, sealed)]).get(person_id)

    def open_many(self, conn: Connection, pairs: list[tuple[str | None, str | None]]) -> dict[str, dict]:
        """Contacts by person id for many rows in one query; erased people are missing."""
        ids = {p for p, s in pairs if p and s}
        if not ids:
            return {}
        keys = dict(conn.execute(sa.select(person_table.c.person_id, person_table.c.key)
                                 .where(person_table.c.person_id.in_(ids), person_table.c.key.is_not(None))).all())
        found = {}
        for person_id, sealed in pairs:
            if person_id in keys and sealed and person_id not in found:
                try:
                    found[person_id] = json.loads(Fernet(keys[person_id].encode()).decrypt(sealed.encode()))
                except InvalidToken:
                    continue
        return found

    def find(self, conn: Connection, phone: str) -> str | None:
        """The id of the person with this number, if known and not erased."""
        return conn.execute(sa.select(person_table.c.person_id).where(
            person_table.c.phone_digest == self.digest(phone), person_table.c.key.is_not(None))).scalar()

    def erase(self, conn: Connection, person_id: str, *, now: str) -> None:
        """Destroy the key and the number's digest: the person can no longer be read or found."""
        conn.execute(person_table.update().where(person_table.c.person_id == person_id)
                     .values(key=None, phone_digest=None, erased_at=now))

    def phone_digest_of(self, phone: str) -> str:
        """For rate limits: the same keyed hash, never the number."""
        return self.digest(phone)
