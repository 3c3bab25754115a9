"""`renovation audit …`: verify the logs, prove and check one event, replay a project, export the proofs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shared.audit.signing import AuditSettings, PinnedKeys, generate_seed
from shared.settings import EMBEDDED_BROKER, SERVICE_NAMES, KernelSettings

audit_app = typer.Typer(help="审计：核验日志、证明事件、回放项目（Audit the history without trusting the services）。",
                        no_args_is_help=True)
console = Console()
err = Console(stderr=True)

Keys = Annotated[Path | None, typer.Option(
    help="固定的公钥文件 Pinned public keys (default var/audit/public-keys.json).")]
Bootstrap = Annotated[str | None, typer.Option(
    help="Kafka 地址 host:port（缺省取设置）Broker to read the topics from.")]
JsonOut = Annotated[Path | None, typer.Option("--json", help="把 JSON 报告写到此文件 Write the JSON report here.")]

STATUS_ZH = {"ok": "[green]通过[/green]", "fail": "[red]失败[/red]", "warn": "[yellow]注意[/yellow]",
             "fallback": "[yellow]仅按存储[/yellow]"}


def broker(option: str | None) -> str:
    """The broker the stack uses: the option, KAFKA_BOOTSTRAP_SERVERS, else the embedded one (as `renovation up`)."""
    if option:
        return option
    explicit = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or os.environ.get("RENOVATION_KAFKA_BOOTSTRAP_SERVERS")
    if explicit:
        return explicit
    host, port = EMBEDDED_BROKER.split(":")
    return f"{host}:{os.environ.get('RENOVATION_EMBEDDED_BROKER_PORT') or port}"


def database_url(service: str) -> str:
    """A service's database as the service itself finds it (`<SERVICE>_DATABASE_URL`, else var/<service>.db)."""
    return os.environ.get(f"{service.upper()}_DATABASE_URL") or f"sqlite:///var/{service}.db"


def engines() -> dict:
    """An engine per service whose database exists."""
    from shared.db import create_engine

    found = {}
    for name in SERVICE_NAMES:
        url = database_url(name)
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            err.print(f"[yellow]{name}：没有数据库 {url}，跳过[/yellow]")
            continue
        found[name] = create_engine(url)
    return found


def pinned(keys: Path | None, kernel: KernelSettings) -> PinnedKeys | None:
    """The pinned public keys, or None (with a warning) when there is no file."""
    path = keys or AuditSettings().resolved(kernel).public_keys_file
    try:
        return PinnedKeys.load(path)
    except (OSError, ValueError, KeyError) as error:
        err.print(f"[yellow]读不到公钥文件 {path}：{error}[/yellow]")
        return None


@audit_app.command()
def verify(
    keys: Keys = None,
    bootstrap: Bootstrap = None,
    json_out: JsonOut = None,
    no_topics: Annotated[bool, typer.Option(help="不读主题 Do not read the topics.")] = False,
    no_evidence: Annotated[bool, typer.Option(help="不核验证据对象 Skip the evidence store.")] = False,
) -> None:
    """Every service's chain and Merkle root, checkpoints, topics and evidence; exit 1 on any failure."""
    from shared.audit.verify import Sources, verify_all
    from shared.objectstore import open_object_store

    kernel = KernelSettings()
    sources = Sources(engines=engines(), keys=pinned(keys, kernel),
                      bootstrap=None if no_topics else broker(bootstrap),
                      object_store=None if no_evidence else open_object_store(kernel))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        tasks: dict[str, int] = {}

        def tick(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        report = verify_all(sources, progress=tick)
    data = report.to_dict()
    _print_report(report)
    report_file = AuditSettings().resolved(kernel).report_file
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if json_out:
        json_out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    raise typer.Exit(0 if report.ok else 1)


def _print_report(report) -> None:
    table = Table(title="审计核验 Audit verify", show_lines=False)
    for column in ("服务", "检查", "结果", "说明", "事件"):
        table.add_column(column, overflow="fold")
    for f in report.findings:
        event = f.event or {}
        named = f"#{event.get('position', '')} {event.get('event_id', '')}".strip() if event else ""
        table.add_row(f.service, f.check, STATUS_ZH.get(f.status, f.status), f.message, named)
    console.print(table)
    console.print("[green]全部通过[/green]" if report.ok else "[red]核验失败：见上表标红的项[/red]")


@audit_app.command()
def checkpoint(
    service: Annotated[list[str] | None, typer.Option(help="只签这些服务 Only these services.")] = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Sign each service's log now (with the key the service holds) and publish it to the checkpoint topic."""
    from shared.audit.checkpoint import issue
    from shared.audit.publish import publish_checkpoints
    from shared.audit.signing import load_signer
    from shared.clock import Clock

    kernel = KernelSettings()
    for name, engine in engines().items():
        if service and name not in service:
            continue
        signer = load_signer(name, kernel)
        with engine.connect().execution_options(immediate=True) as conn, conn.begin():
            signed = issue(conn, signer=signer, now=Clock.from_settings(kernel).now())
        sent = publish_checkpoints(engine, broker(bootstrap))
        console.print(f"{name}：检查点 大小 {signed.size} 根 {signed.root[:16]}… {signed.time}（已发布 {sent} 个）")


@audit_app.command()
def keygen(service: Annotated[str, typer.Option(help="服务名 Service name.")]) -> None:
    """A new Ed25519 key for deployment: the secret for RENOVATION_AUDIT_SIGNING_KEY and its public key."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shared.audit.signing import key_id

    seed = generate_seed()
    public = Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed)).public_key().public_bytes_raw()
    console.print(f"RENOVATION_AUDIT_SIGNING_KEY={seed}   # {service} 的私钥，只给该服务")
    console.print(json.dumps({service: {"public_key": base64.b64encode(public).decode(), "key_id": key_id(public)}}))


@audit_app.command()
def prove(
    event: Annotated[str, typer.Option("--event", help="事件 ID Event id.")],
    out: Annotated[Path | None, typer.Option(help="写入文件 Write the proof here.")] = None,
) -> None:
    """Print the inclusion proof of one event: the event, its leaf hash, the path, the signed checkpoint."""
    from shared.audit.prove import NoCheckpointYet, find_event, make_proof

    for name, engine in engines().items():
        with engine.connect() as conn:
            if find_event(conn, event) is None:
                continue
            try:
                proof = make_proof(conn, service=name, event_id=event)
            except NoCheckpointYet as error:
                err.print(f"[red]{error}[/red]")
                raise typer.Exit(2) from None
        text = json.dumps(proof, ensure_ascii=False, indent=2)
        if out:
            out.write_text(text, encoding="utf-8")
            err.print(f"证明已写入 {out}")
        else:
            console.print_json(text)
        return
    err.print(f"[red]没有任何服务的日志里有事件 {event}[/red]")
    raise typer.Exit(2)


@audit_app.command()
def check(proof: Path, keys: Keys = None) -> None:
    """Verify an inclusion proof offline, with nothing but the pinned public keys."""
    from shared.audit.checkpoint import CheckpointRefused
    from shared.audit.merkle import ProofError
    from shared.audit.prove import check_proof
    from shared.audit.signing import SignatureRefused

    kernel = KernelSettings()
    known = pinned(keys, kernel)
    if known is None:
        raise typer.Exit(2)
    try:
        data = json.loads(proof.read_text(encoding="utf-8"))
        checked = check_proof(data, known)
    except (OSError, ValueError, ProofError, SignatureRefused, CheckpointRefused) as error:
        console.print(f"[red]证明无效[/red]：{error}")
        raise typer.Exit(1) from None
    console.print(f"[green]证明有效[/green]：{checked.service} 日志第 {checked.position} 条事件 {checked.event_id}"
                  f"（{checked.event_type}，项目 {checked.project_id}）包含在 {checked.checkpoint_time} "
                  f"签名的检查点中（{checked.checkpoint_size} 条，根 {checked.root[:16]}…）")


AsOf = Annotated[str | None, typer.Option("--as-of", help="截至时间 ISO 8601（须带时区）As of this moment.")]


@audit_app.command()
def replay(
    project: Annotated[str, typer.Option("--project", help="项目 ID Project id.")],
    as_of: AsOf = None,
    bootstrap: Bootstrap = None,
    json_out: JsonOut = None,
    html: Annotated[Path | None, typer.Option(help="把 HTML 写到此文件 Write an HTML page here.")] = None,
) -> None:
    """A project's state as known at a moment, rebuilt from the topics alone: timeline, proofs, JSON, HTML."""
    from shared.audit.replay import parse_moment, published_calendar, replay_project
    from shared.audit.router import as_json, standalone_html
    from shared.audit.view import project_state
    from shared.errors import RenovationError

    kernel = KernelSettings()
    try:
        moment = parse_moment(as_of)
        replayed = replay_project(broker(bootstrap), project, as_of=moment,
                                  engines=engines())
    except RenovationError as error:
        err.print(f"[red]{error.message}[/red]")
        raise typer.Exit(2) from None
    calendar = published_calendar(broker(bootstrap), kernel)
    state = project_state(project, replayed.facts, calendar=calendar, as_of=moment)
    _print_timeline(state, replayed)
    if json_out:
        json_out.write_text(as_json(state, notes=replayed.notes, sources=replayed.sources), encoding="utf-8")
    if html:
        html.write_text(standalone_html(state, notes=replayed.notes, sources=replayed.sources), encoding="utf-8")


def _print_timeline(state: dict, replayed) -> None:
    plan = state["plan"]
    console.print(f"[bold]{plan.get('community_name') or state['project_id']}[/bold] "
                  f"{plan.get('district') or ''} {plan.get('plan_year') or ''}"
                  + (f" · 截至 {state['as_of']}" if state["as_of"] else ""))
    for note in replayed.notes:
        console.print(f"[yellow]{note}[/yellow]")
    timeline = Table(title="时间线 Timeline")
    for column in ("时间", "服务", "事件", "对象", "位置"):
        timeline.add_column(column, overflow="fold")
    for line in state["timeline"]:
        where = f"#{line['position']}" + ("（存储）" if line["source"] != "topic" else "")
        timeline.add_row(line["at"], line["service"], line["event_type"], line["subject"], where)
    console.print(timeline)
    proofs = Table(title="规则证明 Proofs")
    for column in ("规则", "结果", "数字", "违反规则的事件"):
        proofs.add_column(column, overflow="fold")
    word = {"pass": "[green]成立[/green]", "fail": "[red]不成立[/red]", "pending": "[yellow]尚未到期[/yellow]",
            "none": "—"}
    for proof in state["proofs"]:
        breaking = proof["breaking"] or {}
        proofs.add_row(proof["title"], word[proof["status"]], "\n".join(proof["figures"]),
                       f"{breaking.get('event_type', '')} {breaking.get('event_id', '')}".strip())
    console.print(proofs)


@audit_app.command()
def export(
    district: Annotated[str, typer.Option(help="区 District, e.g. 和平区.")],
    year: Annotated[int, typer.Option(help="计划年度 Plan year.")],
    out: Annotated[Path | None, typer.Option(help="CSV 文件（缺省输出到终端）CSV file.")] = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Every project of a district and plan year with each proof's status, figures and breaking event, as CSV."""
    from shared.audit.replay import published_calendar
    from shared.audit.view import all_projects, export_csv, summaries

    kernel = KernelSettings()
    rows = summaries(all_projects(broker(bootstrap)), calendar=published_calendar(broker(bootstrap), kernel),
                     district=district, year=year)
    text = export_csv(rows)
    if out:
        out.write_text(text, encoding="utf-8-sig")
        err.print(f"{len(rows)} 个项目已写入 {out}")
    else:
        typer.echo(text, nl=False)
