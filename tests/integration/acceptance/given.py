"""Construction's and complaints' facts about a project, as payloads of their real event classes."""

from __future__ import annotations

from datetime import date

from services.construction.domain.hidden_work import HiddenWork
from services.construction.domain.inspection import Defect
from services.construction.domain.project import Parties, Project
from services.construction.domain.rectification import RectificationOrder
from tests.integration.acceptance.conftest import Running, approved_payload
from tests.unit.construction.given import evidence

PARTIES = Parties(contractor="沈阳建工", supervision_unit="华信监理", designer="市设计院",
                  pipeline_units=("自来水公司",), accounts={"contractor": ("con",), "supervision_engineer": ("eng",)})


def send(acc: Running, event, project_id: str = "p1"):
    """Apply one real construction event (its class's JSON payload) as the consumer would."""
    return acc.foreign(event.event_type, event.model_dump(mode="json"), key=project_id)


def approved(acc: Running, project_id: str = "p1", **overrides) -> None:
    """intake approved the project."""
    acc.foreign("intake.ProjectApproved", approved_payload(project_id, **overrides), key=project_id)


def contract(acc: Running, project_id: str = "p1", signed_on: date = date(2026, 11, 2)) -> None:
    """Parties named and the contract signed in construction."""
    send(acc, Project.PartiesAssigned(parties=PARTIES), project_id)
    send(acc, Project.ContractSigned(contract_no="HT-1", contractor="沈阳建工", amount_fen=4_000_000,
                                     signed_on=signed_on), project_id)


def hidden_work(acc: Running, project_id: str = "p1", *, hw: str = "hw1", concealed: bool = True) -> None:
    """A hidden work declared, photographed, accepted and (unless told) concealed."""
    ids = {"hidden_work_id": hw, "project_id": project_id}
    send(acc, HiddenWork.Declared(**ids, item_id="pipes", zone="site", location="3号楼北侧雨水管", kind="buried_pipe"),
         project_id)
    send(acc, HiddenWork.EvidenceAttached(**ids, evidence=evidence(7)), project_id)
    send(acc, HiddenWork.Accepted(**ids, photo_count=1, evidence=(evidence(7).sha256,)), project_id)
    if concealed:
        send(acc, HiddenWork.Concealed(**ids), project_id)


def order(acc: Running, project_id: str = "p1", *, order_id: str = "d1", verified: bool = True) -> None:
    """A rectification order issued (and unless told verified)."""
    defect = Defect(defect_id=order_id, code="scaffold", category="safety", severity="major",
                    description="脚手架未设防护网", zone="site")
    send(acc, RectificationOrder.Issued(order_id=order_id, project_id=project_id, inspection_id="i1", defect=defect,
                                        issued_on=date(2026, 11, 3), working_days=3, due_on=date(2026, 11, 6)),
         project_id)
    if verified:
        send(acc, RectificationOrder.Verified(order_id=order_id, project_id=project_id), project_id)


def completed(acc: Running, project_id: str = "p1") -> None:
    """Construction declared the works complete."""
    send(acc, Project.CompletionDeclared(project_id=project_id, declared_on=date(2026, 11, 18)), project_id)


def ready(acc: Running, project_id: str = "p1") -> None:
    """A project whose every precondition holds."""
    approved(acc, project_id)
    contract(acc, project_id)
    hidden_work(acc, project_id)
    order(acc, project_id)
    completed(acc, project_id)
