"""Archive figures: `python -m services.acceptance.bench [events]` prints them beside a flat SHA-256 peer.

The peer hashes the same canonical leaves into one digest: what a bundle would cost without a
tree (and without being able to show one event's membership alone).
"""

from __future__ import annotations

import hashlib
import sys
import time

from services.acceptance.adapters import bundle as archive
from services.acceptance.application.archive import report_html, report_pdf
from shared.actor import Actor
from shared.envelope import Envelope, new_event_id, utc_now

VIEW = {"stage_label": "已备案", "accepted": None, "filed": None, "filing_late": False, "parties": [], "checks": [],
        "items": [], "evaluation": None, "money": None}


def chain(count: int) -> list[dict]:
    """`count` chained construction events of one project, as envelopes in JSON form."""
    previous, events = "0" * 64, []
    for n in range(1, count + 1):
        envelope = Envelope(
            event_id=new_event_id(), event_type="construction.HiddenWorkAccepted", schema_version=1,
            stream_id=f"hidden-work-{n}", stream_version=1, project_id="p1", occurred_at=utc_now(),
            actor=Actor(id="eng", role="supervision_engineer"), correlation_id=str(new_event_id()),
            payload={"hidden_work_id": f"hw{n}", "project_id": "p1", "photo_count": 3, "note": "验收合格"})
        envelope = envelope.chained(position=n, prev_hash=previous)
        previous = envelope.hash
        events.append(envelope.model_dump(mode="json"))
    return events


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main(count: int = 5000) -> None:
    """Print bundle, verification, proof and PDF figures for `count` events."""
    events = chain(count)
    project = {"project_id": "p1", "community_name": "幸福里小区", "district": "和平区", "street_office": "南市街道"}
    now = utc_now().isoformat()
    document, build = timed(lambda: archive.bundle(project=project, events=events, evidence=[], generated_at=now))
    result, verify = timed(lambda: archive.verify(document))
    flat, peer = timed(lambda: hashlib.sha256(b"".join(archive.event_leaf(e) for e in events)).hexdigest())
    hashes = [archive.leaf_hash(archive.event_leaf(e)) for e in events]
    path, prove = timed(lambda: archive.inclusion_proof(count // 2, hashes))
    lines = [f"archive of {count} events (ok={result['ok']}, flat digest {flat[:8]}…)",
             f"  bundle + Merkle root   {build * 1000:8.0f} ms   {count / build:9.0f} leaves/s",
             f"  offline verification   {verify * 1000:8.0f} ms   {count / verify:9.0f} events/s (chain hash + root)",
             f"  peer: one flat SHA-256 {peer * 1000:8.0f} ms   {count / peer:9.0f} leaves/s (no per-event proof)",
             f"  inclusion proof        {prove * 1000:8.1f} ms   {len(path)} hashes for one event"]
    for size in (100, 1000):
        small = archive.bundle(project=project, events=events[:size], evidence=[], generated_at=now)
        pdf, seconds = timed(lambda small=small: report_pdf(report_html(small, VIEW)))
        lines.append(f"  PDF report, {size:5d} events {seconds:6.1f} s   {len(pdf) // 1024} KiB (Noto CJK subset)")
    print("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
