"""The published contract (docs/events.md): intake's events carry every field it promises."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from services.intake.domain.design_change import DesignChangeNotice
from services.intake.domain.project import Project
from tests.unit.intake.given import RULES, then
from tests.unit.intake.test_design_change import PUBLISHED
from tests.unit.intake.test_project import ENDED, REVIEWS, REVISED, approval_for, ballots, closed, project
from tests.unit.intake.test_project import PUBLISHED as PLAN_PUBLISHED

DOC = (Path(__file__).resolve().parents[3] / "docs" / "events.md").read_text(encoding="utf-8")


def contract_example() -> dict:
    """The JSON example of intake.ProjectApproved in docs/events.md."""
    section = DOC[DOC.index("## intake.ProjectApproved v1"):]
    return json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1).replace("…", "x"))


def conforms(example, actual, where: str = "payload") -> list[str]:
    """Every key of the example is present in `actual` with a value of the same JSON kind."""
    if isinstance(example, dict):
        if not isinstance(actual, dict):
            return [f"{where} is not an object"]
        return [p for key, value in example.items() for p in
                ([f"{where}.{key} missing"] if key not in actual else conforms(value, actual[key], f"{where}.{key}"))]
    if isinstance(example, list):
        return conforms(example[0], actual[0], f"{where}[0]") if example and actual else []
    kinds = {bool: (bool,), int: (int,), float: (int, float), str: (str,), type(None): (type(None), str)}
    ok = isinstance(actual, kinds[type(example)]) and not (isinstance(actual, bool) and type(example) is not bool)
    return [] if ok else [f"{where} is {type(actual).__name__}, contract says {type(example).__name__}"]


def test_project_approved_carries_every_field_of_the_contract():
    vote_opened = Project.VoteOpened(project_id="p1", revision=1, opened_on=date(2025, 10, 9))
    p = project(REVISED, PLAN_PUBLISHED, ENDED, vote_opened, *ballots(12), *then(closed(12)), *REVIEWS)
    approval, eligibility = approval_for(p)
    p.approve(approval, preconditions=eligibility, rules=RULES)
    [event] = then(p)
    payload = json.loads(json.dumps(event.model_dump(mode="json")))
    assert event.event_type == "intake.ProjectApproved" and event.schema_version == 1
    assert conforms(contract_example(), payload) == []
    assert {f["source"] for f in payload["funding"]} == {"government", "residents", "utilities", "social_capital"}
    assert sum(f["amount_fen"] for f in payload["funding"]) == payload["budget_fen"]


def test_design_change_events_carry_the_contract_fields():
    published = set(PUBLISHED.model_dump())
    assert {"project_id", "change_id", "notice_id", "start", "end", "working_days"} <= published
    ended = set(DesignChangeNotice.Ended.model_fields)
    assert {"project_id", "change_id", "notice_id", "end", "objections", "objections_unanswered"} <= ended
