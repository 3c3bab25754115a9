"""From an accepted checklist to the archive: residents, final acceptance, money, filing clock, bundle, report."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess

import pypdf
import pytest

from services.acceptance.adapters import bundle as archive
from services.acceptance.verify import main as verify_main, verify_live
from shared.rebuild import rebuild, snapshot
from tests.integration.acceptance import given
from tests.integration.acceptance.conftest import HOUSEHOLDS
from tests.integration.acceptance.test_acceptance_api import PARTY_USERS, check, convene, sign


def accepted_checklist(acc):
    given.ready(acc)
    convene(acc)
    for n, c in enumerate(acc.view()["checks"]):
        assert check(acc, c["check_id"], seed=20 + n).status_code == 204


def evaluate(acc, satisfied: int, unsatisfied: int):
    assert acc.client.post("/api/projects/p1/evaluation", headers=acc.as_("comm")).status_code == 201
    for n, household in enumerate(HOUSEHOLDS[: satisfied + unsatisfied]):
        body = {"household_id": household, "score": 5 if n < satisfied else 2, "channel": "paper_form"}
        assert acc.client.post("/api/projects/p1/evaluation/voices", json=body,
                               headers=acc.as_("comm")).status_code == 204
    return acc.client.post("/api/projects/p1/evaluation/close", headers=acc.as_("comm")).json()


def sign_all(acc):
    for party in PARTY_USERS:
        assert sign(acc, party).status_code == 204


def test_online_voice_only_for_the_household_the_account_is_linked_to(acc):
    given.ready(acc)
    acc.foreign("intake.HouseholdAccountLinked", {"community_id": "c-p1", "household_id": "1-1-101",
                                                   "account_id": "res", "evidence": "property_certificate"}, key="c-p1")
    acc.client.post("/api/projects/p1/evaluation", headers=acc.as_("comm"))
    own = {"household_id": "1-1-101", "score": 4, "comments": "路平了", "channel": "online"}
    other = own | {"household_id": "1-1-102"}
    refused = acc.client.post("/api/projects/p1/evaluation/voices", json=other, headers=acc.as_("res"))
    assert refused.status_code == 403 and "未在项目受理中绑定住户“1-1-102”" in refused.json()["detail"]
    assert acc.client.post("/api/projects/p1/evaluation/voices", json=own, headers=acc.as_("res")).status_code == 204
    twice = acc.client.post("/api/projects/p1/evaluation/voices", json=own | {"channel": "paper_form"},
                            headers=acc.as_("comm"))
    assert twice.status_code == 422 and twice.json()["error"] == "household_voted"
    assert acc.view()["evaluation"]["voted"] == ["1-1-101"]


def test_final_acceptance_tranches_filing_clock_and_the_archive(acc):
    accepted_checklist(acc)
    tranche = acc.client.post("/api/projects/p1/tranches/completion/payment", headers=acc.as_("off"),
                              json={"amount_fen": 2_000_000, "paid_on": "2026-11-20", "voucher": "V-2"})
    assert tranche.status_code == 422 and tranche.json()["error"] == "tranche_not_due"
    money = acc.view()["money"]
    assert [t["due_on"] for t in money["tranches"]] == ["2026-11-02", None, None]
    assert money["subsidy_fen"] == 4_000_001 and money["due_fen"] == 1_200_000

    tally = evaluate(acc, 7, 1)  # 8 of 10 households, 7 of 8 satisfied
    assert tally["passed"], tally
    sign_all(acc)
    assert acc.client.post("/api/projects/p1/acceptance/final", headers=acc.as_("off")).status_code == 204
    view = acc.view()
    assert view["stage"] == "accepted" and view["accepted"]["filing_due_on"] == "2026-12-05"
    assert view["money"]["due_fen"] == 1_200_000 + 2_000_000
    paid = acc.client.post("/api/projects/p1/tranches/completion/payment", headers=acc.as_("off"),
                           json={"amount_fen": 2_000_000, "paid_on": "2026-11-21", "voucher": "V-2"})
    assert paid.status_code == 204
    assert acc.view()["money"]["outstanding_fen"] == 1_200_000

    acc.clock.advance(16)
    tick = acc.app.state.service.spec.tickers[0][1]
    tick(acc.service)
    assert acc.view()["filing_late"] and acc.metric("renovation_acceptance_filings_late") == 1.0
    assert acc.metric("renovation_acceptance_completion_to_final_days_sum") == 2.0  # declared 11-18, accepted 11-20
    assert acc.metric('renovation_acceptance_tranches{state="overdue"}') == 1.0  # the contract's, due 11-02, unpaid
    assert acc.metric('renovation_acceptance_tranche_fen{state="paid"}') == 2_000_000
    assert acc.client.post("/api/projects/p1/filing", headers=acc.as_("off"), json={
        "filed_on": "2026-12-06", "filing_no": "BA-2026-17", "authority": "和平区住建局"}).status_code == 204
    assert acc.metric("renovation_acceptance_filings_late") == 0.0

    document = acc.client.get("/api/projects/p1/archive", headers=acc.as_("aud")).json()
    services = {leaf["event"]["event_type"].split(".")[0] for leaf in document["leaves"] if leaf["kind"] == "event"}
    assert services == {"intake", "construction", "acceptance"}
    assert archive.verify(document)["ok"]
    assert not verify_live(document, url=None) and acc.client.get(
        "/api/projects/p1/archive/root", params={"size": document["size"]},
        headers=acc.as_("aud")).json()["root"] == document["root"]
    proof = acc.client.get("/api/projects/p1/archive/proof/3", headers=acc.as_("aud")).json()
    leaf = archive.event_leaf(proof["leaf"]["event"])
    assert archive.verify_inclusion(leaf, 3, proof["size"], [bytes.fromhex(h) for h in proof["path"]],
                                    bytes.fromhex(document["root"]))
    photos = [leaf["evidence"] for leaf in document["leaves"] if leaf["kind"] == "evidence"]
    assert len(photos) == 1 + 13 and all(p["sha256"] and p["key"].startswith("sha256/") for p in photos)

    before = snapshot(acc.service.engine, acc.service.projection)
    rebuild(acc.service.engine, acc.service.projection, consumer="acceptance")
    assert snapshot(acc.service.engine, acc.service.projection) == before, "a rebuild gives the same read models"


def require_cjk_fonts() -> None:
    """The PDF needs Noto CJK (Debian fonts-noto-cjk, installed by `make test-tools` on CI)."""
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout \
        if shutil.which("fc-list") else ""
    if "CJK" not in found:
        if os.environ.get("CI"):
            pytest.fail("fonts-noto-cjk is missing on CI: `make test-tools` installs it")
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")


def test_the_archive_report_is_a_pdf_with_chinese_fonts_embedded(acc):
    require_cjk_fonts()
    accepted_checklist(acc)
    document = acc.client.get("/api/projects/p1/archive", headers=acc.as_("aud")).json()
    html = acc.client.get("/api/projects/p1/archive.html", headers=acc.as_("aud")).text
    grouped = " ".join(document["root"][i:i + 16] for i in range(0, 64, 16))
    assert "竣工验收档案" in html and grouped in html and "路要平整" in html
    pdf = acc.client.get("/api/projects/p1/archive.pdf", headers=acc.as_("aud"))
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    embedded = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].get_object().values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    cjk = {name: ok for name, ok in embedded.items() if "CJK" in name}
    assert cjk and all(cjk.values()), embedded
    text = reader.pages[0].extract_text()
    assert "竣工验收档案" in text and document["root"][:16] in text.replace("\n", "")


def test_a_tampered_bundle_is_detected_at_the_right_event(acc, tmp_path, capsys):
    accepted_checklist(acc)
    document = acc.client.get("/api/projects/p1/archive", headers=acc.as_("off")).json()
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert verify_main([str(path), "--root", document["root"]]) == 0

    index = next(i for i, leaf in enumerate(document["leaves"])
                 if leaf["kind"] == "event" and leaf["event"]["event_type"] == "construction.HiddenWorkAccepted")
    document["leaves"][index]["event"]["payload"]["note"] = "后补的验收意见"
    result = archive.verify(document)
    assert not result["ok"] and result["problems"][0]["index"] == index
    assert "construction.HiddenWorkAccepted" in result["problems"][0]["reason"]

    evidence = next(i for i, leaf in enumerate(document["leaves"]) if leaf["kind"] == "evidence")
    clean = acc.client.get("/api/projects/p1/archive", headers=acc.as_("off")).json()
    clean["leaves"][evidence]["evidence"]["captured_at"] = "2020-01-01T00:00:00+00:00"
    assert archive.verify(clean)["problems"][0]["index"] == evidence

    dropped = acc.client.get("/api/projects/p1/archive", headers=acc.as_("off")).json()
    del dropped["leaves"][2]
    dropped["size"] -= 1
    assert not archive.verify(dropped, expected_root=document["root"])["ok"]
    path.write_text(json.dumps(dropped, ensure_ascii=False), encoding="utf-8")
    assert verify_main([str(path), "--root", document["root"]]) == 1
    assert "根哈希" in capsys.readouterr().out
