"""The `renovation` command: run the system, see its state, manage users, measure it."""

from __future__ import annotations

import typer
from rich.console import Console

from shared.cli.calendar import calendar_app
from shared.cli.demo import demo_app
from shared.cli.audit import audit_app
from shared.cli.dlq import dlq_app
from shared.cli.orphans import orphans
from shared.cli.user import user_app
from shared.settings import KernelSettings

app = typer.Typer(help="老旧小区改造监管平台 · renovation supervision system", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(dlq_app, name="dlq")
app.command("orphans")(orphans)
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(demo_app, name="demo")
console = Console()


@app.command()
def up(demo: bool = typer.Option(False, "--demo", help="演示模式：载入演示数据，演示时钟可拨动（仅内嵌模式）")) -> None:
    """Start the broker, the four services and demo users; Ctrl-C stops everything."""
    from shared.launcher import up as run_stack

    raise typer.Exit(run_stack(KernelSettings(), demo=demo))


@app.command()
def status() -> None:
    """Per service: health, log position, relay lag, consumer lag, dead letters, restarts."""
    from shared.cli.status import show_status

    raise typer.Exit(show_status(KernelSettings()))


try:
    from shared.cli.bench import bench_app
except ImportError:  # pragma: no cover - the bench needs the test extras
    bench_app = None
if bench_app is not None:
    app.add_typer(bench_app, name="bench")
