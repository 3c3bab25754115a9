"""`renovation calendar check/load` refuses a malformed file clearly; `renovation demo advance` only in demo mode."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from shared.cli.main import app
from shared.clock import OFFSET_FILE, Clock
from shared.settings import KernelSettings
from tests.calendar_2027 import schedule_bytes

runner = CliRunner()


def test_a_malformed_calendar_file_is_refused_with_the_problem_and_exit_2(tmp_path):
    path = tmp_path / "2027.json"
    path.write_bytes(schedule_bytes(holidays=[{"date": "2027-02-30", "name": "春节"}]))
    for command in (["calendar", "check", str(path)], ["calendar", "load", str(path), "--user", "x"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "日历文件有误" in result.output and "holidays[0].date" in result.output and "2027.json" in result.output
    path.write_text('{"year": 2027,', encoding="utf-8")
    result = runner.invoke(app, ["calendar", "load", str(path), "--user", "x"])
    assert result.exit_code == 2 and "cannot be read as JSON" in result.output


def test_a_good_file_is_checked_with_its_hash(tmp_path):
    path = tmp_path / "2027.json"
    path.write_bytes(schedule_bytes())
    result = runner.invoke(app, ["calendar", "check", str(path)])
    assert result.exit_code == 0 and "2027 年" in result.output and "SHA-256" in result.output


def test_load_without_credentials_says_how_to_give_them(tmp_path, monkeypatch):
    monkeypatch.delenv("RENOVATION_TOKEN", raising=False)
    path = tmp_path / "2027.json"
    path.write_bytes(schedule_bytes())
    result = runner.invoke(app, ["calendar", "load", str(path)])
    assert result.exit_code == 2 and "--user" in result.output and "RENOVATION_TOKEN" in result.output


def test_the_clock_cannot_move_outside_demo_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("RENOVATION_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("RENOVATION_DEMO", raising=False)
    result = runner.invoke(app, ["demo", "advance", "--days", "7"])
    assert result.exit_code == 2 and "演示模式" in result.output
    assert not (tmp_path / OFFSET_FILE).exists()
    # A service outside demo mode ignores an offset file even if one were put there by hand.
    (tmp_path / OFFSET_FILE).write_text(json.dumps({"offset_seconds": 86400 * 30}), encoding="utf-8")
    assert Clock.from_settings(KernelSettings(var_dir=tmp_path)).offset().days == 0
    deployment = KernelSettings.model_construct(var_dir=tmp_path, mode="deployment", demo=True)
    assert Clock.from_settings(deployment).offset().days == 0


def test_in_demo_mode_the_clock_moves_for_every_service(tmp_path, monkeypatch):
    monkeypatch.setenv("RENOVATION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RENOVATION_DEMO", "1")
    before = Clock.from_settings(KernelSettings()).today()
    result = runner.invoke(app, ["demo", "advance", "--days", "15"])
    assert result.exit_code == 0, result.output
    assert (Clock.from_settings(KernelSettings()).today() - before).days == 15


def test_status_and_the_cli_find_services_on_the_ports_the_stack_was_started_with(monkeypatch):
    monkeypatch.delenv("RENOVATION_INTAKE_URL", raising=False)
    monkeypatch.setenv("INTAKE_PORT", "9111")
    assert KernelSettings().service_url("intake") == "http://127.0.0.1:9111"
    monkeypatch.setenv("RENOVATION_INTAKE_URL", "https://intake.example.org")
    assert KernelSettings().service_url("intake") == "https://intake.example.org"
