"""Rate limits of the anonymous form: per client address and per phone number (sliding windows, in memory)."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable

from shared.errors import RenovationError


class TooManyRequests(RenovationError):
    """Too many filings from one client or for one number."""

    status = 429
    code = "rate_limited"


class SlidingWindow:
    """At most `limit` hits per key in any `seconds` window; one per service process."""

    def __init__(self, *, limit: int, seconds: float, clock: Callable[[], float]) -> None:
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key: str, message: str) -> None:
        """Count a hit for `key`, or raise 429 with `message` when the window is full."""
        now = self.clock()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = int(hits[0] + self.seconds - now) + 1
                raise TooManyRequests(message, details={"retry_after_seconds": retry})
            hits.append(now)
