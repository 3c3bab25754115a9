"""Filing and duplicate scoring measured beside a peer in the same run.

`python -m services.complaints.bench [count]` prints:
- filing a hotline call through the API (validate, seal the contact, route, clock on the calendar,
  duplicate scan against the open complaints of the site, 3–5 events, read models) beside the
  kernel appending one bare event of the same text in its own unit of work (the floor);
- duplicate scoring (jieba words + rapidfuzz) beside difflib's SequenceMatcher on the same pairs.
"""

from __future__ import annotations

import difflib
import statistics
import sys
import tempfile
import time
from pathlib import Path

TEXTS = ["3号楼东侧工地夜里12点还在施工，噪音太大睡不着", "晚上十二点了3号楼旁边还在施工噪音很大，孩子睡不着觉",
         "小区门口渣土车遗撒，扬尘严重", "脚手架没有防护网，有砖头掉下来", "施工挖断水管，整栋楼停水",
         "消防通道被建材堵死了", "工期拖了两个月还没完工", "工人态度很差，还在楼道里抽烟"]


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def bench_filing(count: int) -> None:
    from fastapi.testclient import TestClient

    from services.complaints.bootstrap import create_app
    from services.complaints.settings import ComplaintsSettings
    from shared.actor import Actor
    from shared.aggregate import Aggregate
    from shared.auth.identity import IdentityStore
    from shared.event import DomainEvent
    from shared.settings import KernelSettings

    class Note(Aggregate):
        stream_prefix = "bench-note"

        class Written(DomainEvent):
            event_type = "bench.NoteWritten"
            text: str

        def apply(self, event) -> None:
            pass

    tmp = Path(tempfile.mkdtemp(prefix="complaints-bench-"))
    identity = f"sqlite:///{tmp / 'identity.db'}"
    store = IdentityStore.from_url(identity)
    store.create_schema()
    store.add_user(username="bench", password="bench-pass-2026", role="hotline_operator", display_name="bench")
    kernel = KernelSettings(var_dir=tmp, evidence_dir=tmp / "evidence", identity_database_url=identity,
                            kafka_bootstrap_servers="127.0.0.1:9")
    settings = ComplaintsSettings(database_url=f"sqlite:///{tmp / 'c.db'}", rate_per_client_per_hour=10**6)
    app = create_app(settings, kernel)
    service = app.state.service
    _sites(service)
    token = app.state.auth.tokens.issue(username="bench", role="hotline_operator", display_name="bench")
    headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(app)
    ours, floor = [], []
    for i in range(count):
        body = {"phone": f"1381234{i % 10000:04d}", "name": "王建国", "category": "noise", "urgency": "normal",
                "text": TEXTS[i % len(TEXTS)], "community_id": "c-1"}
        start = time.perf_counter()
        assert client.post("/api/complaints", json=body, headers=headers).status_code == 201
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        uow = service.unit_of_work(actor=Actor(id="bench", role="hotline_operator"))
        with uow:
            note = Note(Note.stream_for(str(i)))
            note._record(Note.Written(text=body["text"]))
            uow.save(note, project_id="c-1")
            uow.commit()
        floor.append(time.perf_counter() - start)
    print(f"file a hotline call via the API : {count / sum(ours):7.1f}/s  ({_percentiles(ours)})")
    print(f"peer: one bare kernel append    : {count / sum(floor):7.1f}/s  ({_percentiles(floor)})")
    service.engine.dispose()


def _sites(service) -> None:
    from shared.actor import Actor
    from shared.envelope import Envelope, new_event_id, utc_now

    payload = {"community_id": "c-1", "name": "幸福里", "district": "和平区", "street_office": "南市街道",
               "residents_committee": "南市社区", "address": "南市路", "latitude": 41.8, "longitude": 123.4,
               "geofence_radius_m": 200}
    service.consumer.apply(Envelope(event_id=new_event_id(), event_type="intake.CommunityRegistered",
                                    schema_version=1, stream_id="c-1", stream_version=1, project_id="c-1",
                                    occurred_at=utc_now(), actor=Actor.system(), correlation_id="b", payload=payload,
                                    position=1))


def bench_similarity(rounds: int = 2000) -> None:
    from services.complaints.domain.duplicate import similarity, tokens

    pairs = [(a + str(i), b) for i in range(rounds // 64 + 1) for a in TEXTS for b in TEXTS][:rounds]
    start = time.perf_counter()
    ours = [similarity(a, b) for a, b in pairs]
    took = time.perf_counter() - start
    tokens.cache_clear()
    start = time.perf_counter()
    peer = [difflib.SequenceMatcher(None, a, b).ratio() * 100 for a, b in pairs]
    peer_took = time.perf_counter() - start
    same, other = similarity(TEXTS[0], TEXTS[1]), similarity(TEXTS[0], TEXTS[2])
    print(f"duplicate score, jieba+rapidfuzz: {len(pairs) / took:9.0f} pairs/s  (same complaint {same:.0f}, "
          f"different {other:.0f})")
    print(f"peer: difflib SequenceMatcher   : {len(pairs) / peer_took:9.0f} pairs/s  (same complaint "
          f"{difflib.SequenceMatcher(None, TEXTS[0], TEXTS[1]).ratio() * 100:.0f}, different "
          f"{difflib.SequenceMatcher(None, TEXTS[0], TEXTS[2]).ratio() * 100:.0f})")
    del ours, peer


if __name__ == "__main__":
    bench_filing(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    bench_similarity()
