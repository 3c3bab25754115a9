"""Given-events / when-command / then-events for construction's aggregates."""

from __future__ import annotations

from datetime import UTC, datetime

from services.construction.domain.evidence import Evidence, Flag, FlagReason, Subject
from services.construction.domain.project import Location, Parties, Project
from services.construction.domain.works import Layer, WorkItem
from shared.aggregate import Aggregate
from shared.event import DomainEvent


def given(cls: type[Aggregate], *events: DomainEvent, key: str = "x") -> Aggregate:
    """An aggregate whose history is `events` (rehydrated exactly as the store would)."""
    return cls.rehydrate(cls.stream_for(key), list(events))


def then(aggregate: Aggregate) -> list[DomainEvent]:
    """The events the command recorded."""
    return aggregate.collect()


def item(item_id: str, kind: str, *, zone: str = "site", layer: Layer | None = None, **kw) -> WorkItem:
    """A work item placed by its kind's default layer unless told."""
    from services.construction.domain.works import default_layer

    return WorkItem(item_id=item_id, kind=kind, name=kw.pop("name", item_id), zone=zone,
                    layer=layer or default_layer(kind), **kw)


def opened(*items: WorkItem, project_id: str = "p1") -> Project.Opened:
    """intake approved it: the project and its items."""
    return Project.Opened(project_id=project_id, community_id="c1", community_name="幸福里小区",
                          location=Location(latitude=41.79, longitude=123.43, geofence_radius_m=300),
                          budget_fen=10_000_000, items=items)


PARTIES = Project.PartiesAssigned(parties=Parties(
    contractor="建工集团", supervision_unit="监理公司",
    accounts={"contractor": ("con",), "supervision_engineer": ("eng",), "inspector": ("insp",)}))
CONTRACT = Project.ContractSigned(contract_no="HT-1", contractor="建工集团", amount_fen=8_000_000,
                                  signed_on=datetime(2026, 11, 1).date())


def evidence(n: int = 1, *, media_type: str = "image/jpeg", flags: tuple[Flag, ...] = ()) -> Evidence:
    """Evidence of a photo (the n-th), optionally flagged."""
    sha = f"{n:064x}"
    return Evidence(sha256=sha, key=f"sha256/{sha[:2]}/{sha[2:4]}/{sha}", size=1000 + n, media_type=media_type,
                    width=640, height=480, uploaded_at=datetime(2026, 11, 20, tzinfo=UTC), flags=flags)


def reuse_flag() -> Flag:
    """A suspected-reuse flag naming another project's hidden work."""
    return Flag(reason=FlagReason.SUSPECTED_REUSE, detail="疑似重复使用", other_sha256="f" * 64,
                other=Subject(kind="hidden_work", id="hw-other", project_id="p2"), distance=0)
