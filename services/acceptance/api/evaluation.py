"""JSON API of the residents' evaluation (民意验收)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.acceptance.api.deps import CtxDep, EvaluationStaff, Voter, unit_of_work
from services.acceptance.api.schemas import VoiceCreate
from services.acceptance.application import evaluation as handlers
from services.acceptance.application.context import run
from shared.service import ServiceDep

router = APIRouter(prefix="/api/projects", tags=["evaluation 民意验收"])


@router.post("/{project_id}/evaluation", status_code=201, summary="开始民意验收 Open the evaluation")
def open_evaluation(project_id: str, actor: EvaluationStaff, request: Request, service: ServiceDep,
                    ctx: CtxDep) -> dict[str, str]:
    """Over the households intake registered; after a failed round, a new round."""
    run(unit_of_work(service, actor, request), handlers.open_evaluation, ctx=ctx, project_id=project_id)
    return {"project_id": project_id}


@router.post("/{project_id}/evaluation/voices", status_code=204, summary="住户评价 One household's voice")
def record_voice(project_id: str, body: VoiceCreate, actor: Voter, request: Request, service: ServiceDep) -> None:
    """Online by the household's linked account, or a paper form entered by staff; one voice per household."""
    run(unit_of_work(service, actor, request), handlers.record_voice, project_id=project_id,
        household_id=body.household_id, score=body.score, comments=body.comments, channel=body.channel)


@router.post("/{project_id}/evaluation/close", summary="结束民意验收 Close the evaluation")
def close_evaluation(project_id: str, actor: EvaluationStaff, request: Request, service: ServiceDep,
                     ctx: CtxDep) -> dict[str, Any]:
    """The figures it was decided on: participation and satisfaction against their levels."""
    return run(unit_of_work(service, actor, request), handlers.close_evaluation, ctx=ctx, project_id=project_id)
