"""`renovation demo …`: move the demo's clock (demo mode only), load the demo data again."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console

from shared.clock import Clock, ClockNotMovable
from shared.settings import KernelSettings

demo_app = typer.Typer(help="演示模式：拨动演示时钟。只在演示模式（RENOVATION_DEMO=1，内嵌运行）下可用。",
                       no_args_is_help=True)
console = Console(soft_wrap=True)


@demo_app.command()
def advance(days: Annotated[int, typer.Option("--days", min=1, max=366, help="向前拨动的天数")]) -> None:
    """Move the demo clock forward by N days for every service of the running demo."""
    clock = Clock.from_settings(KernelSettings())
    try:
        offset = clock.advance(timedelta(days=days))
    except ClockNotMovable as error:
        console.print(f"[red]{error}[/red]：时钟只能在演示模式下拨动。"
                      "请用 `make demo`（或 `renovation up --demo`）启动演示，并在运行本命令时设置 RENOVATION_DEMO=1。")
        raise typer.Exit(2) from None
    console.print(f"演示时钟已向前拨动 {days} 天（累计 {offset.days} 天）；"
                  f"今天（演示）是 {clock.today().isoformat()}。")
