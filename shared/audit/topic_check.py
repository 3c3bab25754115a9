"""Does a service's topic hold exactly its store's events, byte for byte and in order per project?

The key (project_id) fixes the partition, so order is compared per key. A message the
relay sent twice (at-least-once after a timeout) is noted, not failed. Events the relay
has not sent yet are not missing. Events missing from the *start* of the log are what a
broker that forgot its data looks like (the embedded one, after a restart): that is said
plainly and that part is checked against the store alone.
"""

from __future__ import annotations

import json
from collections import defaultdict

from shared.audit.merkle import leaf_hash
from shared.audit.topics import Record


def _event_id(record: Record) -> str | None:
    try:
        return str(json.loads(record.value)["event_id"])
    except (ValueError, KeyError, TypeError):
        return None


def compare_topic(name: str, leaves: list, records: list[Record], relay_position: int, report) -> None:
    """Add the topic findings for one service to `report`."""
    published = [leaf for leaf in leaves if leaf.position <= relay_position]
    by_id = {leaf.event_id: leaf for leaf in leaves}
    seen: dict[str, Record] = {}
    duplicates, foreign, changed = 0, [], []
    for record in records:
        event_id = _event_id(record)
        if event_id in seen:
            duplicates += seen[event_id].value == record.value
            if seen[event_id].value != record.value:
                changed.append((by_id.get(event_id), record))
            continue
        if event_id is None or event_id not in by_id:
            foreign.append((event_id, record))
            continue
        seen[event_id] = record
        if leaf_hash(record.value) != by_id[event_id].leaf:
            changed.append((by_id[event_id], record))
    missing = [leaf for leaf in published if leaf.event_id not in seen]
    failures = _name_extra(name, foreign, report) + _name_changed(name, changed, report)
    failures += _name_missing(name, missing, published, report)
    failures += _name_reordered(name, leaves, seen, report)
    if duplicates:
        report.add(name, "topic", "warn",
                   f"主题上有 {duplicates} 条重复投递的相同消息（至少一次投递，消费方按 event_id 去重）")
    if not failures:
        unsent = len(leaves) - len(published)
        tail = f"；另有 {unsent} 条尚未转发（转发滞后）" if unsent else ""
        report.add(name, "topic", "ok", f"主题与存储逐条一致：{len(seen)} 条消息{tail}",
                   details={"messages": len(records), "unsent": unsent})


def _name_extra(name: str, foreign: list, report) -> int:
    for event_id, record in foreign[:20]:
        report.add(name, "topic", "fail",
                   f"主题上的事件 {event_id or '（无法解析）'} 不在存储中："
                   "存储里的事件被删除了，或有人向主题写入了多余的消息",
                   event={"event_id": event_id}, details={"partition": record.partition, "offset": record.offset})
    return len(foreign)


def _name_changed(name: str, changed: list, report) -> int:
    for leaf, record in changed[:20]:
        report.add(name, "topic", "fail",
                   f"事件 {leaf.event_id if leaf else '?'}（第 {leaf.position if leaf else '?'} 条）"
                   "在主题上的字节与存储不同："
                   "其中之一被改动过", event=leaf.name() if leaf else None,
                   details={"partition": record.partition, "offset": record.offset})
    return len(changed)


def _name_missing(name: str, missing: list, published: list, report) -> int:
    if not missing:
        return 0
    prefix = [leaf.position for leaf in missing] == list(range(1, len(missing) + 1))
    if prefix:
        # Lost from the start: the broker forgot (the embedded one on restart), nobody deleted one event.
        report.add(name, "topic", "fallback",
                   f"主题缺少前 {len(missing)} 条事件（共 {len(published)} 条已转发）：消息代理丢失了消息"
                   "（嵌入式消息代理重启后只保留重启后的消息）。这部分只按存储核验，不是独立证据",
                   details={"lost": len(missing)})
        return 0
    for leaf in missing[:20]:
        report.add(name, "topic", "fail", f"存储中的事件 {leaf.event_id}（第 {leaf.position} 条）不在主题上",
                   event=leaf.name())
    return len(missing)


def _name_reordered(name: str, leaves: list, seen: dict[str, Record], report) -> int:
    """Per project (key), the topic must list the store's events in log order."""
    stored: dict[str, list] = defaultdict(list)
    for leaf in leaves:
        if leaf.event_id in seen:
            stored[leaf.project_id].append(leaf)
    broken = 0
    for project, expected in stored.items():
        actual = sorted(expected, key=lambda leaf: (seen[leaf.event_id].partition, seen[leaf.event_id].offset))
        partitions = {seen[leaf.event_id].partition for leaf in expected}
        for want, got in zip(expected, actual, strict=True):
            if want.event_id != got.event_id or len(partitions) > 1:
                broken += 1
                report.add(name, "topic", "fail",
                           f"项目 {project} 的事件在主题上的顺序与存储不同：第 {want.position} 条应为 {want.event_id}，"
                           f"主题上此处是 {got.event_id}", event=want.name())
                break
    return broken
