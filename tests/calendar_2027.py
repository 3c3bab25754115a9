"""A 2027 holiday schedule for tests (invented: the real notice is not out), and its bytes as a file."""

from __future__ import annotations

import json

# Invented for tests: statutory days plus one make-up Saturday (9 January) that no rule foresees,
# so loading it visibly moves provisional dates.
SCHEDULE_2027 = {
    "year": 2027,
    "source": "国办发明电〔2026〕99号（测试用虚构安排）",
    "published": "2026-11-20",
    "holidays": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-01-02", "name": "元旦"},
                 {"date": "2027-01-03", "name": "元旦"}]
    + [{"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(5, 13)],
    "workdays": [{"date": "2027-01-09", "name": "元旦调休"}, {"date": "2027-02-20", "name": "春节调休"}],
}


def schedule_bytes(**overrides) -> bytes:
    """The schedule as a `2027.json` file holds it."""
    return json.dumps({**SCHEDULE_2027, **overrides}, ensure_ascii=False).encode("utf-8")
