"""Evidence ingest measured against a bare object-store put of the same bytes (MB/s, same run).

`python -m services.construction.bench [--json] [count] [local|s3|both] [rounds]` — s3 runs a moto server on
loopback (the test extra). "Ingest" is what the issue names: prove (strict decode), SHA-256,
EXIF, perceptual hash and near-duplicate lookup, the put, and the event commit. The whole
HTTP upload (multipart over ASGI in front of the same path) is printed beside it.
Each round starts both sides on fresh stores, warms each with one untimed file, then runs
ours and the bare put on the same files taking turns file by file; the median ratio of the
rounds is reported, beside the core count and load average (without --json).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import statistics
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

HEIC_SAMPLE = Path(os.environ.get("RENOVATION_TEST_PHOTOS") or Path(__file__).resolve().parents[3]
                   / "shared" / "testdata" / "photos") / "IMG_5195.HEIC"


def phone_photo(seed: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12 MP JPEG of a few MB, distinct per seed (a coarse mosaic with fine noise)."""
    rng = random.Random(seed)
    mosaic = Image.new("RGB", (16, 12))
    mosaic.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(192)])
    picture = mosaic.resize(size, Image.Resampling.BICUBIC)
    noise = Image.effect_noise(size, 40).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(picture, noise, 0.25).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def phone_heics(count: int) -> list[bytes]:
    """Distinct copies of a real iPhone HEIC (8.5 MP): a trailing `free` box changes the bytes only."""
    if HEIC_SAMPLE.exists():
        sample = HEIC_SAMPLE.read_bytes()
    else:  # without ../shared/testdata: a smaller generated one, said so in the row's name
        import pillow_heif

        pillow_heif.register_heif_opener()
        buffer = io.BytesIO()
        Image.open(io.BytesIO(phone_photo(0, (1600, 1200)))).save(buffer, "HEIF", quality=70)
        sample = buffer.getvalue()
    return [sample + struct.pack(">I4sQ", 16, b"free", seed) for seed in range(count)]


@dataclass(frozen=True)
class IngestRow:
    """One kind of file: our path and the bare put, MB/s (median of rounds), and the median ratio."""

    name: str
    files: int
    megabytes: float
    ours_mb_s: float
    bare_mb_s: float
    ratio: float


def _store(kind: str, root: Path, endpoint: str | None):
    from shared.objectstore import LocalFolderStore, ObjectStoreSettings, S3Store

    if kind == "local":
        return LocalFolderStore(root, secret=b"bench")
    from minio import Minio

    bucket = f"bench-{random.randrange(10**9)}"
    Minio(endpoint, access_key="bench", secret_key="bench", secure=False, region="us-east-1").make_bucket(bucket)
    return S3Store(ObjectStoreSettings(endpoint=endpoint, secure=False, bucket=bucket, access_key="bench",
                                       secret_key="bench"))


@dataclass
class _Ready:
    app: object
    client: object
    hidden_work_id: str
    headers: dict


def _ready_app(tmp: Path, store) -> _Ready:
    from fastapi.testclient import TestClient

    from services.construction.application import hidden_work, project
    from services.construction.application.context import run
    from services.construction.bootstrap import create_app
    from services.construction.domain.project import Parties
    from services.construction.settings import ConstructionSettings
    from shared.actor import Actor
    from shared.auth.identity import IdentityStore
    from shared.envelope import Envelope, new_event_id, utc_now
    from shared.settings import KernelSettings

    kernel = KernelSettings(var_dir=tmp, evidence_dir=tmp / "evidence", kafka_bootstrap_servers="127.0.0.1:9",
                            identity_database_url=f"sqlite:///{tmp}/identity.db")
    app = create_app(ConstructionSettings(database_url=f"sqlite:///{tmp}/construction.db"), kernel, store=store)
    IdentityStore.from_url(kernel.identity_database_url).add_user(
        username="con", password="bench-pass-1", role="contractor", display_name="con")
    payload = {"project_id": "b1", "community_id": "c", "community_name": "基准小区",
               "location": {"latitude": 41.79, "longitude": 123.43, "geofence_radius_m": 300},
               "items": [{"item_id": "pipes", "kind": "water_supply", "name": "给水"}]}
    service = app.state.service
    service.consumer.apply(Envelope(
        event_id=new_event_id(), event_type="intake.ProjectApproved", schema_version=1, stream_id="b1",
        stream_version=1, project_id="b1", occurred_at=utc_now(), actor=Actor.system(), correlation_id="b",
        payload=payload))
    official = Actor(id="bench", role="official")
    run(service.unit_of_work(actor=official), project.assign_parties, project_id="b1",
        parties=Parties(contractor="x", supervision_unit="y", accounts={"contractor": ("con",)}))
    run(service.unit_of_work(actor=official), project.sign_contract, project_id="b1", contract_no="1",
        amount_fen=1, signed_on=utc_now().date())
    hid = run(service.unit_of_work(actor=Actor(id="con", role="contractor")), hidden_work.declare, project_id="b1",
              item_id="pipes", zone=None, location="bench", kind="buried_pipe")
    token = app.state.auth.tokens.issue(username="con", role="contractor", display_name="con")
    return _Ready(app, TestClient(app), hid, {"Authorization": f"Bearer {token}"})


def _ingest(ready: _Ready, name: str, data: bytes, media_type: str, digest: str) -> None:
    """The ingest path without HTTP: examine (prove, hash, EXIF, phash), attach (lookup, put, commit)."""
    from services.construction.application import hidden_work
    from services.construction.application.context import run
    from services.construction.application.evidence import Upload, examine_all
    from shared.actor import Actor

    ctx, service = ready.app.state.construction, ready.app.state.service
    examined = examine_all(ctx, [Upload(data=data, filename=name, content_type=media_type)])
    [kept] = run(service.unit_of_work(actor=Actor(id="con", role="contractor")), hidden_work.attach_evidence,
                 ctx=ctx, hidden_work_id=ready.hidden_work_id, examined=examined)
    if kept.sha256 != digest:
        raise RuntimeError(f"{name} was not kept")


def _upload(ready: _Ready, name: str, data: bytes, media_type: str, digest: str) -> None:
    response = ready.client.post(f"/api/hidden-works/{ready.hidden_work_id}/evidence", headers=ready.headers,
                                 files=[("files", (name, data, media_type))])
    if response.status_code != 201 or response.json()[0]["sha256"] != digest:
        raise RuntimeError(f"upload refused: {response.status_code} {response.text[:300]}")


def _bare_put(store, data: bytes, media_type: str) -> None:
    # What any content-addressed put costs: the digest (the key), then the store's own put.
    store.put(data=data, sha256=hashlib.sha256(data).hexdigest(), media_type=media_type)


def _one_round(warm: tuple[str, bytes, str], files: list[tuple[str, bytes, str]], path, kind: str,
               endpoint: str | None) -> tuple[float, float]:
    """Seconds for our path and for the bare put of the same files into fresh stores of one kind.

    Both sides first take one file untimed (a service keeps running: its first request's
    imports and caches are not the rate). Then, file by file, ours and the bare put take turns
    (which goes first alternates), so a burst of load on the machine falls on both alike.
    """
    digests = [hashlib.sha256(data).hexdigest() for _, data, _ in files]  # checks only, not timed
    with tempfile.TemporaryDirectory() as ours, tempfile.TemporaryDirectory() as bare:
        ready = _ready_app(Path(ours), _store(kind, Path(ours) / "store", endpoint))
        store = _store(kind, Path(bare), endpoint)
        path(ready, *warm, hashlib.sha256(warm[1]).hexdigest())
        _bare_put(store, warm[1], warm[2])
        ours_seconds = bare_seconds = 0.0
        for n, ((name, data, media_type), digest) in enumerate(zip(files, digests, strict=True)):
            for side in ((0, 1) if n % 2 == 0 else (1, 0)):
                started = time.perf_counter()
                if side == 0:
                    path(ready, name, data, media_type, digest)
                    ours_seconds += time.perf_counter() - started
                else:
                    _bare_put(store, data, media_type)
                    bare_seconds += time.perf_counter() - started
        _check_kept(ready.app.state.construction.store, store, digests)
        return ours_seconds, bare_seconds


def _check_kept(ours, bare, digests: list[str]) -> None:
    from shared.objectstore import evidence_key

    for digest in digests:
        if not (ours.exists(evidence_key(digest)) and bare.exists(evidence_key(digest))):
            raise RuntimeError(f"sha256 {digest[:12]}… is missing from a store after the round")


def _row(name: str, files: list[tuple[str, bytes, str]], path, kind: str, endpoint: str | None,
         rounds: int) -> IngestRow:
    warm, files = files[0], files[1:]
    megabytes = sum(len(data) for _, data, _ in files) / 1e6
    timings = [_one_round(warm, files, path, kind, endpoint) for _ in range(rounds)]
    ours = statistics.median(megabytes / o for o, _ in timings)
    bare = statistics.median(megabytes / b for _, b in timings)
    ratio = statistics.median(b / o for o, b in timings)
    return IngestRow(name, len(files), round(megabytes, 1), round(ours, 1), round(bare, 1), round(ratio, 2))


def ingest_benchmark(count: int = 8, kind: str = "local", endpoint: str | None = None,
                     rounds: int = 3) -> list[IngestRow]:
    """Rows for a 12 MP phone JPEG and a phone HEIC (ingest), and the JPEG through the HTTP upload."""
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    # One more file than counted: the first warms both sides up, untimed.
    jpegs = [(f"{n}.jpg", phone_photo(n), "image/jpeg") for n in range(count + 1)]
    heics = [(f"{n}.heic", data, "image/heic") for n, data in enumerate(phone_heics(count + 1))]
    heic_name = "8.5 MP phone HEIC" if HEIC_SAMPLE.exists() else "2 MP generated HEIC"
    return [_row(f"evidence ingest, 12 MP phone JPEG ({kind})", jpegs, _ingest, kind, endpoint, rounds),
            _row(f"evidence ingest, {heic_name} ({kind})", heics, _ingest, kind, endpoint, rounds),
            _row(f"evidence upload over HTTP, 12 MP JPEG ({kind})", jpegs, _upload, kind, endpoint, rounds)]


def with_moto(action):
    """Run action(endpoint) with a moto S3 server on a free loopback port."""
    import logging

    from moto.server import ThreadedMotoServer

    from shared.embedded import free_port

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        return action(f"127.0.0.1:{port}")
    finally:
        server.stop()


def main() -> None:
    """Print the rows: `[--json] [count] [local|s3|both] [rounds]` (s3 on a moto server started here)."""
    import dataclasses
    import json

    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__)
        return
    args = [arg for arg in sys.argv[1:] if arg != "--json"]
    count = int(args[0]) if args else 8
    kind = args[1] if len(args) > 1 else "local"
    rounds = int(args[2]) if len(args) > 2 else 3
    rows = ingest_benchmark(count, "local", rounds=rounds) if kind in ("local", "both") else []
    if kind in ("s3", "both"):
        rows += with_moto(lambda endpoint: ingest_benchmark(count, "s3", endpoint, rounds))
    if "--json" in sys.argv:
        print(json.dumps([dataclasses.asdict(row) for row in rows], ensure_ascii=False))
        return
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {load} (1, 5, 15 min) after the run")
    for row in rows:
        print(f"{row.name:55s} ours {row.ours_mb_s:7.1f} MB/s  bare put {row.bare_mb_s:7.1f} MB/s  "
              f"{row.ratio:.2f}×  ({row.files} files, {row.megabytes} MB, median of rounds)")


if __name__ == "__main__":
    main()
