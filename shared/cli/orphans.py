"""`renovation orphans [--sweep]`: evidence kept whose event never committed, moved aside on request."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from shared.db import create_engine
from shared.orphans import find_orphans, quarantine, referenced
from shared.settings import SERVICE_NAMES, KernelSettings

console = Console(width=160)


def orphans(sweep: bool = typer.Option(False, "--sweep", help="移到 var/evidence-orphans/（不删除）"),
            grace_hours: float = typer.Option(24.0, "--grace-hours", min=1.0,
                                              help="只处理早于此时长的对象（正在上传的不受影响）")) -> None:
    """Evidence objects no event of any service refers to; --sweep moves them out of the store."""
    kernel = KernelSettings()
    if kernel.mode != "embedded":
        console.print("[yellow]部署模式的对象存储是一次写入（object lock）：保留期内不能删除，"
                      "此命令只用于内嵌模式[/yellow]")
        raise typer.Exit(2)
    var = kernel.var_dir.resolve()
    engines = []
    for name in SERVICE_NAMES:
        url = os.environ.get(f"{name.upper()}_DATABASE_URL") or f"sqlite:///{var / f'{name}.db'}"
        if url.startswith("sqlite:///") and not os.path.exists(url.removeprefix("sqlite:///")):
            console.print(f"[red]找不到 {name} 的数据库（{url}）：缺一个服务的引用就不能判断孤立对象[/red]")
            raise typer.Exit(2)
        engines.append(create_engine(url))
    root = kernel.evidence_dir.resolve()
    found = find_orphans(root, referenced(engines), grace_seconds=grace_hours * 3600)
    for orphan in found:
        console.print(f"{orphan.digest}  {orphan.size} 字节  {orphan.age_seconds / 3600:.1f} 小时前")
    console.print(f"共 {len(found)} 个未被任何事件引用的证据对象")
    if sweep and found:
        moved = quarantine(root, found, engines, var / "evidence-orphans")
        console.print(f"已移到 {var / 'evidence-orphans'}：{len(moved)} 个（未删除，可移回）")
    for engine in engines:
        engine.dispose()
