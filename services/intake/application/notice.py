"""Public notices: publishing the plan's, objections and answers on any notice, ending them on time."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.intake.adapters.notice import notice_owner
from services.intake.application.context import Intake
from services.intake.application.households import load
from services.intake.application.project import load_project
from services.intake.domain.design_change import DesignChangeNotice
from services.intake.domain.notice import WorkingDays, open_window
from services.intake.domain.plan import elevator_checks
from services.intake.domain.project import Project
from shared.actor import Role
from shared.aggregate import Aggregate
from shared.envelope import new_event_id
from shared.errors import InvalidCommand, NotFound
from shared.unit_of_work import UnitOfWork
from shared.text import FreeText, LineText


class PublishNotice(BaseModel):
    """Put the plan on public notice from `start` for at least the configured working days."""

    model_config = ConfigDict(extra="forbid")

    start: date = Field(description="公示开始日期")
    working_days: int | None = Field(default=None, ge=1, le=60, description="不填则为规定的最少工作日数")


class RaiseObjection(BaseModel):
    """An objection to a notice; a resident names the household they speak for."""

    model_config = ConfigDict(extra="forbid")

    text: FreeText = Field(min_length=2, max_length=2000)
    household_id: LineText | None = Field(default=None, max_length=40)


class AnswerObjection(BaseModel):
    """The answer to an objection."""

    model_config = ConfigDict(extra="forbid")

    answer: FreeText = Field(min_length=2, max_length=2000)


def publish_plan_notice(command: PublishNotice, uow: UnitOfWork, *, project_id: str, intake: Intake) -> str:
    """Publish the plan's notice; the elevator rule of every elevator item must hold."""
    rules, notice_id = intake.rules, str(new_event_id())
    window = open_window(intake.calendar, start=command.start, today=intake.today(),
                         working_days=command.working_days or rules.notice_working_days,
                         minimum=rules.notice_working_days)
    with uow:
        project = load_project(uow, project_id)
        community, roll = load(uow, project.community_id)
        survey = community.require_survey()
        failures = []
        if project.plan is not None:
            tallies = {b.building: roll.elevator_tally(survey, b.building) for b in survey.buildings}
            failures = [f"{r.title}（{r.figures}）"
                        for r in elevator_checks(project.plan, tallies=tallies, rules=rules) if not r.passed]
        project.publish_notice(notice_id=notice_id, window=window, elevator_failures=failures)
        uow.save(project, project_id=project_id)
        uow.commit()
    return notice_id


def _owner(uow: UnitOfWork, notice_id: str) -> tuple[Aggregate, str]:
    """The aggregate running a notice (a project or a design change) and its project id."""
    owner = notice_owner(uow.conn, notice_id)
    if owner is None:
        raise NotFound(f"公示 {notice_id} 不存在")
    kind, project_id, change_id = owner
    if kind == "plan":
        return load_project(uow, project_id), project_id
    return uow.get(DesignChangeNotice, DesignChangeNotice.stream_for(change_id),
                   missing=f"设计变更公示 {notice_id} 不存在"), project_id


def raise_objection(command: RaiseObjection, uow: UnitOfWork, *, notice_id: str, today: date) -> str:
    """Take an objection during a notice; a resident speaks only for a linked household."""
    objection_id = str(new_event_id())
    with uow:
        owner, project_id = _owner(uow, notice_id)
        resident = uow.actor.role == Role.RESIDENT
        if resident or command.household_id:
            _check_household(uow, project_id, command.household_id, resident=resident)
        owner.raise_objection(objection_id=objection_id, household_id=command.household_id,
                              text=command.text, today=today)
        uow.save(owner, project_id=project_id)
        uow.commit()
    return objection_id


def _check_household(uow: UnitOfWork, project_id: str, household_id: str | None, *, resident: bool) -> None:
    if household_id is None:
        raise InvalidCommand("请填写您所代表的户号（楼号-单元号-户号）", code="household_missing")
    community, roll = load(uow, load_project(uow, project_id).community_id)
    if community.require_survey().building_of(household_id) is None:
        raise InvalidCommand(f"户号 {household_id} 不在本小区户册中", code="household_unknown")
    roll.ensure_may_speak(household_id=household_id, account_id=uow.actor.id, resident=resident)


def answer_objection(command: AnswerObjection, uow: UnitOfWork, *, notice_id: str, objection_id: str,
                     today: date) -> None:
    """Answer an objection of a notice."""
    with uow:
        owner, project_id = _owner(uow, notice_id)
        owner.answer_objection(objection_id=objection_id, answer=command.answer, today=today)
        uow.save(owner, project_id=project_id)
        uow.commit()


def close_notice(uow: UnitOfWork, *, notice_id: str, today: date) -> None:
    """Staff close a notice whose period is over; refused with the reason while it runs or its end is provisional."""
    with uow:
        owner, project_id = _owner(uow, notice_id)
        if isinstance(owner, Project):
            if owner.notice is None or owner.notice.notice_id != notice_id:
                raise InvalidCommand("该公示已被新版方案的公示取代", code="notice_superseded")
            owner.end_notice(today)
        else:
            owner.end(today)
        uow.save(owner, project_id=project_id)
        uow.commit()


def end_notice(uow: UnitOfWork, *, notice_id: str, today: date) -> bool:
    """End a notice whose period is over; False if it had already ended (a repeated tick)."""
    with uow:
        owner, project_id = _owner(uow, notice_id)
        board = owner.notice if isinstance(owner, Project) else owner.board
        if board is None or board.notice_id != notice_id or not board.due(today):
            return False
        if isinstance(owner, Project):
            owner.end_notice(today)
        else:
            owner.end(today)
        uow.save(owner, project_id=project_id)
        uow.commit()
    return True


def recompute_notice_end(uow: UnitOfWork, *, notice_id: str, calendar: WorkingDays, reason: str) -> bool:
    """Recompute a running notice's provisional end on the calendar as now loaded; False if it stays."""
    with uow:
        owner, project_id = _owner(uow, notice_id)
        board = owner.notice if isinstance(owner, Project) else owner.board
        if board is None or board.notice_id != notice_id:
            return False
        moved = (owner.recompute_notice_end(calendar, reason) if isinstance(owner, Project)
                 else owner.recompute_end(calendar, reason))
        if moved:
            uow.save(owner, project_id=project_id)
            uow.commit()
    return moved
