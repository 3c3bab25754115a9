"""Bad input: a clear 4xx with a zh-CN reason, never a 5xx, and nothing recorded."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from shared.schema import events
from tests.integration.acceptance import given
from tests.integration.acceptance.conftest import ROLL

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = "0" * 64
BAD = [
    ("off", "post", "/api/projects/nope/acceptance", {"json": {"parties": ROLL}}, 404),
    ("off", "get", "/api/projects/nope/acceptance", {}, 404),
    ("off", "post", "/api/projects/p1/acceptance", {"json": {"parties": []}}, 422),
    ("off", "post", "/api/projects/p1/acceptance", {"json": {"parties": ROLL * 2}}, 422),
    ("off", "post", "/api/projects/p1/acceptance",
     {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422),
    ("street", "post", "/api/projects/p1/acceptance/verdicts",
     {"json": {"party": "street_office", "verdict": "pass", "dossier_root": ROOT}}, 422),
    ("street", "post", "/api/projects/p1/acceptance/verdicts",
     {"json": {"party": "street_office", "verdict": "maybe", "dossier_root": ROOT}}, 422),
    ("street", "post", "/api/projects/p1/acceptance/verdicts",
     {"json": {"party": "street_office", "verdict": "pass", "dossier_root": "not-a-hash"}}, 422),
    ("res", "post", "/api/projects/p1/acceptance/verdicts",
     {"json": {"party": "street_office", "verdict": "pass", "dossier_root": ROOT}}, 403),
    ("off", "post", "/api/projects/p1/acceptance/checks/roads_level", {"data": {"result": "pass"}}, 422),
    ("off", "post", "/api/projects/p1/acceptance/checks/roads_level", {"data": {"result": "great"}}, 422),
    ("off", "post", "/api/projects/p1/acceptance/final", {}, 422),
    ("off", "post", "/api/projects/p1/filing",
     {"json": {"filed_on": "2026-12-01", "filing_no": "BA-1", "authority": "和平区住建局"}}, 422),
    ("off", "post", "/api/projects/p1/filing", {"json": {"filed_on": "soon", "filing_no": "", "authority": ""}}, 422),
    ("comm", "post", "/api/projects/p1/evaluation/voices",
     {"json": {"household_id": "1-1-101", "score": 5, "channel": "paper_form"}}, 404),
    ("comm", "post", "/api/projects/p1/evaluation/voices",
     {"json": {"household_id": "1-1-101", "score": 9, "channel": "paper_form"}}, 422),
    ("comm", "post", "/api/projects/p1/evaluation/voices",
     {"json": {"household_id": "1-1-101\u202e", "score": 5, "channel": "paper_form"}}, 422),
    ("off", "post", "/api/projects/p1/tranches/completion/payment",
     {"json": {"amount_fen": 2_000_000, "paid_on": "2026-11-20", "voucher": "V"}}, 422),
    ("off", "post", "/api/projects/p1/tranches/bonus/payment",
     {"json": {"amount_fen": 1, "paid_on": "2026-11-20", "voucher": "V"}}, 404),
    ("off", "post", "/api/projects/p1/tranches/contract/payment",
     {"json": {"amount_fen": -5, "paid_on": "2026-11-20", "voucher": "V"}}, 422),
    ("off", "post", "/api/projects/p1/settlement", {"json": {"settled_fen": 100, "settled_on": "2026-12-01"}}, 422),
    ("aud", "get", "/api/projects/p1/archive/proof/999", {}, 422),
    ("aud", "get", "/api/projects/p1/archive/root?size=999", {}, 422),
    ("res", "get", "/api/projects/p1/archive", {}, 403),
    (None, "post", "/api/projects/p1/acceptance/final", {}, 401),
]


def count(acc) -> int:
    with acc.service.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(events)).scalar()


def added(acc, before: int) -> list[str]:
    with acc.service.engine.connect() as conn:
        return list(conn.execute(sa.select(events.c.event_type).where(events.c.position > before)).scalars())


@pytest.mark.parametrize(("user", "method", "path", "kwargs", "status"), BAD,
                         ids=[f"{m} {p} {s}" for _, m, p, _, s in BAD])
def test_bad_input_is_refused_with_a_reason_and_nothing_recorded(acc, user, method, path, kwargs, status):
    given.approved(acc)
    given.contract(acc)
    before = count(acc)
    headers = {**(acc.as_(user) if user else {}), **kwargs.pop("headers", {})}
    response = getattr(acc.client, method)(path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert CJK.search(response.json()["detail"] if isinstance(response.json()["detail"], str)
                      else str(response.json())), response.text
    # Only a refusal may be recorded: a refused request for acceptance is itself a fact supervisors count.
    assert set(added(acc, before)) <= {"acceptance.AcceptanceRefused", "acceptance.FinalAcceptanceRefused"}
