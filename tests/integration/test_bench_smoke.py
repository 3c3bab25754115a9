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
async def test_flow_bench_measures_both_sides_and_removes_its_topics(kafka):
    # One run (each starts four processes and joins three consumer groups: ~35 s); the bench's
    # own embedded broker is the same EmbeddedBroker the `kafka` fixture starts.
    result = await run_flow_bench(rate=50, seconds=1, bootstrap=kafka.bootstrap_servers)

    for side in (result.kernel, result.bare):
        assert side.sent == 50 and side.received == side.sent, f"{side.name} lost messages"
        assert 0 < side.p50 <= side.p90 <= side.p99 <= side.max
        assert side.achieved_rate > 0
    assert len(result.kernel.stages) == 3
    assert all(p50 > 0 and p99 >= p50 for p50, p99 in result.kernel.stages.values())
    assert result.broker == kafka.bootstrap_servers and result.fetch_max_wait_ms == 10
    text = rendered(render_flow, result)
    assert "overhead (kernel − bare)" in text and "bare FastStream" in text
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert not [t for t in topics if t.startswith("renovation.bench-")]


def test_store_bench_measures_a_bare_insert_of_the_same_rows():
    result = run_store_bench(events=100, batch=50, rounds=1)

    phases = {phase.name: phase for phase in result.phases}
    for name in ("append, 1 event/tx", "append, 50 events/tx"):
        assert phases[name].bare > 0 and phases[name].bare_ratio > 0
    assert phases["read all, parsed"].bare is None
    assert "bare SQLAlchemy insert" in rendered(render_store, result)


def test_growth_bench_measures_every_operation_at_every_size_and_the_aggregate_load():
    from shared.bench.growth import run_growth_bench

    result = run_growth_bench(sizes=(300, 3000), rounds=1)

    assert set(result.rates) == {"append", "read", "verify", "rebuild"}
    assert all(set(by_size) == {300, 3000} and min(by_size.values()) > 0 for by_size in result.rates.values())
    assert all(len(steps) == 1 and steps[0] > 0 for steps in result.steps.values())
    assert set(result.aggregate_ms) == {10, 10_000} and min(result.aggregate_ms.values()) > 0


def test_evidence_ingest_bench_measures_jpeg_heic_and_the_upload_beside_a_bare_put():
    from services.construction.bench import ingest_benchmark

    rows = ingest_benchmark(1, "local", rounds=1)

    assert [row.name.split(",")[0] for row in rows] == ["evidence ingest", "evidence ingest",
                                                         "evidence upload over HTTP"]
    assert all(row.ours_mb_s > 0 and row.bare_mb_s > 0 and row.ratio > 0 for row in rows)


def test_the_suite_prints_one_table_and_fails_loudly_when_a_benchmark_errors(monkeypatch):
    from shared.bench import suite
    from shared.cli.bench import render_suite

    row = suite.Row("append, 1 event/tx (sqlite)", "10/s", "eventsourcing 5/s", "2.00×", "≥ 1.0×", True)
    monkeypatch.setattr(suite, "store_rows", lambda db, **_: [row])
    monkeypatch.setattr(suite, "evidence_rows", lambda **_: [])
    monkeypatch.setattr(suite, "growth_rows", lambda **_: [])

    def broken(**_):
        raise RuntimeError("kernel at 200/s lost 3 of 400")

    monkeypatch.setattr(suite, "flow_rows", broken)
    result = suite.run_suite(full=False, rounds=1, postgres_url="unused", progress=lambda _: None)

    assert not result.ok and "lost 3 of 400" in result.errors[0]
    assert result.rows == [row, row] and result.machine["cpus"]
    text = rendered(render_suite, result)
    assert "FAILED event flow" in text and "eventsourcing 5/s" in text and "cores:" in text
    markdown = suite.suite_markdown(result)
    assert "| append, 1 event/tx (sqlite) | 10/s | eventsourcing 5/s | 2.00× | ≥ 1.0× | yes |" in markdown
    assert "Failed: event flow" in markdown and "cpus" in markdown
