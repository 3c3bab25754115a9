"""The launcher's supervisor: restarts a dead broker or service with backoff and says so."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.broker import ensure_topics
from shared.envelope import utc_now

if TYPE_CHECKING:
    from shared.launcher import Stack

log = logging.getLogger("renovation.launcher")

STATE_FILE = "launcher.json"


@dataclass
class Watch:
    """What the supervisor knows about one process: restarts, the last exit, when to try next."""

    restarts: int = 0
    quick_deaths: int = 0
    last_exit: int | None = None
    last_restart_at: str | None = None
    started: float = field(default_factory=time.monotonic)
    retry_at: float | None = None


class Supervisor:
    """Restarts what died: the embedded broker first (same port, a fresh identity), then services.

    A process that dies again within `stable` seconds of its start waits longer before
    the next restart (base, 2×base, … up to `cap`). Every restart is printed, counted and
    written to var/launcher.json, which `renovation status` reads.
    """

    def __init__(self, stack: Stack, *, say=print, base: float = 0.5, cap: float = 30.0,
                 stable: float = 60.0) -> None:
        self.stack = stack
        self.say = say
        self.base, self.cap, self.stable = base, cap, stable
        self.watches: dict[str, Watch] = {"broker": Watch()}
        self.watches.update({child.name: Watch() for child in stack.children})
        self.path = stack.var / STATE_FILE

    def tick(self) -> None:
        """Look at every process once; restart the dead ones whose backoff has passed."""
        broker = self.stack.broker
        if broker is not None and not broker.alive():
            self._revive("broker", broker.process, self._restart_broker)
        for index, child in enumerate(self.stack.children):
            if child.process.poll() is not None:
                self._revive(child.name, child.process, lambda i=index: self._restart_service(i))
        self.write_state()

    def _revive(self, name: str, process, restart) -> None:
        watch, now = self.watches[name], time.monotonic()
        if watch.retry_at is None:
            code = process.returncode if process is not None else None
            watch.last_exit = code
            watch.quick_deaths = watch.quick_deaths + 1 if now - watch.started < self.stable else 1
            delay = min(self.base * 2 ** (watch.quick_deaths - 1), self.cap)
            watch.retry_at = now + delay
            self.say(f"[red]{_title(name)} 意外退出（exit {code}），{delay:.1f} 秒后重启[/red]")
            log.warning("%s exited (%s); restarting in %.1fs", name, code, delay)
        if now < watch.retry_at:
            return
        try:
            restart()
        except Exception as error:  # noqa: BLE001 - a failed restart is retried after the next backoff
            watch.quick_deaths += 1
            watch.retry_at = now + min(self.base * 2 ** (watch.quick_deaths - 1), self.cap)
            self.say(f"[red]{_title(name)} 重启失败：{error}[/red]")
            return
        watch.restarts += 1
        watch.retry_at, watch.started = None, time.monotonic()
        watch.last_restart_at = utc_now().isoformat()
        self.say(f"[yellow]{_title(name)} 已重启（第 {watch.restarts} 次）[/yellow]")
        log.warning("%s restarted (%d restarts so far)", name, watch.restarts)

    def _restart_broker(self) -> None:
        broker = self.stack.broker
        broker.start()
        # Services reconnect by themselves; their relays see the new broker's identity and
        # re-send their logs. The topics must exist first (auto-creation is off).
        settings = self.stack.kernel.model_copy(update={"kafka_bootstrap_servers": broker.bootstrap_servers})
        asyncio.run(asyncio.wait_for(ensure_topics(settings), timeout=30))

    def _restart_service(self, index: int) -> None:
        child = self.stack.children[index]
        self.stack.children[index] = self.stack._spawn(child.name)

    def state(self) -> dict[str, Any]:
        """What var/launcher.json holds: the launcher, the broker and every service."""
        broker = self.stack.broker
        services = {}
        for child in self.stack.children:
            watch = self.watches[child.name]
            services[child.name] = {"pid": child.process.pid, "alive": child.process.poll() is None,
                                    "port": child.port, **_figures(watch)}
        return {
            "pid": os.getpid(), "updated_at": utc_now().isoformat(),
            "broker": {"embedded": broker is not None, "bootstrap": self.stack.bootstrap,
                       "pid": broker.process.pid if broker is not None and broker.process else None,
                       "alive": broker.alive() if broker is not None else None,
                       **_figures(self.watches["broker"])},
            "services": services,
        }

    def write_state(self) -> None:
        """Replace var/launcher.json in one step (readers never see half a file)."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.state(), ensure_ascii=False, indent=1))
        temporary.replace(self.path)

    def clear(self) -> None:
        """The launcher is stopping: nothing is supervised any more."""
        self.path.unlink(missing_ok=True)


def read_state(var_dir: Path) -> dict[str, Any] | None:
    """The running launcher's state, or None when no launcher runs for this var/ folder."""
    try:
        state = json.loads((var_dir / STATE_FILE).read_text())
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state


def _figures(watch: Watch) -> dict[str, Any]:
    return {"restarts": watch.restarts, "last_exit": watch.last_exit,
            "last_restart_at": watch.last_restart_at, "restarting": watch.retry_at is not None}


def _title(name: str) -> str:
    return "消息代理 broker" if name == "broker" else f"服务 {name}"
