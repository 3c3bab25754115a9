"""Evidence in a local folder (the embedded default): atomic, never overwritten, read-only; its signed URLs."""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import time
import uuid
import weakref
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.errors import Forbidden, NotFound
from shared.objectstore.base import ObjectMissing, StoredObject, _check_key, evidence_key

LOCAL_URL_PREFIX = "/evidence/objects"
STALE_STAGING_SECONDS = 3600.0


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
