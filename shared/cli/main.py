"""The `renovation` command: run the system, see its state, manage users, measure it."""

from __future__ import annotations

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared.cli.calendar import calendar_app
from shared.cli.demo import demo_app
from shared.cli.audit import audit_app
from shared.cli.user import user_app
from shared.settings import SERVICE_NAMES, KernelSettings

app = typer.Typer(help="老旧小区改造监管平台 · renovation supervision system", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(demo_app, name="demo")
console = Console()


@app.command()
def up(demo: bool = typer.Option(False, "--demo", help="演示模式：载入演示数据，演示时钟可拨动（仅内嵌模式）")) -> None:
    """Start the broker, the four services and demo users; Ctrl-C stops everything."""
    from shared.launcher import up as run_stack

    raise typer.Exit(run_stack(KernelSettings(), demo=demo))


def known(value) -> str:
    """A figure, or 未知 (unknown) where the service could not measure it: never a false 0."""
    return "[yellow]未知[/yellow]" if value is None else str(value)


@app.command()
def status() -> None:
    """Per service: health, log position, relay lag, consumer lag, dead letters."""
    kernel = KernelSettings()
    table = Table(title="运行状态 Status")
    for column in ("服务", "健康", "日志位置", "转发滞后", "消息代理", "消费滞后", "已应用", "死信"):
        table.add_column(column)
    down = 0
    with httpx.Client(timeout=3.0) as client:
        for name in SERVICE_NAMES:
            url = kernel.service_url(name)
            try:
                health = client.get(f"{url}/health").raise_for_status().json()
                s = client.get(f"{url}/status").raise_for_status().json()
            except httpx.HTTPError as error:
                down += 1
                table.add_row(name, f"[red]未运行[/red] ({error.__class__.__name__})", *["-"] * 6)
                continue
            broker = {True: "[green]已连接[/green]", None: "[yellow]连接中[/yellow]"}.get(
                s["broker_up"], f"[red]断开[/red] {s['broker_error'] or ''}")
            table.add_row(name, "[green]正常[/green]" if health["status"] == "ok" else health["status"],
                          str(s["log_position"]), known(s["relay_lag"]), broker, known(s["consumer_lag"]),
                          str(s["events_applied"]), str(s["dead_letters"]))
    console.print(table)
    raise typer.Exit(1 if down else 0)


try:
    from shared.cli.bench import bench_app
except ImportError:  # pragma: no cover - the bench needs the test extras
    bench_app = None
if bench_app is not None:
    app.add_typer(bench_app, name="bench")
