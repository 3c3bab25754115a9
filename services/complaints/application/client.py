"""Registering Open311 client apps."""

from __future__ import annotations

from services.complaints.domain.client import Open311Client
from shared.envelope import new_event_id
from shared.unit_of_work import UnitOfWork


def register(uow: UnitOfWork, *, name: str) -> tuple[str, str]:
    """A new client and its API key (the key is returned once and never stored)."""
    client_id = str(new_event_id())
    client, api_key = Open311Client.register(client_id=client_id, name=name)
    uow.save(client, project_id=client_id)
    return client_id, api_key


def revoke(uow: UnitOfWork, *, client_id: str) -> None:
    """The client's key stops working at once."""
    client = uow.get(Open311Client, Open311Client.stream_for(client_id), missing=f"311 客户端 {client_id} 不存在")
    client.revoke()
    uow.save(client, project_id=client_id)
