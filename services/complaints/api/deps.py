"""Dependencies of complaints' routes: the context, units of work, who may do what, uploads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from services.complaints.application.context import ComplaintsContext
from shared.actor import Actor, Role
from shared.auth import require_roles
from shared.evidence.model import EvidenceRefused, EvidenceTooLarge
from shared.service import Service
from shared.unit_of_work import UnitOfWork


def get_ctx(request: Request) -> ComplaintsContext:
    """Complaints' ports and settings."""
    return request.app.state.complaints


CtxDep = Annotated[ComplaintsContext, Depends(get_ctx)]


def unit_of_work(service: Service, actor: Actor, request: Request) -> UnitOfWork:
    """A unit of work acting for `actor`, in the request's correlation."""
    return service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)


def _roles(*roles: Role):
    return Annotated[Actor, Depends(require_roles(*roles))]


OPERATOR_ROLES = (Role.HOTLINE_OPERATOR, Role.ADMIN)
HANDLER_ROLES = (Role.HOTLINE_OPERATOR, Role.ADMIN, Role.CONTRACTOR, Role.STREET_OFFICE, Role.OFFICIAL)
VIEWER_ROLES = (Role.HOTLINE_OPERATOR, Role.ADMIN, Role.SUPERVISOR, Role.OFFICIAL, Role.STREET_OFFICE,
                Role.CONTRACTOR, Role.INSPECTOR, Role.AUDITOR)
Operator = _roles(*OPERATOR_ROLES)
Handler = _roles(*HANDLER_ROLES)
Viewer = _roles(*VIEWER_ROLES)
Supervisor = _roles(Role.SUPERVISOR, Role.OFFICIAL, Role.HOTLINE_OPERATOR, Role.ADMIN, Role.AUDITOR)
Admin = _roles(Role.ADMIN)


async def read_photos(files: list, *, limit: int, count: int) -> list[tuple[str, str | None, bytes]]:
    """The uploaded photos' bytes, refusing (413) past `limit` without reading further."""
    real = [f for f in files if isinstance(f, UploadFile) and f.filename]
    if len(real) > count:
        raise EvidenceRefused(f"最多上传 {count} 张照片", code="evidence_count")
    out = []
    for file in real:
        name = (file.filename or "photo").rsplit("/", 1)[-1][:200]
        chunks, size = [], 0
        while chunk := await file.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise EvidenceTooLarge(f"照片“{name}”超过 {limit / 1048576:.0f} MB 的上限")
            chunks.append(chunk)
        out.append((name, file.content_type, b"".join(chunks)))
    return out
