"""The geofence is the site boundary intake published with the approval, not only a radius."""

from __future__ import annotations

from tests.unit.construction.photos import jpeg
from tests.unit.construction.test_evidence import STRIP

from .conftest import TAKEN, approved_payload


def test_photos_are_checked_against_the_published_site_boundary(site):
    payload = approved_payload("p1")
    payload["location"]["boundary"] = [list(corner) for corner in STRIP]
    site.foreign("intake.ProjectApproved", payload, project_id="p1")
    [opened] = site.events("construction.ProjectOpened")
    assert opened.payload["location"]["boundary"] == [list(corner) for corner in STRIP]
    site.ready()
    hid = site.declare()
    # ~445 m north of the centre, beyond the 300 m radius but inside the strip; ~149 m east, outside it
    inside = jpeg(31, taken=TAKEN, at=(41.7940, 123.43))
    outside = jpeg(32, taken=TAKEN, at=(41.79, 123.4318))
    response = site.upload(hid, ("north.jpg", inside, "image/jpeg"), ("east.jpg", outside, "image/jpeg"))
    assert response.status_code == 201, response.text
    flags = {e["latitude"] > 41.793: [f["reason"] for f in e["flags"]] for e in response.json()}
    assert flags == {True: [], False: ["outside_geofence"]}
