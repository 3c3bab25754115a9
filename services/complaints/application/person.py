"""Erasure (right to be forgotten): the person's key is destroyed, the events and their chains stay as they are."""

from __future__ import annotations

from services.complaints.application.context import ComplaintsContext
from services.complaints.domain.person import Person
from shared.errors import NotFound
from shared.unit_of_work import UnitOfWork


def erase(uow: UnitOfWork, ctx: ComplaintsContext, *, phone: str, reason: str) -> str:
    """Make every complaint of this number unreadable as to who filed it; answers the person id."""
    person_id = ctx.vault.find(uow.conn, phone)
    if person_id is None:
        raise NotFound("没有找到该号码的投诉人（或其个人信息已删除）", code="person_unknown")
    now = ctx.now()
    person = Person.erase(person_id=person_id, reason=reason, at=now)
    ctx.vault.erase(uow.conn, person_id, now=now.isoformat())
    uow.save(person, project_id=person_id)
    return person_id
