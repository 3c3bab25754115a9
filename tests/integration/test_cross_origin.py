"""Cross-origin posts refused over HTTP (intake's real app): forms, login, logout, cookies per service."""

from __future__ import annotations

import pytest

from tests.integration.intake.conftest import build

EVIL = "http://127.0.0.1:9"
PAGE = {"accept": "text/html"}
FORM = {"name": "红旗街小区", "district": "铁西区", "street_office": "兴华街道", "residents_committee": "兴华社区",
        "address": "铁西区兴华北街 8 号", "built_year": "1992", "building_count": "6", "household_count": "210",
        "floor_area_m2": "15800", "latitude": "41.80", "longitude": "123.35"}
PASSWORD = "password-123"


@pytest.fixture
def intake(tmp_path, sqlite_url):
    built = build(sqlite_url, tmp_path)
    yield built
    built.service.engine.dispose()


def _signed_in(intake, who: str = "official"):
    client = intake.client
    answer = client.post("/login", data={"username": who, "password": PASSWORD, "next": "/"},
                         headers={"sec-fetch-site": "same-origin", "origin": "http://testserver"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def _communities(intake) -> int:
    return len(intake.client.get("/api/communities", headers=intake.headers["official"]).json())


@pytest.mark.parametrize("browser", [
    {"sec-fetch-site": "cross-site", "origin": EVIL},
    {"sec-fetch-site": "same-site", "origin": EVIL},  # another port of the same host
    {"origin": EVIL},  # a browser without Fetch metadata
], ids=["cross-site", "same-site-other-port", "origin-only"])
def test_a_cookie_form_posted_from_another_origin_is_refused_and_nothing_is_created(intake, browser):
    client = _signed_in(intake)

    answer = client.post("/communities/new", data=FORM, headers=browser | PAGE, follow_redirects=False)

    assert answer.status_code == 403
    assert "跨站请求已拒绝" in answer.text
    assert _communities(intake) == 0
    api = client.post("/communities/new", data=FORM, headers=browser, follow_redirects=False)
    assert api.status_code == 403 and api.json()["error"] == "cross_origin_refused"


def test_the_same_form_from_the_services_own_page_goes_through(intake):
    client = _signed_in(intake)

    answer = client.post("/communities/new", data=FORM, follow_redirects=False,
                         headers={"sec-fetch-site": "same-origin", "origin": "http://testserver"} | PAGE)

    assert answer.status_code == 303
    assert _communities(intake) == 1


def test_login_from_another_origin_sets_no_cookie(intake):
    answer = intake.client.post("/login", data={"username": "official", "password": PASSWORD},
                                headers={"sec-fetch-site": "cross-site", "origin": EVIL} | PAGE,
                                follow_redirects=False)

    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


def test_logout_is_a_post_and_refused_from_another_origin(intake):
    client = _signed_in(intake)
    cookie = intake.app.state.auth.cookie_name

    assert client.post("/logout", headers={"sec-fetch-site": "cross-site", "origin": EVIL}).status_code == 403
    assert cookie in client.cookies
    answer = client.post("/logout", headers={"sec-fetch-site": "same-origin"}, follow_redirects=False)
    assert answer.status_code == 303 and f"{cookie}=" in answer.headers["set-cookie"]


def test_a_bearer_token_without_a_cookie_is_not_affected(intake):
    body = {k: (float(v) if k in ("floor_area_m2", "latitude", "longitude") else
                int(v) if v.isdigit() else v) for k, v in FORM.items()}
    answer = intake.client.post("/api/communities", json=body,
                                headers=intake.headers["official"] | {"origin": EVIL, "sec-fetch-site": "cross-site"})

    assert answer.status_code == 201, answer.text


def test_each_service_reads_only_its_own_cookie(intake):
    client = _signed_in(intake)
    assert intake.app.state.auth.cookie_name == "renovation_intake_token"
    token = client.cookies.get("renovation_intake_token")
    client.cookies.clear()
    client.cookies.set("renovation_construction_token", token)

    answer = client.get("/communities/new", headers=PAGE, follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_a_sign_in_is_handed_over_only_from_the_other_services_pages(intake):
    auth = intake.app.state.auth
    user = auth.store.require("official")
    code = auth.tokens.issue_handoff(username="official", generation=user.token_generation,
                                     audience="handoff:intake")
    client = intake.client
    from_evil = client.post("/login/handoff", data={"code": code, "next": "/communities/new"},
                            headers={"origin": EVIL, "sec-fetch-site": "cross-site"}, follow_redirects=False)
    assert from_evil.status_code == 403 and "set-cookie" not in from_evil.headers

    construction = intake.service.kernel.service_url("construction")
    taken = client.post("/login/handoff", data={"code": code, "next": "/communities/new"},
                        headers={"origin": construction, "sec-fetch-site": "same-site"}, follow_redirects=False)
    assert taken.status_code == 303 and taken.headers["location"] == "/communities/new"
    assert client.get("/communities/new", headers=PAGE).status_code == 200
    # the code is no login token, and a code for another service does not sign in here
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {code}"}).status_code == 401
    client.cookies.clear()
    other = auth.tokens.issue_handoff(username="official", generation=0, audience="handoff:construction")
    refused = client.post("/login/handoff", data={"code": other}, headers={"origin": construction},
                          follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_a_signed_in_page_links_to_the_other_services_through_the_hand_over(intake):
    client = _signed_in(intake)

    home = client.get("/", headers=PAGE).text
    assert 'href="/login/handoff?to=construction"' in home
    page = client.get("/login/handoff?to=construction", headers=PAGE)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    construction = intake.service.kernel.service_url("construction")
    assert f'action="{construction}/login/handoff"' in page.text and 'name="code"' in page.text


def test_logging_out_ends_the_sign_in_behind_every_services_cookie(intake):
    client = _signed_in(intake)
    cookie = intake.app.state.auth.cookie_name
    token = client.cookies.get(cookie)
    handed_over = intake.app.state.auth.token_for("official")  # what another service's cookie holds

    client.post("/logout", headers={"sec-fetch-site": "same-origin"}, follow_redirects=False)

    for old in (token, handed_over):
        assert client.get("/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401
