"""Evidence ingest: prove the file, hash it once, flag what needs a look, keep it write-once."""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection

from services.construction.adapters import queries
from services.construction.application.context import Construction
from services.construction.domain.evidence import (
    Evidence, Probed, Subject, place_flags, reuse_flags, time_flags)
from shared.evidence.sniff import sniff
from shared.objectstore import Staged, evidence_key


@dataclass(frozen=True)
class Upload:
    """A file as received: its bytes (or the temporary file they streamed to), name, type, caption."""

    data: bytes | None = None
    filename: str = "upload"
    content_type: str | None = None
    caption: str = ""
    # A streamed upload (shared/upload.py) stays on disk, hashed on the way in: its bytes are
    # read one file at a time, so a request's memory is one file's, not all of them.
    path: Path | None = None
    sha256: str | None = None

    def read(self) -> bytes:
        """The file's bytes."""
        return self.data if self.data is not None else self.path.read_bytes()


@dataclass(frozen=True)
class Examined:
    """An upload proven to be what it claims, with its SHA-256 (the evidence id)."""

    upload: Upload
    probed: Probed
    sha256: str
    # The bytes already synced where no key reaches them (a store that can stage), or None.
    staged: Staged | None = None


def examine(ctx: Construction, upload: Upload) -> Examined:
    """Check size, decode and hash once; refuse with a reason. Nothing is visible or recorded here.

    The decoders release the GIL, so the proof runs on a second thread while this one hands
    the bytes to the store's staging (written and synced, or streamed up to their last piece):
    the store's time is spent under the proof's. Staged bytes are published only by `keep`
    (after the proof, in the command); a refusal gives them up.
    """
    data = upload.read()
    hashed: Future[str] = Future()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-proof") as pool:
        proving = pool.submit(ctx.probe, data, filename=upload.filename, content_type=upload.content_type,
                              sha256=upload.sha256 or hashed)
        staged = None
        try:
            # Hashed here, alongside the decode, unless it was while streaming in.
            digest = upload.sha256 or hashlib.sha256(data).hexdigest()
            hashed.set_result(digest)
            kind = sniff(data)
            if kind and len(data) <= ctx.settings.max_upload_bytes:  # the proof refuses the rest unstaged
                staged = ctx.store.stage(data=data, sha256=digest, media_type=kind, path=upload.path)
        except BaseException as error:
            if not hashed.done():
                hashed.set_exception(error)
            proving.result()  # a refusal of the file is the answer, not the store's error
            raise
        try:
            probed = proving.result()
        except BaseException:
            if staged is not None:
                staged.discard()
            raise
    return Examined(upload=upload, probed=probed, sha256=probed.sha256, staged=staged)


def examine_all(ctx: Construction, uploads: list[Upload]) -> list[Examined]:
    """Examine every upload of a request before anything is kept: one bad file refuses them all."""
    examined: list[Examined] = []
    try:
        for upload in uploads:
            examined.append(examine(ctx, upload))  # noqa: PERF401 - those done before a refusal are given up
    except BaseException:
        _discard(examined)
        raise
    unique: dict[str, Examined] = {}
    for item in examined:
        unique.setdefault(item.sha256, item)
    _discard([item for item in examined if unique[item.sha256] is not item])
    return list(unique.values())


def _discard(examined: list[Examined]) -> None:
    for item in examined:
        if item.staged is not None:
            item.staged.discard()


def describe(ctx: Construction, conn: Connection, item: Examined, *, subject: Subject) -> Evidence:
    """The evidence record of an examined upload for one subject, with every flag it earns."""
    probed, now = item.probed, ctx.now()
    flags = [*time_flags(probed.sighting, uploaded_at=now, tolerance=ctx.capture_tolerance),
             *place_flags(probed.sighting, site=queries.site_of(conn, subject.project_id),
                          flag_missing=ctx.settings.flag_missing_position)]
    if probed.phash:
        found = queries.lookalikes(conn, probed.phash, max_distance=ctx.settings.near_duplicate_distance)
        flags += reuse_flags(found, subject=subject)
    return Evidence(
        sha256=item.sha256, key=evidence_key(item.sha256), size=item.probed.size,
        media_type=probed.media_type, width=probed.width, height=probed.height,
        captured_at=probed.sighting.captured_at,
        captured_from=probed.sighting.time_source.value if probed.sighting.time_source else None,
        latitude=probed.sighting.latitude,
        longitude=probed.sighting.longitude, phash=probed.phash, uploaded_at=now,
        filename=item.upload.filename[:200], caption=item.upload.caption[:200], flags=tuple(flags))


def keep(ctx: Construction, items: list[tuple[Examined, Evidence]]) -> None:
    """Put the bytes in the object store (content-addressed, write-once) before the events commit."""
    for item, evidence in items:
        if item.staged is not None:
            item.staged.keep()
        else:
            ctx.store.put(data=item.upload.read(), sha256=item.sha256, media_type=evidence.media_type)
