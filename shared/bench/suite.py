"""`bench all` (`make bench`): every benchmark in one run, one table of ratios beside peers and targets.

Each row is a figure of ours beside its peer or limit measured in the same run, the ratio,
the target of issue 10 and whether it is met. A benchmark that errors makes the whole run
fail (exit 1) after the table is printed with the error in its place: no figure is shown
from a run that did not complete.
"""

from __future__ import annotations

import asyncio
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from shared.bench import machine_facts

FLOW_RATES = (50.0, 100.0, 200.0, 400.0)


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    what: str
    ours: str
    peer: str
    ratio: str
    target: str = ""
    met: bool | None = None


@dataclass
class SuiteResult:
    """The rows, the errors, and the machine they were measured on."""

    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    machine: dict[str, str] = field(default_factory=dict)
    busy: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every benchmark ran to the end."""
        return not self.errors


def _x(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "—"


def store_rows(db: str, *, events: int, rounds: int, postgres_url: str) -> list[Row]:
    """Append 1 and 100 per transaction and parsed read, beside eventsourcing and a bare insert."""
    from shared.bench.store import run_store_bench

    result = run_store_bench(events=events, batch=100, rounds=rounds, db=db, postgres_url=postgres_url)
    rows = []
    for phase in result.phases:
        if phase.theirs is None and phase.bare is None:
            rows.append(Row(f"{phase.name} ({db})", f"{phase.ours:,.0f}/s", "(no peer: the library has no chain)",
                            "—"))
            continue
        rows.append(Row(f"{phase.name} ({db})", f"{phase.ours:,.0f}/s", f"eventsourcing {phase.theirs or 0:,.0f}/s",
                        _x(phase.ratio), "≥ 1.0×", bool(phase.ratio and phase.ratio >= 1.0)))
        if phase.bare:
            rows.append(Row(f"{phase.name} ({db})", f"{phase.ours:,.0f}/s",
                            f"bare SQLAlchemy insert {phase.bare:,.0f}/s",
                            _x(phase.bare_ratio), "≥ 0.8×", bool(phase.bare_ratio and phase.bare_ratio >= 0.8)))
    return rows


def evidence_rows(*, count: int, rounds: int) -> list[Row]:
    """Evidence ingest (JPEG, HEIC) and the HTTP upload beside a bare put, local folder and S3 (moto).

    Construction's bench runs as a process of its own, as the launcher runs a service: the
    kernel imports no service.
    """
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "services.construction.bench", "--json", str(count), "both",
                           str(rounds)], capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"construction's evidence bench failed: {done.stderr.strip()[-600:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return [Row(row["name"], f"{row['ours_mb_s']:,.1f} MB/s", f"bare put {row['bare_mb_s']:,.1f} MB/s",
                _x(row["ratio"]), "≥ 0.5×" if "ingest" in row["name"] else "(for information)",
                row["ratio"] >= 0.5 if "ingest" in row["name"] else None) for row in found]


def flow_rows(*, seconds: float) -> list[Row]:
    """Command → event applied in another service at 50, 100, 200 and 400/s, beside bare FastStream."""
    from shared.bench.flow import run_flow_bench

    rows = []
    for rate in FLOW_RATES:
        result = asyncio.run(run_flow_bench(rate=rate, seconds=seconds))
        for side in (result.kernel, result.bare):
            if side.received != side.sent:
                raise RuntimeError(f"{side.name} at {rate:g}/s lost {side.sent - side.received} of {side.sent}")
        kernel, bare = result.kernel, result.bare
        target = rate == 200.0
        rows.append(Row(f"command → applied in the 3 other services, {rate:g}/s "
                        f"(achieved {kernel.achieved_rate:.0f}/s)",
                        f"p50 {kernel.p50:.1f} ms, p99 {kernel.p99:.1f} ms",
                        f"bare FastStream p50 {bare.p50:.1f} ms, p99 {bare.p99:.1f} ms",
                        f"{kernel.p99 / bare.p99:.1f}× p99" if bare.p99 else "—",
                        "p99 ≤ 50 ms" if target else "", (kernel.p99 <= 50.0) if target else None))
    return rows


def growth_rows(*, sizes: tuple[int, ...], rounds: int) -> list[Row]:
    """Per-event rates at each size; each 10× step's slowdown against the 1.2× limit."""
    from shared.bench.growth import LIMIT_PER_10X, run_growth_bench

    result = run_growth_bench(sizes=sizes, rounds=rounds)
    rows = []
    for operation, by_size in result.rates.items():
        figures = " → ".join(f"{size:,}: {rate:,.0f}/s" for size, rate in by_size.items())
        worst = result.worst(operation)
        rows.append(Row(f"growth: {operation} (events/s at each log size)", figures, "itself, 10× smaller",
                        f"worst step {worst:.2f}× slower", f"≤ {LIMIT_PER_10X}× per 10×", worst <= LIMIT_PER_10X))
    small, large = sorted(result.aggregate_ms)
    ratio = result.aggregate_ms[large] / result.aggregate_ms[small]
    rows.append(Row(f"aggregate load + save, stream of {large:,} events", f"{result.aggregate_ms[large]:.1f} ms",
                    f"stream of {small} events {result.aggregate_ms[small]:.1f} ms", f"{ratio:.2f}×",
                    "does not grow (≤ 1.2×)", ratio <= 1.2))
    return rows


def run_suite(*, full: bool, rounds: int = 3, postgres_url: str, postgres: bool = True,
              progress: Callable[[str], None] = print) -> SuiteResult:
    """Run every benchmark (1 M events in the growth bench only when `full`)."""
    from shared.bench.growth import DEFAULT_SIZES, FULL_SIZES

    result = SuiteResult()
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    parts: list[tuple[str, Callable[[], list[Row]]]] = [
        ("event store on SQLite", lambda: store_rows("sqlite", events=4000, rounds=rounds, postgres_url=postgres_url)),
        ("event store on PostgreSQL",
         lambda: store_rows("postgres", events=2000, rounds=rounds, postgres_url=postgres_url)),
        ("evidence ingest", lambda: evidence_rows(count=6, rounds=rounds)),
        ("event flow", lambda: flow_rows(seconds=15.0)),
        ("growth", lambda: growth_rows(sizes=FULL_SIZES if full else DEFAULT_SIZES, rounds=rounds)),
    ]
    for name, part in parts:
        if name.endswith("PostgreSQL") and not postgres:
            result.errors.append(f"{name}: not run (--no-postgres)")
            continue
        progress(f"… {name}")
        try:
            result.rows += part()
        except Exception as error:  # noqa: BLE001 - any failure is reported, and fails the run
            result.errors.append(f"{name}: {error!r}\n{traceback.format_exc(limit=3)}")
    result.machine = machine_facts()
    load_after = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    if max(load_before, load_after) > 0.5 * cpus:
        result.busy = (f"the machine was busy (load average {load_before:.1f} before, {load_after:.1f} after, "
                       f"{cpus} cores): absolute figures are low, ratios are within one run")
    result.seconds = time.perf_counter() - started
    return result


def suite_markdown(result: SuiteResult) -> str:
    """The table as Markdown, with when and on what it was measured (the README's "Measured")."""
    from datetime import UTC, datetime

    lines = ["| what | ours | peer / limit (same run) | ratio | target | met |", "|---|---|---|---|---|---|"]
    for row in result.rows:
        met = "—" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.what} | {row.ours} | {row.peer} | {row.ratio} | {row.target} | {met} |")
    facts = " · ".join(f"{key} {value}" for key, value in result.machine.items())
    lines += ["", f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` ({result.seconds:.0f} s); {facts}."]
    if result.busy:
        lines.append(f"Note: {result.busy}.")
    lines += [f"Failed: {error.splitlines()[0]}" for error in result.errors]
    return "\n".join(lines) + "\n"
