"""Acceptance's pages in zh-CN: the supervisor's view, the convener's page, a party's phone signing, the evaluation."""

from __future__ import annotations

import re

from tests.integration.acceptance import given
from tests.integration.acceptance.conftest import ROLL
from tests.integration.acceptance.test_acceptance_api import check

HTML = {"accept": "text/html"}


def page(acc, path, user, **kw):
    response = acc.client.get(path, headers=acc.as_(user) | HTML, **kw)
    assert response.status_code == 200, response.text
    return response.text


def test_the_convener_convenes_from_the_page_with_the_roll_proposed(acc):
    given.ready(acc)
    text = page(acc, "/projects/p1", "off")
    assert "验收前提条件均已满足" in text and "召集初验" in text
    assert "沈阳建工" in text and "管线单位（自来水公司）" in text
    form = {}
    for n, party in enumerate(ROLL, start=1):
        form |= {f"party-{n}": party["party"], f"org-{n}": party["organisation"],
                 f"acc-{n}": ",".join(party["accounts"])}
    done = acc.client.post("/projects/p1/convene", data=form, headers=acc.as_("off"), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/projects/p1?done=1"
    text = page(acc, "/projects/p1", "off")
    assert "专业验收检查清单" in text and "路要平整" in text and 'capture="environment"' in text and "未签署" in text
    check(acc, "roads_level", seed=5)
    text = page(acc, "/projects/p1", "off")
    link = re.search(r'href="(/objects/[^"]+)"', text) or re.search(r'href="([^"]*sha256/[^"]+)"', text)
    assert link, "a checklist photo can be opened"
    photo = acc.client.get(link.group(1).replace("&amp;", "&"))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"


def test_a_party_signs_on_the_phone_page_and_a_stale_page_is_refused_with_its_reason(acc):
    given.ready(acc)
    acc.client.post("/api/projects/p1/acceptance", json={"parties": ROLL}, headers=acc.as_("off"))
    text = page(acc, "/projects/p1/sign", "owners")
    root = acc.view()["dossier_root"]
    assert "业主委员会（业主代表） · 幸福里业主代表" in text and root in text and 'name="viewport"' in text
    check(acc, "roads_level", seed=4)  # the dossier changes after the page was shown
    stale = acc.client.post("/projects/p1/sign", data={"party": "owners_committee", "verdict": "pass",
                                                       "dossier_root": root}, headers=acc.as_("owners"))
    assert stale.status_code == 200 and "卷宗在您查看后有变更" in stale.text
    fresh = acc.view()["dossier_root"]
    signed = acc.client.post("/projects/p1/sign", data={"party": "owners_committee", "verdict": "pass",
                                                        "dossier_root": fresh}, headers=acc.as_("owners"))
    assert signed.status_code == 200 and "已保存" in signed.text and "同意" in signed.text
    assert "不是本次验收任何一方的代表" in page(acc, "/projects/p1/sign", "street2")


def test_the_evaluation_page_for_staff_and_residents_and_the_supervisors_view(acc):
    given.ready(acc)
    acc.foreign("intake.HouseholdAccountLinked", {"community_id": "c-p1", "household_id": "2-1-202",
                                                   "account_id": "res"}, key="c-p1")
    acc.client.post("/projects/p1/evaluation/open", headers=acc.as_("comm"))
    resident = page(acc, "/projects/p1/evaluation", "res")
    assert "住户 2-1-202" in resident and "提交本户评价" in resident
    acc.client.post("/projects/p1/evaluation", data={"household_id": "2-1-202", "score": "5"}, headers=acc.as_("res"))
    assert "本户已完成评价" in page(acc, "/projects/p1/evaluation", "res")
    staff = page(acc, "/projects/p1/evaluation", "comm")
    assert "录入纸质评价表" in staff and "参与 1/10 = 10.0% &lt; 66.7%" in staff and ">2-1-202<" not in staff
    twice = acc.client.post("/projects/p1/evaluation", data={"household_id": "2-1-202", "score": "1"},
                            headers=acc.as_("comm"))
    assert "一户一票" in twice.text

    home = page(acc, "/", "sup")
    assert "竣工验收监管" in home and "幸福里小区p1" in home and "到期应拨补助（元）" in home and "12,000.00" in home


def test_without_an_account_the_overview_shows_stages_but_no_money(acc):
    given.ready(acc)
    anonymous = acc.client.get("/", headers=HTML)
    assert anonymous.status_code == 200 and "幸福里小区p1" in anonymous.text
    assert "到期应拨补助" not in anonymous.text and "12,000.00" not in anonymous.text
    login = acc.client.get("/projects/p1", headers=HTML, follow_redirects=False)
    assert login.status_code == 303 and "/login" in login.headers["location"]


def test_a_page_note_with_a_bidi_override_is_refused_with_its_reason_and_nothing_kept(acc):
    given.ready(acc)
    acc.client.post("/api/projects/p1/acceptance", json={"parties": ROLL}, headers=acc.as_("off"))
    refused = acc.client.post("/projects/p1/checks/lights_bright", data={"result": "fail", "note": "路灯\u202e不亮"},
                              headers=acc.as_("off"))
    assert refused.status_code == 200 and "双向文字控制符" in refused.text
    assert next(c for c in acc.view()["checks"] if c["check_id"] == "lights_bright")["state"] == "unchecked"
