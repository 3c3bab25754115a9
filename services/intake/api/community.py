"""JSON API for communities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel

from services.intake.adapters.community import get_community, list_communities
from services.intake.application.community import RegisterCommunity, register_community
from shared.actor import Actor, Role
from shared.auth import CurrentActor, require_roles
from shared.errors import NotFound
from shared.service import ServiceDep

router = APIRouter(prefix="/api/communities", tags=["communities 小区"])

Registrar = Annotated[
    Actor, Depends(require_roles(Role.OFFICIAL, Role.STREET_OFFICE, Role.COMMUNITY, Role.ADMIN))
]


class CommunityRegistered(BaseModel):
    """The answer to a registration."""

    community_id: str


class CommunityRead(RegisterCommunity):
    """A registered community as the read model holds it."""

    community_id: str
    registered_at: str
    registered_by: str


@router.post("", status_code=status.HTTP_201_CREATED, summary="登记小区 Register a community")
def post_community(
    body: RegisterCommunity, actor: Registrar, service: ServiceDep, request: Request
) -> CommunityRegistered:
    """Register a surveyed community; answers its id."""
    uow = service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)
    return CommunityRegistered(community_id=register_community(body, uow))


@router.get("", summary="小区列表 List communities")
def get_communities(_: CurrentActor, service: ServiceDep) -> list[CommunityRead]:
    """Every registered community, newest first."""
    with service.engine.connect() as conn:
        return [CommunityRead(**row) for row in list_communities(conn)]


@router.get("/{community_id}", summary="小区详情 One community")
def get_one(community_id: str, _: CurrentActor, service: ServiceDep) -> CommunityRead:
    """One registered community."""
    with service.engine.connect() as conn:
        row = get_community(conn, community_id)
    if row is None:
        raise NotFound(f"小区 {community_id} 不存在")
    return CommunityRead(**row)
