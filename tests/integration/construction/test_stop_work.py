"""A stop-work order holds until the critical order that caused it is verified, or an official lifts it."""

from __future__ import annotations

from tests.unit.construction.photos import jpeg

from .conftest import TAKEN
from .test_flow import checklist


def stop_the_site(site) -> str:
    """A routine inspection finds a critical defect: the site stops; answers the critical order's id."""
    site.ready()
    body = {"zone": "site", "kind": "routine", "items": checklist(fail={"scaffolding.base": "critical"})}
    assert site.client.post("/api/projects/p1/inspections", json=body, headers=site.as_("insp")).status_code == 201
    [order] = site.client.get("/api/projects/p1/rectifications", headers=site.as_("con")).json()
    return order["order_id"]


def test_a_clean_reinspection_does_not_lift_the_stop_while_the_critical_order_is_open(site):
    order_id = stop_the_site(site)
    insp, con = site.as_("insp"), site.as_("con")
    clean = {"zone": "site", "kind": "reinspection", "items": checklist()}
    assert site.client.post("/api/projects/p1/inspections", json=clean, headers=insp).status_code == 201
    assert site.metric("renovation_construction_stop_work_orders") == 1
    refused = site.client.post("/api/projects/p1/items/pipes/start", headers=con)
    assert refused.status_code == 422 and "停工" in refused.json()["detail"]
    [held] = site.events("construction.StopWorkHeld")
    assert held.payload["open_orders"] == [order_id]

    photo = [("files", ("fix.jpg", jpeg(21, taken=TAKEN), "image/jpeg"))]
    assert site.client.post(f"/api/rectifications/{order_id}/submissions", data={"note": "已加垫板"}, files=photo,
                            headers=con).status_code == 204
    assert site.client.post(f"/api/rectifications/{order_id}/verify", json={}, headers=insp).status_code == 204
    assert site.metric("renovation_construction_stop_work_orders") == 0
    [lifted] = site.events("construction.StopWorkLifted")
    assert lifted.payload["inspection_id"] == held.payload["inspection_id"] and order_id in lifted.payload["reason"]
    site.start_check()
    assert site.client.post("/api/projects/p1/items/pipes/start", headers=con).status_code == 204


def test_an_authorised_official_lifts_the_stop_with_a_reason_on_record(site):
    stop_the_site(site)
    path = "/api/projects/p1/stops/site/lifting"
    assert site.client.post(path, json={"reason": "复工"}, headers=site.as_("con")).status_code == 403
    assert site.client.post(path, json={"reason": ""}, headers=site.as_("off")).status_code == 422
    answer = site.client.post(path, json={"reason": "经安全专家现场论证，可恢复施工"}, headers=site.as_("off"))
    assert answer.status_code == 204, answer.text
    [lifted] = site.events("construction.StopWorkLifted")
    assert lifted.payload["authorised"] is True and lifted.payload["reason"] == "经安全专家现场论证，可恢复施工"
    assert lifted.actor.id == "off"
    assert site.metric("renovation_construction_stop_work_orders") == 0
    again = site.client.post(path, json={"reason": "经安全专家现场论证，可恢复施工"}, headers=site.as_("off"))
    assert again.status_code == 422 and again.json()["error"] == "no_stop_work"


def test_an_official_lifts_the_stop_from_the_project_page(site):
    stop_the_site(site)
    page = {"accept": "text/html"}
    shown = site.client.get("/projects/p1", headers=site.as_("off") | page)
    assert "解除停工令" in shown.text and "复核销项" in shown.text
    assert "解除停工令" not in site.client.get("/projects/p1", headers=site.as_("con") | page).text
    refused = site.client.post("/projects/p1/stops/site/lifting", data={"reason": "好"},
                               headers=site.as_("off"), follow_redirects=False)
    assert refused.status_code == 303 and "error=" in refused.headers["location"]
    lifted = site.client.post("/projects/p1/stops/site/lifting", data={"reason": "经专家论证可复工"},
                              headers=site.as_("off"), follow_redirects=False)
    assert lifted.status_code == 303 and "error=" not in lifted.headers["location"]
    assert site.metric("renovation_construction_stop_work_orders") == 0
