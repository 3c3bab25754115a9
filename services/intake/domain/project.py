"""The renovation project (改造项目): its plan, public notice, residents' vote, joint review, approval."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from services.intake.domain.approval import Approval, approval_checklist
from services.intake.domain.decision import Choice, VoteTally, count_ballots
from services.intake.domain.eligibility import RuleResult
from services.intake.domain.households import Channel
from services.intake.domain.notice import (
    NoticeBoard, NoticeEndRecomputed, NoticeWindow, Objection, WorkingDays, recomputed_window)
from services.intake.domain.plan import Plan
from services.intake.domain.rules import Rules
from shared.aggregate import Aggregate
from services.intake.domain.vocabulary import Department, Opinion
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class Status(StrEnum):
    """Where a project stands."""

    DRAFTING = "drafting"
    IN_NOTICE = "in_notice"
    NOTICED = "noticed"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


class Project(Aggregate):
    """One community's renovation for one plan year ("one community, one plan", `002`)."""

    stream_prefix = "project"

    class Opened(DomainEvent):
        """The file of a declared project was opened."""
        event_type = "intake.ProjectOpened"

        project_id: str
        community_id: str
        plan_year: int

    class PlanRevised(DomainEvent):
        """A complete revision of the plan was recorded."""
        event_type = "intake.PlanRevised"

        project_id: str
        revision: int
        plan: Plan

    class PlanNoticePublished(DomainEvent):
        """The plan was put on public notice for a window of working days."""
        event_type = "intake.PlanNoticePublished"

        project_id: str
        notice_id: str
        revision: int
        start: date
        end: date
        working_days: int
        end_provisional: bool = False

    class ObjectionRaised(DomainEvent):
        """Someone objected to the plan during its notice."""
        event_type = "intake.PlanObjectionRaised"

        project_id: str
        notice_id: str
        objection_id: str
        household_id: str | None = None
        text: str = Field(min_length=2, max_length=2000)
        raised_on: date

    class ObjectionAnswered(DomainEvent):
        """An objection to the plan was answered."""
        event_type = "intake.PlanObjectionAnswered"

        project_id: str
        notice_id: str
        objection_id: str
        answer: str = Field(min_length=2, max_length=2000)
        answered_on: date

    class PlanNoticeEnded(DomainEvent):
        """The plan's notice period is over."""
        event_type = "intake.PlanNoticeEnded"

        project_id: str
        notice_id: str
        end: date
        working_days: int
        objections: int
        objections_unanswered: int

    class VoteOpened(DomainEvent):
        """The residents' vote on the noticed plan was opened."""
        event_type = "intake.VoteOpened"

        project_id: str
        revision: int
        opened_on: date

    class VoteCast(DomainEvent):
        """A household cast its ballot; it replaces its earlier ballot."""
        event_type = "intake.VoteCast"

        project_id: str
        household_id: str
        choice: Choice
        channel: Channel

    class VoteClosed(DomainEvent):
        """The vote was closed with its tally."""
        event_type = "intake.VoteClosed"

        project_id: str
        closed_on: date
        tally: VoteTally

    class ReviewOpinionRecorded(DomainEvent):
        """A department gave its opinion in the joint review."""
        event_type = "intake.ReviewOpinionRecorded"

        project_id: str
        department: Department
        opinion: Opinion
        comments: str = Field(default="", max_length=2000)
        reviewed_on: date

    class PlanReopened(DomainEvent):
        """The plan was reopened for changes; its notice, vote and reviews no longer count."""
        event_type = "intake.PlanReopened"

        project_id: str
        reason: str = Field(min_length=2, max_length=500)

    class Withdrawn(DomainEvent):
        """The project was withdrawn before approval."""
        event_type = "intake.ProjectWithdrawn"

        project_id: str
        community_id: str
        reason: str = Field(min_length=2, max_length=500)

    class Approved(DomainEvent, Approval):
        """The project entered the project library (项目库): the event other services start from."""
        event_type = "intake.ProjectApproved"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.project_id = self.community_id = ""
        self.plan_year = 0
        self.status = Status.DRAFTING
        self.revision = 0
        self.plan: Plan | None = None
        self.notice: NoticeBoard | None = None
        self.vote_open = False
        self.ballots: dict[str, Choice] = {}
        self.tally: VoteTally | None = None
        self.opinions: dict[Department, Opinion] = {}

    @classmethod
    def open(cls, *, project_id: str, community_id: str, plan_year: int) -> Project:
        """Open the file of a declared project."""
        project = cls(cls.stream_for(project_id))
        project._record(cls.Opened(project_id=project_id, community_id=community_id, plan_year=plan_year))
        return project

    def revise_plan(self, plan: Plan) -> None:
        """Record a complete new revision of the plan; only while it is being drawn up."""
        self._require(Status.DRAFTING, "方案已进入公示，如需修改请先重新打开方案")
        self._record(self.PlanRevised(project_id=self.project_id, revision=self.revision + 1, plan=plan))

    def publish_notice(self, *, notice_id: str, window: NoticeWindow, elevator_failures: list[str]) -> None:
        """Put the current plan on public notice; the elevator rule must hold first."""
        self._require(Status.DRAFTING, "方案已在公示中或已公示")
        if self.plan is None:
            raise InvalidCommand("尚未编制改造方案，不能公示", code="plan_missing")
        if elevator_failures:
            raise InvalidCommand("加装电梯条件不满足：" + "；".join(elevator_failures), code="elevator_rule")
        self._record(self.PlanNoticePublished(project_id=self.project_id, notice_id=notice_id,
                                              revision=self.revision, **window.model_dump()))

    def raise_objection(self, *, objection_id: str, household_id: str | None, text: str, today: date) -> None:
        """Take an objection while the notice runs."""
        self._board().check_objection(objection_id=objection_id, today=today)
        self._record(self.ObjectionRaised(project_id=self.project_id, notice_id=self._board().notice_id,
                                          objection_id=objection_id, household_id=household_id,
                                          text=text, raised_on=today))

    def answer_objection(self, *, objection_id: str, answer: str, today: date) -> None:
        """Answer an objection (every objection gets one)."""
        self._board().check_answer(objection_id)
        self._record(self.ObjectionAnswered(project_id=self.project_id, notice_id=self._board().notice_id,
                                            objection_id=objection_id, answer=answer, answered_on=today))

    def end_notice(self, today: date) -> None:
        """Declare the notice ended once its last working day has passed."""
        board = self._board()
        board.check_end(today)
        self._record(self.PlanNoticeEnded(
            project_id=self.project_id, notice_id=board.notice_id, end=board.window.end,
            working_days=board.window.working_days, objections=len(board.objections),
            objections_unanswered=board.unanswered))

    def recompute_notice_end(self, calendar: WorkingDays, reason: str) -> bool:
        """Recompute a running notice's provisional end on the calendar as loaded; False if nothing moves."""
        board = self.notice
        if board is None or board.ended or (window := recomputed_window(calendar, board.window)) is None:
            return False
        self._record(NoticeEndRecomputed(project_id=self.project_id, notice_id=board.notice_id,
                                         previous_end=board.window.end, end=window.end,
                                         working_days=window.working_days, end_provisional=window.end_provisional,
                                         reason=reason))
        return True

    def open_vote(self, today: date) -> None:
        """Open the residents' vote on the noticed plan."""
        if self.status not in (Status.IN_NOTICE, Status.NOTICED):
            raise InvalidCommand("方案公示后方可组织居民投票", code="vote_before_notice")
        if self.vote_open or self.tally is not None:
            raise InvalidCommand("本方案的投票已经开始或已经结束", code="vote_exists")
        self._record(self.VoteOpened(project_id=self.project_id, revision=self.revision, opened_on=today))

    def cast_vote(self, *, household_id: str, choice: Choice, channel: Channel) -> None:
        """Record a household's ballot; a later ballot of the same household replaces it."""
        if not self.vote_open:
            raise InvalidCommand("投票未开放", code="vote_not_open")
        self._record(self.VoteCast(project_id=self.project_id, household_id=household_id,
                                   choice=choice, channel=channel))

    def close_vote(self, *, households: list[str], rules: Rules, today: date) -> VoteTally:
        """Close the vote with its tally."""
        if not self.vote_open:
            raise InvalidCommand("投票未开放", code="vote_not_open")
        tally = count_ballots(self.ballots, households, rules)
        self._record(self.VoteClosed(project_id=self.project_id, closed_on=today, tally=tally))
        return tally

    def record_review(self, *, department: Department, opinion: Opinion, comments: str,
                      rules: Rules, today: date) -> None:
        """Record a department's opinion in the joint review; a later one replaces it."""
        self._require(Status.NOTICED, "方案公示期满后方可联合审查")
        if department not in rules.review_departments:
            raise InvalidCommand(f"{department} 不是联合审查的部门", code="department_unknown")
        if opinion != Opinion.APPROVE and len(comments.strip()) < 2:
            raise InvalidCommand("附条件同意或不同意须写明意见", code="review_comments_missing")
        self._record(self.ReviewOpinionRecorded(project_id=self.project_id, department=department,
                                                opinion=opinion, comments=comments, reviewed_on=today))

    def approve(self, approval: Approval | None, *, preconditions: list[RuleResult], rules: Rules) -> None:
        """Approve into the project library, only when consent, notice, vote and review all hold.

        `preconditions` are the community's side: eligibility (consent included) and the elevator rule.
        """
        if self.status in (Status.APPROVED, Status.WITHDRAWN):
            raise InvalidCommand("项目已批准或已撤回", code="project_closed")
        gaps = [f"{r.title}（{r.figures}）" for r in preconditions + approval_checklist(self, rules)
                if not r.passed]
        if gaps or approval is None:
            raise InvalidCommand("尚不能批准：" + "；".join(gaps), code="approval_conditions",
                                 details={"gaps": gaps})
        self._record(self.Approved(**approval.model_dump()))

    def reopen_plan(self, reason: str) -> None:
        """Reopen the plan for changes; its notice, vote and reviews no longer count."""
        if self.status not in (Status.IN_NOTICE, Status.NOTICED):
            raise InvalidCommand("只有公示中或已公示的方案可以重新打开", code="plan_not_in_notice")
        if self._board().unanswered:
            # Every objection gets an answer, even when the plan is changed because of it.
            raise InvalidCommand(f"尚有 {self._board().unanswered} 条异议未答复，请先答复再重新打开方案",
                                 code="objections_unanswered")
        self._record(self.PlanReopened(project_id=self.project_id, reason=reason))

    def withdraw(self, reason: str) -> None:
        """Withdraw the declaration; the community may declare again."""
        if self.status in (Status.APPROVED, Status.WITHDRAWN):
            raise InvalidCommand("项目已批准或已撤回，不能撤回", code="project_closed")
        self._record(self.Withdrawn(project_id=self.project_id, community_id=self.community_id,
                                    reason=reason))

    def _board(self) -> NoticeBoard:
        if self.notice is None:
            raise InvalidCommand("方案尚未公示", code="notice_missing")
        return self.notice

    def _require(self, status: Status, message: str) -> None:
        if self.status in (Status.APPROVED, Status.WITHDRAWN):
            raise InvalidCommand("项目已批准或已撤回，不能再变更", code="project_closed")
        if self.status != status:
            raise InvalidCommand(message, code="project_status", details={"status": self.status.value})

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Project.Opened():
                self.project_id, self.community_id = event.project_id, event.community_id
                self.plan_year = event.plan_year
            case Project.PlanRevised(revision=revision, plan=plan):
                self.revision, self.plan = revision, plan
            case Project.PlanNoticePublished():
                window = NoticeWindow(start=event.start, end=event.end, working_days=event.working_days,
                                      end_provisional=event.end_provisional)
                self.notice, self.status = NoticeBoard(event.notice_id, window), Status.IN_NOTICE
            case NoticeEndRecomputed():
                self._board().window = self._board().window.model_copy(update=event.model_dump(
                    include={"end", "working_days", "end_provisional"}))
            case Project.ObjectionRaised():
                self._board().raised(Objection(**event.model_dump(exclude={"project_id", "notice_id"})))
            case Project.ObjectionAnswered():
                self._board().answered(event.objection_id, event.answer, event.answered_on)
            case Project.PlanNoticeEnded():
                self._board().ended, self.status = True, Status.NOTICED
            case _:
                self._apply_decision(event)

    def _apply_decision(self, event: DomainEvent) -> None:
        match event:
            case Project.VoteOpened():
                self.vote_open, self.ballots, self.tally = True, {}, None
            case Project.VoteCast(household_id=household_id, choice=choice):
                self.ballots[household_id] = choice
            case Project.VoteClosed(tally=tally):
                self.vote_open, self.tally = False, tally
            case Project.ReviewOpinionRecorded(department=department, opinion=opinion):
                self.opinions[department] = opinion
            case Project.PlanReopened():
                self.status, self.notice, self.vote_open = Status.DRAFTING, None, False
                self.ballots, self.tally, self.opinions = {}, None, {}
            case Project.Withdrawn():
                self.status, self.vote_open = Status.WITHDRAWN, False
            case Project.Approved():
                self.status = Status.APPROVED
