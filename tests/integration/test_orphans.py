"""Evidence kept before its event failed to commit is found and moved aside; a referenced object never is."""

from __future__ import annotations

import hashlib
import os
import time

from shared.objectstore import LocalFolderStore
from shared.orphans import find_orphans, quarantine, referenced
from tests.integration.test_relay_and_consumer import engine_at


def kept(store: LocalFolderStore, data: bytes, *, age_hours: float) -> str:
    digest = hashlib.sha256(data).hexdigest()
    stored = store.put(data=data, sha256=digest, media_type="image/jpeg")
    past = time.time() - age_hours * 3600
    os.utime(store.root / stored.key, (past, past))
    return digest


def test_only_unreferenced_objects_past_the_grace_period_are_moved_and_nothing_is_deleted(tmp_path):
    store = LocalFolderStore(tmp_path / "evidence", secret=b"s" * 32)
    construction, acceptance = engine_at(tmp_path / "construction.db"), engine_at(tmp_path / "acceptance.db")
    in_construction = kept(store, b"photo referenced by construction", age_hours=48)
    in_acceptance = kept(store, b"photo referenced by acceptance", age_hours=48)
    orphan = kept(store, b"photo whose event failed to commit", age_hours=48)
    young = kept(store, b"photo of an upload still in flight", age_hours=0.1)
    # Referenced the way events do: in the payload of an event in some service's log.
    _reference(construction, in_construction)
    _reference(acceptance, in_acceptance)

    engines = [construction, acceptance]
    found = find_orphans(store.root, referenced(engines), grace_seconds=24 * 3600)
    assert [o.digest for o in found] == [orphan]
    moved = quarantine(store.root, found, engines, tmp_path / "evidence-orphans")
    assert [o.digest for o in moved] == [orphan]
    for digest in (in_construction, in_acceptance, young):
        assert store.exists(f"sha256/{digest[:2]}/{digest[2:4]}/{digest}")
    assert not store.exists(f"sha256/{orphan[:2]}/{orphan[2:4]}/{orphan}")
    assert (tmp_path / "evidence-orphans" / "sha256" / orphan[:2] / orphan[2:4] / orphan).read_bytes() == \
        b"photo whose event failed to commit"


def _reference(engine, digest: str) -> None:
    from shared.actor import Actor
    from shared.envelope import Envelope, new_event_id, utc_now
    from shared.eventstore import EventStore

    draft = Envelope(event_id=new_event_id(), event_type="construction.HiddenWorkEvidenceAttached", schema_version=1,
                     stream_id=f"hw-{digest[:8]}", stream_version=1, project_id="p-1", occurred_at=utc_now(),
                     actor=Actor(id="con", role="contractor"), correlation_id="c",
                     payload={"evidence": {"sha256": digest, "key": f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"}})
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        EventStore().append(conn, stream_id=draft.stream_id, expected_version=0, batch=[draft])
