"""The pages in a real browser (Debian's Chromium driven by Playwright): log in, register, see it flow."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


@pytest.fixture
def browser():
    """A headless Chromium; skips without one (fails on CI, where make test installs it)."""
    if CHROMIUM is None:
        reason = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + " — on CI make test installs it")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_official_registers_a_community_in_the_browser_and_construction_shows_it(stack, browser, tmp_path):
    stack.start()
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname not in ("127.0.0.1", None) else None)

    page.goto(f"{stack.urls['intake']}/communities/new")
    assert "/login" in page.url, "a page that needs a role sends the visitor to log in"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.fill("input[name=username]", "demo-official")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("body")
    page.fill("input[name=username]", "demo-official")
    page.fill("input[name=password]", "demo-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/communities/new")

    values = {"name": "红旗街小区", "district": "铁西区", "street_office": "兴华街道",
              "residents_committee": "兴华社区", "address": "铁西区兴华北街 8 号", "built_year": "1992",
              "building_count": "6", "household_count": "210",
              "floor_area_m2": "15800", "latitude": "41.80", "longitude": "123.35"}
    for field, value in {**values, "household_count": "3"}.items():
        page.fill(f"input[name={field}]", value)
    page.click("button[type=submit]")
    assert "户数不能少于楼栋数" in page.inner_text("body"), "a refused form says why"
    assert page.input_value("input[name=name]") == "红旗街小区", "and keeps what was typed"
    page.fill("input[name=household_count]", "210")
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.urls['intake']}/")
    assert "红旗街小区" in page.inner_text("main")

    # each service keeps its own cookie: the navigation carries the sign-in over (no second password)
    page.click("nav.services >> text=施工监管")
    page.wait_for_url(f"{stack.urls['construction']}/")
    for _ in range(50):
        if "红旗街小区" in page.inner_text("main"):
            break
        page.wait_for_timeout(200)
        page.reload()
    assert "红旗街小区" in page.inner_text("main"), "the community reached construction's page"
    assert "demo-official" in page.inner_text("header"), "the sign-in was carried over to construction"
    page.screenshot(path=str(tmp_path / "construction.png"), full_page=True)
    assert outside == [], f"pages must work offline, but asked: {outside}"
