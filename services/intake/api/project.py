"""JSON API for projects: the plan, its notice, the vote, the joint review, approval, withdrawal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from services.intake.adapters.listing import project_page
from services.intake.adapters.notice import get_notice, list_notices
from services.intake.adapters.project import ballot_counts, get_project, reviews_of
from services.intake.api.deps import IntakeDep, Official, OfficialOrStreetOffice, Speaker, Staff, work
from services.intake.application.decision import (
    CastVote,
    RecordReview,
    approve_project,
    cast_vote,
    close_vote,
    open_vote,
    record_review,
)
from services.intake.application.notice import PublishNotice, publish_plan_notice
from services.intake.application.project import Reason, RevisePlan, reopen_plan, revise_plan, withdraw_project
from services.intake.domain.decision import VoteTally
from services.intake.domain.vocabulary import Department
from shared.auth import CurrentActor
from shared.http import Year
from shared.errors import NotFound
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(prefix="/api/projects", tags=["projects 改造项目"])


class PlanRevised(BaseModel):
    """The answer to a plan revision."""

    project_id: str
    revision: int


class NoticePublished(BaseModel):
    """The notice as published: its window on the official calendar."""

    notice_id: str
    start: str
    end: str
    working_days: int


@router.get("", summary="项目列表 List projects")
def get_projects(_: CurrentActor, service: ServiceDep, page: PageQuery, request: Request, response: Response,
                 state: str | None = None, district: str | None = None, plan_year: Year | None = None,
                 status: str | None = None) -> list[dict[str, Any]]:
    """One page of projects (newest declaration first); `q` searches the community name, `status` = `state`."""
    with service.engine.connect() as conn:
        found = project_page(conn, page, district=district, state=state or status, plan_year=plan_year)
    return answer(found, request, response)


@router.get("/{project_id}", summary="项目详情 One project")
def get_one(project_id: str, _: CurrentActor, service: ServiceDep) -> dict[str, Any]:
    """A project with its notices, live ballot counts and review opinions."""
    with service.engine.connect() as conn:
        project = get_project(conn, project_id)
        if project is None:
            raise NotFound(f"项目 {project_id} 不存在")
        return project | {"notices": list_notices(conn, project_id=project_id),
                          "ballots": ballot_counts(conn, project_id), "reviews": reviews_of(conn, project_id)}


@router.put("/{project_id}/plan", summary="编制改造方案 Revise the plan")
def put_plan(project_id: str, body: RevisePlan, actor: Staff, service: ServiceDep, request: Request) -> PlanRevised:
    """Record a complete revision of the plan; funding must add up to the budget exactly."""
    revision = revise_plan(body, work(service, actor, request), project_id=project_id)
    return PlanRevised(project_id=project_id, revision=revision)


@router.post("/{project_id}/notice", status_code=status.HTTP_201_CREATED, summary="方案公示 Publish the notice")
def post_notice(project_id: str, body: PublishNotice, actor: Staff, service: ServiceDep, request: Request,
                intake: IntakeDep) -> NoticePublished:
    """Publish the plan for at least the configured working days on the official calendar."""
    notice_id = publish_plan_notice(body, work(service, actor, request), project_id=project_id, intake=intake)
    with service.engine.connect() as conn:
        notice = get_notice(conn, notice_id)
    return NoticePublished(notice_id=notice_id, start=notice["start"], end=notice["end"],
                           working_days=notice["working_days"])


@router.post("/{project_id}/vote", status_code=status.HTTP_201_CREATED, summary="开始投票 Open the vote")
def post_vote(project_id: str, actor: Staff, service: ServiceDep, request: Request, intake: IntakeDep) -> dict:
    """Open the residents' vote on the noticed plan."""
    open_vote(work(service, actor, request), project_id=project_id, intake=intake)
    return {"project_id": project_id, "vote": "open"}


@router.put("/{project_id}/vote/ballots/{household_id}", summary="投票 Cast a household's ballot")
def put_ballot(project_id: str, household_id: str, body: CastVote, actor: Speaker, service: ServiceDep,
               request: Request) -> dict[str, Any]:
    """One ballot per household; a later ballot replaces the earlier one."""
    cast_vote(body, work(service, actor, request), project_id=project_id, household_id=household_id)
    with service.engine.connect() as conn:
        return {"household_id": household_id, "ballots": ballot_counts(conn, project_id)}


@router.post("/{project_id}/vote/close", summary="结束投票 Close the vote")
def post_vote_close(project_id: str, actor: Staff, service: ServiceDep, request: Request,
                    intake: IntakeDep) -> VoteTally:
    """Close the vote; answers its tally against the configured quorum and majority."""
    return close_vote(work(service, actor, request), project_id=project_id, intake=intake)


@router.put("/{project_id}/reviews/{department}", summary="联合审查意见 Record a review opinion")
def put_review(project_id: str, department: Department, body: RecordReview, actor: Official,
               service: ServiceDep, request: Request, intake: IntakeDep) -> dict[str, str]:
    """Record a department's opinion in the joint review."""
    record_review(body, work(service, actor, request), project_id=project_id, department=department,
                  intake=intake)
    return {"project_id": project_id, "department": department.value, "opinion": body.opinion.value}


@router.post("/{project_id}/approval", summary="批准入库 Approve into the project library")
def post_approval(project_id: str, actor: Official, service: ServiceDep, request: Request,
                  intake: IntakeDep) -> dict[str, Any]:
    """Approve when consent, notice, vote and review all hold; 422 lists every gap otherwise."""
    approve_project(work(service, actor, request), project_id=project_id, intake=intake)
    with service.engine.connect() as conn:
        return get_project(conn, project_id) or {}


@router.post("/{project_id}/withdrawal", summary="撤回申报 Withdraw the project")
def post_withdrawal(project_id: str, body: Reason, actor: OfficialOrStreetOffice, service: ServiceDep,
                    request: Request) -> dict[str, str]:
    """Withdraw a project not yet approved; the community may declare again for that year."""
    withdraw_project(body, work(service, actor, request), project_id=project_id)
    return {"project_id": project_id, "status": "withdrawn"}


@router.post("/{project_id}/reopening", summary="重新打开方案 Reopen the plan")
def post_reopening(project_id: str, body: Reason, actor: OfficialOrStreetOffice, service: ServiceDep,
                   request: Request) -> dict[str, str]:
    """Reopen a noticed plan for changes; its notice, vote and reviews must be done again."""
    reopen_plan(body, work(service, actor, request), project_id=project_id)
    return {"project_id": project_id, "status": "drafting"}
