"""Pages where the plan is decided: its public notice with objections, the vote, the joint review."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.adapters.household import households_of_account
from services.intake.adapters.listing import districts, notice_page as notice_list
from services.intake.adapters.notice import get_notice, objections_of
from services.intake.adapters.project import get_project
from services.intake.api.deps import IntakeDep, Objector, Official, Speaker, Staff, work
from services.intake.api.forms import FormFields, attempt, back, may
from services.intake.api.pages_project import STAFF, overview, project_base, project_page
from services.intake.application.decision import CastVote, RecordReview, cast_vote, close_vote, open_vote, record_review
from services.intake.application.notice import (
    AnswerObjection,
    PublishNotice,
    RaiseObjection,
    answer_objection,
    publish_plan_notice,
    raise_objection,
)
from services.intake.domain import vocabulary as v
from shared.actor import Role
from shared.auth import CurrentActor
from shared.errors import Forbidden, NotFound
from shared.paging import PageQuery
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


@router.get("/notices", response_class=HTMLResponse)
def notices(request: Request, service: ServiceDep, _: CurrentActor, page: PageQuery,
            district: str | None = None, state: str | None = None) -> HTMLResponse:
    """One page of public notices (the plans' and the design changes'), searched by title."""
    filters = {"district": district or None, "state": state or None}
    with service.engine.connect() as conn:
        rows = notice_list(conn, page, **filters)
        options = [(d, d) for d in districts(conn)]
    return request.app.state.templates.render(request, "intake/notices.html", {
        "page_title": "公示", "notices": rows, "req": page, "filters": filters, "districts": options})


def notice_page(request: Request, service, intake, actor, notice_id: str, **extra) -> HTMLResponse:
    """A notice with its window, every objection and its answer, and the forms of who may use them."""
    with service.engine.connect() as conn:
        notice = get_notice(conn, notice_id)
        if notice is None:
            raise NotFound(f"公示 {notice_id} 不存在")
        project = get_project(conn, notice["project_id"])
        mine = [h["household_id"] for h in households_of_account(conn, actor.id)
                if project and h["community_id"] == project["community_id"]]
        context = {"n": notice, "objections": objections_of(conn, notice_id), "p": project, "mine": mine,
                   "today": intake.today().isoformat(), "can_answer": may(actor, *STAFF),
                   "can_object": may(actor, Role.RESIDENT, Role.OWNERS_COMMITTEE, *STAFF)}
    context |= {"errors": extra.get("errors", []), "form": extra.get("form", {}),
                "done": request.query_params.get("done"), "page_title": notice["title"],
                "crumbs": [("/notices", "公示")]}
    return request.app.state.templates.render(request, "intake/notice.html", context,
                                              status_code=422 if extra.get("errors") else 200)


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_view(notice_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                actor: CurrentActor) -> HTMLResponse:
    """One notice."""
    return notice_page(request, service, intake, actor, notice_id)


@router.post("/notices/{notice_id}/objections", response_class=HTMLResponse)
def object_to(notice_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                    actor: Objector, form: FormFields) -> HTMLResponse:
    """Raise an objection during the notice."""
    _, errors = attempt(lambda: raise_objection(RaiseObjection.model_validate(form), work(service, actor, request),
                                                notice_id=notice_id, today=intake.today()))
    if errors:
        return notice_page(request, service, intake, actor, notice_id, errors=errors, form=form)
    return back(f"/notices/{notice_id}", "objection")


@router.post("/notices/{notice_id}/objections/{objection_id}/answer", response_class=HTMLResponse)
def answer(notice_id: str, objection_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                 actor: Staff, form: FormFields) -> HTMLResponse:
    """Answer an objection."""
    _, errors = attempt(lambda: answer_objection(AnswerObjection.model_validate(form), work(service, actor, request),
                                                 notice_id=notice_id, objection_id=objection_id,
                                                 today=intake.today()))
    if errors:
        return notice_page(request, service, intake, actor, notice_id, errors=errors, form=form)
    return back(f"/notices/{notice_id}", "replied")


@router.post("/projects/{project_id}/notice", response_class=HTMLResponse)
def publish(project_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                  actor: Staff, form: FormFields) -> HTMLResponse:
    """Publish the plan's notice from the project page."""
    notice_id, errors = attempt(lambda: publish_plan_notice(
        PublishNotice.model_validate(form), work(service, actor, request), project_id=project_id, intake=intake))
    if errors:
        return overview(request, service, intake, actor, project_id, errors=errors, form=form)
    return back(f"/notices/{notice_id}", "published")


def decision_page(request: Request, service, intake, actor, project_id: str, template: str, **extra) -> HTMLResponse:
    """The vote or reviews page of a project."""
    context = project_base(service, project_id)
    with service.engine.connect() as conn:
        mine = [h["household_id"] for h in households_of_account(conn, actor.id)
                if h["community_id"] == context["p"]["community_id"]]
    context |= {"mine": mine, "staff": may(actor, *STAFF), "official": may(actor, Role.OFFICIAL),
                "departments": intake.rules.review_departments, "tomorrow": intake.today() + timedelta(days=1)}
    return project_page(request, template, context, **extra)


@router.get("/projects/{project_id}/vote", response_class=HTMLResponse)
def vote_view(project_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
              actor: CurrentActor) -> HTMLResponse:
    """The residents' vote: live counts, ballots, opening and closing."""
    return decision_page(request, service, intake, actor, project_id, "intake/vote.html")


@router.post("/projects/{project_id}/vote/{action}", response_class=HTMLResponse)
def vote_action(project_id: str, action: str, request: Request, service: ServiceDep, intake: IntakeDep,
                actor: Speaker, form: FormFields) -> HTMLResponse:
    """Open or close the vote (staff), or cast a household's ballot."""
    uow = work(service, actor, request)
    runs = {"open": lambda: open_vote(uow, project_id=project_id, intake=intake),
            "close": lambda: close_vote(uow, project_id=project_id, intake=intake),
            "cast": lambda: cast_vote(CastVote.model_validate({k: form[k] for k in ("choice", "channel") if k in form}),
                                      uow, project_id=project_id, household_id=form.get("household_id", ""))}
    if action not in runs:
        raise NotFound("页面不存在")
    if action != "cast" and not may(actor, *STAFF):
        raise Forbidden("只有工作人员可以开始或结束投票")
    confirmed = action != "close" or "confirm" in form
    _, errors = attempt(runs[action]) if confirmed else (None, ["请勾选确认后再结束投票"])
    if errors:
        return decision_page(request, service, intake, actor, project_id, "intake/vote.html", errors=errors, form=form)
    return back(f"/projects/{project_id}/vote", "vote")


@router.get("/projects/{project_id}/reviews", response_class=HTMLResponse)
def reviews_view(project_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                 actor: CurrentActor) -> HTMLResponse:
    """The joint review: each department's opinion."""
    return decision_page(request, service, intake, actor, project_id, "intake/reviews.html")


@router.post("/projects/{project_id}/reviews", response_class=HTMLResponse)
def review(project_id: str, request: Request, service: ServiceDep, intake: IntakeDep,
                 actor: Official, form: FormFields) -> HTMLResponse:
    """Record a department's opinion."""
    _, errors = attempt(lambda: record_review(
        RecordReview.model_validate({k: form.get(k, "") for k in ("opinion", "comments")}),
        work(service, actor, request), project_id=project_id, department=v.Department(form.get("department")),
        intake=intake))
    if errors:
        return decision_page(request, service, intake, actor, project_id, "intake/reviews.html", errors=errors,
                             form=form)
    return back(f"/projects/{project_id}/reviews", "review")
