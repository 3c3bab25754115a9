"""Public notice of a design change (`000` part 3 五(二)2, `002` 三(五)): asked by construction.

Changes to major content or investment are noticed in the community before they take
effect; intake runs the notice with the same mechanism as the plan's and says when it ended.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from services.intake.domain.notice import (
    NoticeBoard, NoticeEndRecomputed, NoticeWindow, Objection, WorkingDays, recomputed_window)
from shared.aggregate import Aggregate
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class DesignChangeNotice(Aggregate):
    """The notice of one design change of a project, keyed by construction's change id."""

    stream_prefix = "design-change"

    class Published(DomainEvent):
        """A design change was put on public notice in the community."""
        event_type = "intake.DesignChangeNoticePublished"

        project_id: str
        change_id: str
        notice_id: str
        start: date
        end: date
        working_days: int
        end_provisional: bool = False
        title: str
        description: str
        cost_delta_fen: int
        requested_working_days: int

    class ObjectionRaised(DomainEvent):
        """Someone objected to a design change during its notice."""
        event_type = "intake.DesignChangeObjectionRaised"

        project_id: str
        change_id: str
        notice_id: str
        objection_id: str
        household_id: str | None = None
        text: str = Field(min_length=2, max_length=2000)
        raised_on: date

    class ObjectionAnswered(DomainEvent):
        """An objection to a design change was answered."""
        event_type = "intake.DesignChangeObjectionAnswered"

        project_id: str
        change_id: str
        notice_id: str
        objection_id: str
        answer: str = Field(min_length=2, max_length=2000)
        answered_on: date

    class Ended(DomainEvent):
        """A design change's notice period is over."""
        event_type = "intake.DesignChangeNoticeEnded"

        project_id: str
        change_id: str
        notice_id: str
        end: date
        working_days: int
        objections: int
        objections_unanswered: int

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.project_id = self.change_id = ""
        self.board: NoticeBoard | None = None

    @classmethod
    def publish(cls, *, project_id: str, change_id: str, notice_id: str, window: NoticeWindow,
                title: str, description: str, cost_delta_fen: int,
                requested_working_days: int) -> DesignChangeNotice:
        """Publish the notice of a design change."""
        notice = cls(cls.stream_for(change_id))
        notice._record(cls.Published(
            project_id=project_id, change_id=change_id, notice_id=notice_id, **window.model_dump(),
            title=title, description=description, cost_delta_fen=cost_delta_fen,
            requested_working_days=requested_working_days))
        return notice

    def raise_objection(self, *, objection_id: str, household_id: str | None, text: str, today: date) -> None:
        """Take an objection while the notice runs."""
        board = self._board()
        board.check_objection(objection_id=objection_id, today=today)
        self._record(self.ObjectionRaised(project_id=self.project_id, change_id=self.change_id,
                                          notice_id=board.notice_id, objection_id=objection_id,
                                          household_id=household_id, text=text, raised_on=today))

    def answer_objection(self, *, objection_id: str, answer: str, today: date) -> None:
        """Answer an objection."""
        board = self._board()
        board.check_answer(objection_id)
        self._record(self.ObjectionAnswered(project_id=self.project_id, change_id=self.change_id,
                                            notice_id=board.notice_id, objection_id=objection_id,
                                            answer=answer, answered_on=today))

    def end(self, today: date) -> None:
        """Report that the notice period is over."""
        board = self._board()
        board.check_end(today)
        self._record(self.Ended(project_id=self.project_id, change_id=self.change_id,
                                notice_id=board.notice_id, end=board.window.end,
                                working_days=board.window.working_days,
                                objections=len(board.objections), objections_unanswered=board.unanswered))

    def recompute_end(self, calendar: WorkingDays, reason: str) -> bool:
        """Recompute a running notice's provisional end on the calendar as loaded; False if nothing moves."""
        board = self._board()
        if board.ended or (window := recomputed_window(calendar, board.window)) is None:
            return False
        self._record(NoticeEndRecomputed(project_id=self.project_id, notice_id=board.notice_id,
                                         change_id=self.change_id, previous_end=board.window.end, end=window.end,
                                         working_days=window.working_days, end_provisional=window.end_provisional,
                                         reason=reason))
        return True

    def _board(self) -> NoticeBoard:
        if self.board is None:  # pragma: no cover - the stream starts with Published
            raise InvalidCommand("设计变更公示不存在", code="notice_missing")
        return self.board

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case DesignChangeNotice.Published():
                self.project_id, self.change_id = event.project_id, event.change_id
                window = NoticeWindow(start=event.start, end=event.end, working_days=event.working_days,
                                      end_provisional=event.end_provisional)
                self.board = NoticeBoard(event.notice_id, window)
            case NoticeEndRecomputed():
                self._board().window = self._board().window.model_copy(update=event.model_dump(
                    include={"end", "working_days", "end_provisional"}))
            case DesignChangeNotice.ObjectionRaised():
                fields = event.model_dump(include={"objection_id", "household_id", "text", "raised_on"})
                self._board().raised(Objection(**fields))
            case DesignChangeNotice.ObjectionAnswered():
                self._board().answered(event.objection_id, event.answer, event.answered_on)
            case DesignChangeNotice.Ended():
                self._board().ended = True
