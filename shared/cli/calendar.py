"""`renovation calendar …`: check a year's official schedule file, and load it into the running system."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console

from shared.calendar import CalendarDataError, WorkingDayCalendar, load_file
from shared.settings import KernelSettings

calendar_app = typer.Typer(help="工作日历：检查并载入国务院公布的年度节假日安排。", no_args_is_help=True)
console = Console(soft_wrap=True)

FileArg = Annotated[Path, typer.Argument(help="年度安排文件，如 2027.json（格式见 README）")]


def _checked(path: Path):
    try:
        return load_file(path)
    except CalendarDataError as error:
        console.print(f"[red]日历文件有误（malformed calendar file）[/red]：{error}")
        raise typer.Exit(2) from None


@calendar_app.command()
def check(file: FileArg) -> None:
    """Check a schedule file without loading it (exit 2 if malformed)."""
    schedule = _checked(file)
    console.print(f"{schedule.year} 年：{len(schedule.holidays)} 个放假日，{len(schedule.workdays)} 个调休上班日；"
                  f"依据 {schedule.source}；SHA-256 {schedule.sha256}")


@calendar_app.command()
def status() -> None:
    """Which years this machine's calendar knows officially, and whether this year and the next are provisional."""
    calendar = WorkingDayCalendar.from_settings(KernelSettings())
    years = calendar.official_years()
    console.print(f"官方安排（软件包与 var/calendar 文件）：{years[0]}–{years[-1]}")
    console.print("已由事件载入的年度请看项目受理的“工作日历”页面（/calendar）或 GET /api/calendar")


@calendar_app.command()
def load(
    file: FileArg,
    user: Annotated[str | None, typer.Option("--user", "-u", help="住建部门工作人员（official）的账号")] = None,
    url: Annotated[str | None, typer.Option(help="项目受理服务地址，默认 RENOVATION_INTAKE_URL")] = None,
) -> None:
    """Check the file, then record it in intake as the year's official schedule (every service follows).

    Credentials: a token in RENOVATION_TOKEN, or --user with the password from RENOVATION_PASSWORD
    (else asked for, not echoed). Only an official may load a year.
    """
    schedule = _checked(file)
    base = (url or KernelSettings().intake_url).rstrip("/")
    with httpx.Client(base_url=base, timeout=15.0) as client:
        headers = {"Authorization": f"Bearer {_token(client, user)}", "Content-Type": "application/json",
                   "X-Filename": file.name}
        try:
            answer = client.post("/api/calendar/years", content=file.read_bytes(), headers=headers)
        except httpx.HTTPError as error:
            console.print(f"[red]无法连接项目受理服务 {base}：{error}[/red]")
            raise typer.Exit(1) from None
    if answer.status_code != 201:
        console.print(f"[red]载入被拒绝（{answer.status_code}）[/red]：{_detail(answer)}")
        raise typer.Exit(1)
    console.print(f"已载入 {schedule.year} 年节假日安排（{schedule.source}），SHA-256 {schedule.sha256}。\n"
                  "各服务将在几秒内改用该安排，并以事件重算落在该年的暂定期限；无需重启。")


def _token(client: httpx.Client, user: str | None) -> str:
    token = os.environ.get("RENOVATION_TOKEN")
    if token and not user:
        return token
    if not user:
        console.print("[red]请用 --user 指定住建部门工作人员账号，或在 RENOVATION_TOKEN 中提供令牌[/red]")
        raise typer.Exit(2)
    password = os.environ.get("RENOVATION_PASSWORD") or getpass.getpass(f"{user} 的密码：")
    try:
        answer = client.post("/auth/token", data={"username": user, "password": password})
    except httpx.HTTPError as error:
        console.print(f"[red]无法连接项目受理服务 {client.base_url}：{error}[/red]")
        raise typer.Exit(1) from None
    if answer.status_code != 200:
        console.print(f"[red]登录失败（{answer.status_code}）[/red]：{_detail(answer)}")
        raise typer.Exit(1)
    return answer.json()["access_token"]


def _detail(answer: httpx.Response) -> str:
    try:
        return answer.json().get("detail") or answer.text
    except ValueError:
        return answer.text
