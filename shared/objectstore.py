"""The evidence object store: content-addressed, write-once; a local folder or S3 (MinIO).

Both implementations keep an object under `sha256/ab/cd/<hex>` where `<hex>` is the
SHA-256 of its bytes, never overwrite a key, and hand out short-lived URLs to view it:
presigned S3 GET URLs, or — for the local folder — URLs signed by the service itself and
served by `local_object_router`. The digest is computed once by the caller and reused
(as the key and as the `x-amz-checksum-sha256` the object-lock bucket verifies).

`stage` lets the store's work run while the caller proves the bytes: synced to a folder no
key reaches (local), or one PUT streamed up to its last 64 KiB (S3); `keep` publishes,
`discard` (or dropping the staging) leaves nothing under any key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.auth.secret import signing_secret
from shared.errors import Forbidden, NotFound
from shared.settings import KernelSettings

LOCAL_URL_PREFIX = "/evidence/objects"
STALE_STAGING_SECONDS = 3600.0
_HEX = frozenset("0123456789abcdef")


class ObjectStoreError(RuntimeError):
    """The store could not keep or give back an object (unreachable, refused, misconfigured)."""


class ObjectMissing(KeyError):
    """No object is stored under this key."""


@dataclass(frozen=True)
class StoredObject:
    """Where an object lives and whether this call created it (False: it was already there)."""

    key: str
    size: int
    created: bool


class ObjectStore(Protocol):
    """What the services need of an evidence store."""

    def put(self, *, data: bytes, sha256: str, media_type: str) -> StoredObject:
        """Keep `data` under the key of `sha256`; an existing key is left untouched."""

    def get(self, key: str) -> bytes:
        """The bytes stored under `key` (ObjectMissing if none)."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    def url(self, key: str, *, media_type: str, ttl: timedelta | None = None) -> str:
        """A short-lived URL a browser can GET the object with."""

    def write_once(self) -> bool:
        """Whether the store itself refuses to change or delete what it keeps."""

    def stage(self, *, data: bytes, sha256: str, media_type: str, path: Path | None = None) -> Staged:
        """Start keeping `data` while it is proven: nothing is visible under a key until `keep`."""


class Staged(Protocol):
    """Bytes written and synced ahead of their proof, kept only if `keep` is called."""

    def keep(self) -> StoredObject:
        """Publish under the key of the digest staged with; an existing key is left untouched."""

    def discard(self) -> None:
        """Give the staged bytes up: nothing was, or will be, published."""


def evidence_key(sha256: str) -> str:
    """The content-addressed key of a SHA-256 hex digest: `sha256/ab/cd/<hex>`."""
    digest = sha256.lower()
    if len(digest) != 64 or not set(digest) <= _HEX:
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"


def _check_key(key: str) -> str:
    parts = key.split("/")
    if len(parts) != 4 or evidence_key(parts[3]) != key:
        raise ValueError(f"not an evidence key: {key!r}")
    return key


class ObjectStoreSettings(BaseSettings):
    """Where evidence goes (env prefix RENOVATION_EVIDENCE_): empty endpoint = the local folder."""

    model_config = SettingsConfigDict(env_prefix="RENOVATION_EVIDENCE_", extra="ignore")

    endpoint: str = ""  # host:port of the S3 API, e.g. minio:9000
    secure: bool = True
    bucket: str = "evidence"
    region: str = "us-east-1"  # given, so presigning needs no round trip to the server
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    # host:port browsers reach the store at, when it differs from `endpoint` (compose: minio:9000)
    public_endpoint: str = ""
    public_secure: bool | None = None
    url_ttl_seconds: int = 300
    # >0: per-object GOVERNANCE retention (needs s3:PutObjectRetention); 0: the bucket's default
    retention_days: int = 0
    require_object_lock: bool = False
    # signs the local folder's URLs; derived from the JWT secret when unset
    url_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _keys_with_endpoint(self) -> "ObjectStoreSettings":
        if self.endpoint and not (self.access_key and self.secret_key):
            raise ValueError("RENOVATION_EVIDENCE_ACCESS_KEY and _SECRET_KEY are required with an endpoint")
        return self


class LocalFolderStore:
    """Evidence in a local folder (the embedded default): atomic, never overwritten, read-only."""

    def __init__(self, root: Path, *, secret: bytes, url_prefix: str = LOCAL_URL_PREFIX,
                 ttl: timedelta = timedelta(minutes=5)) -> None:
        self.root = Path(root)
        self.secret = secret
        self.url_prefix = url_prefix.rstrip("/")
        self.ttl = ttl
        self._swept = False

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, *, data: bytes, sha256: str, media_type: str) -> StoredObject:
        """Write to a temporary file, then hard-link it into place: the link fails if the key exists."""
        key = evidence_key(sha256)
        final = self._path(key)
        if final.exists():
            return StoredObject(key=key, size=final.stat().st_size, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            try:
                os.link(tmp, final)  # atomic and refuses to replace: write-once
            except FileExistsError:
                return StoredObject(key=key, size=final.stat().st_size, created=False)
            _fsync_dir(final.parent)
        finally:
            os.unlink(tmp)
        return StoredObject(key=key, size=len(data), created=True)

    def stage(self, *, data: bytes, sha256: str, media_type: str, path: Path | None = None) -> LocalStaged:
        """Sync the bytes into `.incoming/`, which no key reaches, while the caller proves them.

        A spooled upload on the same file system is linked, not copied. A staged file is only
        ever published by `keep` (a hard link, so write-once holds) and goes when discarded or
        dropped, so a failed proof leaves nothing under `sha256/`.
        """
        incoming = self.root / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        if not self._swept:
            _sweep_stale(incoming)
            self._swept = True
        staged = incoming / f"{os.getpid()}-{uuid.uuid4().hex}"
        if not (path is not None and _link_spooled(path, staged, size=len(data))):
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
        return LocalStaged(self, staged, len(data), sha256)

    def get(self, key: str) -> bytes:
        """The stored bytes."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        return self._path(key).is_file()

    def url(self, key: str, *, media_type: str, ttl: timedelta | None = None) -> str:
        """A URL under `url_prefix`, valid until its `expires`, signed with the store's secret."""
        _check_key(key)
        expires = int(time.time() + (ttl or self.ttl).total_seconds())
        query = {"expires": expires, "type": media_type, "sig": self.signature(key, expires, media_type)}
        return f"{self.url_prefix}/{key}?{urlencode(query)}"

    def signature(self, key: str, expires: int, media_type: str) -> str:
        """HMAC-SHA256 over what the URL grants: this key, this type, until this time."""
        message = f"{key}\n{expires}\n{media_type}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def write_once(self) -> bool:
        """Whether the folder itself refuses to change or delete a kept file (a WORM mount would).

        Checked, not assumed: a probe is kept as evidence is (read-only), then appended to and
        deleted. On an ordinary disk its owner (or root) can do both, so the answer is False:
        `put` never overwrites, but the folder does not protect what it keeps — S3 with object
        lock does. A folder we cannot even write the probe into keeps nothing, so False as well.
        """
        probe = self.root / f".write-once-probe-{os.getpid()}-{time.monotonic_ns()}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"probe")
            os.chmod(probe, 0o444)
            return not (_succeeds(lambda: probe.open("ab").close()) or _succeeds(probe.unlink))
        except OSError:
            return False
        finally:
            if probe.exists():
                _succeeds(lambda: (os.chmod(probe, 0o644), probe.unlink()))


class LocalStaged:
    """A synced file in the store's `.incoming/`: published by a hard link, or removed."""

    def __init__(self, store: LocalFolderStore, path: Path, size: int, sha256: str) -> None:
        self.store, self.path, self.size, self.sha256 = store, path, size, sha256
        # A staged file nobody kept (a duplicate, an aborted request) is removed when dropped.
        self._cleanup = weakref.finalize(self, _unlink_quietly, path)

    def keep(self) -> StoredObject:
        """Link into place under its key: the link fails, and the first copy stays, if the key exists."""
        key = evidence_key(self.sha256)
        final = self.store._path(key)
        try:
            if final.exists():
                return StoredObject(key=key, size=final.stat().st_size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.path, final)
            except FileExistsError:
                return StoredObject(key=key, size=final.stat().st_size, created=False)
            _fsync_dir(final.parent)
            return StoredObject(key=key, size=self.size, created=True)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the staged file."""
        self._cleanup()


def _sweep_stale(incoming: Path, *, older_than: float = STALE_STAGING_SECONDS) -> None:
    # A process that died between staging and keep leaves its file; no request stages for an hour.
    cutoff = time.time() - older_than
    for path in incoming.iterdir():
        try:
            if path.lstat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _unlink_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)


def _link_spooled(path: Path, staged: Path, *, size: int) -> bool:
    """Sync a spooled upload, make it read-only and link it as the staged file (False: copy it instead)."""
    try:
        if os.stat(path).st_size != size or os.stat(path).st_dev != os.stat(staged.parent).st_dev:
            return False
        with open(path, "rb") as spooled:
            os.fsync(spooled.fileno())
        os.chmod(path, 0o444)
        os.link(path, staged)
    except OSError:  # another file system, or one without hard links
        return False
    return True


def _succeeds(action) -> bool:
    """Whether `action` ran without the file system refusing it."""
    try:
        action()
    except OSError:
        return False
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def open_object_store(kernel: KernelSettings, settings: ObjectStoreSettings | None = None,
                      *, url_prefix: str = LOCAL_URL_PREFIX) -> ObjectStore:
    """The configured store: S3 when an endpoint is set, else the local folder `evidence_dir`."""
    settings = settings or ObjectStoreSettings()
    if settings.endpoint:
        store = S3Store(settings)
        if settings.require_object_lock and not store.write_once():
            raise ObjectStoreError(
                f"bucket {settings.bucket!r} has no object lock: evidence would not be write-once")
        return store
    secret = (settings.url_secret or signing_secret(kernel)).get_secret_value().encode()
    # A key of its own, so a URL signature can never double as anything else.
    secret = hmac.new(secret, b"renovation-evidence-urls", hashlib.sha256).digest()
    return LocalFolderStore(kernel.evidence_dir, secret=secret, url_prefix=url_prefix,
                            ttl=timedelta(seconds=settings.url_ttl_seconds))


def local_object_router(store_of) -> APIRouter:
    """Routes serving a LocalFolderStore's signed URLs; `store_of(request)` gives the store."""
    router = APIRouter(include_in_schema=False)

    @router.get(LOCAL_URL_PREFIX + "/{key:path}")
    def serve(key: str, expires: int, type: str, sig: str, request: Request) -> Response:
        store = store_of(request)
        if not isinstance(store, LocalFolderStore):
            raise NotFound("影像不在本地存储中")
        try:
            expected = store.signature(key, expires, type)
        except ValueError:
            raise NotFound("影像地址无效") from None
        if not hmac.compare_digest(expected, sig):
            raise Forbidden("影像链接签名无效", code="bad_signature")
        if expires < time.time():
            raise Forbidden("影像链接已过期，请刷新页面重新获取", code="link_expired")
        try:
            data = store.get(key)
        except ObjectMissing:
            raise NotFound("影像不存在") from None
        return Response(data, media_type=type, headers={
            "Cache-Control": "private, max-age=60", "X-Content-Type-Options": "nosniff"})

    return router
