"""`audit verify` on a real log, its topic (embedded broker), checkpoints and evidence: each tampering named."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.actor import Actor
from shared.audit.checkpoint import CHECKPOINT_TOPIC, CheckpointPublisher, SignedCheckpoint
from shared.audit.signing import PinnedKeys, Signer, load_signer
from shared.audit.tree import catch_up
from shared.audit.verify import Sources, verify_all
from shared.broker import ensure_topics, make_broker, topic_for
from shared.db import create_engine
from shared.canonical import canonical_json
from shared.envelope import Envelope, new_event_id, utc_now
from shared.eventstore import EventStore
from shared.metrics import KernelMetrics
from shared.migrations import kernel_0002
from shared.objectstore import LocalFolderStore, evidence_key
from shared.relay import Relay
from shared.schema import events, log_head, merkle_node, metadata
from shared.settings import KernelSettings

pytestmark = pytest.mark.broker

PHOTO = b"\xff\xd8 a photo of a buried pipe \xff\xd9"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


class Log:
    """One service ('intake') with 12 events published, three checkpoints on the topic, one evidence object."""

    def __init__(self, kafka, tmp_path, url: str | None = None) -> None:
        self.kernel = KernelSettings(kafka_bootstrap_servers=kafka.bootstrap_servers, var_dir=tmp_path)
        self.engine = create_engine(url or f"sqlite:///{tmp_path / 'intake.db'}")
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            kernel_0002.upgrade(conn)
        self.signer = load_signer("intake", self.kernel)
        self.keys = PinnedKeys.load(tmp_path / "audit" / "public-keys.json")
        self.evidence = LocalFolderStore(tmp_path / "evidence", secret=b"s")
        self.evidence.put(data=PHOTO, sha256=PHOTO_SHA, media_type="image/jpeg")
        self.broker = make_broker(self.kernel, client_id="intake")

    def append(self, start: int, count: int) -> None:
        store = EventStore()
        for i in range(start, start + count):
            payload = {"i": i, "evidence": {"sha256": PHOTO_SHA, "media_type": "image/jpeg"}} if i == 2 else {"i": i}
            draft = Envelope(event_id=new_event_id(), event_type="intake.Noted", schema_version=1, stream_id=f"n-{i}",
                             stream_version=1, project_id=f"p-{i % 3}", occurred_at=utc_now(),
                             actor=Actor(id="u", role="official"), correlation_id="c", payload=payload)
            with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
                store.append(conn, stream_id=draft.stream_id, expected_version=0, batch=[draft])

    async def publish(self) -> None:
        await ensure_topics(self.kernel)
        await self.broker.start()
        relay = Relay(engine=self.engine, broker=self.broker, topic=topic_for("intake"), settings=self.kernel,
                      metrics=KernelMetrics(), poll_seconds=0.05)
        publisher = CheckpointPublisher(engine=self.engine, broker=self.broker, signer=self.signer,
                                        clock=utc_now, seconds=60)
        for start in (1, 5, 9):
            self.append(start, 4)
            publisher.issue_now()  # checkpoints at 4, 8 and 12 events
        stop = asyncio.Event()
        running = asyncio.create_task(relay.run(stop))
        while self.relayed(relay) < 12:  # noqa: ASYNC110 - the relay's progress lives in the database
            await asyncio.sleep(0.05)
        stop.set()
        await running
        await publisher.publish_pending()
        await self.broker.stop()

    def relayed(self, relay) -> int:
        with self.engine.connect() as conn:
            return relay.load_checkpoint(conn).position

    def verify(self):
        return verify_all(Sources(engines={"intake": self.engine}, keys=self.keys,
                                  bootstrap=self.kernel.kafka_bootstrap_servers, object_store=self.evidence))

    def tamper(self, *statements) -> None:
        """Deliberate effort: drop the append-only triggers first."""
        with self.engine.begin() as conn:
            for table in ("events", "merkle_node"):
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                    continue
                for op in ("update", "delete"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_refuse_{op}")
            for statement in statements:
                conn.execute(statement)

    def body(self, position: int) -> dict:
        with self.engine.connect() as conn:
            return json.loads(conn.execute(sa.select(events.c.body).where(events.c.position == position)).scalar())

    def event_id(self, position: int) -> str:
        return self.body(position)["event_id"]


def _stored_row(e: Envelope) -> dict:
    """The row the store would write for a placed envelope (its canonical bytes as the body)."""
    return {"position": e.position, "event_id": str(e.event_id), "event_type": e.event_type,
            "schema_version": e.schema_version, "stream_id": e.stream_id, "stream_version": e.stream_version,
            "project_id": e.project_id, "occurred_at": e.occurred_at.isoformat(),
            "body": canonical_json(e.model_dump(mode="json")).decode(), "prev_hash": e.prev_hash, "hash": e.hash}


def failures(report, check: str | None = None) -> list:
    return [f for f in report.findings if f.status == "fail" and (check is None or f.check == check)]


def named(report, check: str) -> set[str]:
    return {(f.event or {}).get("event_id") for f in failures(report, check)}


def test_an_untouched_log_verifies_on_every_count(log):
    report = log.verify()
    assert report.ok, [f for f in report.findings if f.status != "ok"]
    checks = {(f.check, f.status) for f in report.findings}
    assert {("chain", "ok"), ("merkle", "ok"), ("checkpoint", "ok"), ("topic", "ok"), ("evidence", "ok")} <= checks


def test_a_changed_payload_byte_is_named(log):
    body = json.dumps(log.body(4), separators=(",", ":")).replace('"i":4', '"i":5')
    log.tamper(events.update().where(events.c.position == 4).values(body=body))
    report = log.verify()
    assert not report.ok
    assert failures(report, "chain")[0].event["position"] == 4
    assert log.event_id(4) in named(report, "topic")


def test_a_deleted_event_is_named(log):
    gone = log.event_id(5)
    log.tamper(events.delete().where(events.c.position == 5))
    report = log.verify()
    assert "position 5 is missing" in failures(report, "chain")[0].message
    assert gone in named(report, "topic")
    assert failures(report, "checkpoint")


def test_two_swapped_events_are_named(log):
    third, fourth = log.body(3), log.body(4)
    log.tamper(events.update().where(events.c.position == 3).values(body=json.dumps(fourth)),
               events.update().where(events.c.position == 4).values(body=json.dumps(third)))
    report = log.verify()
    assert failures(report, "chain")[0].event["position"] == 3
    assert {third["event_id"], fourth["event_id"]} & named(report, "topic")


def test_a_rewritten_tail_with_its_head_rewritten_too_is_caught_by_the_checkpoint(log):
    with log.engine.connect() as conn:
        tail = EventStore().read(conn, after=5, limit=100)
        prev = EventStore().read(conn, after=4, limit=1)[0].hash
    rewritten = []
    for envelope in tail:
        forged = envelope.model_copy(update={"payload": {**envelope.payload, "i": -1}}).chained(
            position=envelope.position, prev_hash=prev)
        rewritten.append(forged)
        prev = forged.hash
    log.tamper(events.delete().where(events.c.position > 5), merkle_node.delete())
    with log.engine.begin() as conn:
        conn.execute(events.insert(), [_stored_row(e) for e in rewritten])
        conn.execute(log_head.update().values(position=rewritten[-1].position, hash=rewritten[-1].hash))
        catch_up(conn)  # the forger rebuilds the service's own tree as well
    report = log.verify()
    assert not failures(report, "chain") and not failures(report, "merkle")  # the forgery is self-consistent
    broken = failures(report, "checkpoint")
    # Checkpoint 4 still holds, 8 and 12 do not: the rewrite lies in events 5–8.
    assert [f.details["size"] for f in broken] == [8, 12]
    assert all(f.event["position"] == 5 and "第 5–8 条" in f.message for f in broken)
    assert str(tail[0].event_id) in named(report, "topic")  # the topic names the very first rewritten event


def test_a_changed_evidence_object_is_named(log):
    path = log.evidence.root / evidence_key(PHOTO_SHA)
    os.chmod(path, 0o644)
    path.write_bytes(PHOTO + b"edited")
    report = log.verify()
    [finding] = failures(report, "evidence")
    assert PHOTO_SHA[:16] in finding.message and finding.event["event_id"] == log.event_id(2)
    path.unlink()
    assert "不见了" in failures(log.verify(), "evidence")[0].message


def test_a_forged_checkpoint_is_named(log):
    forger = Signer("intake", Ed25519PrivateKey.from_private_bytes(os.urandom(32)))
    with log.engine.connect() as conn:
        size, _ = EventStore().head(conn)
    fake = SignedCheckpoint("intake", size, "ab" * 32, utc_now().isoformat(), log.signer.key_id, "")
    fake = SignedCheckpoint(**{**fake.__dict__, "signature": forger.sign(fake.signed_bytes)})

    async def send():
        broker = make_broker(log.kernel, client_id="forger")
        await broker.start()
        await broker.publish(fake.to_json(), CHECKPOINT_TOPIC, key=b"intake")
        await broker.stop()

    asyncio.run(send())
    report = log.verify()
    [finding] = failures(report)
    assert finding.check == "checkpoint" and "伪造" in finding.message and finding.details["size"] == size


def test_a_broker_that_forgot_everything_is_said_plainly_and_the_stores_are_checked(log, kafka):
    kafka.restart()  # the embedded broker keeps messages in memory only
    asyncio.run(ensure_topics(log.kernel))
    report = log.verify()
    assert report.ok  # nothing was tampered with: the loss is not a failure, but it is not hidden either
    fallback = {f.check: f.message for f in report.findings if f.status == "fallback"}
    assert "嵌入式消息代理重启后" in fallback["topic"] and "主题缺少前 12 条事件" in fallback["topic"]
    assert "不是独立证据" in fallback["checkpoint"]


def test_on_postgresql_too_a_clean_log_verifies_and_a_changed_byte_is_named(kafka, tmp_path, postgres_url):
    log = Log(kafka, tmp_path, postgres_url)
    asyncio.run(log.publish())
    try:
        assert log.verify().ok
        body = log.body(7)
        log.tamper(events.update().where(events.c.position == 7).values(
            body=json.dumps(body, separators=(",", ":"), ensure_ascii=False).replace('"i":7', '"i":8')))
        report = log.verify()
        assert failures(report, "chain")[0].event["position"] == 7
        assert log.event_id(7) in named(report, "topic")
    finally:
        log.engine.dispose()
