"""`renovation bench replay` runs end to end on tiny sizes (the 1 M step is for the machine, not for tests)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from shared.cli.main import app

pytestmark = pytest.mark.broker


def test_bench_replay_prints_both_sides_for_each_size(kafka, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["bench", "replay", "--sizes", "300,900", "--bootstrap", kafka.bootstrap_servers])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == ["300", "900"]
    assert all(float(row.split("│")[4].strip().rstrip("×")) > 0 for row in rows)
