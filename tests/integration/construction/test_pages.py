"""The phone pages: what each role sees, the checklist with camera photos, refusals shown in place."""

from __future__ import annotations

from services.construction.domain.checklist import ITEMS
from tests.unit.construction.photos import jpeg, real

from .conftest import TAKEN

HTML = {"accept": "text/html"}


def page(site, user: str | None, path: str):
    headers = {**HTML, **(site.as_(user) if user else {})}
    return site.client.get(path, headers=headers, follow_redirects=False)


def answers(**overrides) -> dict:
    form = {f"result.{item.code}": "pass" for item in ITEMS}
    form.update({"zone": "site", "kind": "routine", **overrides})
    return form


def test_every_role_sees_the_project_in_chinese_and_only_viewers_see_photos(site):
    site.ready()
    hid = site.declare()
    site.photos(hid, 1)
    for user in ("off", "con", "eng", "insp", "sup", "res", None):
        response = page(site, user, "/projects/p1")
        assert response.status_code == 200 and 'lang="zh-CN"' in response.text, user
        assert "隐蔽工程" in response.text and "北侧雨水管" in response.text
    assert "/evidence/objects/sha256/" in page(site, "sup", f"/hidden-works/{hid}").text
    assert "/evidence/objects/" not in page(site, "res", f"/hidden-works/{hid}").text
    assert "无权查看" in page(site, "res", f"/hidden-works/{hid}").text
    assert page(site, None, "/").status_code == 200
    assert "Hidden works" in site.client.get("/projects/p1?lang=en", headers=HTML).text


def test_the_inspector_picks_a_project_and_the_checklist_asks_for_the_camera(site):
    site.ready()
    assert "幸福里小区p1" in page(site, "insp", "/inspect").text
    form = page(site, "insp", "/projects/p1/inspect")
    assert form.status_code == 200
    assert form.text.count('capture="environment"') == len(ITEMS) and 'enctype="multipart/form-data"' in form.text
    assert page(site, None, "/projects/p1/inspect").headers["location"].startswith("/login")
    assert page(site, "res", "/projects/p1/inspect").status_code == 403


def test_the_checklist_form_records_the_inspection_with_its_photos(site):
    site.ready()
    data = answers(**{"result.scaffolding.base": "fail", "severity.scaffolding.base": "major",
                      "notes.scaffolding.base": "扫地杆缺失"})
    files = [("photo.scaffolding.base", ("a.jpg", jpeg(70, taken=TAKEN), "image/jpeg")),
             ("photo.fire_safety.extinguishers", ("b.jpg", jpeg(71, taken=TAKEN), "image/jpeg"))]
    response = site.client.post("/projects/p1/inspect", data=data, files=files,
                                headers={**HTML, **site.as_("insp")}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/projects/p1?done=inspection"
    assert len(site.events("construction.InspectionEvidenceAttached")) == 2
    project = page(site, "insp", "/projects/p1").text
    assert "扫地杆缺失" in project and "待整改" in project


def test_a_bad_photo_in_the_checklist_refuses_the_form_and_keeps_nothing(site):
    site.ready()
    before = site.events("construction.InspectionRecorded")  # the check before the start
    files = [("photo.scaffolding.base", ("corrupted.jpg", real("corrupted.jpg"), "image/jpeg"))]
    response = site.client.post("/projects/p1/inspect", data=answers(), files=files,
                                headers={**HTML, **site.as_("insp")}, follow_redirects=False)
    assert response.status_code == 422 and "corrupted.jpg" in response.text and "checked" in response.text
    assert site.events("construction.InspectionRecorded") == before
    incomplete = site.client.post("/projects/p1/inspect", data={"zone": "site"}, headers={**HTML, **site.as_("insp")})
    assert incomplete.status_code == 422 and "检查表未填完" in incomplete.text


def test_hidden_work_actions_from_the_page_show_refusals_in_place(site):
    site.ready()
    hid = site.declare()
    con = {**HTML, **site.as_("con")}
    refused = site.client.post(f"/hidden-works/{hid}/conceal", headers=con)
    assert refused.status_code == 200 and "尚未经监理工程师验收" in refused.text
    files = [("files", (f"p{n}.jpg", jpeg(n, taken=TAKEN), "image/jpeg")) for n in (80, 81, 82)]
    assert "已保存" in site.client.post(f"/hidden-works/{hid}/evidence", files=files, headers=con).text
    accepted = site.client.post(f"/hidden-works/{hid}/accept", data={"note": ""}, headers={**HTML, **site.as_("eng")})
    assert accepted.status_code == 200 and 'data-state="accepted"' in accepted.text
    assert 'data-state="concealed"' in site.client.post(f"/hidden-works/{hid}/conceal", headers=con).text


def test_a_rectification_is_submitted_and_verified_from_its_page(site):
    site.ready()
    data = answers(**{"result.materials.certified": "fail", "severity.materials.certified": "minor",
                      "notes.materials.certified": "钢管无合格证"})
    site.client.post("/projects/p1/inspect", data=data, headers={**HTML, **site.as_("insp")})
    [order] = site.client.get("/api/projects/p1/rectifications", headers=site.as_("con")).json()
    url = f"/rectifications/{order['order_id']}"
    assert "钢管无合格证" in page(site, "con", url).text
    files = [("files", ("fix.jpg", jpeg(90, taken=TAKEN), "image/jpeg"))]
    submitted = site.client.post(f"{url}/submit", data={"note": "已退场并补合格证"}, files=files,
                                 headers={**HTML, **site.as_("con")})
    assert 'data-status="submitted"' in submitted.text
    verified = site.client.post(f"{url}/verify", data={"note": "合格"}, headers={**HTML, **site.as_("insp")})
    assert 'data-status="verified"' in verified.text
