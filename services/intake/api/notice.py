"""JSON API for public notices (the plan's and design changes'): objections and their answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from services.intake.adapters.listing import notice_page
from services.intake.adapters.notice import get_notice, objections_of
from services.intake.api.deps import STAFF_ROLES, IntakeDep, Objector, Staff, work
from services.intake.application.notice import (
    AnswerObjection, RaiseObjection, answer_objection, close_notice, raise_objection)
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(prefix="/api/notices", tags=["notices 公示"])


class ObjectionRaised(BaseModel):
    """The answer to an objection: its id."""

    objection_id: str


@router.get("", summary="公示列表 List notices")
def get_notices(_: CurrentActor, service: ServiceDep, page: PageQuery, request: Request, response: Response,
                kind: str | None = None, district: str | None = None,
                state: str | None = None) -> list[dict[str, Any]]:
    """One page of plan and design-change notices, latest first; `q` searches the title."""
    with service.engine.connect() as conn:
        found = notice_page(conn, page, district=district, state=state, kind=kind)
    return answer(found, request, response)


@router.get("/{notice_id}", summary="公示详情 One notice with its objections")
def get_one(notice_id: str, actor: CurrentActor, service: ServiceDep) -> dict[str, Any]:
    """A notice, its window and every objection with its answer; who objected only for staff."""
    with service.engine.connect() as conn:
        notice = get_notice(conn, notice_id)
        if notice is None:
            raise NotFound(f"公示 {notice_id} 不存在")
        objections = objections_of(conn, notice_id)
    if actor.role not in STAFF_ROLES:
        # Residents see what was objected to and answered, not which neighbour objected.
        objections = [o | {"household_id": None, "raised_by": None, "answered_by": None} for o in objections]
    return notice | {"objection_list": objections}


@router.post("/{notice_id}/objections", status_code=status.HTTP_201_CREATED, summary="提出异议 Object")
def post_objection(notice_id: str, body: RaiseObjection, actor: Objector, service: ServiceDep,
                   request: Request, intake: IntakeDep) -> ObjectionRaised:
    """Object during the notice; a resident names the household they speak for."""
    objection_id = raise_objection(body, work(service, actor, request), notice_id=notice_id, today=intake.today())
    return ObjectionRaised(objection_id=objection_id)


@router.post("/{notice_id}/end", status_code=status.HTTP_204_NO_CONTENT, summary="结束公示 Close a notice")
def post_end(notice_id: str, actor: Staff, service: ServiceDep, request: Request, intake: IntakeDep) -> None:
    """Close a notice once its last working day has passed; never on a provisional end (the reason says why)."""
    close_notice(work(service, actor, request), notice_id=notice_id, today=intake.today())


@router.post("/{notice_id}/objections/{objection_id}/answer", summary="答复异议 Answer an objection")
def post_answer(notice_id: str, objection_id: str, body: AnswerObjection, actor: Staff, service: ServiceDep,
                request: Request, intake: IntakeDep) -> dict[str, str]:
    """Answer an objection; every objection gets one."""
    answer_objection(body, work(service, actor, request), notice_id=notice_id, objection_id=objection_id,
                     today=intake.today())
    return {"objection_id": objection_id, "status": "answered"}
