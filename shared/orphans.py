"""Evidence objects no event refers to (kept, then their event failed to commit): found, and quarantined."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.schema import events, inbox

DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Orphan:
    """A stored object whose digest appears in no event of any service."""

    digest: str
    path: Path
    size: int
    age_seconds: float


def referenced(engines: Iterable[Engine]) -> set[str]:
    """Every SHA-256 hex digest in any event body (own log and inbox) of the given services.

    Deliberately generous: hashes of the chain count too, so the set can only hold more
    than the evidence references, never fewer — a sweep errs on the side of keeping.
    """
    found: set[str] = set()
    for engine in engines:
        with engine.connect() as conn:
            for table in (events, inbox):
                for (body,) in conn.execute(sa.select(table.c.body)):
                    found.update(DIGEST.findall(body))
    return found


def find_orphans(root: Path, references: set[str], *, grace_seconds: float) -> list[Orphan]:
    """Objects in a local evidence folder that nothing refers to and older than the grace period.

    The grace period covers an upload in flight: its object is kept before its event commits.
    """
    now, found = time.time(), []
    for path in sorted(root.glob("sha256/*/*/*")):
        name = path.name
        if not path.is_file() or not DIGEST.fullmatch(name) or name in references:
            continue
        stat = path.stat()
        if now - stat.st_mtime >= grace_seconds:
            found.append(Orphan(name, path, stat.st_size, now - stat.st_mtime))
    return found


def quarantine(root: Path, orphans: list[Orphan], engines: list[Engine], quarantine_dir: Path) -> list[Orphan]:
    """Move orphans out of the store (never delete); put back any that became referenced meanwhile.

    References are read again just before the moves and once more after them: an event that
    committed in between (the same photo uploaded again) gets its object back at once.
    """
    latest = referenced(engines)
    moved = []
    for orphan in orphans:
        if orphan.digest in latest or not orphan.path.exists():
            continue
        target = quarantine_dir / orphan.path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(orphan.path, target)
        moved.append(orphan)
    again = referenced(engines)
    for orphan in [o for o in moved if o.digest in again]:
        os.replace(quarantine_dir / orphan.path.relative_to(root), orphan.path)
        moved.remove(orphan)
    return moved
