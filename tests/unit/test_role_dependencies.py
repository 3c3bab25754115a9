"""A role dependency's name says whom it admits: one named after a role admits that role."""

from __future__ import annotations

import typing

import pytest
from fastapi.params import Depends

import services.construction.api.deps as construction_deps
import services.intake.api.deps as intake_deps
from shared.actor import Actor, Role
from shared.errors import Forbidden

ROLE_NAMES = {role.value.replace("_", ""): role for role in Role}


def role_dependencies(module) -> dict[str, typing.Callable]:
    """The module's `Annotated[Actor, Depends(...)]` aliases, by name."""
    found = {}
    for name, value in vars(module).items():
        if typing.get_origin(value) is typing.Annotated and typing.get_args(value)[0] is Actor:
            depends = [m for m in value.__metadata__ if isinstance(m, Depends)]
            if depends:
                found[name] = depends[0].dependency
    return found


def admits(dependency, role: Role) -> bool:
    try:
        dependency(Actor(id="someone", role=role))
    except Forbidden:
        return False
    return True


@pytest.mark.parametrize("module", [intake_deps, construction_deps], ids=["intake", "construction"])
def test_a_dependency_named_after_a_role_admits_that_role(module):
    named = {name: dep for name, dep in role_dependencies(module).items() if name.lower() in ROLE_NAMES}
    assert named, "no dependency named after a role found"
    wrong = [name for name, dep in named.items() if not admits(dep, ROLE_NAMES[name.lower()])]
    assert wrong == [], f"these names promise a role they refuse: {wrong}"


def test_withdrawal_and_reopening_admit_officials_and_street_offices_not_supervisors():
    dependency = role_dependencies(intake_deps)["OfficialOrStreetOffice"]
    assert [role for role in Role if admits(dependency, role)] == [Role.OFFICIAL, Role.STREET_OFFICE]
