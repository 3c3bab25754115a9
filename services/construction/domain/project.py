"""The renovation project on site: parties, contract, work items in order, stop-work, completion."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from services.construction.domain.party import PARTY_ROLES, Location, Parties, check_party
from shared.errors import RecordedRefusal
from services.construction.domain.stop_work import SiteSafety
from services.construction.domain.works import (
    RULE_LABELS, SITE_ZONE, ItemStatus, Layer, Rule, WorkItem, blockers, refusal_text)
from shared.actor import Actor
from shared.aggregate import Aggregate
from shared.errors import InvalidCommand, NotFound
from shared.event import DomainEvent

REFUSAL_LABELS = {**RULE_LABELS, "stop_work": "停工令", "safety_check": "开工前安全检查"}


class Project(SiteSafety, Aggregate):
    """One community's renovation, from intake's approval to the declared completion."""

    stream_prefix = "project"

    class Opened(DomainEvent):
        event_type = "construction.ProjectOpened"
        project_id: str
        community_id: str
        community_name: str
        district: str = ""
        street_office: str = ""
        plan_year: int | None = None
        location: Location
        budget_fen: int = 0
        plan_parties: dict[str, str] = Field(default_factory=dict)
        items: tuple[WorkItem, ...] = ()

    class PartiesAssigned(DomainEvent):
        event_type = "construction.PartiesAssigned"
        parties: Parties

    class ContractSigned(DomainEvent):
        event_type = "construction.ContractSigned"
        contract_no: str
        contractor: str
        amount_fen: int
        signed_on: date

    class SiteContactPublished(DomainEvent):
        event_type = "construction.SiteContactPublished"
        hotline: str
        contact_name: str

    class WorkItemPlaced(DomainEvent):
        event_type = "construction.WorkItemPlaced"
        item_id: str
        zone: str
        layer: Layer

    class WorkItemStarted(DomainEvent):
        event_type = "construction.WorkItemStarted"
        item_id: str
        zone: str

    class WorkItemFinished(DomainEvent):
        event_type = "construction.WorkItemFinished"
        item_id: str

    class WorkStartRefused(DomainEvent):
        event_type = "construction.WorkStartRefused"
        item_id: str
        rule: str
        reason: str
        waiting_for: tuple[str, ...] = ()

    class OrderOfWorksOverridden(DomainEvent):
        event_type = "construction.OrderOfWorksOverridden"
        item_id: str
        rule: Rule
        reason: str

    class CompletionDeclared(DomainEvent):
        event_type = "construction.CompletionDeclared"
        project_id: str
        declared_on: date

    class CompletionRefused(DomainEvent):
        event_type = "construction.CompletionRefused"
        missing: tuple[dict, ...]

    # Scalars default here; containers are created by the first event, because the kernel's
    # rehydrate builds an aggregate without calling a subclass's __init__.
    opened: Opened | None = None
    parties: Parties | None = None
    contract: ContractSigned | None = None
    completed = False
    items: dict[str, WorkItem]
    overrides: set[tuple[str, str]]
    stops: dict[str, str]
    @classmethod
    def open(cls, **facts) -> "Project":
        """Open the project intake approved."""
        project = cls(cls.stream_for(facts["project_id"]))
        project._record(cls.Opened(**facts))
        return project

    @property
    def project_id(self) -> str:
        """The project's id (intake's)."""
        return self.opened.project_id

    def assign_parties(self, parties: Parties) -> None:
        """Name the contractor, supervision, designer, pipeline units and their accounts."""
        self._check_open()
        unknown = set(parties.accounts) - set(PARTY_ROLES)
        if unknown:
            raise InvalidCommand(f"无法为这些角色指派账号：{'、'.join(sorted(unknown))}", code="unknown_party_role")
        self._record(self.PartiesAssigned(parties=parties))

    def sign_contract(self, *, contract_no: str, amount_fen: int, signed_on: date) -> None:
        """Record the construction contract with the assigned contractor."""
        self._check_open()
        if self.parties is None:
            raise InvalidCommand("请先指派施工单位，再登记施工合同", code="parties_missing")
        if amount_fen <= 0:
            raise InvalidCommand("合同金额必须大于 0", code="contract_amount")
        self._record(self.ContractSigned(contract_no=contract_no, contractor=self.parties.contractor,
                                         amount_fen=amount_fen, signed_on=signed_on))

    def publish_contact(self, *, hotline: str, contact_name: str) -> None:
        """Record the complaint hotline and named contact posted on site (`002` 三(五))."""
        self._check_open()
        self._record(self.SiteContactPublished(hotline=hotline, contact_name=contact_name))

    def place_item(self, *, item_id: str, zone: str, layer: Layer) -> None:
        """Move a planned item to another zone or layer."""
        item = self._planned(item_id)
        self._record(self.WorkItemPlaced(item_id=item.item_id, zone=zone.strip() or SITE_ZONE, layer=layer))

    def override(self, *, item_id: str, rule: Rule, reason: str) -> None:
        """Allow one item to start against one rule of the order of works, for a stated reason."""
        self._planned(item_id)
        if len(reason.strip()) < 4:
            raise InvalidCommand("越序施工必须写明理由（至少 4 个字）", code="override_reason")
        self._record(self.OrderOfWorksOverridden(item_id=item_id, rule=rule, reason=reason.strip()))

    def start_item(self, *, item_id: str) -> None:
        """Start a work item if the contract, stop-work orders and the order of works allow it."""
        item = self._planned(item_id)
        if self.contract is None:
            raise InvalidCommand("施工合同尚未登记，不能开工", code="contract_missing")
        stop = self.stop_for(item.zone)
        if stop is not None:
            self._refuse_start(item, "stop_work", f"“{item.name}”不能开工：{_zone(stop)}已因严重隐患停工，"
                               "须经复查解除后方可施工", ())
        if not self.safety_checked(item.zone):
            restart = "复工" if any(z in self.stopped for z in (item.zone, SITE_ZONE)) else "开工"
            self._refuse_start(item, "safety_check", f"“{item.name}”不能{restart}：{_zone(item.zone)}尚未通过"
                               f"{restart}前安全检查（脚手架、起重设备、危大工程、临时用电、消防）", ())
        for rule, waiting in blockers(self.items, item):
            if (item_id, rule) not in self.overrides:
                self._refuse_start(item, rule, refusal_text(rule, item, waiting),
                                   tuple(other.item_id for other in waiting))
        self._record(self.WorkItemStarted(item_id=item_id, zone=item.zone))

    def _refuse_start(self, item: WorkItem, rule: str, reason: str, waiting: tuple[str, ...]) -> None:
        self._record(self.WorkStartRefused(item_id=item.item_id, rule=str(rule), reason=reason,
                                           waiting_for=waiting))
        raise RecordedRefusal(reason, code="work_order_refused",
                              details={"rule": str(rule), "label": REFUSAL_LABELS.get(rule, "停工令"),
                                       "waiting_for": list(waiting)})

    def finish_item(self, *, item_id: str, hidden_works: list[tuple[str, str]]) -> None:
        """Finish a started item; buried work needs hidden-work records, all of them concealed."""
        item = self._item(item_id)
        if item.status != ItemStatus.STARTED:
            raise InvalidCommand(f"“{item.name}”尚未开工或已完工", code="item_not_started")
        if item.layer == Layer.UNDERGROUND and not hidden_works:
            raise InvalidCommand(f"“{item.name}”是地下工程，没有任何隐蔽工程记录，不能完工", code="hidden_work_missing")
        open_works = [work_id for work_id, state in hidden_works if state != "concealed"]
        if open_works:
            raise InvalidCommand(f"“{item.name}”还有 {len(open_works)} 项隐蔽工程未经验收并隐蔽，不能完工",
                                 code="hidden_work_open", details={"hidden_works": open_works})
        self._record(self.WorkItemFinished(item_id=item_id))

    def declare_completion(self, *, missing: list[dict], today: date) -> None:
        """Declare the works complete, or record the refusal with what is still missing."""
        self._check_open()
        missing = [*self._own_gaps(), *missing]
        if missing:
            self._record(self.CompletionRefused(missing=tuple(missing)))
            lines = "；".join(gap["text"] for gap in missing)
            raise RecordedRefusal(f"不能申报完工，尚缺：{lines}", code="completion_refused",
                                  details={"missing": missing})
        self._record(self.CompletionDeclared(project_id=self.project_id, declared_on=today))

    def _own_gaps(self) -> list[dict]:
        gaps = [{"kind": "work_item", "id": item.item_id, "text": f"工程“{item.name}”未完工"}
                for item in self.items.values() if item.status != ItemStatus.FINISHED]
        gaps += [{"kind": "stop_work", "id": zone, "text": f"{_zone(zone)}停工令未解除"} for zone in self.stops]
        return gaps

    def check_party(self, actor: Actor, role: str) -> None:
        """Refuse an actor who holds `role` but is not named for it on this project."""
        check_party(self.parties, actor, role)

    def _check_open(self) -> None:
        if self.completed:
            raise InvalidCommand("项目已申报完工，不能再修改", code="project_completed")

    def _item(self, item_id: str) -> WorkItem:
        try:
            return self.items[item_id]
        except KeyError:
            raise NotFound(f"本项目没有工程项目 {item_id}") from None

    def _planned(self, item_id: str) -> WorkItem:
        self._check_open()
        item = self._item(item_id)
        if item.status != ItemStatus.PLANNED:
            raise InvalidCommand(f"“{item.name}”已开工", code="item_already_started")
        return item

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Project.Opened():
                self.opened = event
                self.items = {item.item_id: item for item in event.items}
                self.overrides, self.stops, self.stop_causes, self.held = set(), {}, {}, {}
                self.checked, self.stopped = {}, {}
            case Project.PartiesAssigned():
                self.parties = event.parties
            case Project.ContractSigned():
                self.contract = event
            case Project.WorkItemPlaced():
                self._update(event.item_id, zone=event.zone, layer=event.layer)
            case Project.WorkItemStarted():
                self._update(event.item_id, status=ItemStatus.STARTED)
            case Project.WorkItemFinished():
                self._update(event.item_id, status=ItemStatus.FINISHED)
            case Project.OrderOfWorksOverridden():
                self.overrides.add((event.item_id, event.rule))
            case Project.CompletionDeclared():
                self.completed = True
            case _:
                self._apply_site_safety(event)

    def _update(self, item_id: str, **changes) -> None:
        self.items[item_id] = self.items[item_id].model_copy(update=changes)


def _zone(zone: str) -> str:
    return "全小区" if zone == SITE_ZONE else f"“{zone}”"
