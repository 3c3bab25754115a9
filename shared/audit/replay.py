"""`renovation audit replay`: one project's history rebuilt from the topics alone, as known at a moment.

Only the partition the project's key (and, for intake, its community's key) hashes to is
read, from the first offset up to the first event after the moment.
A stream whose versions have a hole means the broker lost messages (the embedded one
forgets on restart): that service is then read from its store, and the replay says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import orjson
import sqlalchemy as sa
from kafka.partitioner.default import murmur2

from shared.audit.rules import Fact
from shared.calendar import WorkingDayCalendar
from shared.calendar.schedule import Schedule
from shared.calendar.sync import CALENDAR_EVENT
from shared.audit.topics import TopicUnavailable, iter_topic, partition_count
from shared.broker import topic_for
from shared.errors import InvalidCommand, NotFound
from shared.schema import events
from shared.settings import SERVICE_NAMES


CALENDAR_KEY = "calendar"


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
        keys = {project_id, community} - {None}
        lost = _lost(facts, engines.get(service) if engines else None, keys, as_of)
        if lost and engines and service in engines:
            facts = _from_store(engines[service], service, keys, as_of)
            result.sources[service] = "store"
            result.notes.append(f"{service} 的主题缺少 {lost}：消息代理丢失了消息（嵌入式消息代理重启后会丢失），"
                                "这一部分改从该服务的存储读取，不是独立证据")
        elif lost:
            result.sources[service] = "topic-incomplete"
            result.notes.append(f"{service} 的主题缺少 {lost}：消息代理丢失了消息，且读不到该服务的存储；回放不完整")
        elif facts:
            result.sources[service] = "topic"
        result.facts += [fact for fact, _, _ in facts]
    result.facts.sort(key=lambda f: (f.occurred_at, SERVICE_NAMES.index(f.service), f.position))
    if not result.facts:
        _explain_empty(bootstrap, project_id, as_of)
    return result


def _from_topic(bootstrap: str, service: str, key: str, as_of: datetime | None, result: Replayed) -> list:
    """(fact, stream, version) of the key's events on a service's topic, up to the moment.

    One service's log is in time order, and so is each partition of its topic: reading
    stops at the first event after the moment (a seek by event time, exact on any broker;
    tansu's ListOffsets cannot be trusted for it).
    """
    topic = topic_for(service)
    facts = []
    try:
        count = partition_count(bootstrap, topic)
        for record in iter_topic(bootstrap, topic, only=lambda tp: tp.partition == partition_for(key, count)):
            fact = fact_from_json(service, record.value)
            if as_of is not None and fact[0].occurred_at > as_of:
                break
            if record.key == key:
                facts.append(fact)
    except TopicUnavailable as error:
        result.notes.append(f"读不到主题 {topic}：{error}")
    return facts


def fact_from_json(service: str, body: bytes | str, source: str = "topic") -> tuple[Fact, str, int]:
    """(fact, stream, version) of one stored or published envelope (plain JSON: replay is read-heavy)."""
    e = orjson.loads(body)
    fact = Fact(service, e["event_type"], e["event_id"], e.get("position") or 0,
                datetime.fromisoformat(e["occurred_at"]), e["payload"], source)
    return fact, e["stream_id"], e["stream_version"]


def _community(facts: list) -> str | None:
    for fact, _, _ in facts:
        if fact.event_type in ("intake.ProjectApproved", "intake.ProjectOpened", "intake.ProjectDeclared"):
            return fact.payload.get("community_id")
    return None


def _lost(facts: list, engine: sa.Engine | None, keys: set[str], as_of: datetime | None) -> str | None:
    """What the topic lacks: a hole in a stream's versions, or events its store holds that the topic does not."""
    hole = _hole(facts)
    if hole or engine is None:
        return hole
    on_topic = {fact.event_id for fact, _, _ in facts}
    missing = [f for f, _, _ in _from_store(engine, "", keys, as_of) if f.event_id not in on_topic]
    return f"{len(missing)} 个事件（首个是第 {missing[0].position} 条；或尚未转发）" if missing else None


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
        facts = [fact_from_json(service, row.body, source="store") for row in rows]
    return [f for f in facts if as_of is None or f[0].occurred_at <= as_of]


def published_calendar(bootstrap: str, kernel) -> WorkingDayCalendar:
    """The official working-day calendar as the services know it: the package's years plus every
    `intake.CalendarYearLoaded` on intake's topic (key "calendar"), each checked again."""
    calendar = WorkingDayCalendar.from_settings(kernel)
    result = Replayed("calendar", None)
    for fact, _, _ in _from_topic(bootstrap, "intake", CALENDAR_KEY, None, result):
        if fact.event_type == CALENDAR_EVENT:
            try:
                calendar.load(Schedule.from_payload(fact.payload))
            except (ValueError, KeyError):
                continue  # a malformed schedule on the topic is not what the services used either
    return calendar


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
