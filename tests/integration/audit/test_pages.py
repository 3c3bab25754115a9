"""The auditor's pages in a service (zh-CN): projects with proofs, a replayed project, evidence, report, downloads."""

from __future__ import annotations

import csv
import io
import json

import pytest
from kafka import KafkaProducer
from typer.testing import CliRunner

from shared.actor import Actor
from shared.audit.checkpoint import SignedCheckpoint
from shared.audit.signing import AuditSettings, PinnedKeys
from shared.auth.dependency import TOKEN_COOKIE
from shared.canonical import canonical_json
from shared.cli.main import app
from shared.envelope import GENESIS_HASH, Envelope, new_event_id, utc_now
from tests.integration.construction.conftest import approved_payload

pytestmark = pytest.mark.broker


def publish_approval(bootstrap: str) -> None:
    """intake's ProjectApproved of p1 on intake's topic, as intake's relay would have sent it."""
    draft = Envelope(event_id=new_event_id(), event_type="intake.ProjectApproved", schema_version=1,
                     stream_id="project-p1", stream_version=1, project_id="p1", occurred_at=utc_now(),
                     actor=Actor(id="off", role="official"), correlation_id="c", payload=approved_payload("p1"))
    placed = draft.chained(position=1, prev_hash=GENESIS_HASH)
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send("renovation.intake", canonical_json(placed.model_dump(mode="json")), key=b"p1").get(timeout=10)
    producer.close()


@pytest.fixture
def auditor_site(site_history, kafka):
    site, work, moment, then = site_history
    publish_approval(kafka.bootstrap_servers)
    auth = site.app.state.auth
    if auth.store.get("aud") is None:
        auth.store.add_user(username="aud", password="pass-word-123", role="auditor", display_name="审计员")
    cookie = getattr(auth, "cookie_name", TOKEN_COOKIE)
    return site, work, moment, cookie, auth.token_for("aud")


def test_projects_with_each_proofs_status_and_a_replayed_project(auditor_site):
    site, work, moment, cookie, token = auditor_site
    client = site.client
    assert client.get("/audit", follow_redirects=False).status_code == 303  # not logged in: to the login page
    client.cookies.set(cookie, site.app.state.auth.token_for("con"))
    assert client.get("/audit").status_code == 403
    client.cookies.set(cookie, token)
    home = client.get("/audit")
    assert home.status_code == 200 and 'data-project-id="p1"' in home.text
    assert 'data-rule="hidden_works">成立' in home.text and "尚无核验报告" in home.text
    page = client.get("/audit/projects/p1", params={"as_of": moment.isoformat()})
    assert page.status_code == 200 and "HiddenWorkEvidenceAttached" in page.text
    assert "HiddenWorkConcealed" not in page.text and 'data-rule="hidden_works" data-status="pending"' in page.text
    assert client.get("/audit/projects/nope").status_code == 404
    assert client.get("/audit/projects/p1", params={"as_of": "2020-01-01T00:00:00+08:00"}).status_code == 422
    assert "ISO 8601" in client.get("/audit/projects/p1", params={"as_of": "yesterday"}).text


def test_downloads_evidence_and_the_last_report(auditor_site, tmp_path):
    site, work, moment, cookie, token = auditor_site
    headers = {"Authorization": f"Bearer {token}"}
    client = site.client
    rows = list(csv.DictReader(io.StringIO(client.get("/audit/export.csv", params={"district": "和平区", "year": 2026},
                                                      headers=headers).text)))
    assert {(r["project_id"], r["rule"], r["status"]) for r in rows} >= {("p1", "hidden_works", "pass")}
    proofs = client.get("/audit/projects/p1/proofs.json", headers=headers).json()
    assert proofs["hidden_works"][work]["status"] == "concealed" and proofs["sources"]["construction"] == "topic"
    sha = proofs["evidence"][0]["sha256"]
    served = client.get(f"/audit/evidence/{sha}", headers=headers)
    assert served.status_code == 200 and served.headers["x-content-sha256"] == sha
    assert client.get(f"/audit/evidence/{'0' * 64}", headers=headers).status_code == 404
    assert client.get("/audit/evidence/not-a-digest", headers=headers).status_code == 422
    assert client.get("/audit/report.json", headers=headers).status_code == 404
    report = AuditSettings().resolved(site.service.kernel).report_file
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"ok": False, "started_at": "a", "finished_at": "b", "figures": {}, "findings": [
        {"service": "intake", "check": "chain", "status": "fail", "message": "哈希链在第 5 条断开", "event": None,
         "details": {}}]}))
    assert client.get("/audit/report.json", headers=headers).json()["ok"] is False
    client.cookies.set(cookie, token)
    assert "哈希链在第 5 条断开" in client.get("/audit").text


def test_a_checkpoint_on_demand_is_signed_with_the_pinned_key(auditor_site):
    site, work, moment, cookie, token = auditor_site
    headers = {"Authorization": f"Bearer {token}"}
    assert site.client.post("/audit/checkpoints", headers=site.as_("con")).status_code == 403
    signed = SignedCheckpoint.from_dict(site.client.post("/audit/checkpoints", headers=headers).json())
    keys = PinnedKeys.load(AuditSettings().resolved(site.service.kernel).public_keys_file)
    signed.verify(keys)
    assert signed.service == "construction" and signed.size == site.service.status()["log_position"]


def test_export_cli_writes_the_csv(auditor_site, kafka, tmp_path, monkeypatch):
    monkeypatch.setenv("RENOVATION_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap_servers)
    out = tmp_path / "hp-2026.csv"
    result = CliRunner().invoke(app, ["audit", "export", "--district", "和平区", "--year", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["rule"] for r in rows if r["project_id"] == "p1"} == {
        "consent_notice", "hidden_works", "complaint_clocks", "dossier_signed"}
    none = CliRunner().invoke(app, ["audit", "export", "--district", "沈河区", "--year", "2026"])
    assert none.exit_code == 0 and none.output.strip().count("\n") == 0  # the header only
