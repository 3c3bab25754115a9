"""Construction in the stack as a user runs it: intake's approval arrives over the broker, a hidden
work is photographed, refused concealment, accepted and concealed; the phone pages answer in zh-CN."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.actor import Actor
from shared.broker import topic_for
from shared.calendar import CHINA
from shared.envelope import Envelope, new_event_id, utc_now
from tests.integration.construction.conftest import approved_payload
from tests.unit.construction.photos import jpeg

pytestmark = pytest.mark.e2e


def publish_approval(stack, project_id: str) -> None:
    """What intake will publish when a project enters the library (docs/events.md)."""
    envelope = Envelope(event_id=new_event_id(), event_type="intake.ProjectApproved", schema_version=1,
                        stream_id=f"project-{project_id}", stream_version=1, project_id=project_id,
                        occurred_at=utc_now(), actor=Actor(id="demo-official", role="official"),
                        correlation_id=str(new_event_id()), payload=approved_payload(project_id))

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=f"127.0.0.1:{stack.env['RENOVATION_EMBEDDED_BROKER_PORT']}")
        await producer.start()
        try:
            await producer.send_and_wait(topic_for("intake"), envelope.to_json(), key=project_id.encode())
        finally:
            await producer.stop()

    asyncio.run(send())


def wait_for_project(url: str, headers: dict, project_id: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{url}/api/projects/{project_id}", headers=headers)
        if response.status_code == 200:
            return response.json()
        time.sleep(0.2)
    raise AssertionError(f"project {project_id} did not open within {timeout}s")


def test_hidden_work_is_photographed_accepted_then_concealed_in_the_running_stack(stack):
    stack.start()
    url = stack.urls["construction"]
    official, contractor = stack.token("demo-official"), stack.token("demo-contractor")
    engineer = stack.token("demo-supervision-engineer")
    publish_approval(stack, "p-e2e")
    project = wait_for_project(url, official, "p-e2e")
    assert {item["layer"] for item in project["items"]} == {"underground", "above_ground"}

    parties = {"contractor": "沈阳建工", "supervision_unit": "华信监理",
               "accounts": {"contractor": ["demo-contractor"], "supervision_engineer": ["demo-supervision-engineer"],
                            "inspector": ["demo-inspector"]}}
    assert httpx.put(f"{url}/api/projects/p-e2e/parties", json=parties, headers=official).status_code == 204
    contract = {"contract_no": "HT-2026-001", "amount_fen": 4_000_000, "signed_on": "2026-11-02"}
    assert httpx.post(f"{url}/api/projects/p-e2e/contract", json=contract, headers=official).status_code == 204
    declared = httpx.post(f"{url}/api/projects/p-e2e/hidden-works", headers=contractor,
                          json={"item_id": "pipes", "location": "3号楼北侧雨水管", "kind": "buried_pipe"})
    hid = declared.json()["id"]

    refused = httpx.post(f"{url}/api/hidden-works/{hid}/conceal", headers=contractor)
    assert refused.status_code == 422 and "尚未经监理工程师验收" in refused.json()["detail"]

    taken = datetime.now(CHINA).replace(tzinfo=None)
    files = [("files", (f"p{n}.jpg", jpeg(n, taken=taken), "image/jpeg")) for n in (31, 32, 33)]
    uploaded = httpx.post(f"{url}/api/hidden-works/{hid}/evidence", files=files, headers=contractor, timeout=30)
    assert uploaded.status_code == 201 and all(e["flags"] == [] for e in uploaded.json()), uploaded.text
    assert httpx.post(f"{url}/api/hidden-works/{hid}/accept", json={}, headers=engineer).status_code == 204
    assert httpx.post(f"{url}/api/hidden-works/{hid}/conceal", headers=contractor).status_code == 204

    view = httpx.get(f"{url}/api/evidence/{uploaded.json()[0]['sha256']}/url", headers=engineer).json()
    assert httpx.get(view["url"]).content == jpeg(31, taken=taken)
    inspector = stack.token("demo-inspector")
    checklist = httpx.get(f"{url}/projects/p-e2e/inspect", headers={**inspector, "accept": "text/html"})
    assert checklist.status_code == 200 and 'capture="environment"' in checklist.text and "脚手架" in checklist.text
    page = httpx.get(f"{url}/projects/p-e2e", headers={**engineer, "accept": "text/html"}).text
    assert "3号楼北侧雨水管" in page and "已隐蔽" in page
    metrics = httpx.get(f"{url}/metrics").text
    assert "renovation_construction_concealment_refusals_total 1.0" in metrics
    assert 'renovation_construction_hidden_works{state="concealed"} 1.0' in metrics
    assert list((stack.workdir / "var" / "evidence" / "sha256").rglob("*"))
