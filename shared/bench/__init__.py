"""Benchmarks of the kernel beside its baselines (`renovation bench`): clock, pace, summaries."""

from __future__ import annotations

import asyncio
import os
import platform
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# System-wide on Linux and macOS: stamps taken in two processes can be subtracted.
clock = time.monotonic


def machine_facts() -> dict[str, str]:
    """What a figure depends on: CPUs, load, Python, SQLite, the operating system."""
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "n/a"
    return {
        "cpus": str(os.cpu_count()),
        "load average": load,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(terse=True),
    }


async def paced(action: Callable[[int], Awaitable[object]], *, rate: float,
                seconds: float) -> tuple[dict[int, float], float]:
    """Start action(i) at begin + i/rate; return when each was due, and the seconds it all took.

    The schedule is absolute, so a late call does not shift the ones after it, and latency
    measured from the due time counts the wait behind a slow call (no coordinated omission).
    """
    count = max(int(rate * seconds), 2)
    begin = clock() + 0.01
    due_at: dict[int, float] = {}
    for seq in range(count):
        due = begin + seq / rate
        while (wait := due - clock()) > 0:  # noqa: ASYNC110 - an absolute schedule, not an event
            await asyncio.sleep(wait)
        due_at[seq] = due
        await action(seq)
    return due_at, clock() - begin


async def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll `predicate` every 20 ms; whether it became true within `timeout` seconds."""
    deadline = clock() + timeout
    while not predicate():
        if clock() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def percentiles(values: list[float], *points: int) -> list[float]:
    """The given percentiles (1–99) of at least two values, interpolated between samples."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return [cuts[point - 1] for point in points]


@dataclass(frozen=True)
class Latency:
    """One side of a flow: latencies in milliseconds and the send rate achieved."""

    name: str
    sent: int
    received: int
    achieved_rate: float
    p50: float
    p90: float
    p99: float
    max: float
    # Where the time goes, when known: stage name → (p50, p99) in milliseconds.
    stages: dict[str, tuple[float, float]] = field(default_factory=dict)


def latency(name: str, due: dict[int, float], done: dict[int, float], elapsed: float,
            stages: dict[str, tuple[float, float]] | None = None) -> Latency:
    """Summarize due and done stamps (by sequence number) of one side."""
    millis = _millis(due, done)
    if len(millis) < 2:
        raise RuntimeError(f"{name}: only {len(millis)} of {len(due)} messages arrived")
    p50, p90, p99 = percentiles(millis, 50, 90, 99)
    return Latency(name=name, sent=len(due), received=len(millis), achieved_rate=len(due) / elapsed,
                   p50=p50, p90=p90, p99=p99, max=millis[-1], stages=stages or {})


def stage(since: dict[int, float], until: dict[int, float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds from one set of stamps to the next (NaN if too few)."""
    millis = _millis(since, until)
    return tuple(percentiles(millis, 50, 99)) if len(millis) >= 2 else (float("nan"),) * 2


def _millis(since: dict[int, float], until: dict[int, float]) -> list[float]:
    # Negative sequence numbers are warm-up messages.
    return sorted((until[seq] - at) * 1000 for seq, at in since.items()
                  if seq >= 0 and seq in until)
