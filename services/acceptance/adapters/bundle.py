"""The archive (档案) of a project: every event about it and its evidence manifest under one Merkle root.

The tree is RFC 9162's (the kernel's shared/audit/merkle.py): a leaf is the RFC 8785 canonical JSON of one
event envelope, or of one evidence manifest entry; one event's membership is shown by its
inclusion proof without the rest. A bundle is checked offline in three steps, each naming the
first leaf at fault: every event's own chain hash recomputes, every manifest entry equals the
evidence in the event it came from, and the root over all leaves is the one stated.
"""

from __future__ import annotations

from typing import Any

from shared.audit import merkle
from shared.envelope import Envelope, canonical_json, chain_hash

FORMAT = "renovation-archive/1"


def event_leaf(envelope: dict) -> bytes:
    """The leaf data of one event: its envelope (hash included) as canonical JSON."""
    return canonical_json({"kind": "event", "event": envelope})


def evidence_leaf(entry: dict) -> bytes:
    """The leaf data of one evidence manifest entry."""
    return canonical_json({"kind": "evidence", "evidence": entry})


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 ‖ data)."""
    return merkle.leaf_hash(data)


def tree_of(hashes: list[bytes]) -> merkle.MemoryTree:
    """The tree over these leaf hashes."""
    tree = merkle.MemoryTree()
    for value in hashes:
        tree.append_leaf_hash(value)
    return tree


def root_from_leaf_hashes(hashes: list[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash over leaf hashes (the empty tree is SHA-256 of nothing)."""
    return tree_of(hashes).root() if hashes else merkle.EMPTY_ROOT


def inclusion_proof(index: int, hashes: list[bytes]) -> list[bytes]:
    """The audit path of leaf `index` (RFC 9162 §2.1.3.1)."""
    return tree_of(hashes).inclusion(index)


def verify_inclusion(data: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """Whether `data` is leaf `index` of the tree of `size` leaves with this root (RFC 9162 §2.1.3.2)."""
    try:
        merkle.verify_inclusion(index, size, leaf_hash(data), proof, root)
    except merkle.ProofError:
        return False
    return True


def bundle(*, project: dict, events: list[dict], evidence: list[dict], generated_at: str) -> dict:
    """The downloadable archive: leaves in order, and the root over them."""
    leaves = [{"kind": "event", "event": e} for e in events] + [{"kind": "evidence", "evidence": m} for m in evidence]
    hashes = [leaf_hash(_data(leaf)) for leaf in leaves]
    return {"format": FORMAT, "project": project, "generated_at": generated_at,
            "tree": "RFC 9162 SHA-256; leaf = RFC 8785 JSON of {kind, event|evidence}",
            "size": len(leaves), "root": root_from_leaf_hashes(hashes).hex(), "leaves": leaves}


def _data(leaf: dict) -> bytes:
    return event_leaf(leaf["event"]) if leaf["kind"] == "event" else evidence_leaf(leaf["evidence"])


def verify(document: dict[str, Any], *, expected_root: str | None = None) -> dict:
    """Check a bundle offline: {ok, root, size, problems: [{index, event_id?, reason}]}.

    The first problem names the leaf at fault.
    """
    leaves = document.get("leaves") or []
    problems, by_event = [], {}
    for index, leaf in enumerate(leaves):
        if leaf.get("kind") == "event":
            problem = _event_problem(leaf.get("event") or {})
            by_event[(leaf.get("event") or {}).get("event_id")] = leaf.get("event") or {}
        elif leaf.get("kind") == "evidence":
            problem = _evidence_problem(leaf.get("evidence") or {}, by_event)
        else:
            problem = "未知的档案项类型"
        if problem:
            event_id = (leaf.get("event") or leaf.get("evidence") or {}).get("event_id")
            problems.append({"index": index, "event_id": event_id, "reason": problem})
    known = [leaf for leaf in leaves if leaf.get("kind") in ("event", "evidence")]
    root = root_from_leaf_hashes([leaf_hash(_data(leaf)) for leaf in known])
    for label, stated in (("档案包声明的根哈希", document.get("root")), ("核对用的根哈希", expected_root)):
        if stated is not None and stated != root.hex():
            problems.append({"index": None, "event_id": None,
                             "reason": f"重新计算的根哈希 {root.hex()[:16]}… 与{label} {str(stated)[:16]}… 不符"})
    if document.get("size") not in (None, len(leaves)):
        problems.append({"index": None, "event_id": None,
                         "reason": f"档案项数 {len(leaves)} 与声明的 {document.get('size')} 不符"})
    return {"ok": not problems, "root": root.hex(), "size": len(leaves), "problems": problems}


def _event_problem(event: dict) -> str | None:
    try:
        envelope = Envelope.model_validate(event)
    except ValueError as error:
        return f"不是有效的事件信封：{error.__class__.__name__}"
    if envelope.hash is None or chain_hash(envelope) != envelope.hash:
        return f"事件 {envelope.event_type}（{envelope.event_id}）的内容与其哈希不符：该事件被改动过"
    return None


def manifest_entry(evidence: dict, *, event_id: str, subject: str) -> dict:
    """The manifest entry of one piece of evidence as an event carries it (JSON form)."""
    flags = sorted({str(f.get("reason", "")) if isinstance(f, dict) else str(f) for f in evidence.get("flags") or ()})
    return {"event_id": event_id, "subject": subject, "sha256": evidence.get("sha256"), "key": evidence.get("key"),
            "size": evidence.get("size", 0), "media_type": evidence.get("media_type", ""),
            "captured_at": evidence.get("captured_at"), "latitude": evidence.get("latitude"),
            "longitude": evidence.get("longitude"), "flags": flags}


def evidence_in(payload: Any) -> list[dict]:
    """Every evidence record inside an event payload (anything with a sha256 and an object key)."""
    if isinstance(payload, dict):
        if isinstance(payload.get("sha256"), str) and isinstance(payload.get("key"), str):
            return [payload]
        return [found for value in payload.values() for found in evidence_in(value)]
    if isinstance(payload, list):
        return [found for value in payload for found in evidence_in(value)]
    return []


def _evidence_problem(entry: dict, by_event: dict) -> str | None:
    short = f"证据 {str(entry.get('sha256'))[:12]}…"
    source = by_event.get(entry.get("event_id"))
    if source is None:
        return f"{short}没有出现在其来源事件之前"
    records = [e for e in evidence_in(source.get("payload")) if e.get("sha256") == entry.get("sha256")]
    if not records or manifest_entry(records[0], event_id=entry["event_id"], subject=entry.get("subject", "")) != entry:
        return f"{short}的清单记录与来源事件 {entry.get('event_id')} 中的记录不符：清单被改动过"
    return None
