"""What acceptance's handlers need besides a unit of work: settings, the kernel clock, the evidence store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from services.acceptance.domain.refusal import RecordedRefusal
from services.acceptance.settings import AcceptanceSettings
from shared.aggregate import Aggregate
from shared.clock import Clock
from shared.evidence.probe import Limits
from shared.objectstore import ObjectStore
from shared.unit_of_work import UnitOfWork

T = TypeVar("T")


@dataclass
class AcceptanceContext:
    """The ports and settings of the acceptance service, built once by the bootstrap."""

    settings: AcceptanceSettings
    store: ObjectStore
    clock: Clock
    limits: Limits

    def now(self) -> datetime:
        """The current instant (the kernel clock: a demo or a test may move it)."""
        return self.clock.now()

    def today(self) -> date:
        """Today's date in China: the filing clock and the tranches run on it."""
        return self.clock.today()

    def tranche_rules(self) -> list[tuple[str, int, str]]:
        """The configured tranches as (key, percent, condition)."""
        return [(t.key, t.percent, t.condition) for t in self.settings.tranches]


def run(uow: UnitOfWork, handler: Callable[..., T], /, **kwargs) -> T:
    """Run one handler in its own transaction; a recorded refusal is committed, then raised."""
    with uow:
        try:
            result = handler(uow, **kwargs)
        except RecordedRefusal:
            uow.commit()
            raise
        uow.commit()
    return result


def attempt(uow: UnitOfWork, aggregate: Aggregate, command: Callable[[], T], *, project_id: str) -> T:
    """Call a command; if the aggregate recorded its refusal, save that before it propagates."""
    try:
        return command()
    except RecordedRefusal:
        uow.save(aggregate, project_id=project_id)
        raise
