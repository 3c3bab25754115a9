"""Lists that grow: with ten thousand rows every list page and endpoint stays one short, bounded page."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from services.construction.adapters.community import site_table
from services.construction.adapters.tables import (
    inspection_table, project_table as c_project, rectification_table, refusal_table, stop_work_table)
from services.intake.adapters.community import community_table, eligibility_table, survey_table
from services.intake.adapters.household import household_table
from services.intake.adapters.notice import notice_table
from services.intake.adapters.project import project_table as i_project
from shared.paging import MAX_PAGE_SIZE
from tests.integration.construction.conftest import start
from tests.integration.intake.conftest import build

ROWS = 10_000
DISTRICTS = ("和平区", "沈河区", "皇姑区", "大东区")
PAGE = {"accept": "text/html"}


def district(i: int) -> str:
    return DISTRICTS[i % len(DISTRICTS)]


class Statements:
    """Counts the SQL statements an engine runs while inside the block (N+1 queries would show)."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _seen(self, *_args):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    """Intake with 10,000 communities (every third surveyed, every fifth assessed) and 10,000 projects."""
    tmp = tmp_path_factory.mktemp("intake-lists")
    built = build(f"sqlite:///{tmp / 'intake.db'}", tmp)
    communities = [{"community_id": f"c{i:05d}", "name": f"幸福里{i:05d}小区", "district": district(i),
                    "street_office": "南市街道", "residents_committee": "一社区", "address": f"南市路 {i} 号",
                    "built_year": 1980 + i % 20, "built_month": None, "building_count": 6,
                    "household_count": 100 + i % 50, "floor_area_m2": 9000.0, "latitude": 41.79,
                    "longitude": 123.4, "geofence_radius_m": 300, "registered_at": f"2026-01-01T00:00:{i:05d}",
                    "registered_by": "official"} for i in range(ROWS)]
    surveys = [{"community_id": f"c{i:05d}", "surveyed_on": "2026-02-01", "land_status": "state_owned",
                "in_built_up_area": True, "on_demolition_plan": False, "dangerous_building_rebuild": False,
                "property_management": "none", "fee_collection_rate": "60%", "facilities": [], "buildings": [],
                "surveyed_buildings": 6, "surveyed_households": 100, "recorded_at": "2026-02-01T00:00:00+00:00",
                "recorded_by": "official"} for i in range(0, ROWS, 3)]
    assessed = [{"community_id": f"c{i:05d}", "assessed_on": "2026-03-01", "eligible": i % 2 == 0, "rules": [],
                 "agreed": 80, "households": 100, "assessed_at": "2026-03-01T00:00:00+00:00",
                 "assessed_by": "official"} for i in range(0, ROWS, 15)]
    projects = [{"project_id": f"p{i:05d}", "community_id": f"c{i:05d}", "community_name": f"幸福里{i:05d}小区",
                 "district": district(i), "street_office": "南市街道", "plan_year": 2026 + i % 2,
                 "status": "approved" if i % 4 == 0 else "drafting", "declared_at": f"2026-04-01T{i:05d}",
                 "declared_by": "official", "revision": 1, "vote_status": "none", "budget_fen": 1_000_000 + i,
                 "household_count": 100, "floor_area_m2": 9000.0, "approved_on": "2026-06-01"}
                for i in range(ROWS)]
    notices = [{"notice_id": f"n{i:05d}", "kind": "plan", "project_id": f"p{i:05d}",
                "title": f"幸福里{i:05d}小区改造方案公示（第 1 版）", "start": "2026-05-06", "end": "2026-05-25",
                "working_days": 14, "status": "open" if i % 3 == 0 else "ended", "objections": 0, "unanswered": 0,
                "published_at": f"2026-05-05T{i:05d}"} for i in range(ROWS)]
    # one very large community: 20 buildings × 5 units × 100 rooms, every third household agreed
    households = [{"community_id": "c00000", "household_id": f"{b}-{u}-{r}", "building": str(b), "unit": str(u),
                   "room": str(r), "in_survey": True, "answers": 1,
                   "consent": "agree" if (b + u + r) % 3 == 0 else None}
                  for b in range(1, 21) for u in range(1, 6) for r in range(101, 201)]
    with built.service.engine.begin() as conn:
        for table, rows in ((community_table, communities), (survey_table, surveys), (eligibility_table, assessed),
                            (i_project, projects), (notice_table, notices), (household_table, households)):
            conn.execute(table.insert(), rows)
    yield built
    built.service.engine.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Construction with 10,000 projects and sites; every tenth project stopped, every seventh with an order overdue."""
    tmp = tmp_path_factory.mktemp("construction-lists")
    running = start(tmp, f"sqlite:///{tmp / 'construction.db'}")
    projects = [{"project_id": f"p{i:05d}", "community_id": f"c{i:05d}", "community_name": f"幸福里{i:05d}小区",
                 "district": district(i), "address": f"南市路 {i} 号", "latitude": 41.79, "longitude": 123.4,
                 "geofence_radius_m": 300, "plan_year": 2026, "budget_fen": 1_000_000, "pipeline_units": "[]",
                 "accounts": "{}", "status": "completed" if i % 50 == 0 else "open",
                 "opened_at": f"2026-05-01T{i:05d}"} for i in range(ROWS)]
    sites = [{"community_id": f"c{i:05d}", "name": f"幸福里{i:05d}小区", "district": district(i),
              "address": f"南市路 {i} 号", "latitude": 41.79, "longitude": 123.4, "geofence_radius_m": 300,
              "registered_at": f"2026-01-01T{i:05d}"} for i in range(ROWS)]
    stops = [{"project_id": f"p{i:05d}", "zone": "site", "inspection_id": f"i{i}", "defect_ids": json.dumps([]),
              "ordered_at": "2026-11-01T00:00:00+00:00"} for i in range(1, ROWS, 10)]
    orders = [{"order_id": f"o{i:05d}", "project_id": f"p{i:05d}", "inspection_id": f"i{i}", "item_code": "x",
               "category": "quality", "severity": "minor", "description": "护栏松动", "zone": "site",
               "status": "issued", "issued_on": "2026-10-01", "due_on": "2026-10-15", "working_days": 10,
               "due_provisional": False, "overdue_noted": False, "submissions": 0} for i in range(0, ROWS, 7)]
    # one busy project: ten thousand inspections and refused attempts of its own
    visits = [{"inspection_id": f"v{i:05d}", "project_id": "p00003", "zone": "site", "kind": "routine",
               "result": "passed", "inspector": "insp", "recorded_at": f"2026-06-01T{i:05d}", "failed_count": 0,
               "items": "[]"} for i in range(ROWS)]
    refusals = [{"event_id": f"e{i:05d}", "project_id": "p00003", "kind": "start", "subject_id": "pipes",
                 "reason": "先地下后地上", "actor": "con", "at": f"2026-06-01T{i:05d}"} for i in range(ROWS)]
    with running.service.engine.begin() as conn:
        for table, rows in ((c_project, projects), (site_table, sites), (stop_work_table, stops),
                            (rectification_table, orders), (inspection_table, visits), (refusal_table, refusals)):
            conn.execute(table.insert(), rows)
    yield running
    running.service.engine.dispose()


def test_intake_list_endpoints_answer_one_bounded_page_with_the_total(intake):
    official = intake.headers["official"]
    for path, total in (("/api/communities", ROWS), ("/api/projects", ROWS), ("/api/library", ROWS // 4),
                        ("/api/notices", ROWS)):
        first = intake.client.get(path, headers=official)
        assert first.status_code == 200, first.text
        assert len(first.json()) == 20 and int(first.headers["X-Total-Count"]) == total
        assert 'rel="next"' in first.headers["Link"]
        biggest = intake.client.get(f"{path}?size={MAX_PAGE_SIZE}&page=3", headers=official).json()
        assert len(biggest) == MAX_PAGE_SIZE
        refused = intake.client.get(f"{path}?size={MAX_PAGE_SIZE + 1}", headers=official)
        assert refused.status_code == 422


def test_intake_communities_are_searched_by_name_filtered_by_district_and_state_and_sorted(intake):
    official = intake.headers["official"]
    found = intake.client.get("/api/communities?q=幸福里0012&size=100", headers=official)
    assert int(found.headers["X-Total-Count"]) == 10  # 00120 … 00129
    assert {c["name"] for c in found.json()} == {f"幸福里{i:05d}小区" for i in range(120, 130)}
    eligible = intake.client.get("/api/communities?district=和平区&state=eligible", headers=official)
    # assessed: multiples of 15; eligible: even ones; 和平区: multiples of 4 → multiples of 60.
    assert int(eligible.headers["X-Total-Count"]) == len(range(0, ROWS, 60))
    assert {c["state"] for c in eligible.json()} == {"eligible"}
    by_name = intake.client.get("/api/communities?sort=name", headers=official).json()
    assert [c["name"] for c in by_name][:2] == ["幸福里00000小区", "幸福里00001小区"]
    literal = intake.client.get("/api/communities?q=%25", headers=official)
    assert literal.headers["X-Total-Count"] == "0"  # a LIKE wildcard is searched for, not obeyed
    unknown = intake.client.get("/api/communities?sort=secret", headers=official)
    assert unknown.status_code == 422 and unknown.json()["error"] == "sort_unknown"
    beyond = intake.client.get("/api/communities?page=99999", headers=official)
    assert beyond.status_code == 200 and beyond.json() == []


def test_intake_home_page_shows_one_page_and_counts_in_the_database(intake):
    engine = intake.service.engine
    with Statements(engine) as statements:
        page = intake.client.get("/", headers=intake.headers["official"] | PAGE)
    assert page.status_code == 200
    assert len(re.findall(r"data-community-id=", page.text)) == 20
    assert "共 10000 条" in page.text and 'rel="next"' in page.text
    assert len(page.content) < 80_000  # was every row: megabytes at this size
    assert statements.count < 30
    searched = intake.client.get("/?q=幸福里0999&district=皇姑区", headers=intake.headers["official"] | PAGE)
    assert len(re.findall(r"data-community-id=", searched.text)) == 3  # 09990, 09994, 09998
    library = intake.client.get("/library?size=50", headers=intake.headers["official"] | PAGE)
    assert library.text.count("/projects/p") == 50 and "共 2500 条" in library.text
    notices = intake.client.get("/notices?state=open&district=和平区", headers=intake.headers["official"] | PAGE)
    # open: i ≡ 0 (mod 3); 和平区: i ≡ 0 (mod 4) → i ≡ 0 (mod 12)
    assert notices.text.count('href="/notices/n') == 20 and f"共 {len(range(0, ROWS, 12))} 条" in notices.text
    running = page.text.count('href="/notices/n')
    assert running == 10, "the home page lists the first running notices, not all of them"


def test_construction_list_endpoints_answer_one_bounded_page_with_the_total(site):
    sup = site.as_("sup")
    for path, total in (("/api/projects", ROWS), ("/api/communities", ROWS)):
        first = site.client.get(path, headers=sup)
        assert first.status_code == 200, first.text
        assert len(first.json()) == 20 and int(first.headers["X-Total-Count"]) == total
        assert len(site.client.get(f"{path}?size={MAX_PAGE_SIZE}", headers=sup).json()) == MAX_PAGE_SIZE
        assert site.client.get(f"{path}?size=10000", headers=sup).status_code == 422
    overdue = site.client.get("/api/rectifications/overdue", headers=sup).json()
    assert overdue["count"] == len(range(0, ROWS, 7)) and len(overdue["orders"]) == 20
    stopped = site.client.get("/api/projects?state=stopped&district=沈河区&size=100", headers=sup)
    # stopped: i ≡ 1 (mod 10); 沈河区: i ≡ 1 (mod 4) → i ≡ 1 (mod 20)
    assert int(stopped.headers["X-Total-Count"]) == len(range(1, ROWS, 20))
    assert all(p["stops_in_force"] == 1 for p in stopped.json())
    urgent = site.client.get("/api/projects?sort=-attention&size=5", headers=sup).json()
    assert all(p["stops_in_force"] == 1 for p in urgent)


def test_construction_pages_stay_short_and_query_a_bounded_number_of_times(site):
    with Statements(site.service.engine) as statements:
        home = site.client.get("/", headers=site.as_("sup") | PAGE)
    assert home.status_code == 200
    assert len(re.findall(r"data-project-id=", home.text)) == 20
    assert len(re.findall(r"data-community-id=", home.text)) == 10
    assert len(home.content) < 80_000 and statements.count < 30
    pick = site.client.get("/inspect?q=幸福里0000", headers=site.as_("insp") | PAGE)
    # 00000…00009 match; 00000 is completed, so nine projects to inspect.
    assert pick.status_code == 200 and pick.text.count('/inspect"') == 9 and "共 9 条" in pick.text


def test_a_busy_project_answers_its_records_one_page_at_a_time(site):
    sup = site.as_("sup")
    for path in ("/api/projects/p00003/inspections", "/api/projects/p00003/refusals"):
        first = site.client.get(path, headers=sup)
        assert first.status_code == 200, first.text
        assert len(first.json()) == 20 and first.headers["X-Total-Count"] == str(ROWS)
    newest = site.client.get("/api/projects/p00003/inspections?size=1", headers=sup).json()
    assert newest[0]["inspection_id"] == f"v{ROWS - 1:05d}"
    orders = site.client.get("/api/projects/p00007/rectifications", headers=sup)
    assert orders.headers["X-Total-Count"] == "1" and len(orders.json()) == 1


def test_a_large_community_answers_its_households_one_page_at_a_time_in_natural_order(intake):
    path = "/api/communities/c00000/households"
    first = intake.client.get(f"{path}?size=100", headers=intake.headers["community"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["total"] == ROWS and first.headers["X-Total-Count"] == str(ROWS) and len(body["households"]) == 100
    assert [h["household_id"] for h in body["households"][:2]] == ["1-1-101", "1-1-102"]
    last = intake.client.get(f"{path}?size=100&page=100", headers=intake.headers["community"]).json()["households"]
    assert last[-1]["household_id"] == "20-5-200"  # "20" after "9": natural order
    agreed = intake.client.get(f"{path}?state=agree&q=9-1-", headers=intake.headers["community"]).json()
    # "9-1-" is found in buildings 9 and 19
    assert agreed["total"] == len([r for b in (9, 19) for r in range(101, 201) if (b + 1 + r) % 3 == 0])
    assert {h["consent"] for h in agreed["households"]} == {"agree"}
    page = intake.client.get("/communities/c00000/households?state=unanswered",
                             headers=intake.headers["community"] | PAGE)
    assert page.status_code == 200 and len(page.content) < 80_000
    assert len(re.findall(r"<tr><td>\d+-\d+-\d+</td>", page.text)) == 20
    agreeing = [1 for b in range(1, 21) for u in range(1, 6) for r in range(101, 201) if (b + u + r) % 3 == 0]
    assert f"共 {ROWS - len(agreeing)} 条" in page.text
