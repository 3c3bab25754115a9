"""Open311 GeoReport v2: every endpoint and error, in JSON and in XML, as the spec shapes them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.integration.complaints.conftest import Running

BASE = "/open311/v2"
FORMATS = ("json", "xml")


@pytest.fixture
def api_key(hotline: Running) -> str:
    response = hotline.client.post("/api/open311/clients", json={"name": "市民通 App"}, headers=hotline.as_("adm"))
    assert response.status_code == 201, response.text
    return response.json()["api_key"]


def parsed(response, fmt: str):
    """JSON as is; XML turned into lists of dicts of the children's text (the spec's shapes)."""
    if fmt == "json":
        assert response.headers["content-type"].startswith("application/json")
        return response.json()
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    if root.tag in ("services", "service_requests", "errors"):
        return [{child.tag: child.text for child in entry} for entry in root]
    return root


def errors(response, fmt: str, status: int) -> str:
    assert response.status_code == status, response.text
    body = parsed(response, fmt)
    assert len(body) == 1 and int(body[0]["code"]) == status
    return body[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_and_definitions(hotline: Running, fmt: str):
    services = parsed(hotline.client.get(f"{BASE}/services.{fmt}"), fmt)
    codes = [s["service_code"] for s in services]
    assert codes == ["noise", "dust", "safety_hazard", "work_quality", "blocked_access", "utility_outage",
                     "schedule", "worker_conduct", "other"]
    noise = services[0]
    assert noise["service_name"] == "噪声扰民" and str(noise["metadata"]).lower() == "true"
    assert noise["type"] == "realtime" and noise["group"] == "环境"
    definition = hotline.client.get(f"{BASE}/services/noise.{fmt}")
    assert definition.status_code == 200
    if fmt == "json":
        attributes = definition.json()["attributes"]
        assert [a["code"] for a in attributes] == ["urgency", "community_id", "building"]
        assert {v["key"] for v in attributes[0]["values"]} == {"emergency", "normal", "consultation"}
    else:
        root = ET.fromstring(definition.content)
        assert root.tag == "service_definition" and root.findtext("service_code") == "noise"
        assert [a.findtext("code") for a in root.find("attributes")] == ["urgency", "community_id", "building"]
        assert len(root.find("attributes")[0].find("values")) == 3
    assert "noise" in errors(hotline.client.get(f"{BASE}/services/noise-x.{fmt}"), fmt, 404)
    assert "jurisdiction_id" in errors(hotline.client.get(f"{BASE}/services.{fmt}",
                                                          params={"jurisdiction_id": "beijing"}), fmt, 404)
    ok = hotline.client.get(f"{BASE}/services.{fmt}", params={"jurisdiction_id": "shenyang.renovation"})
    assert ok.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_get_and_tokens(hotline: Running, api_key: str, fmt: str):
    form = {"api_key": api_key, "jurisdiction_id": "shenyang.renovation", "service_code": "dust",
            "lat": "41.8002", "long": "123.4003", "description": "渣土车不覆盖，整条路都是灰，电话13912345678",
            "first_name": "丽", "last_name": "李", "phone": "139-1234-5678", "attribute[urgency]": "normal"}
    created = hotline.client.post(f"{BASE}/requests.{fmt}", data=form)
    assert created.status_code == 201, created.text
    [answer] = parsed(created, fmt)
    request_id, token = answer["service_request_id"], answer["token"]
    assert request_id.startswith("TS") and answer["service_notice"]

    [one] = parsed(hotline.client.get(f"{BASE}/requests/{request_id}.{fmt}"), fmt)
    assert one["service_request_id"] == request_id and one["status"] == "open" and one["service_code"] == "dust"
    assert "13912345678" not in one["description"] and "[电话已隐去]" in one["description"]
    assert float(one["lat"]) == pytest.approx(41.8002) and one["address_id"] == "c-happy"
    assert one["requested_datetime"].endswith("Z") and one["expected_datetime"]
    body = created.text + hotline.client.get(f"{BASE}/requests.{fmt}").text
    assert "李丽" not in body and "1234" not in body  # no contact field ever leaves
    [by_token] = parsed(hotline.client.get(f"{BASE}/tokens/{token}.{fmt}"), fmt)
    assert by_token == {"service_request_id": request_id, "token": token}
    assert "token" in errors(hotline.client.get(f"{BASE}/tokens/nope.{fmt}"), fmt, 404)
    assert "service_request_id" in errors(hotline.client.get(f"{BASE}/requests/TS-NOPE.{fmt}"), fmt, 404)

    def ids(**params) -> list[str]:
        found = parsed(hotline.client.get(f"{BASE}/requests.{fmt}", params=params), fmt)
        return [r["service_request_id"] for r in found]

    assert ids() == [request_id]
    assert ids(service_request_id=f"{request_id},TS-OTHER", status="closed") == [request_id]  # ids override
    assert ids(service_code="dust,noise") == [request_id] and ids(service_code="noise") == []
    assert ids(status="open") == [request_id] and ids(status="closed") == []
    assert ids(start_date="2026-11-19T00:00:00Z", end_date="2026-11-21T00:00:00Z") == [request_id]
    assert ids(start_date="2026-11-21T00:00:00Z") == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_error_in_the_specs_format_and_nothing_recorded(hotline: Running, api_key: str, fmt: str):
    before = len(hotline.events())
    good = {"api_key": api_key, "service_code": "noise", "lat": "41.8", "long": "123.4",
            "description": "夜间施工噪声扰民"}

    def post(**changes):
        data = {k: v for k, v in (good | changes).items() if v is not None}
        return hotline.client.post(f"{BASE}/requests.{fmt}", data=data)

    assert "api_key" in errors(post(api_key=None), fmt, 403)
    assert "api_key" in errors(post(api_key="stolen-or-guessed"), fmt, 403)
    assert "service_code" in errors(post(service_code=None), fmt, 400)
    assert "不存在" in errors(post(service_code="graffiti"), fmt, 404)
    assert "位置" in errors(post(lat=None, long=None), fmt, 400)
    assert "lat" in errors(post(lat="north"), fmt, 400)
    assert "范围" in errors(post(lat="95"), fmt, 400)
    assert "description" in errors(post(description="  "), fmt, 400)
    assert "不在任何改造小区" in errors(post(lat="41.9", long="123.6"), fmt, 400)
    assert "控制字符" in errors(post(description="噪声\x00扰民严重"), fmt, 400)
    assert "urgency" in errors(post(**{"attribute[urgency]": "whenever"}), fmt, 400)
    assert "jurisdiction_id" in errors(post(jurisdiction_id="elsewhere"), fmt, 404)
    assert "status" in errors(hotline.client.get(f"{BASE}/requests.{fmt}", params={"status": "pending"}), fmt, 400)
    assert "W3C" in errors(hotline.client.get(f"{BASE}/requests.{fmt}", params={"start_date": "yesterday"}), fmt, 400)
    assert "90" in errors(hotline.client.get(f"{BASE}/requests.{fmt}", params={
        "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}), fmt, 400)
    unknown = hotline.client.get(f"{BASE}/requests.{fmt}", params={"service_code": "graffiti"})
    assert "不存在" in errors(unknown, fmt, 404)
    assert len(hotline.events()) == before


def test_an_unknown_format_is_answered_in_json(hotline: Running):
    response = hotline.client.get(f"{BASE}/services.csv")
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_a_revoked_or_unregistered_client_cannot_file_and_only_an_admin_registers(hotline: Running):
    refused = hotline.client.post("/api/open311/clients", json={"name": "x"}, headers=hotline.as_("op"))
    assert refused.status_code == 403
    registered = hotline.client.post("/api/open311/clients", json={"name": "街道 App"},
                                     headers=hotline.as_("adm")).json()
    form = {"api_key": registered["api_key"], "service_code": "noise", "attribute[community_id]": "c-happy",
            "description": "夜间施工噪声扰民"}
    assert hotline.client.post(f"{BASE}/requests.json", data=form).status_code == 201
    revoke = f"/api/open311/clients/{registered['client_id']}/revoke"
    assert hotline.client.post(revoke, headers=hotline.as_("op")).status_code == 403
    assert hotline.client.post(revoke, headers=hotline.as_("adm")).status_code == 204
    assert hotline.client.post(revoke, headers=hotline.as_("adm")).status_code == 422
    assert "api_key" in errors(hotline.client.post(f"{BASE}/requests.json", data=form), "json", 403)
    digest = [e.payload["key_digest"] for e in hotline.events("complaints.Open311ClientRegistered")]
    assert registered["api_key"] not in str(digest) and len(digest[0]) == 64


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_discovery_names_the_endpoint_and_its_formats(hotline: Running, fmt: str):
    response = hotline.client.get(f"/open311/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        [endpoint] = response.json()["endpoints"]
        assert endpoint["url"] == "http://testserver/open311/v2" and "application/json" in endpoint["formats"]
    else:
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><discovery>')
        root = ET.fromstring(response.content)
        endpoint = root.find("endpoints").find("endpoint")
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
