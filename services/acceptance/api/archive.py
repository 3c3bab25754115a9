"""The archive: the JSON bundle, the zh-CN report in HTML and PDF, prefix roots and inclusion proofs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from services.acceptance.api.deps import Archivist, CtxDep
from services.acceptance.application import archive
from services.acceptance.application.view import project_view
from shared.service import ServiceDep

router = APIRouter(prefix="/api/projects", tags=["archive 档案"])


def _bundle(service, ctx, project_id: str) -> dict:
    with service.engine.connect() as conn:
        return archive.build(conn, project_id, generated_at=ctx.now())


def _report(service, ctx, project_id: str) -> str:
    with service.engine.connect() as conn:
        document = archive.build(conn, project_id, generated_at=ctx.now())
        view = project_view(conn, project_id, today=ctx.today(), payment_days=ctx.settings.tranche_payment_days)
    return archive.report_html(document, view)


@router.get("/{project_id}/archive", summary="档案包 The archive bundle (JSON)")
def bundle(project_id: str, _: Archivist, service: ServiceDep, ctx: CtxDep) -> JSONResponse:
    """Every event of every service about the project, the evidence manifest and one Merkle root."""
    document = _bundle(service, ctx, project_id)
    return JSONResponse(document, headers={
        "Content-Disposition": f'attachment; filename="archive-{project_id}.json"'})


@router.get("/{project_id}/archive/root", summary="档案根哈希 Root over the first `size` leaves")
def root(project_id: str, _: Archivist, service: ServiceDep, ctx: CtxDep,
         size: int | None = Query(default=None, ge=0)) -> dict[str, Any]:
    """What the live archive says a bundle of `size` leaves must have as its root."""
    document = _bundle(service, ctx, project_id)
    size = document["size"] if size is None else size
    return {"project_id": project_id, "size": size, "root": archive.root_of_prefix(document, size)}


@router.get("/{project_id}/archive/proof/{index}", summary="包含证明 Inclusion proof of one leaf")
def proof(project_id: str, index: int, _: Archivist, service: ServiceDep, ctx: CtxDep) -> dict[str, Any]:
    """One event's membership, shown without the rest (RFC 9162 audit path)."""
    return archive.proof(_bundle(service, ctx, project_id), index)


@router.get("/{project_id}/archive.html", response_class=HTMLResponse, summary="档案报告 Report (HTML)")
def report_html(project_id: str, _: Archivist, service: ServiceDep, ctx: CtxDep) -> HTMLResponse:
    """The readable zh-CN report."""
    return HTMLResponse(_report(service, ctx, project_id))


@router.get("/{project_id}/archive.pdf", summary="档案报告 Report (PDF, Chinese fonts embedded)")
async def report_pdf(project_id: str, _: Archivist, service: ServiceDep, ctx: CtxDep) -> Response:
    """The report as PDF."""
    html = await run_in_threadpool(_report, service, ctx, project_id)
    pdf = await run_in_threadpool(archive.report_pdf, html)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="archive-{project_id}.pdf"'})
