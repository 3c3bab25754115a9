"""Commands on the residents' evaluation: open it over intake's households, record voices, close it."""

from __future__ import annotations

from typing import Literal

from services.acceptance.adapters import queries
from services.acceptance.application.context import AcceptanceContext
from services.acceptance.domain.evaluation import Evaluation
from shared.actor import Role
from shared.errors import Forbidden, InvalidCommand
from shared.unit_of_work import UnitOfWork

STAFF = (Role.COMMUNITY, Role.STREET_OFFICE, Role.OFFICIAL)


def _evaluation(uow: UnitOfWork, project_id: str) -> Evaluation:
    return uow.get(Evaluation, Evaluation.stream_for(project_id), missing="民意验收尚未开始")


def open_evaluation(uow: UnitOfWork, ctx: AcceptanceContext, *, project_id: str) -> None:
    """Open the evaluation (or a new round after a failed one)."""
    file = queries.file_row(uow.conn, project_id)
    existing = uow.find(Evaluation, Evaluation.stream_for(project_id))
    if existing is not None:
        if existing.closed is None:
            raise InvalidCommand("民意验收正在进行中", code="evaluation_open")
        existing.reopen(today=ctx.today())
        uow.save(existing, project_id=project_id)
        return
    s = ctx.settings
    evaluation = Evaluation.open(project_id=project_id, households=file["households"],
                                 satisfied_score=s.satisfied_score, pass_level=s.evaluation_pass_level,
                                 min_participation=s.evaluation_min_participation, today=ctx.today())
    uow.save(evaluation, project_id=project_id)


def record_voice(uow: UnitOfWork, *, project_id: str, household_id: str, score: int, comments: str,
                 channel: Literal["online", "paper_form"]) -> None:
    """One household's voice: online by its linked account, or a paper form entered by staff."""
    evaluation = _evaluation(uow, project_id)
    actor = uow.actor
    if channel == "online":
        if actor.role != Role.RESIDENT:
            raise Forbidden("网上评价只能由住户本人提交；纸质评价表请选择“纸质表录入”", code="online_by_resident")
        community = queries.file_row(uow.conn, project_id)["community_id"]
        if household_id not in queries.linked_households(uow.conn, community, actor.id):
            raise Forbidden(f"账号“{actor.id}”未在项目受理中绑定住户“{household_id}”，不能代其评价",
                            code="household_not_linked", details={"household_id": household_id})
    elif actor.role not in STAFF:
        raise Forbidden("纸质评价表只能由社区、街道或住建部门工作人员录入", code="paper_by_staff")
    evaluation.record(household_id=household_id, score=score, comments=comments, channel=channel)
    uow.save(evaluation, project_id=project_id)


def close_evaluation(uow: UnitOfWork, ctx: AcceptanceContext, *, project_id: str) -> dict:
    """End the evaluation; a failed one raises a rectification item with its figures."""
    evaluation = _evaluation(uow, project_id)
    tally = evaluation.close(today=ctx.today())
    uow.save(evaluation, project_id=project_id)
    return tally
