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

import hashlib
import hmac
from datetime import timedelta

from shared.auth.secret import signing_secret
from shared.objectstore.base import (
    ObjectMissing, ObjectStore, ObjectStoreError, ObjectStoreSettings, Staged, StoredObject, evidence_key)
from shared.objectstore.local import (
    LOCAL_URL_PREFIX, LocalFolderStore, LocalStaged, local_object_router)
from shared.objectstore.s3 import S3Staged, S3Store
from shared.settings import KernelSettings

__all__ = ["LOCAL_URL_PREFIX", "LocalFolderStore", "LocalStaged", "ObjectMissing", "ObjectStore",
           "ObjectStoreError", "ObjectStoreSettings", "S3Staged", "S3Store", "Staged", "StoredObject",
           "evidence_key", "local_object_router", "open_object_store"]


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
