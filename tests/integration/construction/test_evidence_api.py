"""Evidence through the API: real and generated photos, flags, refusals that leave nothing behind."""

from __future__ import annotations

import threading
from datetime import datetime

import httpx
import pytest

from shared.objectstore import S3Store
from tests.unit.construction.photos import jpeg, mp4, real, resized

from .conftest import TAKEN, s3_settings, start


def stored_files(site) -> list:
    root = site.tmp / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def flags_of(evidence: dict) -> set[str]:
    return {flag["reason"] for flag in evidence["flags"]}


def test_a_gps_photo_from_elsewhere_is_kept_and_flagged_never_silently_accepted(site):
    site.ready()
    hid = site.declare()
    response = site.upload(hid, ("DSCN0010.jpg", real("DSCN0010.jpg"), "image/jpeg"))
    assert response.status_code == 201, response.text
    [evidence] = response.json()
    assert evidence["latitude"] == pytest.approx(43.4674, abs=1e-3)
    assert evidence["captured_at"].startswith("2008-10-22T16:28:39")
    assert flags_of(evidence) == {"capture_time_far", "outside_geofence"}
    # the event carries the facts and flags, never bytes
    [event] = site.events("construction.HiddenWorkEvidenceAttached")
    assert event.payload["evidence"]["sha256"] == evidence["sha256"] and "data" not in event.payload["evidence"]
    digest = evidence["sha256"]
    assert event.payload["evidence"]["key"] == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    assert site.metric('renovation_construction_evidence_flags_total{reason="outside_geofence"}') == 1


def test_a_heic_is_accepted_with_its_exif(site):
    site.ready()
    hid = site.declare()
    response = site.upload(hid, ("IMG_5195.HEIC", real("IMG_5195.HEIC"), "image/heic"))
    assert response.status_code == 201, response.text
    [evidence] = response.json()
    assert evidence["media_type"] == "image/heic" and evidence["longitude"] == pytest.approx(-94.2888, abs=1e-3)


def test_a_corrupted_or_renamed_file_is_refused_with_a_reason_and_nothing_is_kept(site):
    site.ready()
    hid = site.declare()
    before = site.service.status()["log_position"]
    corrupted = site.upload(hid, ("ok.jpg", jpeg(1, taken=TAKEN), "image/jpeg"),
                            ("corrupted.jpg", real("corrupted.jpg"), "image/jpeg"))
    assert corrupted.status_code == 422 and "corrupted.jpg" in corrupted.json()["detail"]
    renamed = site.upload(hid, ("photo.jpg", (real("../photos/SOURCE.md")), "image/jpeg"))
    assert renamed.status_code == 422 and renamed.json()["error"] == "evidence_unsupported"
    mislabelled = site.upload(hid, ("photo.png", real("DSCN0012.jpg"), "image/png"))
    assert mislabelled.json()["error"] == "evidence_mislabelled"
    assert stored_files(site) == [], "a refused upload leaves no object behind"
    assert site.service.status()["log_position"] == before, "and records nothing"
    assert site.metric("renovation_construction_evidence_uploads_total") == 0


def test_the_size_limit_is_a_setting(tmp_path, sqlite_url):
    small = start(tmp_path, sqlite_url)
    small.ctx.settings.max_upload_bytes = 50_000
    small.ready()
    response = small.upload(small.declare(), ("big.jpg", real("DSCN0010.jpg"), "image/jpeg"))
    assert response.status_code == 413 and "上限" in response.json()["detail"]
    assert stored_files(small) == []


def test_a_resized_copy_offered_for_another_project_is_suspected_reuse_naming_both(site):
    site.ready("p1")
    site.ready("p2")
    first, second = site.declare("p1", location="1号楼北侧"), site.declare("p2", location="5号楼南侧")
    original = jpeg(42, taken=TAKEN)
    [kept] = site.upload(first, ("site.jpg", original, "image/jpeg")).json()
    assert "suspected_reuse" not in flags_of(kept)
    [copy] = site.upload(second, ("wechat.jpg", resized(original, 0.5), "image/jpeg")).json()
    [reuse] = [f for f in copy["flags"] if f["reason"] == "suspected_reuse"]
    assert reuse["other_sha256"] == kept["sha256"] and reuse["other"]["id"] == first
    assert reuse["other"]["project_id"] == "p1" and "1号楼北侧" in reuse["detail"] and "其他项目" in reuse["detail"]
    # the first project learns of it too
    elsewhere = site.client.get("/api/projects/p1/evidence", headers=site.as_("sup")).json()["reused_elsewhere"]
    assert [(f["sha256"], f["other_sha256"], f["subject_id"]) for f in elsewhere] == [
        (copy["sha256"], kept["sha256"], second)]


def test_far_from_the_site_or_without_exif_is_flagged(site):
    site.ready()
    hid = site.declare()
    away, bare = jpeg(5, taken=TAKEN, at=(41.83, 123.43)), jpeg(6, at=None)
    far, plain = site.upload(hid, ("far.jpg", away, "image/jpeg"), ("bare.jpg", bare, "image/jpeg")).json()
    assert flags_of(far) == {"outside_geofence"}
    assert flags_of(plain) == {"no_capture_time", "no_position"}
    [near] = site.upload(hid, ("near.jpg", jpeg(7, taken=TAKEN), "image/jpeg")).json()
    assert near["flags"] == []


def test_an_mp4_is_accepted_as_evidence(site):
    site.ready()
    video = mp4(creation_time="2026-11-20T03:00:00.000000Z", location="+41.7900+123.4300/")
    [evidence] = site.upload(site.declare(), ("clip.mp4", video, "video/mp4")).json()
    assert evidence["media_type"] == "video/mp4" and evidence["flags"] == []


def test_viewing_is_for_authorised_roles_through_short_lived_urls(site):
    site.ready()
    [evidence] = site.photos(site.declare(), 8)
    assert site.client.get(f"/api/evidence/{evidence['sha256']}/url", headers=site.as_("res")).status_code == 403
    assert site.client.get(f"/api/evidence/{evidence['sha256']}/url").status_code == 401
    view = site.client.get(f"/api/evidence/{evidence['sha256']}/url", headers=site.as_("sup")).json()
    assert view["expires_in"] == 300
    image = site.client.get(view["url"])
    assert image.status_code == 200 and image.content == jpeg(8, taken=TAKEN)


def test_the_same_flow_keeps_evidence_in_s3_write_once(tmp_path, sqlite_url, moto_server):
    store = S3Store(s3_settings(moto_server))
    running = start(tmp_path, sqlite_url, store=store)
    running.ready()
    [evidence] = running.photos(running.declare(), 9)
    assert store.get(evidence["key"]) == jpeg(9, taken=TAKEN)
    view = running.client.get(f"/api/evidence/{evidence['sha256']}/url", headers=running.as_("eng")).json()
    assert view["url"].startswith(f"http://{moto_server}/") and "X-Amz-Signature" in view["url"]
    assert httpx.get(view["url"]).content == jpeg(9, taken=TAKEN)
    assert not (tmp_path / "evidence").exists() or not any((tmp_path / "evidence").rglob("*.*"))


def test_in_s3_a_refused_request_leaves_no_object_though_its_good_file_was_already_streaming(
        tmp_path, sqlite_url, moto_server):
    store = S3Store(s3_settings(moto_server))
    running = start(tmp_path, sqlite_url, store=store)
    running.ready()
    hid = running.declare()
    refused = running.upload(hid, ("ok.jpg", jpeg(1, taken=TAKEN), "image/jpeg"),
                             ("corrupted.jpg", real("corrupted.jpg"), "image/jpeg"))
    assert refused.status_code == 422 and "corrupted.jpg" in refused.json()["detail"]
    for thread in threading.enumerate():
        if thread.name == "evidence-put":
            thread.join()
    assert list(store.client.list_objects(store.bucket, recursive=True)) == []
    [kept] = running.photos(hid, 1)  # the same good file alone is kept
    assert store.get(kept["key"]) == jpeg(1, taken=TAKEN)


def test_the_same_file_twice_is_one_attachment(site):
    site.ready()
    hid = site.declare()
    site.photos(hid, 3)
    again = site.photos(hid, 3)
    assert len(again) == 1
    assert len(site.events("construction.HiddenWorkEvidenceAttached")) == 1


def test_timezone_of_the_camera_is_china_unless_exif_says_otherwise(site):
    site.ready()
    [evidence] = site.upload(site.declare(), ("t.jpg", jpeg(11, taken=datetime(2026, 11, 20, 11, 0)),
                                              "image/jpeg")).json()
    assert evidence["captured_at"] == "2026-11-20T11:00:00+08:00"


def test_a_phone_writing_only_datetime_gets_its_time_kept_with_the_tag_and_a_flag(site):
    from tests.unit.test_evidence_probe import photo

    site.ready()
    data = photo(ifd0={0x0132: "2026:11:20 11:00:00"}, gps={1: "N", 2: (41.0, 47.0, 24.0), 3: "E",
                                                           4: (123.0, 25.0, 48.0)})
    response = site.upload(site.declare(), ("only-datetime.jpg", data, "image/jpeg"))
    assert response.status_code == 201, response.text
    [evidence] = response.json()
    assert evidence["captured_at"] == "2026-11-20T11:00:00+08:00"
    assert flags_of(evidence) == {"capture_time_weak"}
    [event] = site.events("construction.HiddenWorkEvidenceAttached")
    assert event.payload["evidence"]["captured_from"] == "DateTime"
