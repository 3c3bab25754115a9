"""`renovation audit verify / prove / check` as an auditor runs them: exit codes, reports, offline proofs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from shared.cli.main import app
from shared.schema import events

pytestmark = pytest.mark.broker


@pytest.fixture
def auditor(log, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path / 'intake.db'}")
    monkeypatch.setenv("RENOVATION_KAFKA_BOOTSTRAP_SERVERS", log.kernel.kafka_bootstrap_servers)
    monkeypatch.setenv("RENOVATION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RENOVATION_EVIDENCE_DIR", str(tmp_path / "evidence"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["audit", *args], catch_exceptions=False)


def test_verify_writes_both_reports_and_exits_non_zero_on_tampering(auditor, log, tmp_path):
    result = auditor("verify", "--json", str(tmp_path / "report.json"))
    assert result.exit_code == 0, result.output
    assert "全部通过" in result.output
    assert json.loads((tmp_path / "report.json").read_text())["ok"] is True
    assert json.loads((tmp_path / "audit" / "verify-report.json").read_text())["ok"] is True
    log.tamper(events.delete().where(events.c.position == 7))
    result = auditor("verify", "--json", str(tmp_path / "report.json"))
    assert result.exit_code == 1
    assert "核验失败" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert not report["ok"] and any("position 7 is missing" in f["message"] for f in report["findings"])


def test_an_inclusion_proof_checks_offline_and_a_forged_one_is_refused(auditor, log, tmp_path):
    event_id = log.event_id(6)
    assert auditor("prove", "--event", event_id, "--out", str(tmp_path / "proof.json")).exit_code == 0
    proof = json.loads((tmp_path / "proof.json").read_text())
    assert proof["checkpoint"]["statement"]["size"] == 12 and proof["leaf_index"] == 5
    # Offline: only the proof and the pinned public-key file, no database, no broker.
    keys = str(tmp_path / "audit" / "public-keys.json")
    result = auditor("check", str(tmp_path / "proof.json"), "--keys", keys)
    assert result.exit_code == 0 and "证明有效" in result.output and event_id in result.output

    def forged(change) -> str:
        copy = json.loads(json.dumps(proof))
        change(copy)
        path = tmp_path / "forged.json"
        path.write_text(json.dumps(copy))
        result = auditor("check", str(path), "--keys", keys)
        assert result.exit_code == 1 and "证明无效" in result.output
        return result.output

    assert "叶子哈希" in forged(lambda p: p.update(event=p["event"].replace('"i":6', '"i":7')))
    assert "inclusion path" in forged(lambda p: p["path"].__setitem__(0, "00" * 32))
    # A checkpoint altered after signing: the pinned key refuses it.
    assert "signature is not intake's" in forged(lambda p: p["checkpoint"]["statement"].update(root="11" * 32))
    assert "signature is not intake's" in forged(lambda p: p["checkpoint"]["statement"].update(size=9))
    assert "叶子哈希" in forged(lambda p: p.update(leaf_hash="00" * 32))


def test_prove_names_an_unknown_event(auditor):
    result = auditor("prove", "--event", "0190-not-an-event")
    assert result.exit_code == 2
