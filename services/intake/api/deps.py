"""What intake's endpoints depend on: the rules and clock, and who may do what (per endpoint)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.intake.application.context import Intake
from shared.actor import Actor, Role
from shared.auth import require_roles
from shared.service import Service
from shared.unit_of_work import UnitOfWork


def get_intake(request: Request) -> Intake:
    """The rules, calendar and clock of this intake app."""
    return request.app.state.intake


IntakeDep = Annotated[Intake, Depends(get_intake)]

# Officials of the housing bureau, the street office and the residents' committee run the
# process (`002` 三(一)): they register, survey, draft, publish and record what residents said.
STAFF = (Role.OFFICIAL, Role.STREET_OFFICE, Role.COMMUNITY)

Registrar = Annotated[Actor, Depends(require_roles(*STAFF, Role.ADMIN))]
Staff = Annotated[Actor, Depends(require_roles(*STAFF))]
# A household speaks for itself (a resident whose account staff linked to it) or through staff.
Speaker = Annotated[Actor, Depends(require_roles(Role.RESIDENT, *STAFF))]
Objector = Annotated[Actor, Depends(require_roles(Role.RESIDENT, Role.OWNERS_COMMITTEE, *STAFF))]
Assessor = Annotated[Actor, Depends(require_roles(Role.OFFICIAL, Role.STREET_OFFICE))]
Official = Annotated[Actor, Depends(require_roles(Role.OFFICIAL))]
# Withdrawing or reopening a project is for the housing bureau or the street office (not the
# `supervisor` role, who watches figures): the name says whom it admits.
OfficialOrStreetOffice = Annotated[Actor, Depends(require_roles(Role.OFFICIAL, Role.STREET_OFFICE))]

STAFF_ROLES = {role.value for role in STAFF}


def work(service: Service, actor: Actor, request: Request) -> UnitOfWork:
    """A unit of work for this request, acting for `actor`."""
    return service.unit_of_work(actor=actor, correlation_id=request.state.correlation_id)
