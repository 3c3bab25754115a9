"""The stack as a user runs it: `renovation up`, a community flowing through all four services."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

COMMUNITY = {
    "name": "幸福里小区", "district": "和平区", "street_office": "南市街道", "residents_committee": "南市社区",
    "address": "和平区南市路 1 号", "built_year": 1995, "built_month": 6, "building_count": 12,
    "household_count": 480, "floor_area_m2": 36000, "latitude": 41.79, "longitude": 123.43,
}


def wait_everywhere(stack, headers, community_id: str, timeout: float = 15.0) -> float:
    """Seconds until every consuming service lists the community."""
    started = time.monotonic()
    missing = {"construction", "complaints", "acceptance"}
    while missing:
        for name in sorted(missing):  # a copy: found ones leave the set inside the loop
            listed = httpx.get(f"{stack.urls[name]}/api/communities", headers=headers).json()
            if any(c["community_id"] == community_id for c in listed):
                missing.discard(name)
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not reached within {timeout}s: {sorted(missing)}")
        time.sleep(0.1)
    return time.monotonic() - started


def status(stack, name: str) -> dict:
    return httpx.get(f"{stack.urls[name]}/status", headers=stack.token("demo-admin")).json()  # operators only


def test_community_flows_through_all_services_and_survives_a_restart(stack):
    welcome = stack.start()
    for url in stack.urls.values():
        assert url in welcome, "the welcome table must say where to open each service"
    assert "demo-official" in welcome and "demo-pass-2026" in welcome

    official = stack.token("demo-official")
    first = httpx.post(f"{stack.urls['intake']}/api/communities", json=COMMUNITY, headers=official)
    assert first.status_code == 201, first.text
    first_id = first.json()["community_id"]
    wait_everywhere(stack, official, first_id)

    page = httpx.get(f"{stack.urls['construction']}/", headers={"accept": "text/html"})
    assert page.status_code == 200 and "幸福里小区" in page.text and 'lang="zh-CN"' in page.text

    cli = subprocess.run([str(Path(sys.executable).parent / "renovation"), "status"], cwd=stack.workdir,
                         env=stack.env, capture_output=True, text=True, timeout=30)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "intake" in cli.stdout and "正常" in cli.stdout

    assert stack.stop() == 0

    # Second run: the data is kept; the embedded broker starts empty, so the relays re-send
    # and the consumers must neither lose nor double-apply anything.
    stack.start()
    official = stack.token("demo-official")
    second = httpx.post(f"{stack.urls['intake']}/api/communities",
                        json={**COMMUNITY, "name": "光明里小区"}, headers=official)
    assert second.status_code == 201, second.text
    wait_everywhere(stack, official, second.json()["community_id"])
    time.sleep(1.0)  # let the re-sent first event arrive as a duplicate too
    for name in ("construction", "complaints", "acceptance"):
        listed = httpx.get(f"{stack.urls[name]}/api/communities", headers=official).json()
        assert sorted(c["community_id"] for c in listed) == sorted([first_id, second.json()["community_id"]])
        state = status(stack, name)
        assert state["events_applied"] == 2 and state["dead_letters"] == 0, state
    assert status(stack, "intake")["relay_lag"] == 0


def test_bad_input_is_refused_with_a_reason_and_loses_nothing(stack):
    stack.start()
    official = stack.token("demo-official")
    intake = stack.urls["intake"]
    created = httpx.post(f"{intake}/api/communities", json=COMMUNITY, headers=official)
    assert created.status_code == 201

    missing_token = httpx.post(f"{intake}/api/communities", json=COMMUNITY)
    assert missing_token.status_code == 401 and "未登录" in missing_token.json()["detail"]
    resident = httpx.post(f"{intake}/api/communities", json=COMMUNITY, headers=stack.token("demo-resident"))
    assert resident.status_code == 403 and "居民" in resident.json()["detail"]
    duplicate = httpx.post(f"{intake}/api/communities", json=COMMUNITY, headers=official)
    assert duplicate.status_code == 422 and "已登记" in duplicate.json()["detail"]
    nonsense = httpx.post(f"{intake}/api/communities", json={**COMMUNITY, "household_count": "many"},
                          headers=official)
    assert nonsense.status_code == 422 and "household_count" in nonsense.json()["detail"]

    assert len(httpx.get(f"{intake}/api/communities", headers=official).json()) == 1
    assert status(stack, "intake")["log_position"] == 1

    metrics = httpx.get(f"{intake}/metrics").text
    assert 'renovation_events_appended_total{event_type="intake.CommunityRegistered"} 1.0' in metrics
    assert 'http_requests_total{handler="/api/communities",method="POST",status="4xx"}' in metrics
    assert "renovation_relay_lag_events" in metrics
    wait_everywhere(stack, official, created.json()["community_id"])
    consumer_metrics = httpx.get(f"{stack.urls['acceptance']}/metrics").text
    assert "faststream_received_messages_total" in consumer_metrics
    applied = 'renovation_consumer_events_total{consumer="acceptance",event_type="intake.CommunityRegistered"'
    assert applied in consumer_metrics


def test_a_second_interrupt_during_shutdown_leaves_nothing_running(stack):
    """An impatient double Ctrl-C must not cut the cleanup short (the fixture checks every port)."""
    import signal

    stack.start()
    stack.process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=40) == 0
    assert "已停止" in stack.output.read_text()
