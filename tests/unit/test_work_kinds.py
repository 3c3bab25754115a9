"""One vocabulary of works: intake plans, construction orders on site and docs/events.md all say the same."""

from __future__ import annotations

import re
from pathlib import Path

from services.construction.domain.works import Layer, default_layer
from services.intake.domain.vocabulary import ITEM_KINDS
from shared.contract.work_kinds import UNDERGROUND_KINDS, WORK_KINDS

EVENTS_MD = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_intake_construction_and_the_published_table_share_one_vocabulary_of_works():
    # intake plans exactly the kernel's kinds, each in its category
    assert {kind: entry[0] for kind, entry in ITEM_KINDS.items()} == {k: w.category for k, w in WORK_KINDS.items()}
    # construction lays in the ground exactly the kinds intake can send as underground — no more, no fewer
    buried = {kind for kind in ITEM_KINDS if default_layer(kind) == Layer.UNDERGROUND}
    assert buried == UNDERGROUND_KINDS
    assert default_layer("weak_current") == Layer.UNDERGROUND  # 弱电入地: buried cabling
    assert {"water_supply", "drainage", "rain_sewage_separation", "gas", "heating", "power"} <= buried
    assert default_layer("roof_waterproofing") == Layer.ABOVE_GROUND
    # and docs/events.md publishes the same table
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (\w+) \| (\w+) \| (\w+) \|$", EVENTS_MD.read_text(), re.M)
    assert {kind: (label, category, layer, stage) for kind, label, category, layer, stage in rows} == {
        kind: (w.label, str(w.category), str(w.layer), str(w.stage)) for kind, w in WORK_KINDS.items()}
