"""The audit routes every service mounts: signed checkpoints on demand, and the auditor's pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from shared.actor import Actor, Role
from shared.audit.checkpoint import recorded
from shared.auth import require_roles

AuditorDep = Annotated[Actor, Depends(require_roles(Role.AUDITOR, Role.ADMIN))]


def audit_router() -> APIRouter:
    """Routes under /audit: issue and list this service's signed checkpoints."""
    from shared.service import ServiceDep

    router = APIRouter(prefix="/audit", tags=["audit"])

    @router.post("/checkpoints", summary="签发检查点 Sign the log's Merkle root now")
    def sign_now(service: ServiceDep, actor: AuditorDep) -> dict[str, Any]:
        return service.checkpoints.issue_now().to_dict()

    @router.get("/checkpoints", summary="已签发的检查点 Checkpoints this service signed")
    def signed(service: ServiceDep, actor: AuditorDep) -> list[dict[str, Any]]:
        with service.engine.connect() as conn:
            return [c.to_dict() for c in recorded(conn)]

    return router
