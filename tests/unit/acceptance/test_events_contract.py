"""docs/events.md lists every construction event acceptance reads, with fields the real classes have."""

from __future__ import annotations

import re
from pathlib import Path

import services.construction.domain.hidden_work
import services.construction.domain.inspection
import services.construction.domain.project
import services.construction.domain.rectification  # noqa: F401 - registers its event classes
from pydantic import BaseModel

from services.acceptance.consumers.construction import READERS
from shared.event import registry

DOC = Path(__file__).resolve().parents[3] / "docs" / "events.md"


def documented() -> dict[str, list[str]]:
    """The rows of the 'what acceptance reads' table: event type → dotted fields."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Construction → acceptance: what acceptance reads", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `(construction\.\w+)` \| (.+) \|$", line)
        if match:
            rows[match.group(1)] = re.findall(r"`([\w.]+)`", match.group(2))
    return rows


def _field(model: type[BaseModel], dotted: str):
    """The annotation of a dotted field in a pydantic model, or None if it has no such field."""
    head, _, rest = dotted.partition(".")
    info = model.model_fields.get(head)
    if info is None:
        return None
    if not rest:
        return info
    inner = info.annotation
    inner = next((a for a in getattr(inner, "__args__", ()) if isinstance(a, type) and issubclass(a, BaseModel)), inner)
    return _field(inner, rest) if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def test_every_construction_event_acceptance_reads_is_documented_with_exactly_the_fields_it_reads():
    rows = documented()
    assert set(rows) == {reader.event_type for reader in READERS}
    for reader in READERS:
        read = set(reader.model_fields)
        assert {f for f in rows[reader.event_type] if "." not in f} == read, reader.event_type
        for dotted in rows[reader.event_type]:
            assert _field(reader, dotted) is not None, f"{reader.event_type}: reader lacks {dotted}"


def test_every_documented_field_exists_in_constructions_event_class():
    for event_type, fields in documented().items():
        cls = registry.class_for(event_type)
        for dotted in fields:
            assert _field(cls, dotted) is not None, f"{event_type} has no field {dotted}"


def test_the_readers_accept_what_constructions_classes_produce():
    from services.acceptance.consumers.construction import PartiesAssigned
    from services.construction.domain.project import Parties, Project

    parties = Parties(contractor="沈阳建工", supervision_unit="华信监理", pipeline_units=("自来水公司",),
                      accounts={"contractor": ("con",)})
    payload = Project.PartiesAssigned(parties=parties).model_dump(mode="json")
    assert PartiesAssigned.model_validate(payload).parties.pipeline_units == ("自来水公司",)
