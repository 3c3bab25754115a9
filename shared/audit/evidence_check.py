"""Every evidence object an event refers to, re-hashed against the SHA-256 the event recorded."""

from __future__ import annotations

import hashlib
import json
import re

from shared.objectstore import ObjectMissing, ObjectStoreError, evidence_key

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def evidence_refs(body: str) -> set[str]:
    """The SHA-256 digests of the evidence objects a stored event's payload describes."""
    return payload_refs(json.loads(body).get("payload"))


def payload_refs(payload) -> set[str]:
    """The SHA-256 digests of the evidence objects in a payload (every dict with a `sha256`)."""
    found: set[str] = set()
    stack = [payload]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            digest = value.get("sha256")
            if isinstance(digest, str) and _HEX64.match(digest):
                found.add(digest)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def check_evidence(store, refs: dict[str, list[dict]], report, tick) -> None:
    """Re-hash each referenced object; name the missing and the changed with the events that cite them."""
    missing = changed = 0
    for done, (digest, cited) in enumerate(sorted(refs.items()), start=1):
        key = evidence_key(digest)
        try:
            actual = hashlib.sha256(store.get(key)).hexdigest()
        except ObjectMissing:
            missing += 1
            report.add(cited[0]["service"], "evidence", "fail",
                       f"证据对象 {key} 不见了（{len(cited)} 条事件引用了它）", event=cited[0],
                       details={"sha256": digest, "cited_by": cited[:10]})
            continue
        except ObjectStoreError as error:
            report.add("evidence", "evidence", "fail", f"证据库无法读取：{error}")
            return
        if actual != digest:
            changed += 1
            report.add(cited[0]["service"], "evidence", "fail",
                       f"证据对象 {key} 被改动：内容的 SHA-256 是 {actual[:16]}…，事件记录的是 {digest[:16]}…",
                       event=cited[0], details={"sha256": digest, "actual": actual, "cited_by": cited[:10]})
        if done % 50 == 0 or done == len(refs):
            tick("证据对象", done, len(refs))
    if not missing and not changed:
        report.add("evidence", "evidence", "ok", f"{len(refs)} 个证据对象逐一重新哈希，均与事件记录一致")
