"""Evidence ingest measured against a bare object-store put of the same bytes (MB/s, same run).

`python -m services.construction.bench [count] [local|s3]` — s3 runs a moto server on loopback
(the test extra). Our path is the whole upload: multipart over ASGI, decode and strict check,
EXIF, perceptual hash and near-duplicate lookup, SHA-256, the put, and the event commit.
"""

from __future__ import annotations

import hashlib
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image


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


def _store(kind: str, root: Path, endpoint: str | None):
    from shared.objectstore import LocalFolderStore, ObjectStoreSettings, S3Store

    if kind == "local":
        return LocalFolderStore(root, secret=b"bench")
    from minio import Minio

    bucket = f"bench-{random.randrange(10**9)}"
    Minio(endpoint, access_key="bench", secret_key="bench", secure=False, region="us-east-1").make_bucket(bucket)
    return S3Store(ObjectStoreSettings(endpoint=endpoint, secure=False, bucket=bucket, access_key="bench",
                                       secret_key="bench"))


def _ready_app(tmp: Path, store):
    from fastapi.testclient import TestClient

    from services.construction.bootstrap import create_app
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
    app.state.service.consumer.apply(Envelope(
        event_id=new_event_id(), event_type="intake.ProjectApproved", schema_version=1, stream_id="b1",
        stream_version=1, project_id="b1", occurred_at=utc_now(), actor=Actor.system(), correlation_id="b",
        payload=payload))
    client = TestClient(app)
    official = Actor(id="bench", role="official")
    from services.construction.application import hidden_work, project
    from services.construction.application.context import run
    from services.construction.domain.project import Parties

    service = app.state.service
    run(service.unit_of_work(actor=official), project.assign_parties, project_id="b1",
        parties=Parties(contractor="x", supervision_unit="y", accounts={"contractor": ("con",)}))
    run(service.unit_of_work(actor=official), project.sign_contract, project_id="b1", contract_no="1",
        amount_fen=1, signed_on=utc_now().date())
    hid = run(service.unit_of_work(actor=Actor(id="con", role="contractor")), hidden_work.declare, project_id="b1",
              item_id="pipes", zone=None, location="bench", kind="buried_pipe")
    token = app.state.auth.tokens.issue(username="con", role="contractor", display_name="con")
    return client, hid, {"Authorization": f"Bearer {token}"}


def ingest_benchmark(count: int = 8, kind: str = "local", endpoint: str | None = None) -> dict:
    """MB/s of our upload path and of a bare put of the same bytes, into the same kind of store."""
    photos = [phone_photo(seed) for seed in range(count)]
    megabytes = sum(map(len, photos)) / 1e6
    with tempfile.TemporaryDirectory() as ours, tempfile.TemporaryDirectory() as bare:
        client, hid, headers = _ready_app(Path(ours), _store(kind, Path(ours) / "store", endpoint))
        started = time.perf_counter()
        for n, data in enumerate(photos):
            response = client.post(f"/api/hidden-works/{hid}/evidence", headers=headers,
                                   files=[("files", (f"{n}.jpg", data, "image/jpeg"))])
            assert response.status_code == 201, response.text
        ours_seconds = time.perf_counter() - started
        store = _store(kind, Path(bare), endpoint)
        started = time.perf_counter()
        for data in photos:
            store.put(data=data, sha256=hashlib.sha256(data).hexdigest(), media_type="image/jpeg")
        bare_seconds = time.perf_counter() - started
    return {"store": kind, "files": count, "mb": round(megabytes, 1),
            "ours_mb_s": round(megabytes / ours_seconds, 1), "bare_put_mb_s": round(megabytes / bare_seconds, 1),
            "ours_ms_per_file": round(1000 * ours_seconds / count), "bare_ms_per_file": round(1000 * bare_seconds / count)}


def main() -> None:
    """Print the figures for the local folder, or for S3 on a moto server started here."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    kind = sys.argv[2] if len(sys.argv) > 2 else "local"
    if kind != "s3":
        print(ingest_benchmark(count, "local"))
        return
    from moto.server import ThreadedMotoServer

    from shared.embedded import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        print(ingest_benchmark(count, "s3", f"127.0.0.1:{port}"))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
