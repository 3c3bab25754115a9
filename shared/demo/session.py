"""A demo session: the demo accounts' tokens, HTTP calls that fail loudly, and the demo clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from shared.actor import Role
from shared.cli.user import DEMO_PASSWORD, demo_username
from shared.clock import OFFSET_FILE, Clock

T = TypeVar("T")


class DemoStepFailed(RuntimeError):
    """A demo step was refused: the message says which call and why."""


class DemoSession:
    """Calls the services as the demo account of a role, and moves the demo clock."""

    def __init__(self, urls: dict[str, str], var_dir: Path, *, say: Callable[[str], None] = print):
        self.urls = urls
        self.clients = {name: httpx.Client(base_url=url, timeout=30.0) for name, url in urls.items()}
        self.clock = Clock(demo=True, offset_path=Path(var_dir) / OFFSET_FILE)
        self.say = say
        self._tokens: dict[Role, str] = {}

    def close(self) -> None:
        """Close the HTTP clients."""
        for client in self.clients.values():
            client.close()

    def headers(self, role: Role) -> dict[str, str]:
        """Bearer headers of the demo account of `role` (logged in once)."""
        if role not in self._tokens:
            answer = self.clients["intake"].post("/auth/token", data={"username": demo_username(role),
                                                                      "password": DEMO_PASSWORD})
            self._check(answer, f"login {demo_username(role)}", 200)
            self._tokens[role] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[role]}"}

    def call(self, role: Role, method: str, service: str, path: str, *, expect: int = 200, **kwargs) -> Any:
        """One request as `role`; the JSON answer (None for 204), or DemoStepFailed with the reason."""
        answer = self.clients[service].request(method, path, headers=self.headers(role), **kwargs)
        self._check(answer, f"{method} {service}{path}", expect)
        return answer.json() if answer.content and answer.status_code != 204 else None

    @staticmethod
    def _check(answer: httpx.Response, what: str, expect: int) -> None:
        if answer.status_code != expect:
            try:
                detail = answer.json().get("detail", answer.text)
            except ValueError:
                detail = answer.text
            raise DemoStepFailed(f"{what} → {answer.status_code}: {detail}")

    def today(self) -> date:
        """The demo's today (China date), as every service of the demo sees it."""
        return self.clock.today()

    def advance(self, days: int) -> None:
        """Move the demo clock forward for every service."""
        self.clock.advance(timedelta(days=days))
        self.say(f"演示时钟向前拨动 {days} 天，今天（演示）是 {self.today().isoformat()}")

    @staticmethod
    def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 60.0) -> T:
        """Poll until `probe` gives a value (another service reacting to an event)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = probe()
            if value:
                return value
            time.sleep(0.3)
        raise DemoStepFailed(f"等待超时：{what}")
