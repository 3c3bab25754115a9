"""`renovation bench …`: measure the event store and the event flow beside their baselines."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import sqlalchemy as sa
import typer
from aiokafka.errors import KafkaError
from rich.console import Console
from rich.table import Table

from shared.bench import Latency
from shared.bench.flow import FlowBenchResult, run_flow_bench
from shared.bench.store import DEFAULT_POSTGRES_URL, StoreBenchResult, run_store_bench
from shared.bench.suite import SuiteResult, run_suite, suite_markdown

bench_app = typer.Typer(
    help="性能基准：事件存储与事件流转，与基线对照（Benchmarks of the kernel beside its baselines）。",
    no_args_is_help=True,
)

_console = Console()


class Database(StrEnum):
    """Where `bench store` keeps both logs."""

    sqlite = "sqlite"
    postgres = "postgres"


Events = Annotated[int, typer.Option(
    min=10, help="每轮每个写入阶段的事件数 Events per append phase per round.")]
Batch = Annotated[int, typer.Option(min=1, help="批量时每个事务的事件数 Events per batched transaction.")]
Rounds = Annotated[int, typer.Option(min=1, help="轮数，取中位数 Rounds; the median is shown.")]
PostgresUrl = Annotated[str, typer.Option(
    help="PostgreSQL 管理连接，用于建临时库 Admin URL; temporary databases are made and dropped.")]
Rate = Annotated[float, typer.Option(min=1, help="每秒命令数 Commands (messages) per second.")]
Seconds = Annotated[float, typer.Option(min=1, help="每侧持续秒数 Seconds per side.")]
Bootstrap = Annotated[str | None, typer.Option(
    help="已有 Kafka（host:port）；缺省时自启内嵌 broker. Default: start an embedded broker.")]


@bench_app.command("store")
def store(
    events: Events = 4000,
    batch: Batch = 100,
    rounds: Rounds = 3,
    db: Annotated[Database, typer.Option(help="数据库 Database.")] = Database.sqlite,
    postgres_url: PostgresUrl = DEFAULT_POSTGRES_URL,
) -> None:
    """Append, read and verify rates of our event store beside the eventsourcing library's."""
    try:
        with _console.status(f"measuring the event stores on {db.value} …"):
            result = run_store_bench(events=events, batch=batch, rounds=rounds, db=db.value,
                                     postgres_url=postgres_url)
    except sa.exc.OperationalError as error:
        _fail(f"the database is not reachable: {error.orig}")
    render_store(result, _console)


@bench_app.command("flow")
def flow(rate: Rate = 200.0, seconds: Seconds = 30.0, bootstrap: Bootstrap = None) -> None:
    """Command → event applied in another service at a fixed rate, beside bare FastStream."""
    try:
        with _console.status(f"{rate:g}/s for {seconds:g} s per side …"):
            result = asyncio.run(run_flow_bench(rate=rate, seconds=seconds, bootstrap=bootstrap))
    except (KafkaError, OSError, RuntimeError) as error:
        _fail(f"the flow bench could not run: {error!r}")
    render_flow(result, _console)


@bench_app.command("all")
def all_(
    full: Annotated[bool, typer.Option(help="增长测试含一百万事件 Include the 1 M-event growth step.")] = False,
    rounds: Rounds = 3,
    postgres_url: PostgresUrl = DEFAULT_POSTGRES_URL,
    postgres: Annotated[bool, typer.Option(help="也测 PostgreSQL Measure on PostgreSQL too.")] = True,
    markdown: Annotated[Path | None, typer.Option(
        help="另存为 Markdown 表格 Also write the table as Markdown (for the README).")] = None,
) -> None:
    """Every benchmark in one run: one table of ratios beside peers and targets (`make bench`)."""
    result = run_suite(full=full, rounds=rounds, postgres_url=postgres_url, postgres=postgres,
                       progress=lambda text: _console.print(f"[dim]{text}[/dim]"))
    render_suite(result, _console)
    if markdown is not None:
        markdown.write_text(suite_markdown(result), encoding="utf-8")
    if not result.ok:
        raise typer.Exit(1)


def render_suite(result: SuiteResult, console: Console) -> None:
    """The one table, the machine, and any benchmark that failed (named, in red)."""
    table = Table(title="Renovation kernel beside its peers (ratios within one run; medians of rounds)")
    for column in ("what", "ours", "peer / limit (same run)", "ratio", "target", "met"):
        table.add_column(column, justify="right" if column in ("ratio", "met") else "left")
    for row in result.rows:
        met = "—" if row.met is None else ("[green]yes[/green]" if row.met else "[red]no[/red]")
        table.add_row(row.what, row.ours, row.peer, row.ratio, row.target, met)
    console.print(table)
    console.print(f"  cores: {result.machine.get('cpus', '?')}; took {result.seconds:.0f} s")
    if result.busy:
        console.print(f"  [yellow]{result.busy}[/yellow]")
    _print_machine(result.machine, console)
    for error in result.errors:
        console.print(f"[red]FAILED {error}[/red]")


def _fail(message: str) -> NoReturn:
    _console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


def render_store(result: StoreBenchResult, console: Console) -> None:
    """Print the event-store table, the durability of both sides and the machine."""
    table = Table(title=f"Event store on {result.database}: events/s, median of {result.rounds} "
                        f"round(s), {result.events} events per append phase")
    for column in ("phase", "ours", "eventsourcing", "ours / theirs", "bare SQLAlchemy insert", "ours / bare",
                   "note"):
        table.add_column(column, justify="left" if column in ("phase", "note") else "right")
    for phase in result.phases:
        table.add_row(phase.name, f"{phase.ours:,.0f}",
                      f"{phase.theirs:,.0f}" if phase.theirs else "—",
                      f"{phase.ratio:.2f}×" if phase.ratio else "—",
                      f"{phase.bare:,.0f}" if phase.bare else "—",
                      f"{phase.bare_ratio:.2f}×" if phase.bare_ratio else "—", phase.note)
    console.print(table)
    for side, setting in result.durability.items():
        console.print(f"  durability, {side}: {setting}")
    console.print(f"  took {result.seconds:.1f} s")
    _print_machine(result.machine, console)


def render_flow(result: FlowBenchResult, console: Console) -> None:
    """Print both sides' latencies, the kernel's overhead over bare FastStream, and the machine."""
    table = Table(title=f"Event flow at {result.rate:g}/s for {result.seconds:g} s per side: "
                        f"latency in ms from when the command was due")
    for column in ("side", "sent", "received", "achieved/s", "p50", "p90", "p99", "max"):
        table.add_column(column, justify="left" if column == "side" else "right")
    for side in (result.kernel, result.bare):
        table.add_row(side.name, str(side.sent), str(side.received), f"{side.achieved_rate:.1f}",
                      *(f"{value:.1f}" for value in _percentiles(side)))
    kernel, bare = _percentiles(result.kernel), _percentiles(result.bare)
    table.add_row("overhead (kernel − bare)", "", "", "",
                  *(f"+{k - b:.1f}" if k >= b else f"{k - b:.1f}" for k, b in zip(kernel, bare, strict=True)))
    table.add_row("ratio (kernel / bare)", "", "", "",
                  *(f"{k / b:.1f}×" if b else "—" for k, b in zip(kernel, bare, strict=True)))
    console.print(table)
    for stage, (p50, p99) in result.kernel.stages.items():
        console.print(f"  kernel stage {stage}: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    console.print(f"  broker: {result.broker}; "
                  f"consumers fetch_max_wait_ms={result.fetch_max_wait_ms}")
    console.print("  kernel: UnitOfWork commit (SQLite WAL, synchronous FULL) → relay woken by "
                  "notify() → acks=all publish → IdempotentConsumer applies in its own database")
    console.print("  each consuming side runs in a process of its own, as another service would")
    _print_machine(result.machine, console)


def _percentiles(side: Latency) -> tuple[float, float, float, float]:
    return side.p50, side.p90, side.p99, side.max


def _print_machine(machine: dict[str, str], console: Console) -> None:
    console.print("  machine: " + " · ".join(f"{key} {value}" for key, value in machine.items()))


DEFAULT_SIZES = "10000,100000,1000000"


@bench_app.command("replay")
def replay(
    sizes: Annotated[str, typer.Option(help="逗号分隔的事件数 Topic sizes, comma-separated.")] = DEFAULT_SIZES,
    bootstrap: Bootstrap = None,
) -> None:
    """The audit replay over one topic beside a bare kafka-python read of it, growing 10 k → 1 M events."""
    from shared.bench import machine_facts
    from shared.bench.replay import run_replay_bench

    try:
        steps = tuple(int(s) for s in sizes.split(",") if s.strip())
    except ValueError:
        _fail(f"sizes must be numbers: {sizes!r}")
    try:
        result = run_replay_bench(sizes=steps, bootstrap=bootstrap,
                                  progress=lambda text: _console.print(f"[dim]{text}[/dim]"))
    except (OSError, RuntimeError) as error:
        _fail(f"the replay bench could not run: {error!r}")
    table = Table(title=f"Audit replay vs bare kafka-python read, same topic ({result.partitions} partitions, "
                        f"{result.message_bytes} B messages)")
    for column in ("events", "bare read /s", "replay /s", "replay / bare", "replay seconds", "projects"):
        table.add_column(column, justify="right")
    for step in result.steps:
        table.add_row(f"{step.events:,}", f"{step.bare:,.0f}", f"{step.ours:,.0f}", f"{step.ratio:.2f}×",
                      f"{step.ours_seconds:.1f}", f"{step.projects:,}")
    _console.print(table)
    _console.print("  target: replay ≥ 0.5× the bare read; 1 M events in under 30 s")
    _print_machine(machine_facts(), _console)
