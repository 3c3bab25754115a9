"""Intake's zh-CN pages: every message translated, each page shown, each form taken or refused with why."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.integration.intake import flow
from tests.integration.intake.test_api import SMALL, approve_small

INTAKE = Path(__file__).resolve().parents[3] / "services" / "intake"
PAGE = {"accept": "text/html"}


def test_every_message_of_the_pages_has_a_chinese_translation():
    with (INTAKE / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = {m.id: m for m in read_po(po, locale="zh_CN") if m.id}
    with (INTAKE / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(INTAKE, method_map, options_map, {**DEFAULT_KEYWORDS, **parse_keywords(["translate:2"])})
    used = {msgid for _file, _line, msgid, *_ in found}
    assert "Eligibility report (as it stands now)" in used
    assert used <= set(catalog), sorted(used - set(catalog))
    assert all(m.string.strip() and not m.fuzzy for m in catalog.values())


def get(intake, path: str, who: str = "official"):
    page = intake.client.get(path, headers=intake.headers[who] | PAGE)
    assert page.status_code == 200, (path, page.text[:500])
    assert 'lang="zh-CN"' in page.text and 'name="viewport"' in page.text
    return page.text


def test_the_pages_of_an_approved_project_read_in_chinese(intake):
    community_id, project_id, notice_id = approve_small(intake)
    pages = {
        "/": ["小区台账", "幸福里小区", "符合条件"],
        f"/communities/{community_id}": ["改造资格评估（实时）", "同意 8/12 = 66.7% ≥ 66.7%", "收缴率 62.0% ≥ 50.0%"],
        f"/communities/{community_id}/survey": ["保存摸底调查", "1,6,B,1,1"],
        f"/communities/{community_id}/households": ["意愿统计（实时）", "1-1-101", "各楼栋加装电梯签字情况"],
        f"/projects/{project_id}": ["批准条件核对（实时）", "已批准", "雨污分流改造", "5,200,000.00"],
        f"/projects/{project_id}/plan": ["保存本版方案", "基础类"],
        f"/notices/{notice_id}": ["2025-09-26 – 2025-10-21", "按国家法定工作日历共 14 个工作日"],
        "/notices": ["幸福里小区改造方案公示（第 1 版）"],
        f"/projects/{project_id}/vote": ["投票已结束"],
        f"/projects/{project_id}/reviews": ["财政部门", "同意"],
        "/library": ["项目库", "幸福里小区"],
        "/annual-plan?year=2026": ["2026 年度老旧小区改造计划", "上报截止日期：2025-09-30", "已逾期 22 天", "下载 CSV"],
    }
    for path, expected in pages.items():
        text = get(intake, path)
        for phrase in expected:
            assert phrase in text, (path, phrase)
        assert not re.search(r">\s*(Eligibility|Households|Project library|Approved)\s*<", text), path


def test_a_page_that_needs_a_login_sends_the_visitor_to_log_in(intake):
    answer = intake.client.get("/library", headers=PAGE, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_survey_form_records_buildings_written_one_per_line(intake):
    community_id = flow.register(intake.client, intake.headers["official"], flow.community(**SMALL) | {"survey": None})
    form = {"surveyed_on": "2025-09-01", "land_status": "state_owned", "property_management": "none",
            "fee_collection_rate": "50%", "in_built_up_area": "on", "facilities[]": ["parking", "lighting"],
            "buildings": "1,6,A,1,1\n2，6，B，1:101/201/301/401/501/601"}
    answer = intake.client.post(f"/communities/{community_id}/survey", data=form,
                                headers=intake.headers["community"] | PAGE, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    survey = intake.client.get(f"/api/communities/{community_id}", headers=intake.headers["official"]).json()["survey"]
    assert survey["surveyed_households"] == 12 and survey["fee_collection_rate"] == "0.5"
    assert survey["facilities"] == ["lighting", "parking"]
    bad = intake.client.post(f"/communities/{community_id}/survey", data=form | {"buildings": "1,six,A"},
                             headers=intake.headers["community"] | PAGE)
    assert bad.status_code == 422 and "格式应为" in bad.text and "50%" in bad.text


def test_the_plan_editor_takes_yuan_and_refuses_funding_that_does_not_add_up(intake):
    _, project_id, _ = flow.to_notice(intake.client, intake.headers, flow.community(**SMALL), start=date(2025, 9, 26))
    intake.client.post(f"/api/projects/{project_id}/reopening", json={"reason": "补充电梯"},
                       headers=intake.headers["street"])
    form = {"rows": "2", "summary": "屋面防水", "item0_kind": "roof_waterproofing", "item0_quantity": "900",
            "item0_budget": "1,500,000.50", "after_care": "self_management", "funding_government": "1500000",
            **{f"party_{k}": "某单位" for k in ("construction_unit", "street_office", "residents_committee",
                                              "owners_committee", "designer")}}
    refused = intake.client.post(f"/projects/{project_id}/plan", data=form, headers=intake.headers["community"] | PAGE)
    assert refused.status_code == 422 and "相差 0.50 元" in refused.text and "1,500,000.50" in refused.text
    taken = intake.client.post(f"/projects/{project_id}/plan", data=form | {"funding_residents": "0.50"},
                               headers=intake.headers["community"] | PAGE, follow_redirects=False)
    assert taken.status_code == 303
    project = intake.client.get(f"/api/projects/{project_id}", headers=intake.headers["official"]).json()
    assert project["revision"] == 2 and project["budget_fen"] == 150_000_050


def test_a_resident_answers_on_the_page_for_their_own_household_only(intake):
    community_id = flow.register(intake.client, intake.headers["official"], flow.community(**SMALL))
    link = intake.client.post(f"/communities/{community_id}/households/link",
                              headers=intake.headers["community"] | PAGE,
                              data={"household_id": "1-1-101", "account_id": "resident",
                                    "evidence": "property_certificate"}, follow_redirects=False)
    assert link.status_code == 303
    text = get(intake, f"/communities/{community_id}/households", "resident")
    assert "1-1-101" in text and "1-1-201" not in text, "a resident sees only their own household"
    form = {"what": "consent", "household_id": "1-1-101", "answer": "agree"}
    url = f"/communities/{community_id}/households/answer"
    assert intake.client.post(url, data=form, headers=intake.headers["resident"] | PAGE,
                              follow_redirects=False).status_code == 303
    other = intake.client.post(url, data=form | {"household_id": "1-1-201"}, headers=intake.headers["resident"] | PAGE)
    assert other.status_code == 422 and "未绑定" in other.text
    assert "<strong>1</strong> / 12" in get(intake, f"/communities/{community_id}")


def test_closing_the_vote_and_approving_on_the_pages_need_a_ticked_confirmation(intake):
    body = flow.community(**SMALL)
    _, project_id, _ = flow.to_notice(intake.client, intake.headers, body, start=date(2025, 9, 26))
    staff = intake.headers["community"] | PAGE
    assert intake.client.post(f"/projects/{project_id}/vote/open", headers=staff,
                              follow_redirects=False).status_code == 303
    unconfirmed = intake.client.post(f"/projects/{project_id}/vote/close", headers=staff, data={})
    assert unconfirmed.status_code == 422 and "请勾选确认" in unconfirmed.text
    assert intake.client.get(f"/api/projects/{project_id}", headers=staff).json()["vote_status"] == "open"
    refused = intake.client.post(f"/projects/{project_id}/approval", headers=intake.headers["official"] | PAGE,
                                 data={"confirm": "on"})
    assert refused.status_code == 422 and "方案公示期满" in refused.text, "refused with every gap, on the page"
