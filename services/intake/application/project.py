"""Commands on projects: declaration (with the duplicate rule), the plan, withdrawal, reopening."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.intake.application.guard import validated
from services.intake.domain.community import Community
from services.intake.domain.plan import Funding, Parties, Plan
from services.intake.domain.project import Project
from services.intake.domain.vocabulary import AfterCare
from shared.envelope import new_event_id
from shared.errors import InvalidCommand
from shared.unit_of_work import UnitOfWork
from shared.text import FreeText, LineText


class DeclareProject(BaseModel):
    """Declare a renovation project of a community for a plan year (申报)."""

    model_config = ConfigDict(extra="forbid")

    plan_year: int = Field(ge=2000, le=2100, description="计划年度")


class ItemInput(BaseModel):
    """One item of the plan as entered; the category follows from the kind."""

    model_config = ConfigDict(extra="forbid")

    item_id: LineText | None = Field(max_length=100, default=None, description="不填则自动编号")
    kind: LineText = Field(max_length=100, description="改造内容代码，如 roof_waterproofing")
    name: LineText | None = Field(default=None, max_length=100)
    category: LineText | None = Field(max_length=100, default=None, description="可不填：按改造内容自动分类")
    quantity: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    unit: LineText | None = Field(default=None, max_length=10)
    budget_fen: int = Field(gt=0, description="预算（分）")
    building: LineText | None = Field(default=None, max_length=100)
    appraisal_grade: LineText | None = Field(default=None, max_length=100)
    appraisal_report: FreeText | None = Field(default=None, max_length=2000)


class RevisePlan(BaseModel):
    """A complete revision of the plan (every save is the whole document)."""

    model_config = ConfigDict(extra="forbid")

    summary: FreeText = Field(max_length=2000)
    items: list[ItemInput] = Field(min_length=1, max_length=200)
    funding: list[Funding]
    after_care: AfterCare
    parties: Parties

    def to_plan(self) -> Plan:
        """The domain plan, with every item numbered and classified."""
        items = [{k: v for k, v in item.model_dump().items() if v is not None}
                 | {"item_id": item.item_id or f"item-{n}"} for n, item in enumerate(self.items, start=1)]
        return validated(lambda: Plan(summary=self.summary, items=items, funding=self.funding,
                                      after_care=self.after_care, parties=self.parties), code="plan_invalid")


class Reason(BaseModel):
    """Why a project is withdrawn or its plan reopened."""

    model_config = ConfigDict(extra="forbid")

    reason: FreeText = Field(min_length=2, max_length=500)


def declare_project(command: DeclareProject, uow: UnitOfWork, *, community_id: str, today: date) -> str:
    """Declare a project; a second live one for the same year is refused, and the refusal recorded."""
    if not today.year <= command.plan_year <= today.year + 2:
        raise InvalidCommand(f"计划年度应为 {today.year}–{today.year + 2} 年", code="plan_year_out_of_range")
    project_id = str(new_event_id())
    with uow:
        community = uow.get(Community, Community.stream_for(community_id), missing=f"小区 {community_id} 不存在")
        outcome = community.declare_project(project_id=project_id, plan_year=command.plan_year)
        refused = isinstance(outcome, Community.DuplicateDeclarationRefused)
        uow.save(community, project_id=community_id if refused else project_id)
        if not refused:
            project = Project.open(project_id=project_id, community_id=community_id, plan_year=command.plan_year)
            uow.save(project, project_id=project_id)
        uow.commit()
    if refused:
        raise InvalidCommand(outcome.reason, code="duplicate_declaration",
                             details={"existing_project_id": outcome.existing_project_id})
    return project_id


def load_project(uow, project_id: str) -> Project:
    """The project, or NotFound in zh-CN."""
    return uow.get(Project, Project.stream_for(project_id), missing=f"项目 {project_id} 不存在")


def load_community(uow, community_id: str) -> Community:
    """The community, or NotFound in zh-CN."""
    return uow.get(Community, Community.stream_for(community_id), missing=f"小区 {community_id} 不存在")


def revise_plan(command: RevisePlan, uow: UnitOfWork, *, project_id: str) -> int:
    """Record a new revision of the plan; answers its revision number."""
    plan = command.to_plan()
    with uow:
        project = load_project(uow, project_id)
        survey = load_community(uow, project.community_id).require_survey()
        try:
            plan.check_buildings(survey)
        except ValueError as error:
            raise InvalidCommand(str(error), code="plan_building_unknown") from None
        project.revise_plan(plan)
        uow.save(project, project_id=project_id)
        uow.commit()
    return project.revision


def withdraw_project(command: Reason, uow: UnitOfWork, *, project_id: str) -> None:
    """Withdraw a project; its plan year becomes free for the community again."""
    with uow:
        project = load_project(uow, project_id)
        community = load_community(uow, project.community_id)
        project.withdraw(command.reason)
        community.withdraw_declaration(project_id=project_id, reason=command.reason)
        uow.save(project, project_id=project_id)
        uow.save(community, project_id=project_id)
        uow.commit()


def reopen_plan(command: Reason, uow: UnitOfWork, *, project_id: str) -> None:
    """Reopen a noticed plan for changes; notice, vote and reviews must then be done again."""
    with uow:
        project = load_project(uow, project_id)
        project.reopen_plan(command.reason)
        uow.save(project, project_id=project_id)
        uow.commit()
