"""`renovation dlq list | replay ID | replay --all`: dead letters of every service, re-applied idempotently."""

from __future__ import annotations

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared.cli.operator import NoOperator, operator_headers
from shared.settings import SERVICE_NAMES, KernelSettings

dlq_app = typer.Typer(help="死信：列出（含失败原因）与重放", no_args_is_help=True)
console = Console(width=160)


def _client(kernel: KernelSettings) -> httpx.Client:
    try:
        headers = operator_headers(kernel)
    except NoOperator as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    return httpx.Client(timeout=30.0, headers=headers)


@dlq_app.command("list")
def list_dead() -> None:
    """Every service's dead letters, with the reason each failed (ID = service:number)."""
    kernel = KernelSettings()
    table = Table(title="死信 Dead letters")
    for column in ("ID", "事件类型", "事件 ID", "来源", "尝试", "失败原因", "时间"):
        table.add_column(column, overflow="fold")
    total, failed = 0, 0
    with _client(kernel) as client:
        for name in SERVICE_NAMES:
            try:
                letters = client.get(f"{kernel.service_url(name)}/dlq").raise_for_status().json()
            except httpx.HTTPError as error:
                failed += 1
                console.print(f"[red]{name}: 无法读取死信（{error}）[/red]")
                continue
            for letter in letters:
                total += 1
                table.add_row(f"{name}:{letter['id']}", letter["event_type"] or "（无法解析）",
                              letter["event_id"] or "-", f"{letter['topic']}/{letter['partition']}@{letter['offset']}",
                              str(letter["attempts"]), letter["error"], letter["created_at"][:19])
    console.print(table)
    console.print(f"共 {total} 条死信")
    raise typer.Exit(1 if failed else 0)


@dlq_app.command("replay")
def replay(letter: str = typer.Argument(None, help="service:number，见 renovation dlq list"),
           all_: bool = typer.Option(False, "--all", help="重放所有服务的全部死信")) -> None:
    """Re-apply dead letters through the service's idempotent consumer (an applied event is not applied twice)."""
    if (letter is None) == (not all_):
        console.print("[red]请给出一个死信 ID（service:number）或 --all[/red]")
        raise typer.Exit(2)
    kernel = KernelSettings()
    failures = 0
    with _client(kernel) as client:
        if all_:
            for name in SERVICE_NAMES:
                answer = client.post(f"{kernel.service_url(name)}/dlq/replay-all")
                if answer.status_code != 200:
                    failures += 1
                    console.print(f"[red]{name}: {answer.status_code} {answer.text}[/red]")
                    continue
                for result in answer.json():
                    failures += result["outcome"] == "failed"
                    console.print(f"{name}:{result['id']} → {result['outcome']} {result.get('error', '')}")
        else:
            name, _, number = letter.partition(":")
            if name not in SERVICE_NAMES or not number.isdigit():
                console.print("[red]死信 ID 应为 service:number，例如 construction:3"
                              f"（服务：{', '.join(SERVICE_NAMES)}）[/red]")
                raise typer.Exit(2)
            answer = client.post(f"{kernel.service_url(name)}/dlq/{number}/replay")
            if answer.status_code != 200:
                failures += 1
                console.print(f"[red]{letter}: {answer.json().get('detail', answer.text)}[/red]")
            else:
                console.print(f"{letter} → {answer.json()['outcome']}")
    raise typer.Exit(1 if failures else 0)
