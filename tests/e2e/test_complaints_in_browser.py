"""A resident files a complaint from a phone (390×844, Chromium) and sees the tracking number; offline-safe pages."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

import pytest
import uvicorn

from shared.embedded import free_port
from tests.e2e.test_pages_in_browser import browser  # noqa: F401 - the shared headless Chromium fixture
from tests.integration.complaints.conftest import start

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path, sqlite_url):
    """Complaints with two known sites behind uvicorn on a free loopback port."""
    hotline = start(tmp_path, sqlite_url)
    hotline.sites()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(hotline.app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield hotline, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    hotline.service.engine.dispose()


def test_a_resident_files_from_a_phone_and_sees_the_tracking_number(served, browser):  # noqa: F811
    hotline, url = served
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname not in ("127.0.0.1", None) else None)
    page.goto(f"{url}/")
    page.click("text=我要投诉")
    page.wait_for_url("**/file")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    page.fill("input[name=phone]", "138 1234 567")
    page.select_option("select[name=category]", "noise")
    page.select_option("select[name=community_id]", "c-happy")
    page.fill("textarea[name=text]", "3号楼东侧工地夜里12点还在施工，噪音太大睡不着")
    page.click("button[type=submit]")
    assert "不是有效的电话号码" in page.inner_text("main"), "a refused form says why"
    assert page.input_value("textarea[name=text]").startswith("3号楼"), "and keeps what was typed"
    page.fill("input[name=phone]", "138 1234 5678")
    page.select_option("select[name=community_id]", "c-happy")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/track/TS\d{8}-\w{6}\?.*\bk=.+"))
    number = page.inner_text("#tracking-no").strip()
    assert re.fullmatch(r"TS20261120-[2-9A-HJ-NP-Z]{6}", number), number
    assert "投诉已受理" in page.inner_text("main") and "138 1234 5678" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    kept = page.url
    page.goto(f"{url}/public?community_id=c-happy")
    assert "噪声扰民" in page.inner_text("main") and "5678" not in page.inner_text("main")
    page.goto(kept)
    assert page.inner_text("#tracking-no").strip() == number, "the secret link brings the resident back"
    assert outside == [], f"pages must work offline, but asked: {outside}"
