"""Through the real (embedded) broker: approval reaches other services; construction's notices run."""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import BaseModel, ConfigDict

from shared.actor import Actor
from shared.broker import ensure_topics, topic_for
from shared.calendar import CHINA
from shared.consumer import IdempotentConsumer
from shared.db import create_engine
from shared.envelope import Envelope, new_event_id
from shared.metrics import KernelMetrics
from shared.schema import metadata as kernel_metadata
from shared.settings import KernelSettings
from shared.unit_of_work import Projection
from tests.integration.intake import flow
from tests.integration.intake.conftest import build
from tests.integration.intake.flow import ok
from tests.integration.intake.test_api import SMALL

pytestmark = pytest.mark.broker


class ProjectApproved(BaseModel):
    """intake.ProjectApproved v1 as docs/events.md publishes it: what a consuming service relies on."""

    model_config = ConfigDict(extra="ignore")

    project_id: str
    community_id: str
    community_name: str
    district: str
    street_office: str
    plan_year: int
    location: dict
    household_count: int
    floor_area_m2: float
    items: list[dict]
    budget_fen: int
    funding: list[dict]
    after_care: str
    parties: dict
    figures: dict


started = sa.Table("started_project", sa.MetaData(), sa.Column("project_id", sa.String, primary_key=True),
                   sa.Column("budget_fen", sa.BigInteger), sa.Column("items", sa.Integer))
other_service = Projection(started)


@other_service.on("intake.ProjectApproved")
def _start(conn, envelope: Envelope) -> None:
    fact = ProjectApproved.model_validate(envelope.payload)
    conn.execute(started.insert().values(project_id=fact.project_id, budget_fen=fact.budget_fen,
                                         items=len(fact.items)))


async def read_intake(kafka, until: str, timeout: float = 20.0) -> list[Envelope]:
    """Envelopes on renovation.intake from the start, until one of type `until` has arrived."""
    consumer = AIOKafkaConsumer(topic_for("intake"), bootstrap_servers=kafka.bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=10)
    await consumer.start()
    seen: list[Envelope] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(e.event_type == until for e in seen):
            batch = await consumer.getmany(timeout_ms=200)
            seen += [Envelope.from_json(r.value) for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    assert any(e.event_type == until for e in seen), f"{until} did not reach the broker"
    return seen


async def request_design_change(kafka, project_id: str) -> None:
    """Publish construction.DesignChangeNoticeRequested as construction would."""
    envelope = Envelope(
        event_id=new_event_id(), event_type="construction.DesignChangeNoticeRequested", schema_version=1,
        stream_id="change-dc-9", stream_version=1, project_id=project_id,
        occurred_at=datetime(2025, 10, 23, 10, 0, tzinfo=CHINA), actor=Actor(id="zhao", role="contractor"),
        correlation_id="c-9", position=1,
        payload={"project_id": project_id, "change_id": "dc-9", "title": "电动车棚移位", "description": "移至西侧",
                 "cost_delta_fen": -300_000, "working_days": 5})
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(topic_for("construction"), envelope.to_json(), key=project_id.encode())
    finally:
        await producer.stop()


def test_approval_reaches_other_services_and_design_change_notices_run(kafka, tmp_path):
    asyncio.run(ensure_topics(KernelSettings(kafka_bootstrap_servers=kafka.bootstrap_servers)))
    intake = build(f"sqlite:///{tmp_path / 'intake.db'}", tmp_path, kafka=kafka.bootstrap_servers,
                   notice_tick_seconds=0.2)
    body = flow.community(**SMALL)
    with intake.client:  # the lifespan: relay, consumer of renovation.construction, notice clock
        _, project_id, _ = flow.to_notice(intake.client, intake.headers, body, start=date(2025, 9, 26))
        intake.clock.today = date(2025, 10, 22)
        intake.tick()
        flow.vote_and_review(intake.client, intake.headers, body, project_id)
        ok(intake.client.post(f"/api/projects/{project_id}/approval", headers=intake.headers["official"]))
        published = asyncio.run(read_intake(kafka, "intake.ProjectApproved"))
        approved = next(e for e in published if e.event_type == "intake.ProjectApproved")
        assert approved.project_id == project_id, "the Kafka key is the project"

        consumer = other_service_consumer(tmp_path)
        for envelope in published:
            consumer.apply(envelope)
        with consumer.engine.connect() as conn:
            assert conn.execute(sa.select(started)).one() == (project_id, 520_000_000, 3)

        asyncio.run(request_design_change(kafka, project_id))
        noticed = asyncio.run(read_intake(kafka, "intake.DesignChangeNoticePublished"))
        notice = next(e for e in noticed if e.event_type == "intake.DesignChangeNoticePublished").payload
        assert (notice["change_id"], notice["start"], notice["working_days"]) == ("dc-9", "2025-10-24", 14)
        assert notice["end"] == "2025-11-12"
        intake.clock.today = date(2025, 11, 13)  # the ticker notices the period is over
        ended = asyncio.run(read_intake(kafka, "intake.DesignChangeNoticeEnded"))
    end = next(e for e in ended if e.event_type == "intake.DesignChangeNoticeEnded")
    assert end.payload | {"notice_id": None} == {"project_id": project_id, "change_id": "dc-9", "notice_id": None,
                                                 "end": "2025-11-12", "working_days": 14, "objections": 0,
                                                 "objections_unanswered": 0}
    assert end.actor.role == "system" and end.project_id == project_id


def other_service_consumer(tmp_path) -> IdempotentConsumer:
    """A consuming service's idempotent consumer with a tolerant reader of ProjectApproved."""
    engine = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    kernel_metadata.create_all(engine)
    started.metadata.create_all(engine)
    return IdempotentConsumer(name="construction", engine=engine, projection=other_service,
                              settings=KernelSettings(), metrics=KernelMetrics())
