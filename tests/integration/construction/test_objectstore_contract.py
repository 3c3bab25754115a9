"""One contract for the evidence store, run against the local folder and S3 (moto on loopback)."""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.objectstore import (
    LocalFolderStore, ObjectMissing, ObjectStoreError, S3Store, evidence_key, local_object_router,
    open_object_store)
from shared.http import install_error_handlers
from shared.settings import KernelSettings

from .conftest import s3_settings

DATA = b"\xff\xd8\xff" + os.urandom(300_000)
DIGEST = hashlib.sha256(DATA).hexdigest()


class Backend:
    """A store and how a browser would fetch one of its URLs."""

    def __init__(self, store, fetch, *, verifies_urls: bool) -> None:
        self.store, self.fetch, self.verifies_urls = store, fetch, verifies_urls


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path) -> Backend:
    if request.param == "local":
        store = open_object_store(KernelSettings(evidence_dir=tmp_path / "evidence"))
        app = FastAPI()
        install_error_handlers(app)
        app.include_router(local_object_router(lambda _: store))
        client = TestClient(app)
        return Backend(store, lambda url: client.get(url), verifies_urls=True)
    endpoint = request.getfixturevalue("moto_server")
    # moto serves presigned URLs without checking signature or expiry; MinIO and S3 check both.
    return Backend(S3Store(s3_settings(endpoint)), lambda url: httpx.get(url), verifies_urls=False)


def test_an_object_is_kept_under_its_content_address(backend):
    stored = backend.store.put(data=DATA, sha256=DIGEST, media_type="image/jpeg")
    assert stored.key == evidence_key(DIGEST) == f"sha256/{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}"
    assert stored.created and stored.size == len(DATA)
    assert backend.store.exists(stored.key)
    assert backend.store.get(stored.key) == DATA


def test_a_key_is_never_overwritten(backend):
    backend.store.put(data=DATA, sha256=DIGEST, media_type="image/jpeg")
    again = backend.store.put(data=b"forged bytes", sha256=DIGEST, media_type="image/jpeg")
    assert not again.created
    assert backend.store.get(evidence_key(DIGEST)) == DATA


def test_a_missing_object_is_missing(backend):
    key = evidence_key("0" * 64)
    assert not backend.store.exists(key)
    with pytest.raises(ObjectMissing):
        backend.store.get(key)


def test_the_store_says_truly_whether_it_is_write_once(backend, tmp_path):
    # S3 with object lock refuses changes itself; a local folder's owner can change or delete a
    # kept file, so it must say so (it used to answer True whatever the disk) and leave no probe.
    expected = isinstance(backend.store, S3Store)
    assert backend.store.write_once() is expected
    if not expected:
        assert not any(p.name.startswith(".write-once-probe") for p in backend.store.root.iterdir())
        missing = LocalFolderStore(tmp_path / "file" / "below", secret=b"k")
        (tmp_path / "file").write_bytes(b"not a folder")
        assert missing.write_once() is False


def test_a_short_lived_url_serves_the_object_with_its_type(backend):
    key = backend.store.put(data=DATA, sha256=DIGEST, media_type="image/jpeg").key
    url = backend.store.url(key, media_type="image/jpeg", ttl=timedelta(seconds=60))
    response = backend.fetch(url)
    assert response.status_code == 200 and response.content == DATA
    assert response.headers["content-type"].startswith("image/jpeg")
    query = parse_qs(urlsplit(url).query)
    lifetime = int(query["X-Amz-Expires"][0]) if "X-Amz-Expires" in query else int(query["expires"][0]) - time.time()
    assert 0 < lifetime <= 60


def test_a_tampered_or_expired_url_is_refused(backend):
    if not backend.verifies_urls:
        pytest.skip("moto does not verify presigned URLs (MinIO does); the URL's expiry is checked above")
    key = backend.store.put(data=DATA, sha256=DIGEST, media_type="image/jpeg").key
    url = backend.store.url(key, media_type="image/jpeg", ttl=timedelta(seconds=60))
    assert backend.fetch(url.replace("image%2Fjpeg", "text%2Fhtml")).status_code == 403
    assert backend.fetch(url.replace(key, evidence_key("1" * 64))).status_code == 403
    expired = backend.store.url(key, media_type="image/jpeg", ttl=timedelta(seconds=-1))
    assert backend.fetch(expired).status_code == 403


def test_keys_outside_the_scheme_are_refused(backend):
    with pytest.raises(ValueError):
        backend.store.url("../../etc/passwd", media_type="image/jpeg")
    with pytest.raises(ValueError):
        backend.store.put(data=DATA, sha256="not-a-digest", media_type="image/jpeg")


def test_the_local_folder_writes_atomically_and_read_only(tmp_path):
    store = LocalFolderStore(tmp_path, secret=b"k")
    key = store.put(data=DATA, sha256=DIGEST, media_type="image/jpeg").key
    path = tmp_path / key
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert [p.name for p in path.parent.iterdir()] == [DIGEST], "no temporary file is left behind"


def test_a_bucket_without_object_lock_is_not_write_once_and_can_be_required(moto_server):
    settings = s3_settings(moto_server, lock=False)
    assert not S3Store(settings).write_once()
    with pytest.raises(ObjectStoreError, match="object lock"):
        open_object_store(KernelSettings(), settings.model_copy(update={"require_object_lock": True}))


def test_an_unreachable_store_says_so():
    from shared.embedded import free_port
    from shared.objectstore import ObjectStoreSettings

    store = S3Store(ObjectStoreSettings(endpoint=f"127.0.0.1:{free_port()}", secure=False, access_key="a",
                                        secret_key="b"))
    store.client._http.connection_pool_kw["retries"] = 0
    with pytest.raises(ObjectStoreError):
        store.put(data=DATA, sha256=DIGEST, media_type="image/jpeg")
    staged = store.stage(data=DATA, sha256=DIGEST, media_type="image/jpeg")
    with pytest.raises(ObjectStoreError):
        staged.keep()


def _put_threads_done() -> None:
    for thread in threading.enumerate():
        if thread.name == "evidence-put":
            thread.join()


def test_staged_bytes_are_visible_only_once_kept(backend):
    staged = backend.store.stage(data=DATA, sha256=DIGEST, media_type="image/jpeg")
    assert not backend.store.exists(evidence_key(DIGEST))
    stored = staged.keep()
    assert stored.created and stored.key == evidence_key(DIGEST)
    assert backend.store.get(stored.key) == DATA


def test_staged_bytes_given_up_or_dropped_are_never_published(backend):
    backend.store.stage(data=DATA, sha256=DIGEST, media_type="image/jpeg").discard()
    other = b"\xff\xd8\xff" + os.urandom(3_000_000)  # large enough to be mid-body when dropped
    other_digest = hashlib.sha256(other).hexdigest()
    staged = backend.store.stage(data=other, sha256=other_digest, media_type="image/jpeg")
    del staged
    gc.collect()
    _put_threads_done()
    assert not backend.store.exists(evidence_key(DIGEST))
    assert not backend.store.exists(evidence_key(other_digest))


def test_staging_never_overwrites_a_kept_key(backend):
    backend.store.put(data=DATA, sha256=DIGEST, media_type="image/jpeg")
    again = backend.store.stage(data=b"\xff\xd8\xff forged", sha256=DIGEST, media_type="image/jpeg").keep()
    assert not again.created
    assert backend.store.get(evidence_key(DIGEST)) == DATA


def test_the_local_folder_stages_outside_every_key_and_leaves_nothing_behind(tmp_path):
    store = LocalFolderStore(tmp_path / "store", secret=b"k")
    store.stage(data=DATA, sha256=DIGEST, media_type="image/jpeg").discard()
    assert [p for p in (tmp_path / "store").rglob("*") if p.is_file()] == []
    spooled = tmp_path / "upload-1"  # a streamed upload on the same disk is linked, not copied
    spooled.write_bytes(DATA)
    key = store.stage(data=DATA, sha256=DIGEST, media_type="image/jpeg", path=spooled).keep().key
    assert (tmp_path / "store" / key).stat().st_ino == spooled.stat().st_ino
    assert oct((tmp_path / "store" / key).stat().st_mode & 0o777) == "0o444"
    assert list((tmp_path / "store" / ".incoming").iterdir()) == []


def test_staging_left_by_a_process_that_died_is_swept_the_first_time_a_store_stages(tmp_path):
    incoming = tmp_path / ".incoming"
    incoming.mkdir()
    (incoming / "1-old").write_bytes(b"left by a crash")
    os.utime(incoming / "1-old", (time.time() - 7200, time.time() - 7200))
    (incoming / "2-fresh").write_bytes(b"another process, mid-request")
    LocalFolderStore(tmp_path, secret=b"k").stage(data=DATA, sha256=DIGEST, media_type="image/jpeg").discard()
    assert [p.name for p in incoming.iterdir()] == ["2-fresh"]
