"""An existing Open311 client (the `georeport` package from PyPI) reads our GeoReport v2 endpoint over real HTTP."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import requests
import uvicorn
from georeport import GeoReport

from shared.embedded import free_port
from tests.integration.complaints.conftest import Running


@pytest.fixture
def served(hotline: Running):
    """The app behind uvicorn on a free loopback port (the client speaks real HTTP)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(hotline.app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_lists_services_and_reads_requests(hotline: Running, served: str, fmt: str):
    registered = hotline.client.post("/api/open311/clients", json={"name": "georeport"}, headers=hotline.as_("adm"))
    key = registered.json()["api_key"]
    posted = httpx.post(f"{served}/open311/v2/requests.json", data={
        "api_key": key, "jurisdiction_id": "shenyang.renovation", "service_code": "safety_hazard",
        "lat": "41.8001", "long": "123.4001", "description": "3号楼脚手架没有防护网，有东西掉下来"})
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]

    client = GeoReport(f"{served}/open311/v2", jurisdiction="shenyang.renovation", output_format=fmt)
    services = client.get_service_list()
    assert "safety_hazard" in [s["service_code"] for s in services]
    definition = client.get_service_definition("safety_hazard")
    assert definition["service_code"] == "safety_hazard"
    listed = client.get_service_requests(service_code="safety_hazard", status="open")
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict gives one entry as a dict
    assert [r["service_request_id"] for r in listed] == [request_id]
    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id and one["status"] == "open"
    assert one["service_name"] == "安全隐患"
    with pytest.raises(requests.HTTPError) as missing:
        client.get_service_request("TS-NOT-THERE")
    assert missing.value.response.status_code == 404
    elsewhere = GeoReport(f"{served}/open311/v2", jurisdiction="beijing", output_format=fmt)
    with pytest.raises(requests.HTTPError):
        elsewhere.get_service_list()
