"""A complainant's personal data, as far as the log knows it: only that it was erased, and why."""

from __future__ import annotations

from datetime import datetime

from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class Person(Aggregate):
    """The log's record of a person: their data lives sealed in the vault, never here."""

    stream_prefix = "person"

    class Erased(DomainEvent):
        event_type = "complaints.PersonalDataErased"
        person_id: str
        reason: str
        at: datetime

    erased = False

    @classmethod
    def erase(cls, *, person_id: str, reason: str, at: datetime) -> "Person":
        """Record that the person's key was destroyed (the reason: a request, a retention rule)."""
        if len(reason.strip()) < 2:
            raise InvalidCommand("请填写删除个人信息的依据（如：本人申请）", code="erasure_reason")
        person = cls(cls.stream_for(person_id))
        person._record(cls.Erased(person_id=person_id, reason=reason.strip(), at=at))
        return person

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Person.Erased():
                self.erased = True
