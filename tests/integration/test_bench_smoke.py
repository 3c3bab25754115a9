"""`renovation bench` at tiny sizes: both sides measured, sane figures; timings not judged."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient
from rich.console import Console

from shared.bench.flow import run_flow_bench
from shared.bench.store import run_store_bench
from shared.cli.bench import render_flow, render_store


def rendered(render, result) -> str:
    console = Console(file=io.StringIO(), width=200)
    render(result, console)
    return console.file.getvalue()


def test_store_bench_measures_ours_and_the_library_on_sqlite():
    result = run_store_bench(events=200, batch=50, rounds=2)

    phases = {phase.name: phase for phase in result.phases}
    assert list(phases) == ["append, 1 event/tx", "append, 50 events/tx", "read all, parsed",
                            "verify chain"]
    assert all(phase.ours > 0 for phase in result.phases)
    assert all(phases[name].theirs > 0 and phases[name].ratio > 0 for name in list(phases)[:3])
    assert phases["verify chain"].theirs is None, "the library has no hash chain to verify"
    for side in ("ours", "eventsourcing"):
        assert "journal_mode=wal" in result.durability[side]
        assert "synchronous=FULL" in result.durability[side]
    assert int(result.machine["cpus"]) >= 1 and result.machine["sqlite"]
    text = rendered(render_store, result)
    assert "eventsourcing" in text and "append, 50 events/tx" in text and "×" in text


@pytest.mark.postgres
def test_store_bench_on_postgres_leaves_no_database_behind(postgres_server):
    result = run_store_bench(events=100, batch=50, rounds=1, db="postgres",
                             postgres_url=postgres_server)

    assert all(phase.ours > 0 for phase in result.phases)
    assert "synchronous_commit=" in result.durability["ours"]
    library = result.durability["eventsourcing"]
    # The library's PostgreSQL recorder needs psycopg_pool: measured when present, else said why.
    assert all(p.theirs for p in result.phases[:3]) or "psycopg_pool" in library
    engine = sa.create_engine(postgres_server)
    with engine.connect() as conn:
        left = conn.execute(sa.text(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'renovation_bench_%'")).scalar()
    engine.dispose()
    assert left == 0


@pytest.mark.broker
async def test_flow_bench_starts_its_own_broker_and_measures_both_sides():
    result = await run_flow_bench(rate=50, seconds=2)

    for side in (result.kernel, result.bare):
        assert side.sent == 100 and side.received == side.sent, f"{side.name} lost messages"
        assert 0 < side.p50 <= side.p90 <= side.p99 <= side.max
        assert side.achieved_rate > 0
    assert len(result.kernel.stages) == 3
    assert all(p50 > 0 and p99 >= p50 for p50, p99 in result.kernel.stages.values())
    assert "embedded tansu" in result.broker and result.fetch_max_wait_ms == 10
    text = rendered(render_flow, result)
    assert "overhead (kernel − bare)" in text and "bare FastStream" in text


@pytest.mark.broker
async def test_flow_bench_on_a_given_broker_removes_its_topics(kafka):
    result = await run_flow_bench(rate=50, seconds=1, bootstrap=kafka.bootstrap_servers)

    assert result.kernel.received == result.kernel.sent == 50
    assert result.bare.received == result.bare.sent == 50
    assert result.broker == kafka.bootstrap_servers
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert not [t for t in topics if t.startswith("renovation.bench-")]
