"""The launcher supervises: a service and the broker killed with SIGKILL come back, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_stack import COMMUNITY, wait_everywhere

pytestmark = pytest.mark.e2e


def launcher_state(stack) -> dict:
    path = stack.workdir / "var" / "launcher.json"
    return json.loads(path.read_text()) if path.exists() else {}


def wait_state(stack, predicate, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = launcher_state(stack)
        if state and predicate(state):
            return state
        assert stack.process.poll() is None, "renovation up exited:\n" + stack.output.read_text()
        time.sleep(0.2)
    raise AssertionError(f"the supervisor did not get there: {launcher_state(stack)}")


def test_a_killed_service_and_broker_are_restarted_and_nothing_is_lost(stack):
    stack.start()
    official = stack.token("demo-official")
    first = httpx.post(f"{stack.urls['intake']}/api/communities", json=COMMUNITY, headers=official)
    assert first.status_code == 201, first.text
    wait_everywhere(stack, official, first.json()["community_id"])

    state = wait_state(stack, lambda s: s["broker"]["alive"] and s["services"]["construction"]["alive"])
    os.kill(state["services"]["construction"]["pid"], signal.SIGKILL)
    os.kill(state["broker"]["pid"], signal.SIGKILL)

    state = wait_state(stack, lambda s: s["broker"]["restarts"] >= 1 and s["broker"]["alive"]
                       and s["services"]["construction"]["restarts"] >= 1
                       and s["services"]["construction"]["alive"], timeout=60)
    assert state["services"]["construction"]["last_exit"] == -signal.SIGKILL
    assert state["services"]["intake"]["restarts"] == 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{stack.urls['construction']}/health").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)

    second = httpx.post(f"{stack.urls['intake']}/api/communities",
                        json={**COMMUNITY, "name": "光明里小区"}, headers=official)
    assert second.status_code == 201, second.text
    wait_everywhere(stack, official, second.json()["community_id"], timeout=60)
    expected = sorted([first.json()["community_id"], second.json()["community_id"]])
    time.sleep(1.0)  # re-sent duplicates arrive meanwhile
    for name in ("construction", "complaints", "acceptance"):
        listed = httpx.get(f"{stack.urls[name]}/api/communities", headers=official).json()
        assert sorted(c["community_id"] for c in listed) == expected, name
        state = httpx.get(f"{stack.urls[name]}/status", headers=stack.token("demo-admin")).json()
        assert state["events_applied"] == 2 and state["dead_letters"] == 0, state

    cli = subprocess.run([str(Path(sys.executable).parent / "renovation"), "status"], cwd=stack.workdir,
                         env=stack.env, capture_output=True, text=True, timeout=30)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "重启 1 次" in cli.stdout and "守护" in cli.stdout, cli.stdout
    log = stack.output.read_text()
    assert "construction 意外退出" in log and "已重启" in log
