"""`renovation audit verify`: each log's chain and Merkle root, the signed checkpoints, the topics, the evidence.

Trusts nothing a service says about itself: roots are recomputed from the stored bytes,
checkpoints are checked with the pinned keys against those roots (consistency proofs
answered by the service's stored tree), topics are compared message by message with
the stores, and evidence objects are re-hashed. Every failure names what broke it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.audit.checkpoint import CHECKPOINT_TOPIC, CheckpointRefused, SignedCheckpoint, recorded
from shared.audit.evidence_check import check_evidence, evidence_refs
from shared.audit.merkle import CompactRange, ProofError, leaf_hash, verify_consistency
from shared.audit.signing import PinnedKeys, SignatureRefused
from shared.audit.topic_check import compare_topic
from shared.audit.topics import TopicUnavailable, read_topic
from shared.audit.tree import StoredTree, TreeMissingNode, stored_size
from shared.broker import topic_for
from shared.eventstore import EventStore
from shared.schema import events, relay_checkpoint

Progress = Callable[[str, int, int], None]


@dataclass
class Finding:
    """One check's outcome: ok, fail, warn (nothing wrong proven) or fallback (checked against the store only)."""

    service: str
    check: str
    status: str
    message: str
    event: dict | None = None
    details: dict = field(default_factory=dict)


@dataclass
class Report:
    """Everything `audit verify` found, with the figures it found them in."""

    started_at: str
    finished_at: str = ""
    findings: list[Finding] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No check failed."""
        return not any(f.status == "fail" for f in self.findings)

    def add(self, *args, **kw) -> None:
        """Record a finding."""
        self.findings.append(Finding(*args, **kw))

    def to_dict(self) -> dict:
        """The JSON report."""
        return {"ok": self.ok, "started_at": self.started_at, "finished_at": self.finished_at,
                "figures": self.figures, "findings": [asdict(f) for f in self.findings]}

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        """A report read back (for the auditor's page)."""
        return cls(data["started_at"], data["finished_at"], [Finding(**f) for f in data["findings"]],
                   data.get("figures", {}))


@dataclass
class Leaf:
    """What the audit keeps of one stored event: where it is, what it is, the hash of its bytes."""

    position: int
    event_id: str
    project_id: str
    event_type: str
    leaf: bytes

    def name(self) -> dict:
        """How a finding names this event."""
        return {"position": self.position, "event_id": self.event_id, "event_type": self.event_type,
                "project_id": self.project_id}


@dataclass
class Sources:
    """Where the auditor reads: each service's database, the broker, the pinned keys, the evidence store."""

    engines: dict[str, sa.Engine]
    keys: PinnedKeys | None
    bootstrap: str | None
    object_store: object | None = None


def now_iso() -> str:
    """The audit's own wall-clock time (it is not a service and has no demo clock)."""
    return datetime.now(UTC).isoformat()


def verify_all(sources: Sources, *, progress: Progress | None = None) -> Report:
    """Run every check over every service; the report says what held and what broke."""
    report = Report(now_iso())
    tick = progress or (lambda label, done, total: None)
    topic_checkpoints = _topic_checkpoints(sources, report)
    refs: dict[str, list[dict]] = {}
    for name, engine in sources.engines.items():
        with engine.connect() as conn:
            leaves = _check_store(name, conn, report, refs, tick)
            _check_checkpoints(name, conn, leaves, topic_checkpoints, sources.keys, report)
            relay_position = _relay_position(conn)
        _check_topic(name, leaves, relay_position, sources.bootstrap, report)
    if sources.object_store is not None:
        check_evidence(sources.object_store, refs, report, tick)
    report.finished_at = now_iso()
    return report


def _check_store(name: str, conn: Connection, report: Report, refs: dict, tick: Progress) -> list[Leaf]:
    total = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar()
    chain = EventStore().verify(conn)
    leaves: list[Leaf] = []
    query = sa.select(events.c.position, events.c.event_id, events.c.project_id, events.c.event_type,
                      events.c.body).order_by(events.c.position)
    for row in conn.execution_options(yield_per=5000).execute(query):
        leaves.append(Leaf(row.position, row.event_id, row.project_id, row.event_type, leaf_hash(row.body.encode())))
        for sha256 in evidence_refs(row.body):
            refs.setdefault(sha256, []).append({"service": name, **leaves[-1].name()})
        if len(leaves) % 5000 == 0:
            tick(f"{name} 日志", len(leaves), total)
    tick(f"{name} 日志", len(leaves), total)
    if chain.ok:
        report.add(name, "chain", "ok", f"哈希链完整：{chain.checked} 条事件")
    else:
        at = next((leaf.name() for leaf in leaves if leaf.position == chain.broken_position), None)
        report.add(name, "chain", "fail", f"哈希链在第 {chain.broken_position} 条断开：{chain.reason}",
                   event=at or {"position": chain.broken_position}, details={"checked": chain.checked})
    _check_stored_tree(name, conn, leaves, report)
    return leaves


def _check_stored_tree(name: str, conn: Connection, leaves: list[Leaf], report: Report) -> None:
    # The service grows its tree when it signs a checkpoint: events after the last one are not
    # in it yet. The stored tree is checked as far as it reaches; the chain covers the rest.
    grown = min(stored_size(conn), len(leaves))
    roots = _roots_at(leaves, [grown, len(leaves)])
    root = roots.get(len(leaves), CompactRange().root().hex())
    report.figures[name] = {"events": len(leaves), "root": root, "tree_size": grown}
    if not grown:
        report.add(name, "merkle", "ok", f"Merkle 树尚未生长（还没有签署检查点）；{len(leaves)} 条事件由哈希链核验")
        return
    try:
        stored = StoredTree(conn).root(grown).hex()
    except TreeMissingNode as error:
        report.add(name, "merkle", "fail", f"服务保存的 Merkle 树不完整：{error}")
        return
    pending = f"；其后 {len(leaves) - grown} 条将在下一个检查点并入树中" if grown < len(leaves) else ""
    if stored != roots[grown]:
        report.add(name, "merkle", "fail", "服务保存的 Merkle 树根与按存储字节重算的不一致",
                   details={"stored_root": stored, "recomputed_root": roots[grown], "size": grown})
    else:
        report.add(name, "merkle", "ok",
                   f"Merkle 树根 {roots[grown][:16]}… 与前 {grown} 条事件的存储字节一致{pending}")


def _topic_checkpoints(sources: Sources, report: Report) -> dict[str, list[tuple[int, SignedCheckpoint | str]]] | None:
    """Checkpoints on the topic by service as (offset, checkpoint or why it is not one); None if unreadable."""
    if not sources.bootstrap:
        return None
    try:
        records = read_topic(sources.bootstrap, CHECKPOINT_TOPIC)
    except TopicUnavailable as error:
        report.add("audit", "checkpoint", "warn", f"无法读取检查点主题：{error}")
        return None
    found: dict[str, list] = {}
    for record in records:
        try:
            checkpoint = SignedCheckpoint.from_json(record.value)
            found.setdefault(checkpoint.service, []).append((record.offset, checkpoint))
        except CheckpointRefused as error:
            found.setdefault(record.key or "?", []).append((record.offset, str(error)))
    return found


def _check_checkpoints(name: str, conn: Connection, leaves: list[Leaf], on_topic, keys, report: Report) -> None:
    if keys is None:
        report.add(name, "checkpoint", "warn", "未提供固定的公钥文件：检查点未核验")
        return
    seen = (on_topic or {}).get(name, [])
    source = "topic"
    if not seen:
        # The embedded broker forgets on restart: say so, and check the service's own record instead.
        own = recorded(conn)
        if own:
            seen, source = [(None, c) for c in own], "store"
            report.add(name, "checkpoint", "fallback",
                       f"检查点主题上没有 {name} 的检查点（嵌入式消息代理重启后会丢失消息）；"
                       f"改用服务自己记录的 {len(own)} 个检查点核验，它们不是独立证据")
    sizes = sorted({c.size for _, c in seen if isinstance(c, SignedCheckpoint)})
    grown = report.figures[name]["tree_size"]
    roots = _roots_at(leaves, [*sizes, grown])
    tree = StoredTree(conn)
    genuine = [c for _, c in seen if isinstance(c, SignedCheckpoint) and _signed(c, keys)]
    matching = [0] + [c.size for c in genuine if roots.get(c.size) == c.root]
    mismatched = sorted(c.size for c in genuine if c.size <= len(leaves) and roots.get(c.size) != c.root)
    good = bad = 0
    for offset, checkpoint in seen:
        where = {"offset": offset, "source": source}
        problem = _checkpoint_problem(checkpoint, tree, leaves, roots, keys, matching, mismatched, grown)
        if problem is None:
            good += 1
            continue
        bad += 1
        if isinstance(checkpoint, SignedCheckpoint):
            where |= {"size": checkpoint.size, "root": checkpoint.root, "time": checkpoint.time}
        report.add(name, "checkpoint", "fail", problem[0], event=problem[1], details=where)
    if good and not bad:
        report.add(name, "checkpoint", "ok", f"{good} 个已签名检查点与存储一致（一致性证明）",
                   details={"source": source, "largest": sizes[-1] if sizes else 0})
    elif not seen:
        report.add(name, "checkpoint", "warn", "还没有任何检查点：日志尾部的改写无法被发现")


def _signed(checkpoint: SignedCheckpoint, keys: PinnedKeys) -> bool:
    try:
        checkpoint.verify(keys)
        return True
    except SignatureRefused:
        return False


def _roots_at(leaves: list[Leaf], sizes: list[int]) -> dict[int, str]:
    compact, roots, wanted = CompactRange(), {}, set(sizes)
    for leaf in leaves:
        compact.append(leaf.leaf)
        if compact.size in wanted:
            roots[compact.size] = compact.root().hex()
    return roots


def _checkpoint_problem(checkpoint, tree: StoredTree, leaves: list[Leaf], roots: dict[int, str], keys,
                        matching: list[int], mismatched: list[int], grown: int) -> tuple[str, dict | None] | None:
    """Why a checkpoint does not hold (and the first event that may have broken it), or None."""
    if isinstance(checkpoint, str):
        return f"检查点主题上有一条不是检查点的消息：{checkpoint}", None
    try:
        checkpoint.verify(keys)
    except SignatureRefused as error:
        return f"伪造的检查点（大小 {checkpoint.size}，{checkpoint.time}）：签名无效——{error}", None
    n = len(leaves)
    if checkpoint.size > n:
        return (f"检查点签署了 {checkpoint.size} 条事件，存储只有 {n} 条：日志被截短或有事件被删除",
                leaves[-1].name() if leaves else None)
    if roots.get(checkpoint.size) != checkpoint.root:
        # Up to the largest checkpoint that still matches, the log is as signed; the smallest
        # one that does not bounds the rewrite from above.
        first_bad = min(size for size in mismatched if size <= checkpoint.size)
        since = max(size for size in matching if size < first_bad) + 1
        return (f"检查点（大小 {checkpoint.size}，{checkpoint.time}）与存储不一致：第 {since}–{first_bad} "
                f"条之间的事件在签署后被改写（哪怕哈希链和日志头也一并重写了）", leaves[since - 1].name())
    # The consistency proof runs to the size the stored tree has grown to (each checkpoint grew it).
    try:
        verify_consistency(checkpoint.size, grown, checkpoint.root_bytes, bytes.fromhex(roots[grown]),
                           tree.consistency(checkpoint.size, grown))
    except (ProofError, TreeMissingNode, KeyError) as error:
        return f"存储的 Merkle 树给不出从 {checkpoint.size} 到 {grown} 条的一致性证明：{error}", None
    return None


def _relay_position(conn: Connection) -> int:
    value = conn.execute(sa.select(sa.func.max(relay_checkpoint.c.position))).scalar()
    return value or 0


def _check_topic(name: str, leaves: list[Leaf], relay_position: int, bootstrap: str | None, report: Report) -> None:
    if not bootstrap:
        report.add(name, "topic", "fallback", "未连接消息代理：主题未核对，仅核验了存储")
        return
    try:
        records = read_topic(bootstrap, topic_for(name))
    except TopicUnavailable as error:
        report.add(name, "topic", "fallback", f"读不到主题 {topic_for(name)}：{error}；仅核验了存储")
        return
    compare_topic(name, leaves, records, relay_position, report)


def load_report(path) -> Report | None:
    """The last report written by `audit verify`, if any."""
    try:
        return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return None
