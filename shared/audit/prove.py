"""Inclusion proofs of one event: made from a service's stored tree, checked offline with the pinned key only."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.audit.checkpoint import CheckpointRefused, SignedCheckpoint, recorded
from shared.audit.merkle import ProofError, leaf_hash, verify_inclusion
from shared.audit.signing import PinnedKeys
from shared.audit.tree import StoredTree
from shared.envelope import stored_body_problem
from shared.schema import events

PROOF_FORMAT = "renovation-inclusion-proof/1"


class NoCheckpointYet(LookupError):
    """No signed checkpoint covers the event yet."""


@dataclass(frozen=True)
class Checked:
    """What a verified proof shows: this event is in the log this checkpoint signed."""

    service: str
    event_id: str
    event_type: str
    position: int
    project_id: str
    checkpoint_size: int
    checkpoint_time: str
    root: str


def find_event(conn: Connection, event_id: str) -> sa.Row | None:
    """The stored row of an event, if this log holds it."""
    return conn.execute(sa.select(events.c.position, events.c.body).where(events.c.event_id == event_id)).first()


def make_proof(conn: Connection, *, service: str, event_id: str) -> dict:
    """The inclusion proof of `event_id` under the newest checkpoint that covers it."""
    row = find_event(conn, event_id)
    if row is None:
        raise LookupError(event_id)
    covering = [c for c in recorded(conn) if c.size >= row.position]
    if not covering:
        raise NoCheckpointYet(f"尚无签名检查点覆盖第 {row.position} 条事件：请先运行 `renovation audit checkpoint`")
    checkpoint = covering[-1]
    index = row.position - 1
    path = StoredTree(conn).inclusion(index, checkpoint.size)
    return {"format": PROOF_FORMAT, "service": service, "event": row.body, "leaf_index": index,
            "leaf_hash": leaf_hash(row.body.encode("utf-8")).hex(), "path": [p.hex() for p in path],
            "checkpoint": checkpoint.to_dict()}


def check_proof(proof: dict, keys: PinnedKeys) -> Checked:
    """Verify a proof with nothing but the pinned keys; raise ProofError (or a signature refusal) if forged."""
    try:
        if proof["format"] != PROOF_FORMAT:
            raise ProofError(f"不是包含性证明（format {proof['format']!r}）")
        checkpoint = SignedCheckpoint.from_dict(proof["checkpoint"])
        event_bytes = str(proof["event"]).encode("utf-8")
        index, path = int(proof["leaf_index"]), [bytes.fromhex(p) for p in proof["path"]]
        claimed_leaf = bytes.fromhex(proof["leaf_hash"])
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ProofError | CheckpointRefused):
            raise
        raise ProofError(f"证明文件不完整或格式不对：{error!r}") from error
    if checkpoint.service != proof.get("service"):
        raise ProofError("证明里的服务与检查点签名的服务不一致")
    checkpoint.verify(keys)
    leaf = leaf_hash(event_bytes)
    if leaf != claimed_leaf:
        raise ProofError("事件内容与证明中的叶子哈希不符：事件被改动过")
    event = json.loads(event_bytes)
    if event.get("position") != index + 1:
        raise ProofError(f"事件自称位于第 {event.get('position')} 条，证明说第 {index + 1} 条")
    problem = stored_body_problem(event_bytes, prev_hash=event.get("prev_hash") or "")
    if problem:
        raise ProofError(f"事件本身不成立：{problem}")
    verify_inclusion(index, checkpoint.size, leaf, path, checkpoint.root_bytes)
    return Checked(checkpoint.service, event["event_id"], event["event_type"], index + 1, event["project_id"],
                   checkpoint.size, checkpoint.time, checkpoint.root)
