"""The whole stack started the way `make run` starts it, on free ports in a temp folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from shared.embedded import free_port, port_is_free
from shared.settings import SERVICE_NAMES

DEMO_PASSWORD = "demo-pass-2026"


@dataclass
class RunningStack:
    """A `renovation up` process and the URLs of its services."""

    workdir: Path
    env: dict[str, str]
    urls: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0, *options: str) -> str:
        """Run `renovation up [options]` and wait for its welcome table; return what it printed."""
        self.output = self.workdir / f"up-{time.monotonic_ns()}.log"
        # The child keeps its own copy of the descriptor: ours is closed once it has started.
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "renovation"), "up", *options], cwd=self.workdir, env=self.env,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output.read_text(errors="replace")
            if "已启动" in text:
                return text
            if self.process.poll() is not None:
                raise AssertionError(f"renovation up exited {self.process.returncode}:\n{text}")
            time.sleep(0.2)
        raise AssertionError("renovation up did not come up:\n" + self.output.read_text(errors="replace"))

    def stop(self, timeout: float = 40.0) -> int:
        """Ctrl-C, as a user would; return the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise

    def token(self, username: str) -> dict[str, str]:
        """Bearer headers for a demo user."""
        response = httpx.post(f"{self.urls['intake']}/auth/token",
                              data={"username": username, "password": DEMO_PASSWORD})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def stack(tmp_path):
    """A configured, not yet started, stack in its own folder on free ports."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("RENOVATION_", "KAFKA_", "INTAKE_", "CONSTRUCTION_", "COMPLAINTS_", "ACCEPTANCE_")):
            del env[key]
    ports = {name: free_port() for name in SERVICE_NAMES}
    broker_port = free_port()
    env["RENOVATION_EMBEDDED_BROKER_PORT"] = str(broker_port)
    urls = {}
    for name, port in ports.items():
        env[f"{name.upper()}_PORT"] = str(port)
        urls[name] = env[f"RENOVATION_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
    running = RunningStack(workdir=tmp_path, env=env, urls=urls)
    yield running
    running.stop()
    for port in [*ports.values(), broker_port]:
        assert port_is_free("127.0.0.1", port), f"port {port} still in use after stop"
