"""JSON API for communities: registration, survey, eligibility, declaration of a project."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from services.intake.adapters.community import get_assessment, get_community, get_survey, refusals
from services.intake.adapters.household import consent_tally
from services.intake.adapters.listing import community_page
from services.intake.adapters.project import list_projects
from services.intake.api.deps import Assessor, IntakeDep, Registrar, Staff, work
from services.intake.application.community import (
    RegisterCommunity,
    SurveyCommunity,
    register_community,
    survey_community,
)
from services.intake.application.eligibility import assess_eligibility, eligibility_now
from services.intake.application.project import DeclareProject, declare_project
from services.intake.domain.eligibility import RuleResult
from shared.auth import CurrentActor
from shared.errors import NotFound
from shared.paging import PageQuery, answer
from shared.service import ServiceDep

router = APIRouter(prefix="/api/communities", tags=["communities 小区"])


class CommunityRegistered(BaseModel):
    """The answer to a registration."""

    community_id: str


class CommunityRead(BaseModel):
    """A registered community as the read model holds it."""

    community_id: str
    name: str
    district: str
    street_office: str
    residents_committee: str
    address: str
    built_year: int
    built_month: int | None
    building_count: int
    household_count: int
    floor_area_m2: float
    latitude: float
    longitude: float
    geofence_radius_m: int
    registered_at: str
    registered_by: str


class CommunityListed(CommunityRead):
    """A community in the register list, with its state: registered, surveyed, eligible or ineligible."""

    state: str
    eligible: bool | None = None
    surveyed_households: int | None = None


class CommunityDetail(CommunityRead):
    """A community with its survey, live consent tally, latest assessment and projects."""

    survey: dict[str, Any] | None
    consent: dict[str, int]
    assessment: dict[str, Any] | None
    projects: list[dict[str, Any]]
    refused_declarations: list[dict[str, Any]]


class EligibilityRead(BaseModel):
    """Every rule with its figures; `eligible` only when all hold."""

    community_id: str
    eligible: bool
    rules: list[RuleResult]
    recorded: bool


class ProjectDeclared(BaseModel):
    """The answer to a declaration."""

    project_id: str


@router.post("", status_code=status.HTTP_201_CREATED, summary="登记小区 Register a community")
def post_community(body: RegisterCommunity, actor: Registrar, service: ServiceDep, request: Request,
                   intake: IntakeDep) -> CommunityRegistered:
    """Register a community (optionally with its survey); answers its id."""
    community_id = register_community(body, work(service, actor, request), today=intake.today())
    return CommunityRegistered(community_id=community_id)


@router.get("", summary="小区列表 List communities")
def get_communities(_: CurrentActor, service: ServiceDep, page: PageQuery, request: Request, response: Response,
                    district: str | None = None,
                    state: Literal["registered", "surveyed", "eligible", "ineligible"] | None = None,
                    ) -> list[CommunityListed]:
    """One page of the register (newest first): `q` searches the name; the total is in X-Total-Count."""
    with service.engine.connect() as conn:
        found = community_page(conn, page, district=district, state=state)
    return [CommunityListed(**row) for row in answer(found, request, response)]


@router.get("/{community_id}", summary="小区详情 One community")
def get_one(community_id: str, _: CurrentActor, service: ServiceDep) -> CommunityDetail:
    """One registered community with its survey, consent, assessment and projects."""
    with service.engine.connect() as conn:
        row = get_community(conn, community_id)
        if row is None:
            raise NotFound(f"小区 {community_id} 不存在")
        return CommunityDetail(
            **row, survey=get_survey(conn, community_id), consent=consent_tally(conn, community_id),
            assessment=get_assessment(conn, community_id),
            projects=list_projects(conn, community_id=community_id),
            refused_declarations=refusals(conn, community_id))


@router.put("/{community_id}/survey", summary="摸底调查 Record the survey")
def put_survey(community_id: str, body: SurveyCommunity, actor: Staff, service: ServiceDep,
               request: Request, intake: IntakeDep) -> CommunityRegistered:
    """Record or correct the survey: land, structure, management, fee rate, facilities, buildings."""
    survey_community(body, work(service, actor, request), community_id=community_id, today=intake.today())
    return CommunityRegistered(community_id=community_id)


@router.get("/{community_id}/eligibility", summary="资格评估（实时）Eligibility as it stands")
def get_eligibility(community_id: str, _: CurrentActor, service: ServiceDep, intake: IntakeDep) -> EligibilityRead:
    """Every rule with its figures as the community stands now; nothing is recorded."""
    results, _consent = eligibility_now(service.engine, community_id=community_id, rules=intake.rules)
    return EligibilityRead(community_id=community_id, eligible=all(r.passed for r in results),
                           rules=results, recorded=False)


@router.post("/{community_id}/eligibility", summary="记录资格评估 Record an assessment")
def post_eligibility(community_id: str, actor: Assessor, service: ServiceDep, request: Request,
                     intake: IntakeDep) -> EligibilityRead:
    """Assess against every rule and record it; a refused community sees exactly why."""
    results = assess_eligibility(work(service, actor, request), community_id=community_id,
                                 rules=intake.rules, today=intake.today())
    return EligibilityRead(community_id=community_id, eligible=all(r.passed for r in results),
                           rules=results, recorded=True)


@router.post("/{community_id}/projects", status_code=status.HTTP_201_CREATED,
             summary="申报改造项目 Declare a project")
def post_project(community_id: str, body: DeclareProject, actor: Staff, service: ServiceDep,
                 request: Request, intake: IntakeDep) -> ProjectDeclared:
    """Declare a project for a plan year; a duplicate is refused (422) and the refusal recorded."""
    project_id = declare_project(body, work(service, actor, request), community_id=community_id,
                                 today=intake.today())
    return ProjectDeclared(project_id=project_id)
