"""What acceptance's handlers need besides a unit of work: settings, the kernel clock, the evidence store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.acceptance.settings import AcceptanceSettings
from shared.clock import Clock
from shared.evidence.probe import Limits
from shared.objectstore import ObjectStore
from shared.unit_of_work import UnitOfWork, attempt, run  # noqa: F401 - the services' handlers import them from here


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

