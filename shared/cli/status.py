"""`renovation status`: each service's log, relay and consumer figures, and the supervisor's restarts."""

from __future__ import annotations

import httpx
from rich.console import Console
from rich.table import Table

from shared.cli.operator import NoOperator, operator_headers
from shared.settings import SERVICE_NAMES, KernelSettings
from shared.supervisor import read_state

console = Console()


def known(value) -> str:
    """A figure, or 未知 (unknown) where the service could not measure it: never a false 0."""
    return "[yellow]未知[/yellow]" if value is None else str(value)


def show_status(kernel: KernelSettings, headers: dict[str, str] | None = None) -> int:
    """Print the status table; return 1 when a service does not answer, else 0 (2: no operator token)."""
    if headers is None:
        try:
            headers = operator_headers(kernel)
        except NoOperator as error:
            console.print(f"[red]{error}[/red]")
            return 2
    supervised = read_state(kernel.var_dir.resolve())
    services = (supervised or {}).get("services", {})
    table = Table(title="运行状态 Status")
    for column in ("服务", "健康", "日志位置", "转发滞后", "消息代理", "消费滞后", "已应用", "死信", "重启"):
        table.add_column(column)
    down = 0
    with httpx.Client(timeout=3.0, headers=headers or {}) as client:
        for name in SERVICE_NAMES:
            restarts = known(services[name]["restarts"]) if name in services else "-"
            url = kernel.service_url(name)
            try:
                health = client.get(f"{url}/health").raise_for_status().json()
                s = client.get(f"{url}/status").raise_for_status().json()
            except httpx.HTTPError as error:
                down += 1
                table.add_row(name, f"[red]未运行[/red] ({_reason(error)})", *["-"] * 6, restarts)
                continue
            broker = {True: "[green]已连接[/green]", None: "[yellow]连接中[/yellow]"}.get(
                s["broker_up"], f"[red]断开[/red] {s['broker_error'] or ''}")
            table.add_row(name, "[green]正常[/green]" if health["status"] == "ok" else health["status"],
                          str(s["log_position"]), known(s["relay_lag"]), broker, known(s["consumer_lag"]),
                          str(s["events_applied"]), str(s["dead_letters"]), restarts)
    console.print(table)
    console.print(_supervisor_line(supervised))
    return 1 if down else 0


def _reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return error.__class__.__name__


def _supervisor_line(state: dict | None) -> str:
    if state is None:
        return "守护 Supervisor：未发现运行中的 renovation up（重启次数未知）"
    broker = state["broker"]
    if not broker["embedded"]:
        where = f"外部 Kafka {broker['bootstrap']}"
    else:
        alive = "[green]运行中[/green]" if broker["alive"] else "[red]已停止，正在重启[/red]"
        where = f"内置消息代理 {broker['bootstrap']} {alive}，重启 {broker['restarts']} 次"
    total = sum(s["restarts"] for s in state["services"].values())
    return f"守护 Supervisor（pid {state['pid']}）：{where}；服务共重启 {total} 次"
