"""Filing a complaint through any of the three ways in: check, seal the contact, route, clock, look for repeats."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from services.complaints.adapters import queries
from services.complaints.adapters.community import routable, site, site_of_project
from services.complaints.application.context import ComplaintsContext, load, save
from services.complaints.domain.category import Channel, Urgency, category
from services.complaints.domain.complaint import Complaint, Photo, Place
from services.complaints.domain.duplicate import Candidate, best_match
from services.complaints.domain.privacy import redact_numbers
from services.complaints.domain.routing import distance_m, route_point
from shared.envelope import new_event_id
from shared.errors import InvalidCommand, NotFound
from shared.unit_of_work import UnitOfWork

_TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on the phone


@dataclass
class Filing:
    """One complaint as it came in, before anything is recorded."""

    channel: Channel
    category: str
    urgency: Urgency
    text: str
    place: Place
    name: str = ""
    phone: str | None = None  # E.164, already validated
    photos: list[Photo] = field(default_factory=list)
    client_id: str | None = None
    # Only hotline operators may leave a complaint unrouted (an address told on the phone).
    allow_triage: bool = False


@dataclass(frozen=True)
class Filed:
    """What the complainant is told: the tracking number and the secret to follow it."""

    complaint_id: str
    tracking_no: str
    secret: str


def tracking_number(ctx: ComplaintsContext) -> str:
    """TS20261129-7K3QM9: the date it came in and six characters nobody misreads."""
    return f"TS{ctx.today():%Y%m%d}-" + "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(6))


def secret_digest(secret: str) -> str:
    """What is recorded of the secret link: its hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def file_complaint(uow: UnitOfWork, ctx: ComplaintsContext, *, filing: Filing) -> Filed:
    """Record a new complaint, routed and clocked; suggest a duplicate; tell construction when it must look."""
    kind = category(filing.category)
    text = redact_numbers(filing.text.strip())
    if len(text) < 5:
        raise InvalidCommand("请描述投诉内容（至少 5 个字）", code="text_short")
    route = _route(uow, ctx, filing)
    now = ctx.now()
    person_id, sealed = None, None
    if filing.phone or filing.name.strip():
        person_id, key = ctx.vault.person_for(uow.conn, phone=filing.phone, now=now.isoformat())
        sealed = ctx.vault.seal(key, {"name": filing.name.strip(), "phone": filing.phone})
    secret = secrets.token_urlsafe(24)
    complaint = Complaint.receive(
        complaint_id=str(new_event_id()), tracking_no=tracking_number(ctx), channel=filing.channel,
        category=kind.code, urgency=filing.urgency, text=text, place=filing.place, person_id=person_id,
        contact_sealed=sealed, secret_digest=secret_digest(secret), client_id=filing.client_id,
        photos=tuple(filing.photos), received_at=now)
    if route is None:
        complaint.triage("未能根据所给地址确定小区，请话务员指定")
    else:
        complaint.route(**route)
    limit = ctx.limit_for(kind.code, filing.urgency)
    complaint.set_limit(limit, ctx.due(now, limit), started_at=now)
    _suggest_duplicate(uow, ctx, complaint)
    _tell_others(uow, complaint)
    save(uow, complaint)
    return Filed(complaint.complaint_id, complaint.received.tracking_no, secret)


def _route(uow: UnitOfWork, ctx: ComplaintsContext, filing: Filing) -> dict | None:
    place = filing.place
    if place.community_id:
        known = site(uow.conn, place.community_id)
        if known is None:
            raise NotFound(f"小区 {place.community_id} 不存在：请从列表中选择小区", code="unknown_community")
        return {"project_id": known["project_id"], "community_id": known["community_id"], "method": "community"}
    if place.latitude is not None and place.longitude is not None:
        found = route_point(place.latitude, place.longitude, routable(uow.conn),
                            radius_m=ctx.settings.nearest_site_radius_m)
        if found is not None:
            return {"project_id": found.site.project_id, "community_id": found.site.community_id,
                    "method": found.method, "distance_m": round(found.distance_m, 1)}
        if not filing.allow_triage:
            radius = ctx.settings.nearest_site_radius_m
            raise InvalidCommand(f"所选位置不在任何改造小区内，也不在最近小区 {radius:.0f} 米范围内：请选择小区",
                                 code="location_unroutable")
        return None
    if filing.allow_triage and place.address.strip():
        return None
    raise InvalidCommand("请选择小区，或提供投诉地点的位置", code="location_missing")


def _suggest_duplicate(uow: UnitOfWork, ctx: ComplaintsContext, complaint: Complaint) -> None:
    if complaint.community_id is None:
        return
    place = complaint.received.place
    rows = queries.open_similar(uow.conn, category=complaint.category, project_id=complaint.project_id,
                                community_id=complaint.community_id)
    candidates = [Candidate(r["complaint_id"], r["text"], _distance(place, r)) for r in rows]
    match = best_match(complaint.received.text, candidates, radius_m=ctx.settings.duplicate_radius_m,
                       min_score=ctx.settings.duplicate_min_score)
    if match is not None:
        candidate, score = match
        complaint.suggest_duplicate(candidate_id=candidate.complaint_id, score=score, distance_m=candidate.distance_m)


def _distance(place: Place, row: dict) -> float | None:
    if None in (place.latitude, place.longitude, row["latitude"], row["longitude"]):
        return None
    return round(distance_m(place.latitude, place.longitude, row["latitude"], row["longitude"]), 1)


def _tell_others(uow: UnitOfWork, complaint: Complaint) -> None:
    if complaint.project_id is None:
        return
    known = site_of_project(uow.conn, complaint.project_id)
    now = complaint.received.received_at
    # Construction inspects only while it builds; acceptance holds back on any open one.
    if known and known["project_status"] == "under_construction":
        complaint.publish_filed(at=now)
    complaint.publish_safety_opened(at=now)


def route_manually(uow: UnitOfWork, ctx: ComplaintsContext, *, complaint_id: str, community_id: str) -> None:
    """An operator routes a complaint from the triage list."""
    complaint = load(uow, complaint_id)
    if complaint.community_id is not None:
        raise InvalidCommand("工单已确定所属小区", code="already_routed")
    known = site(uow.conn, community_id)
    if known is None:
        raise NotFound(f"小区 {community_id} 不存在", code="unknown_community")
    complaint.route(project_id=known["project_id"], community_id=community_id, method="operator")
    _suggest_duplicate(uow, ctx, complaint)
    _tell_others(uow, complaint)
    save(uow, complaint)
