"""The kernel's clock: real time everywhere, plus an offset that only demo mode may move.

Time-dependent rules (a notice's end, a complaint's limit, a filing clock) read the time from
here, never from `datetime.now()`, so that a demo can show a three-week process in minutes.
The offset lives in one small file under `var/` that every service of the embedded stack
reads, so they all agree on "now"; outside demo mode the file is ignored and cannot be written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from shared.settings import KernelSettings

CHINA = ZoneInfo("Asia/Shanghai")
OFFSET_FILE = "demo-clock.json"


class ClockNotMovable(RuntimeError):
    """Moving the clock was asked for outside demo mode."""


@dataclass
class Clock:
    """`now()` in UTC and `today()` in China; in demo mode, shifted by the demo's offset."""

    demo: bool = False
    offset_path: Path | None = None
    _cache: tuple[float, timedelta] = field(default=(-1.0, timedelta(0)), repr=False)

    @classmethod
    def from_settings(cls, kernel: KernelSettings) -> Clock:
        """The clock of this deployment: movable only when RENOVATION_DEMO is on in embedded mode."""
        demo = bool(getattr(kernel, "demo", False)) and kernel.mode == "embedded"
        return cls(demo=demo, offset_path=Path(kernel.var_dir) / OFFSET_FILE)

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        return datetime.now(UTC) + self.offset()

    def today(self) -> date:
        """Today's date in China: notices, limits and due dates run on China dates."""
        return self.now().astimezone(CHINA).date()

    def offset(self) -> timedelta:
        """How far the demo has moved the clock (always zero outside demo mode)."""
        if not self.demo or self.offset_path is None:
            return timedelta(0)
        try:
            mtime = os.stat(self.offset_path).st_mtime
        except FileNotFoundError:
            return timedelta(0)
        if mtime != self._cache[0]:
            data = json.loads(self.offset_path.read_text(encoding="utf-8"))
            self._cache = (mtime, timedelta(seconds=float(data["offset_seconds"])))
        return self._cache[1]

    def advance(self, by: timedelta) -> timedelta:
        """Move the demo clock forward; refused outside demo mode. Returns the new offset."""
        if not self.demo or self.offset_path is None:
            raise ClockNotMovable("只有演示模式（RENOVATION_DEMO=1，内嵌运行）才能拨动时钟")
        if by < timedelta(0):
            raise ValueError("the demo clock only moves forward: events already recorded stay in order")
        new = self.offset() + by
        self.offset_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.offset_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"offset_seconds": new.total_seconds()}), encoding="utf-8")
        os.replace(tmp, self.offset_path)
        return new


SYSTEM_CLOCK = Clock()
