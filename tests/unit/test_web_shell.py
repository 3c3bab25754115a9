"""The shared page shell: languages, login and logout, offline docs, static files, zh-CN catalog."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg, parse_keywords
from babel.messages.pofile import read_po
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from shared.actor import Actor, Role
from shared.settings import KernelSettings
from shared.web import TOKEN_COOKIE, LoginResult, install_shell, safe_next, service_nav

WEB = Path(__file__).resolve().parents[2] / "shared" / "web"
ZH_CATALOG = WEB / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
TOKENS = {"token-inspector": Actor(id="wang.inspector", role=Role.SUPERVISION_ENGINEER)}
LOCAL_HOSTS = {"testserver", "127.0.0.1", "localhost"}


class HiddenWorkRecorded(BaseModel):
    """A hidden work was photographed before it was covered."""

    project_id: str


def login(username: str, password: str) -> LoginResult | None:
    """A stand-in for shared.auth: one known account."""
    if (username, password) == ("wang.inspector", "correct horse"):
        return LoginResult(token="token-inspector", actor=TOKENS["token-inspector"], max_age=600)
    return None


def current_user(request: Request) -> Actor | None:
    """A stand-in for shared.auth: the actor of a known token cookie."""
    return TOKENS.get(request.cookies.get(TOKEN_COOKIE, ""))


def build_app(**shell_options) -> FastAPI:
    """A construction service as its bootstrap would build it, with a home and a missing page."""
    broker = KafkaBroker("127.0.0.1:19092")

    @broker.subscriber("construction.events", group_id="construction")
    async def on_construction_event(event: HiddenWorkRecorded) -> None:
        """Reacts to construction events."""

    app = FastAPI(title="施工监管", docs_url=None, redoc_url=None)
    templates = install_shell(
        app,
        service="construction",
        title_zh="施工监管",
        nav=service_nav(KernelSettings()),
        login=login,
        current_user=current_user,
        asyncapi=lambda: AsyncAPI(broker, title="施工监管", version="0.1.0"),
        **shell_options,
    )

    @app.get("/")
    def home(request: Request):
        cards = [{"label": "在建项目", "value": 3}]
        return templates.render(request, "dashboard.html", {"cards": cards})

    @app.get("/missing")
    def missing(request: Request):
        return templates.render_error(request, 404)

    app.state.templates = templates
    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(build_app(), follow_redirects=False)


def external_urls(html: str) -> list[str]:
    """Absolute http(s) URLs in `html` that point anywhere but this server."""
    urls = re.findall(r"https?://[^\s\"'<>)\\]+", html)
    return [url for url in urls if urlsplit(url).hostname not in LOCAL_HOSTS]


def local_assets(html: str) -> list[str]:
    """The /static/ files a page loads."""
    return re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)


def test_login_page_is_in_chinese_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    for text in ("老旧小区改造监管平台", "用户名", "密码", "登录", "项目受理", "施工监管", "投诉处理", "竣工验收"):
        assert text in page.text
    assert "User name" not in page.text


def test_lang_en_switches_to_english_and_is_remembered(client):
    page = client.get("/login?lang=en")
    assert '<html lang="en">' in page.text
    assert "User name" in page.text and "Old Residential Community" in page.text
    assert "用户名" not in page.text

    again = client.get("/login")
    assert '<html lang="en">' in again.text

    back = client.get("/login?lang=zh-CN")
    assert '<html lang="zh-CN">' in back.text and "用户名" in back.text


def test_wrong_password_shows_the_chinese_error_with_401(client):
    form = {"username": "wang.inspector", "password": "guess", "next": "/"}
    page = client.post("/login", data=form)
    assert page.status_code == 401
    assert "用户名或密码错误" in page.text
    assert 'value="wang.inspector"' in page.text and "guess" not in page.text
    assert TOKEN_COOKIE not in page.headers.get("set-cookie", "")


def test_empty_form_asks_for_both_fields(client):
    page = client.post("/login", data={"username": " ", "password": ""})
    assert page.status_code == 400
    assert "请输入用户名和密码" in page.text


def test_successful_login_sets_the_cookie_and_goes_to_next(client):
    answer = client.post(
        "/login",
        data={"username": "wang.inspector", "password": "correct horse", "next": "/projects?id=7"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/projects?id=7"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}=token-inspector")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=600" in cookie and "Secure" not in cookie


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "/\t/evil.example",
     "javascript:alert(1)", "evil.example/path", "https:/evil.example"],
)
def test_login_refuses_to_redirect_to_another_site(client, target):
    answer = client.post(
        "/login", data={"username": "wang.inspector", "password": "correct horse", "next": target}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    assert 'value="/"' in client.get("/login", params={"next": target}).text


def test_safe_next_keeps_paths_on_this_site():
    path = "/acceptance/projects/1?tab=photos#top"
    assert safe_next(path) == path
    assert safe_next(None, default="/prefix/") == "/prefix/"


def test_header_shows_the_user_with_the_chinese_role_label_and_logout(client):
    anonymous = client.get("/?tab=1")
    assert 'href="/login?next=%2F%3Ftab%3D1"' in anonymous.text

    client.post("/login", data={"username": "wang.inspector", "password": "correct horse"})
    page = client.get("/")
    assert "wang.inspector" in page.text and "监理工程师" in page.text
    assert 'method="post" action="/logout"' in page.text and "退出登录" in page.text
    assert 'aria-current="page">施工监管' in page.text


def test_logout_is_a_post_that_clears_the_cookie(client):
    client.post("/login", data={"username": "wang.inspector", "password": "correct horse"})
    assert "wang.inspector" in client.get("/logout").text, "a GET only offers the button"
    assert "wang.inspector" in client.get("/").text
    answer = client.post("/logout")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert re.match(rf'{TOKEN_COOKIE}=""?; .*Max-Age=0', answer.headers["set-cookie"])
    assert "wang.inspector" not in client.get("/").text


def test_error_page_is_translated(client):
    page = client.get("/missing")
    assert page.status_code == 404 and "页面不存在" in page.text


@pytest.mark.parametrize("path", ["/docs", "/asyncapi"])
def test_api_docs_load_nothing_from_other_hosts(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert external_urls(page.text) == []
    assets = local_assets(page.text)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_asyncapi_json_describes_the_broker(client):
    schema = client.get("/asyncapi.json").json()
    assert schema["asyncapi"].startswith("3.")
    assert schema["info"]["title"] == "施工监管"
    addresses = {channel["address"] for channel in schema["channels"].values()}
    assert "construction.events" in addresses


def test_pages_and_static_files_are_served_locally(client):
    page = client.get("/login")
    assert external_urls(page.text) == []
    for asset in local_assets(page.text):
        assert client.get(asset).status_code == 200, asset
    css = client.get("/static/css/shell.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "PingFang SC" in css.text
    for licence in ("vendor/swagger-ui/LICENSE", "vendor/asyncapi/LICENSE"):
        assert client.get(f"/static/{licence}").status_code == 200
    assert client.get("/static/../shell.py").status_code == 404


def test_shell_templates_and_css_link_no_cdn():
    sources = [*WEB.glob("templates/*.html"), *WEB.glob("static/css/*.css")]
    assert sources
    for source in sources:
        assert not re.search(r"https?://|(?:src|href)=\"//", source.read_text()), source


def test_every_message_has_a_chinese_translation():
    with ZH_CATALOG.open("rb") as po_file:
        catalog = read_po(po_file, locale="zh_CN")
    messages = [message for message in catalog if message.id]
    assert messages
    for message in messages:
        assert message.string and message.string.strip(), message.id
        assert not message.fuzzy, message.id

    with (WEB / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(["translate:2"])}
    found = extract_from_dir(WEB, method_map, options_map, keywords)
    used = {msgid for _file, _line, msgid, *_ in found}
    assert "Incorrect user name or password." in used and "User name" in used
    assert used <= {message.id for message in messages}


def test_a_service_catalog_and_templates_are_merged_over_the_shell(tmp_path):
    (tmp_path / "templates" / "construction").mkdir(parents=True)
    (tmp_path / "templates" / "construction" / "photos.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ _("Site photos") }}</h1>{% endblock %}'
    )
    po_dir = tmp_path / "locale" / "zh_CN" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Site photos"\nmsgstr "现场照片"\n',
        encoding="utf-8",
    )
    app = build_app(template_dirs=[tmp_path / "templates"], locale_dirs=[tmp_path / "locale"])

    @app.get("/photos")
    def photos(request: Request):
        return app.state.templates.render(request, "construction/photos.html")

    page = TestClient(app).get("/photos")
    assert "<h1>现场照片</h1>" in page.text and "老旧小区改造监管平台" in page.text
