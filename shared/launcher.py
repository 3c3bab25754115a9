"""`renovation up`: the whole system on one machine — broker, topics, four services, demo users."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich import box
from rich.console import Console
from rich.table import Table

from shared.auth import IdentityStore
from shared.broker import ensure_topics
from shared.cli.user import DEMO_PASSWORD, ensure_demo_users
from shared.embedded import BrokerStartError, EmbeddedBroker, port_is_free
from shared.settings import DEFAULT_PORTS, EMBEDDED_BROKER, SERVICE_NAMES, KernelSettings
from shared.supervisor import Supervisor

# Never fold a URL, even when the output is piped to a narrow log.
console = Console(width=max(shutil.get_terminal_size((100, 24)).columns, 100))


class LaunchError(RuntimeError):
    """The stack could not be brought up; the message says why and what to do."""


@dataclass
class Child:
    """One service process and where its output goes."""

    name: str
    port: int
    process: subprocess.Popen
    log_path: Path


def external_broker() -> str | None:
    """The Kafka the user asked for (KAFKA_BOOTSTRAP_SERVERS), or None for the embedded one."""
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or os.environ.get(
        "RENOVATION_KAFKA_BOOTSTRAP_SERVERS")


class Stack:
    """Starts everything in order and stops it in reverse."""

    def __init__(self, kernel: KernelSettings, *, host: str = "127.0.0.1") -> None:
        self.kernel = kernel
        self.host = host
        self.var = kernel.var_dir.resolve()
        self.logs = self.var / "logs"
        self.broker: EmbeddedBroker | None = None
        self.children: list[Child] = []
        self.supervisor: Supervisor | None = None

    def start(self) -> None:
        """Bring the stack up; raise LaunchError with a reason on failure (nothing left running)."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def port(name: str) -> int:
        """A service's port: <SERVICE>_PORT if set, else its default."""
        return int(os.environ.get(f"{name.upper()}_PORT") or DEFAULT_PORTS[name])

    def _start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        (self.var / "evidence").mkdir(parents=True, exist_ok=True)
        busy = [f"{name}:{self.port(name)}" for name in SERVICE_NAMES
                if not port_is_free(self.host, self.port(name))]
        if busy:
            raise LaunchError(f"端口已被占用（ports in use）: {', '.join(busy)} — 是否已有一套系统在运行？"
                              "先停止它（Ctrl-C）或结束占用端口的进程")
        bootstrap = external_broker()
        if bootstrap is None:
            host, port = EMBEDDED_BROKER.split(":")
            port = os.environ.get("RENOVATION_EMBEDDED_BROKER_PORT") or port
            self.broker = EmbeddedBroker(host=host, port=int(port), log_path=self.logs / "broker.log")
            try:
                self.broker.start()
            except BrokerStartError as error:
                raise LaunchError(f"内置消息代理启动失败（embedded broker）: {error}") from error
            bootstrap = self.broker.bootstrap_servers
        self.bootstrap = bootstrap
        settings = self.kernel.model_copy(update={"kafka_bootstrap_servers": bootstrap})
        try:
            asyncio.run(asyncio.wait_for(ensure_topics(settings), timeout=30))
        except Exception as error:  # any failure here is a launch failure
            raise LaunchError(f"无法在 {bootstrap} 创建主题（topics）: {error!r}") from error
        self.demo_users = self._identity()
        for name in SERVICE_NAMES:
            self.children.append(self._spawn(name))
        self._wait_healthy()

    def _identity(self) -> list[tuple[str, str, str]]:
        store = IdentityStore.from_url(self._identity_url())
        store.create_schema()
        if self.kernel.mode == "embedded":
            return [(u, p, str(r)) for u, p, r in ensure_demo_users(store)]
        return []

    def _identity_url(self) -> str:
        url = self.kernel.identity_database_url
        if url == "sqlite:///var/identity.db":
            return f"sqlite:///{self.var / 'identity.db'}"
        return url

    def environment(self, name: str) -> dict[str, str]:
        """The environment a service process runs with."""
        prefix = name.upper()
        env = dict(os.environ)
        env.update({
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "RENOVATION_IDENTITY_DATABASE_URL": self._identity_url(),
            "RENOVATION_VAR_DIR": str(self.var),
            "RENOVATION_EVIDENCE_DIR": str(self.var / "evidence"),
            f"{prefix}_HOST": self.host,
            f"{prefix}_PORT": str(self.port(name)),
        })
        for other in SERVICE_NAMES:
            env.setdefault(f"RENOVATION_{other.upper()}_URL", f"http://{self.host}:{self.port(other)}")
        env.setdefault(f"{prefix}_DATABASE_URL", f"sqlite:///{self.var / f'{name}.db'}")
        return env

    def _spawn(self, name: str) -> Child:
        log_path = self.logs / f"{name}.log"
        with open(log_path, "ab") as output:  # the child keeps its own handle
            process = subprocess.Popen([sys.executable, "-m", f"services.{name}"], env=self.environment(name),
                                       stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        return Child(name, self.port(name), process, log_path)

    def _wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        pending = {child.name: child for child in self.children}
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name, child in list(pending.items()):
                    if child.process.poll() is not None:
                        raise LaunchError(f"服务 {name} 启动失败（exit {child.process.returncode}）:\n"
                                          f"{tail(child.log_path)}")
                    try:
                        if client.get(f"http://{self.host}:{child.port}/health").status_code == 200:
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                if time.monotonic() > deadline:
                    raise LaunchError(f"服务未在 {timeout:.0f} 秒内就绪: {', '.join(pending)}")
                time.sleep(0.2)

    def died(self) -> Child | None:
        """A service process that exited on its own, if any."""
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop(self) -> None:
        """Stop the services (SIGTERM, then SIGKILL after 15 s), then the broker."""
        if self.supervisor is not None:
            self.supervisor.clear()
            self.supervisor = None
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children:
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        self.children = []
        if self.broker is not None:
            self.broker.stop()
            self.broker = None


def tail(path: Path, lines: int = 25) -> str:
    """The last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def print_welcome(stack: Stack) -> None:
    """The table of where to open each service, and how to log in."""
    table = Table(title="老旧小区改造监管平台 · 已启动 (the system is up)", box=box.SIMPLE_HEAD)
    for column in ("服务 Service", "页面 Pages", "API 文档", "AsyncAPI", "指标 Metrics"):
        table.add_column(column, no_wrap=True)
    titles = {"intake": "项目受理", "construction": "施工监管", "complaints": "投诉处理", "acceptance": "竣工验收"}
    for child in stack.children:
        table.add_row(f"{titles[child.name]} {child.name}", f"http://{stack.host}:{child.port}/",
                      "/docs", "/asyncapi", "/metrics")
    console.print(table)
    broker = "内置 tansu（仅内存，重启后由各服务补发）" if stack.broker else "外部 Kafka"
    console.print(f"消息代理 Broker: {stack.bootstrap}（{broker}）   数据 Data: {stack.var}")
    if stack.demo_users:
        names = "  ".join(u for u, _, _ in stack.demo_users)
        console.print(f"登录 Log in：演示账号（每个角色一个）{names}\n"
                      f"           密码均为 password: [bold]{DEMO_PASSWORD}[/bold]"
                      f"   例如 demo-official 可登记小区。新增账号：renovation user add NAME --role ROLE")
    if stack.kernel.demo:
        console.print("演示模式 Demo：正在通过各服务的接口载入演示数据（名称以【演示】开头）…  "
                      "拨动演示时钟：RENOVATION_DEMO=1 renovation demo advance --days 7")
    else:
        console.print("想先看一遍完整流程？make demo（或 renovation up --demo）载入演示数据")
    console.print("运行状态：renovation status    停止：Ctrl-C")


def up(kernel: KernelSettings, *, demo: bool = False) -> int:
    """Run the stack until Ctrl-C or SIGTERM; return the exit code. `demo` loads the demo (embedded only)."""
    if demo:
        if kernel.mode != "embedded":
            console.print("[red]演示只能在内嵌模式（RENOVATION_MODE=embedded）下运行[/red]")
            return 2
        # The services inherit it: demo clock, banner on every page, a quick notice clock.
        os.environ["RENOVATION_DEMO"] = "1"
        os.environ.setdefault("INTAKE_NOTICE_TICK_SECONDS", "2")
        kernel = kernel.model_copy(update={"demo": True})
    stack = Stack(kernel)
    stopping = False

    def _terminate(signum, _frame) -> None:
        # One signal starts the shutdown; a second (an impatient Ctrl-C) must not cut the
        # cleanup short and leave the broker and services running without us.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    # Also SIGINT: a shell that starts us in the background sets it to "ignore".
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    try:
        console.print("正在启动… (starting)")
        stack.start()
        print_welcome(stack)
        if demo:
            from shared.demo.run import load_in_background

            load_in_background({c.name: f"http://{stack.host}:{c.port}" for c in stack.children}, stack.var,
                               say=console.print)
        supervisor = Supervisor(stack, say=console.print)
        stack.supervisor = supervisor
        while True:  # a dead broker or service is restarted with backoff (shared/supervisor.py)
            supervisor.tick()
            time.sleep(0.5)
    except LaunchError as error:
        console.print(f"[red]启动失败：{error}[/red]")
        return 1
    except KeyboardInterrupt:
        stopping = True
        return 0
    finally:
        if stopping:
            console.print("正在停止… (stopping)")
        stack.stop()
        if stopping:
            console.print("已停止。数据保留在 var/，再次运行 make run 即可继续。")
