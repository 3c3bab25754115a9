"""The audit on the stack as a user runs it: checkpoints signed on their own, verify clean, then tampered."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_stack import COMMUNITY, wait_everywhere

pytestmark = pytest.mark.e2e


def audit(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "renovation"), "audit", *args], cwd=stack.workdir,
                          env={**stack.env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=120)


def test_a_running_stack_verifies_clean_and_a_changed_event_is_named(stack):
    stack.env["RENOVATION_AUDIT_CHECKPOINT_SECONDS"] = "1"
    stack.start()
    official = stack.token("demo-official")
    created = httpx.post(f"{stack.urls['intake']}/api/communities", json=COMMUNITY, headers=official)
    assert created.status_code == 201, created.text
    wait_everywhere(stack, official, created.json()["community_id"])
    time.sleep(2.5)  # a checkpoint tick after the last event
    clean = audit(stack, "verify", "--json", "report.json")
    report = json.loads((stack.workdir / "report.json").read_text())
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert report["ok"] and {f["service"] for f in report["findings"] if f["check"] == "checkpoint"
                             and f["status"] == "ok"} >= {"intake"}
    assert (stack.workdir / "var" / "audit" / "keys" / "intake.key").stat().st_mode & 0o777 == 0o600

    db = sqlite3.connect(stack.workdir / "var" / "intake.db")
    try:
        refused = None
        try:
            db.execute("UPDATE events SET body = body WHERE position = 1")
        except sqlite3.DatabaseError as error:
            refused = str(error)
        assert refused and "append-only" in refused  # the store refuses edits
        db.execute("DROP TRIGGER events_refuse_update")  # deliberate effort
        db.execute("UPDATE events SET body = replace(body, '幸福里小区', '幸福理小区') WHERE position = 1")
        db.commit()
    finally:
        db.close()
    tampered = audit(stack, "verify", "--json", "report.json")
    assert tampered.returncode == 1
    failed = [f for f in json.loads((stack.workdir / "report.json").read_text())["findings"] if f["status"] == "fail"]
    assert {(f["service"], f["check"]) for f in failed} >= {("intake", "chain"), ("intake", "topic")}
    assert all(f["event"]["position"] == 1 for f in failed if f["check"] in ("chain", "topic"))
    assert "核验失败" in tampered.stdout
