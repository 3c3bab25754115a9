"""Dependencies of acceptance's routes: the context, units of work, uploads, and who may do what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, UploadFile

from services.acceptance.application.context import AcceptanceContext
from services.acceptance.application.evidence import Upload
from shared.actor import Actor, Role
from shared.auth import require_roles
from shared.evidence import EvidenceTooLarge
from shared.service import Service
from shared.unit_of_work import UnitOfWork


def get_ctx(request: Request) -> AcceptanceContext:
    """Acceptance's ports and settings."""
    return request.app.state.acceptance


CtxDep = Annotated[AcceptanceContext, Depends(get_ctx)]


def unit_of_work(service: Service, actor: Actor, request: Request) -> UnitOfWork:
    """A unit of work acting for `actor`, in the request's correlation."""
    return service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)


def _roles(*roles: Role):
    return Annotated[Actor, Depends(require_roles(*roles))]


PARTY_ROLES = (Role.STREET_OFFICE, Role.COMMUNITY, Role.OWNERS_COMMITTEE, Role.DESIGNER, Role.CONTRACTOR,
               Role.SUPERVISION_ENGINEER, Role.PIPELINE_UNIT)
# The construction unit (the housing bureau) convenes, decides the final acceptance and files.
Convener = _roles(Role.OFFICIAL)
PartyRep = _roles(*PARTY_ROLES)
Checker = _roles(Role.OFFICIAL, Role.SUPERVISION_ENGINEER, Role.INSPECTOR)
Contractor = _roles(Role.CONTRACTOR)
EvaluationStaff = _roles(Role.OFFICIAL, Role.COMMUNITY, Role.STREET_OFFICE)
Voter = _roles(Role.RESIDENT, Role.OFFICIAL, Role.COMMUNITY, Role.STREET_OFFICE)
Payer = _roles(Role.OFFICIAL)
# The archive holds households' account links and site photos: officials, supervisors, auditors.
Archivist = _roles(Role.OFFICIAL, Role.SUPERVISOR, Role.AUDITOR, Role.STREET_OFFICE)
VIEWER_ROLES = (Role.OFFICIAL, Role.SUPERVISOR, Role.AUDITOR, Role.INSPECTOR, *PARTY_ROLES)
Viewer = _roles(*VIEWER_ROLES)


async def read_uploads(files: list[UploadFile], *, limit: int) -> list[Upload]:
    """The files of a multipart request, refusing (413) past `limit` without reading further."""
    uploads = []
    for file in files:
        if not file.filename:
            continue
        name = file.filename.rsplit("/", 1)[-1][:200]
        chunks, size = [], 0
        while chunk := await file.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise EvidenceTooLarge(f"文件“{name}”超过 {limit / 1048576:.0f} MB 的上限")
            chunks.append(chunk)
        uploads.append(Upload(data=b"".join(chunks), filename=name, content_type=file.content_type))
    return uploads
