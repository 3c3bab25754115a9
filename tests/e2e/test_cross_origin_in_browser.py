"""In Chromium: a page on another origin auto-posting intake's registration form with the user's cookie is refused."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import uvicorn

from shared.embedded import free_port
from tests.e2e.test_pages_in_browser import browser  # noqa: F401 - the Chromium fixture
from tests.integration.intake.conftest import build

pytestmark = pytest.mark.e2e

FIELDS = {"name": "跨站伪造小区", "district": "铁西区", "street_office": "兴华街道", "residents_committee": "兴华社区",
          "address": "铁西区兴华北街 9 号", "built_year": "1992", "building_count": "6", "household_count": "210",
          "floor_area_m2": "15800", "latitude": "41.80", "longitude": "123.35"}


def _attack_page(target: str) -> bytes:
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in FIELDS.items())
    return (f'<!DOCTYPE html><html><body><form id="f" method="post" action="{target}/communities/new">{inputs}'
            '</form><script>document.getElementById("f").submit()</script></body></html>').encode()


@pytest.fixture
def intake_server(tmp_path, sqlite_url):
    """Intake's real app served by uvicorn on a free loopback port."""
    port = free_port()
    built = build(sqlite_url, tmp_path)
    server = uvicorn.Server(uvicorn.Config(built.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/login").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url, built
    server.should_exit = True
    thread.join(timeout=10)
    built.service.engine.dispose()


@pytest.fixture
def attacker(intake_server):
    """Another origin (another port of the same host) serving a page that auto-posts the form."""
    target, _ = intake_server
    page = _attack_page(target)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_page_on_another_origin_cannot_register_a_community_with_the_users_cookie(
        intake_server, attacker, browser):  # noqa: F811
    url, intake = intake_server
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{url}/login?next=/communities/new")
    page.fill("input[name=username]", "official")
    page.fill("input[name=password]", "password-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/communities/new")

    page.goto(attacker)
    page.wait_for_url(f"{url}/communities/new")
    page.wait_for_load_state()

    assert "跨站请求已拒绝" in page.inner_text("main")
    listed = intake.client.get("/api/communities", headers=intake.headers["official"]).json()
    assert [c["name"] for c in listed] == [], "nothing was created"
    # the user's own form still works in the same browser
    page.goto(f"{url}/communities/new")
    for field, value in {**FIELDS, "name": "兴华北街小区"}.items():
        page.fill(f"input[name={field}]", value)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    listed = intake.client.get("/api/communities", headers=intake.headers["official"]).json()
    assert [c["name"] for c in listed] == ["兴华北街小区"]
