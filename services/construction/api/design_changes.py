"""JSON API: design changes and their approval."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from services.construction.adapters import queries
from services.construction.api.deps import ChangeApprover, ChangeRequester, CtxDep, unit_of_work
from services.construction.api.schemas import Created, Decision, DesignChangeCreate, Refusal
from services.construction.application import design_change as handlers
from services.construction.application.context import run
from shared.auth import CurrentActor
from shared.service import ServiceDep

router = APIRouter(tags=["design changes 设计变更"])
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("/api/projects/{project_id}/design-changes", summary="设计变更 Changes of a project")
def get_changes(project_id: str, _: CurrentActor, service: ServiceDep) -> list[dict]:
    """The project's design changes, newest first."""
    with service.engine.connect() as conn:
        return queries.design_changes(conn, project_id)


@router.post("/api/projects/{project_id}/design-changes", status_code=status.HTTP_201_CREATED,
             summary="申请设计变更 Request a change")
def post_change(project_id: str, body: DesignChangeCreate, actor: ChangeRequester, service: ServiceDep,
                ctx: CtxDep, request: Request) -> Created:
    """Request a change with its written reason and cost; major ones are marked by the thresholds."""
    return Created(id=run(unit_of_work(service, actor, request), handlers.request_change, ctx=ctx,
                          project_id=project_id, **body.model_dump()))


@router.post("/api/design-changes/{change_id}/approve", status_code=NO_CONTENT, summary="批准 Approve")
def post_approve(change_id: str, body: Decision, actor: ChangeApprover, service: ServiceDep, ctx: CtxDep,
                 request: Request) -> None:
    """Approve; a major change then goes to public notice in the community (intake)."""
    run(unit_of_work(service, actor, request), handlers.approve, ctx=ctx, change_id=change_id, note=body.note)


@router.post("/api/design-changes/{change_id}/reject", status_code=NO_CONTENT, summary="不批准 Reject")
def post_reject(change_id: str, body: Refusal, actor: ChangeApprover, service: ServiceDep, request: Request) -> None:
    """Turn the change down with the reason."""
    run(unit_of_work(service, actor, request), handlers.reject, change_id=change_id, reason=body.reason)
