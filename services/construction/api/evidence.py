"""JSON API: a project's evidence with its flags, and short-lived URLs to view a file."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from services.construction.adapters import queries
from services.construction.adapters.listing import evidence_page
from services.construction.api.deps import CtxDep, Viewer
from services.construction.api.schemas import ViewUrl
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(tags=["evidence 影像"])


@router.get("/api/projects/{project_id}/evidence", summary="项目影像 Evidence of a project")
def get_evidence(project_id: str, _: CurrentActor, service: ServiceDep, page: PageQuery, request: Request,
                 response: Response) -> dict:
    """One page of attachments (hash, key, size, type, time, position, flags) and reuse found later."""
    with service.engine.connect() as conn:
        found = evidence_page(conn, page, project_id=project_id)
        return {"evidence": answer(found, request, response), "total": found.total,
                "reused_elsewhere": queries.reused_elsewhere(conn, project_id)}


@router.get("/api/evidence/{sha256}/url", summary="查看影像 A short-lived URL to view a file")
def get_url(sha256: str, _: Viewer, service: ServiceDep, ctx: CtxDep, request: Request) -> ViewUrl:
    """A presigned (or, for the local folder, service-signed) GET URL; authorised roles only."""
    with service.engine.connect() as conn:
        rows = queries.evidence_by_hash(conn, sha256.lower())
    if not rows:
        raise NotFound(f"影像 {sha256} 不存在")
    ttl = timedelta(seconds=view_ttl(ctx))
    url = ctx.store.url(rows[0]["object_key"], media_type=rows[0]["media_type"], ttl=ttl)
    if url.startswith("/"):  # the local folder's URLs are served by this service
        url = str(request.base_url).rstrip("/") + url
    return ViewUrl(url=url, expires_in=int(ttl.total_seconds()), media_type=rows[0]["media_type"])


def view_ttl(ctx) -> int:
    """Seconds a viewing URL lives."""
    return int(getattr(ctx.store, "ttl", timedelta(minutes=5)).total_seconds())
