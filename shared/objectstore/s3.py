"""Evidence in an S3 bucket through the `minio` client (object lock makes it write-once), and the staged PUT."""

from __future__ import annotations

import base64
import io
import os
import weakref
from datetime import timedelta
from pathlib import Path

from shared.objectstore.base import (
    ObjectMissing, ObjectStoreError, ObjectStoreSettings, Staged, StoredObject, _check_key, evidence_key)


class S3Store:
    """Evidence in an S3 bucket through the `minio` client; object lock makes it write-once."""

    def __init__(self, settings: ObjectStoreSettings) -> None:
        from minio import Minio

        self.settings = settings
        self.bucket = settings.bucket
        self.ttl = timedelta(seconds=settings.url_ttl_seconds)
        keys = dict(access_key=settings.access_key.get_secret_value(),
                    secret_key=settings.secret_key.get_secret_value(), region=settings.region)
        self.client = Minio(settings.endpoint, secure=settings.secure, **keys)
        public_secure = settings.secure if settings.public_secure is None else settings.public_secure
        self.presigner = Minio(settings.public_endpoint, secure=public_secure, **keys) \
            if settings.public_endpoint else self.client
        import certifi
        import urllib3

        # The staged PUT's own pool: a body held back must never be retried.
        self.http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=120), retries=False,
                                        cert_reqs="CERT_REQUIRED",
                                        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where())

    def put(self, *, data: bytes, sha256: str, media_type: str) -> StoredObject:
        """PUT once with the SHA-256 checksum the server verifies; an existing key is kept."""
        from minio.commonconfig import GOVERNANCE
        from minio.retention import Retention

        key = evidence_key(sha256)
        if self.exists(key):
            return StoredObject(key=key, size=len(data), created=False)
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
        retention = None
        if self.settings.retention_days > 0:
            until = _utc_midnight_after(days=self.settings.retention_days)
            retention = Retention(GOVERNANCE, until)
        # One PUT, never multipart: the checksum is of the whole object.
        part_size = max(len(data), 5 * 1024 * 1024)
        try:
            self.client.put_object(
                self.bucket, key, io.BytesIO(data), len(data), content_type=media_type,
                metadata={"x-amz-checksum-sha256": checksum, "x-amz-sdk-checksum-algorithm": "SHA256"},
                part_size=part_size, retention=retention)
        except Exception as error:  # urllib3 and S3 errors alike
            raise ObjectStoreError(f"evidence store refused {key}: {error}") from error
        return StoredObject(key=key, size=len(data), created=True)

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        from minio.error import S3Error

        try:
            response = self.client.get_object(self.bucket, _check_key(key))
        except S3Error as error:
            if error.code in ("NoSuchKey", "NoSuchObject"):
                raise ObjectMissing(key) from None
            raise ObjectStoreError(str(error)) from error
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, _check_key(key))
        except S3Error as error:
            if error.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
                return False
            raise ObjectStoreError(str(error)) from error
        except Exception as error:  # the store is down: say so, do not guess
            raise ObjectStoreError(f"evidence store unreachable: {error}") from error
        return True

    def url(self, key: str, *, media_type: str, ttl: timedelta | None = None) -> str:
        """A presigned GET URL for the public endpoint, answering with the evidence's media type."""
        return self.presigner.presigned_get_object(
            self.bucket, _check_key(key), expires=ttl or self.ttl,
            response_headers={"response-content-type": media_type})

    def stage(self, *, data: bytes, sha256: str, media_type: str, path: Path | None = None) -> Staged:
        """Start the one PUT now and hold back its last bytes until `keep`.

        S3 creates an object only from a complete body whose SHA-256 matches the checksum sent
        ahead of it: a PUT cut off before its end (`discard`, or the staging dropped) leaves
        nothing, so the upload runs under the proof and a refusal publishes nothing.
        """
        return S3Staged(self, evidence_key(sha256), data, sha256, media_type)

    def _signed_put(self, key: str, size: int, sha256: str, media_type: str) -> tuple[str, dict]:
        from datetime import UTC, datetime
        from urllib.parse import quote, urlsplit

        from minio.credentials import Credentials
        from minio.helpers import genheaders
        from minio.signer import sign_v4_s3
        from minio.time import to_amz_date

        retention = None
        if self.settings.retention_days > 0:
            from minio.commonconfig import GOVERNANCE
            from minio.retention import Retention

            retention = Retention(GOVERNANCE, _utc_midnight_after(days=self.settings.retention_days))
        url = urlsplit(f"{'https' if self.settings.secure else 'http'}://{self.settings.endpoint}"
                       f"/{quote(self.bucket)}/{quote(key)}")
        now = datetime.now(UTC)
        # The payload's SHA-256 is signed: the server refuses a body that is not these bytes.
        headers = {**genheaders(None, None, None, retention, False), "Host": url.netloc,
                   "Content-Type": media_type, "Content-Length": str(size),
                   "x-amz-checksum-sha256": base64.b64encode(bytes.fromhex(sha256)).decode("ascii"),
                   "x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-content-sha256": sha256,
                   "x-amz-date": to_amz_date(now)}
        credentials = Credentials(self.settings.access_key.get_secret_value(),
                                  self.settings.secret_key.get_secret_value())
        headers = sign_v4_s3(method="PUT", url=url, region=self.settings.region, headers=headers,
                             credentials=credentials, content_sha256=sha256, date=now)
        return url.geturl(), headers

    def write_once(self) -> bool:
        """Whether the bucket has object lock with a default retention."""
        from minio.error import S3Error

        try:
            config = self.client.get_object_lock_config(self.bucket)
        except S3Error:
            return False
        return bool(config.mode) or self.settings.retention_days > 0


class _Withheld(Exception):
    """The proof failed or the staging was dropped: the PUT is cut off before its last bytes."""


class S3Staged:
    """One PUT streaming on its own thread, its last piece held until `keep` (or never sent)."""

    HELD = 64 * 1024
    CHUNK = 1024 * 1024
    WAIT_SECONDS = 120.0

    def __init__(self, store: S3Store, key: str, data: bytes, sha256: str, media_type: str) -> None:
        import threading

        self.key, self.size = key, len(data)
        self._verdict = threading.Event()
        self._approved: list[bool] = []
        self._outcome: list = []
        self._thread = threading.Thread(
            target=_stream_put, name="evidence-put", daemon=True,
            args=(store, key, sha256, media_type, memoryview(data), self._verdict, self._approved, self._outcome))
        self._thread.start()
        self._cleanup = weakref.finalize(self, _refuse, self._verdict, self._approved)

    def keep(self) -> StoredObject:
        """Send the held bytes and wait for the store's answer."""
        if self._cleanup.alive:
            self._approved.append(True)
            self._verdict.set()
            self._cleanup.detach()
        self._thread.join()
        [outcome] = self._outcome
        if isinstance(outcome, ObjectStoreError):
            raise outcome
        if isinstance(outcome, BaseException):
            raise ObjectStoreError(f"evidence store refused {self.key}: {outcome}") from outcome
        return StoredObject(key=self.key, size=self.size, created=outcome)

    def discard(self) -> None:
        """Cut the PUT off before its end: S3 keeps nothing of an incomplete body."""
        self._cleanup()
        self._thread.join()


def _refuse(verdict, approved: list[bool]) -> None:
    approved.append(False)
    verdict.set()


def _stream_put(store: S3Store, key: str, sha256: str, media_type: str, data: memoryview, verdict,
                approved: list[bool], outcome: list) -> None:
    """Outcome: True (created), False (the key was there: nothing sent), or the error."""

    def body():
        held = max(len(data) - S3Staged.HELD, 0)
        for start in range(0, held, S3Staged.CHUNK):
            yield data[start:min(start + S3Staged.CHUNK, held)]
        if not verdict.wait(S3Staged.WAIT_SECONDS) or not approved[0]:
            raise _Withheld("not proven")
        yield data[held:]

    try:
        if store.exists(key):
            outcome.append(False)
            return
        url, headers = store._signed_put(key, len(data), sha256, media_type)
        response = store.http.urlopen("PUT", url, body=body(), headers=headers, chunked=False,
                                         preload_content=True, redirect=False)
        if response.status != 200:
            raise ObjectStoreError(f"evidence store refused {key}: HTTP {response.status} {response.data[:300]!r}")
        outcome.append(True)
    except BaseException as error:  # noqa: BLE001 - handed to keep(), which raises it there
        outcome.append(error)


def _utc_midnight_after(*, days: int):
    from datetime import UTC, datetime

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days + 1)
