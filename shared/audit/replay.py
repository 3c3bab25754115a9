"""`renovation audit replay`: one project's history rebuilt from the topics alone, as known at a moment.

Only the partitions the project's key (and, for intake, its community's key) hashes to are
read, from the first offset up to the first message stamped after the moment (the relay
stamps messages with the event's own time); `occurred_at` is checked again on every event.
A stream whose versions have a hole means the broker lost messages (the embedded one
forgets on restart): that service is then read from its store, and the replay says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from kafka.partitioner.default import murmur2

from shared.audit.rules import Fact
from shared.audit.topics import TopicUnavailable, iter_topic, offsets_before, partition_count
from shared.broker import topic_for
from shared.envelope import Envelope
from shared.errors import InvalidCommand, NotFound
from shared.schema import events
from shared.settings import SERVICE_NAMES


class UnknownProject(NotFound):
    """No topic (nor store) holds an event of this project."""


class BeforeFirstEvent(InvalidCommand):
    """The moment asked for lies before the project's first event."""


@dataclass
class Replayed:
    """A project's events as known at `as_of`, where each service's part came from, and what to know."""

    project_id: str
    as_of: datetime | None
    facts: list[Fact] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def partition_for(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner puts `key` in (murmur2, as the relay's producer)."""
    return (murmur2(key.encode("utf-8")) & 0x7FFFFFFF) % partitions


def replay_project(bootstrap: str, project_id: str, *, as_of: datetime | None = None,
                   engines: dict[str, sa.Engine] | None = None) -> Replayed:
    """The project's facts from the four topics (falling back to a store only where a topic lost messages)."""
    result = Replayed(project_id, as_of)
    for service in SERVICE_NAMES:
        facts = _from_topic(bootstrap, service, project_id, as_of, result)
        community = _community(facts) if service == "intake" else None
        if community and community != project_id:
            facts += _from_topic(bootstrap, service, community, as_of, result)
        hole = _hole(facts)
        if hole and engines and service in engines:
            keys = {project_id, community} - {None}
            facts = _from_store(engines[service], service, keys, as_of)
            result.sources[service] = "store"
            result.notes.append(f"{service} 主题缺少 {hole}：消息代理丢失了消息（嵌入式消息代理重启后会丢失），"
                                "这一部分改从该服务的存储读取，不是独立证据")
        elif hole:
            result.sources[service] = "topic-incomplete"
            result.notes.append(f"{service} 主题缺少 {hole}：消息代理丢失了消息，且读不到该服务的存储；回放不完整")
        elif facts:
            result.sources[service] = "topic"
        result.facts += [fact for fact, _, _ in facts]
    result.facts.sort(key=lambda f: (f.occurred_at, SERVICE_NAMES.index(f.service), f.position))
    if not result.facts:
        _explain_empty(bootstrap, project_id, as_of)
    return result


def _from_topic(bootstrap: str, service: str, key: str, as_of: datetime | None, result: Replayed) -> list:
    """(fact, stream, version) of the key's events on a service's topic, up to the moment."""
    topic = topic_for(service)
    try:
        count = partition_count(bootstrap, topic)
        stops = offsets_before(bootstrap, topic, as_of) if as_of else None
        records = iter_topic(bootstrap, topic, only=lambda tp: tp.partition == partition_for(key, count),
                             stop_at=stops)
        facts = [_fact(service, r.value) for r in records if r.key == key]
    except TopicUnavailable as error:
        result.notes.append(f"读不到主题 {topic}：{error}")
        return []
    return [f for f in facts if as_of is None or f[0].occurred_at <= as_of]


def _fact(service: str, body: bytes | str, source: str = "topic") -> tuple[Fact, str, int]:
    envelope = Envelope.model_validate_json(body)
    return Fact(service, envelope.event_type, str(envelope.event_id), envelope.position or 0,
                envelope.occurred_at, envelope.payload, source), envelope.stream_id, envelope.stream_version


def _community(facts: list) -> str | None:
    for fact, _, _ in facts:
        if fact.event_type in ("intake.ProjectApproved", "intake.ProjectOpened", "intake.ProjectDeclared"):
            return fact.payload.get("community_id")
    return None


def _hole(facts: list) -> str | None:
    versions: dict[str, list[int]] = defaultdict(list)
    for _, stream, version in facts:
        versions[stream].append(version)
    for stream, seen in versions.items():
        seen.sort()
        if seen != list(range(seen[0], seen[0] + len(seen))):
            missing = sorted(set(range(seen[0], seen[-1] + 1)) - set(seen))
            return f"流 {stream} 的第 {missing[0]} 个事件"
    return None


def _from_store(engine: sa.Engine, service: str, keys: set[str], as_of: datetime | None) -> list:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(events.c.body).where(events.c.project_id.in_(keys))
                            .order_by(events.c.position))
        facts = [_fact(service, row.body, source="store") for row in rows]
    return [f for f in facts if as_of is None or f[0].occurred_at <= as_of]


def store_facts(engine: sa.Engine, service: str, keys: set[str], as_of: datetime | None = None) -> list[Fact]:
    """The facts a service's own store holds for these keys (the fallback, and what tests compare with)."""
    return [fact for fact, _, _ in _from_store(engine, service, keys, as_of)]


def parse_moment(text: str | None) -> datetime | None:
    """An ISO 8601 moment with its offset (InvalidCommand, in zh-CN, otherwise)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidCommand(f"时间格式不对：{text!r}（请用 ISO 8601，如 2026-11-20T12:00:00+08:00）",
                             code="bad_time") from None
    if moment.tzinfo is None:
        raise InvalidCommand("时间须带时区，如 +08:00", code="bad_time")
    return moment


def _explain_empty(bootstrap: str, project_id: str, as_of: datetime | None) -> None:
    if as_of is not None:
        later = replay_project(bootstrap, project_id)
        first = later.facts[0].occurred_at
        raise BeforeFirstEvent(f"{as_of.isoformat()} 早于项目 {project_id} 的第一个事件（{first.isoformat()}）："
                               "那时还没有任何记录",
                               details={"project_id": project_id, "first_event_at": first.isoformat()})
    raise UnknownProject(f"主题中没有项目 {project_id} 的任何事件：项目不存在，或消息代理已丢失全部消息",
                         details={"project_id": project_id})
