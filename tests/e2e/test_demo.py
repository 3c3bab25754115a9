"""`renovation up --demo`: the demo comes up through the real commands and reaches a project under construction,
a complaint about it and another project's acceptance; a year loaded by the CLI reaches every service."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shared.calendar import WorkingDayCalendar, statutory_holidays
from tests.calendar_2027 import schedule_bytes

from .conftest import DEMO_PASSWORD


def wait_for_output(stack, marker: str, timeout: float = 240.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = stack.output.read_text(errors="replace")
        assert "演示数据未能全部载入" not in text, text
        if marker in text:
            return text
        time.sleep(0.5)
    raise AssertionError(f"no {marker!r} in:\n" + stack.output.read_text(errors="replace"))


def cli(stack, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "renovation"), *args], cwd=stack.workdir,
                          env={**stack.env, **env}, capture_output=True, text=True, timeout=60)


def next_year_as_test_data(workdir: Path) -> None:
    """The year after the package's last, as a file: the demo's notices then never end on a provisional date,
    whatever the day this runs (test data built from the statutory days, not a State Council notice)."""
    year = max(WorkingDayCalendar().official_years()) + 1
    folder = workdir / "var" / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    days = [{"date": d.isoformat(), "name": n} for d, n in sorted(statutory_holidays(year).items())]
    (folder / f"{year}.json").write_text(json.dumps({"year": year, "source": "e2e test data", "published":
                                                     f"{year - 1}-11-01", "holidays": days, "workdays": []}))


def test_the_demo_reaches_a_project_under_construction_and_a_loaded_year_reaches_every_service(stack):
    next_year_as_test_data(stack.workdir)
    welcome = stack.start(120.0, "--demo")
    assert "演示模式" in welcome
    wait_for_output(stack, "演示数据已载入")
    official, contractor = stack.token("demo-official"), stack.token("demo-contractor")
    with httpx.Client(timeout=10) as client:
        communities = client.get(f"{stack.urls['intake']}/api/communities", headers=official).json()
        names = {c["name"] for c in communities}
        assert {"【演示】幸福里小区", "【演示】光明里小区", "【演示】和平新村", "【演示】春晖苑"} <= names
        projects = client.get(f"{stack.urls['construction']}/api/projects", headers=contractor).json()
        [project] = [p for p in projects if p["community_name"] == "【演示】幸福里小区"]
        detail = client.get(f"{stack.urls['construction']}/api/projects/{project['project_id']}", headers=contractor)
        assert any(i["status"] == "started" for i in detail.json()["items"]), detail.text
        orders = client.get(f"{stack.urls['construction']}/api/projects/{project['project_id']}/rectifications",
                            headers=contractor).json()
        assert {o["severity"] for o in orders} == {"minor", "major"}
        queue = client.get(f"{stack.urls['complaints']}/api/complaints", headers=stack.token("demo-hotline-operator"))
        assert any(c["project_id"] == project["project_id"] for c in queue.json()), queue.text
        [finished] = [p for p in projects if p["community_name"] == "【演示】锦绣里小区"]
        acceptance = client.get(f"{stack.urls['acceptance']}/api/projects/{finished['project_id']}/acceptance",
                                headers=official)
        assert acceptance.status_code == 200 and acceptance.json()["stage"] != "waiting", acceptance.text
        page = client.get(f"{stack.urls['construction']}/", headers=contractor)
        assert "演示数据" in page.text and "不得用于实际工作" in page.text

        # The year is loaded once, with an official's credentials; every service follows without restart.
        path = stack.workdir / "2027.json"
        path.write_bytes(schedule_bytes())
        loaded = cli(stack, "calendar", "load", str(path), "--user", "demo-official",
                     RENOVATION_PASSWORD=DEMO_PASSWORD)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        deadline, admin = time.monotonic() + 30, stack.token("demo-admin")
        while time.monotonic() < deadline:
            years = {name: client.get(f"{url}/status", headers=admin).json().get("calendar_years_loaded")
                     for name, url in stack.urls.items()}
            if all(v == [2027] for v in years.values()):
                break
            time.sleep(0.5)
        assert all(v == [2027] for v in years.values()), years

    moved = cli(stack, "demo", "advance", "--days", "3", RENOVATION_DEMO="1")
    assert moved.returncode == 0 and "3 天" in moved.stdout, moved.stdout + moved.stderr
    assert stack.stop() == 0
