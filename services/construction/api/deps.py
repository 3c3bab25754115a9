"""Dependencies of construction's routes: the context, units of work and who may do what."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request, UploadFile

from services.construction.application.context import Construction
from services.construction.application.evidence import Upload
from services.construction.domain.evidence import EvidenceRefused, EvidenceTooLarge
from shared.actor import Actor, Role
from shared.auth import require_roles
from shared.service import Service
from shared.upload import ReceivedForm, UploadLimits
from shared.unit_of_work import UnitOfWork


def get_ctx(request: Request) -> Construction:
    """Construction's ports and settings."""
    return request.app.state.construction


CtxDep = Annotated[Construction, Depends(get_ctx)]


def unit_of_work(service: Service, actor: Actor, request: Request) -> UnitOfWork:
    """A unit of work acting for `actor`, in the request's correlation."""
    return service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)


def _roles(*roles: Role):
    return Annotated[Actor, Depends(require_roles(*roles))]


Official = _roles(Role.OFFICIAL, Role.ADMIN)
Contractor = _roles(Role.CONTRACTOR)
Engineer = _roles(Role.SUPERVISION_ENGINEER)
Inspector = _roles(Role.INSPECTOR, Role.SUPERVISION_ENGINEER)
Uploader = _roles(Role.CONTRACTOR, Role.SUPERVISION_ENGINEER, Role.INSPECTOR)
OrderAuthority = _roles(Role.OFFICIAL, Role.SUPERVISION_ENGINEER)
ContactPublisher = _roles(Role.OFFICIAL, Role.CONTRACTOR)
ChangeRequester = _roles(Role.CONTRACTOR, Role.DESIGNER, Role.SUPERVISION_ENGINEER, Role.OFFICIAL)
ChangeApprover = _roles(Role.OFFICIAL, Role.SUPERVISION_ENGINEER)
# Site photos show people's homes: only those who supervise, build or audit may see them.
VIEWER_ROLES = (Role.OFFICIAL, Role.STREET_OFFICE, Role.INSPECTOR, Role.SUPERVISION_ENGINEER,
                Role.CONTRACTOR, Role.DESIGNER, Role.PIPELINE_UNIT, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
Viewer = _roles(*VIEWER_ROLES)


async def read_upload(file: UploadFile, *, limit: int, caption: str = "") -> Upload:
    """The uploaded file's bytes, refusing (413) past `limit` without reading further."""
    name = (file.filename or "upload").rsplit("/", 1)[-1][:200]
    chunks, size = [], 0
    while chunk := await file.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise EvidenceTooLarge(f"文件“{name}”超过 {limit / 1048576:.0f} MB 的上限")
        chunks.append(chunk)
    if size == 0:
        raise EvidenceRefused(f"文件“{name}”是空文件", code="evidence_empty")
    return Upload(data=b"".join(chunks), filename=name, content_type=file.content_type, caption=caption)


async def read_uploads(files: list[UploadFile], *, limit: int, caption: str = "") -> list[Upload]:
    """Every file of a multipart request; at least one is required."""
    real = [f for f in files if f.filename]
    if not real:
        raise EvidenceRefused("没有收到文件：请选择或拍摄照片", code="evidence_missing")
    return [await read_upload(f, limit=limit, caption=caption) for f in real]


# The request body of a streamed evidence upload, for the OpenAPI document.
EVIDENCE_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "description": "照片或视频"},
        "caption": {"type": "string", "maxLength": 200}}}}}}}
# Refused on the headers or while streaming (shared/upload.py); the error model is the kernel's.
TOO_LARGE = {413: {"description": "上传内容过大 Upload too large",
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}


def upload_limits(ctx: Construction) -> UploadLimits:
    """Per file and per request the configured limits; up to 20 files per request."""
    return UploadLimits(max_file_bytes=ctx.settings.max_upload_bytes, max_files=20,
                        max_total_bytes=ctx.settings.max_request_bytes)


def upload_dir(service: Service) -> Path:
    """Where streamed uploads wait while they are examined (on disk, not in a RAM-backed /tmp)."""
    return service.kernel.var_dir / "uploads"


def uploads_of(form: ReceivedForm) -> list[Upload]:
    """The streamed files of a form as uploads (on disk, hashed), with the form's caption."""
    caption = form.fields.get("caption", "")
    if len(caption) > 200:
        raise EvidenceRefused("说明不能超过 200 字", code="caption_too_long")
    real = [f for f in form.files if f.field == "files" and f.filename]
    if not real:
        raise EvidenceRefused("没有收到文件：请选择或拍摄照片", code="evidence_missing")
    for received in real:
        if received.size == 0:
            raise EvidenceRefused(f"文件“{received.filename}”是空文件", code="evidence_empty")
    return [Upload(filename=f.filename, content_type=f.content_type, caption=caption, path=f.path,
                   sha256=f.sha256) for f in real]
