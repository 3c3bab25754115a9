"""The demo's project under construction: parties, contract, order of works, hidden works with real
photos, an inspection with defects and a rectification, a design change — over HTTP."""

from __future__ import annotations

import io
import mimetypes
import random
from pathlib import Path

from PIL import Image, ImageDraw

from shared.actor import Role
from shared.cli.user import demo_username
from shared.demo.session import DemoSession, DemoStepFailed

# Real camera files (EXIF time and GPS) kept beside the repository; used only when present.
PHOTOS = ("DSCN0010.jpg", "DSCN0012.jpg", "DSCN0021.jpg")


def photo_dir() -> Path | None:
    """The folder of real sample photos (`../shared/testdata/photos`), or None without it."""
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        folder = base.parent / "shared" / "testdata" / "photos"
        if all((folder / name).is_file() for name in PHOTOS):
            return folder
    return None


def wait_for_project(demo: DemoSession, project_id: str) -> dict:
    """Construction opens the project when intake's approval reaches it (over the broker)."""
    def probe():
        answer = demo.clients["construction"].get(f"/api/projects/{project_id}",
                                                  headers=demo.headers(Role.OFFICIAL))
        return answer.json() if answer.status_code == 200 else None
    return demo.wait_for(f"施工监管收到项目 {project_id} 的批准", probe)


def set_up(demo: DemoSession, project_id: str) -> None:
    """The official names the parties and their accounts, then records the contract."""
    accounts = {"contractor": [demo_username(Role.CONTRACTOR)],
                "supervision_engineer": [demo_username(Role.SUPERVISION_ENGINEER)],
                "inspector": [demo_username(Role.INSPECTOR)]}
    demo.call(Role.OFFICIAL, "PUT", "construction", f"/api/projects/{project_id}/parties", expect=204, json={
        "contractor": "【演示】沈阳建工集团", "supervision_unit": "【演示】华信监理",
        "designer": "【演示】市建筑设计院",
        "pipeline_units": ["【演示】自来水公司"], "accounts": accounts})
    demo.call(Role.OFFICIAL, "POST", "construction", f"/api/projects/{project_id}/contract", expect=204, json={
        "contract_no": f"演示-HT-{project_id[:8]}", "amount_fen": 190_000_000,
        "signed_on": demo.today().isoformat()})
    # No work starts before the site passes its pre-start safety check.
    demo.call(Role.INSPECTOR, "POST", "construction", f"/api/projects/{project_id}/inspections", expect=201,
              json={"zone": "site", "kind": "start_check", "items": _checklist(demo)})


def _checklist(demo: DemoSession, failing: dict[str, tuple[str, str]] | None = None) -> list[dict]:
    failing = failing or {}
    items = demo.call(Role.INSPECTOR, "GET", "construction", "/api/checklist")["items"]
    return [{"code": i["code"], "result": "fail", "severity": failing[i["code"]][0], "notes": failing[i["code"]][1]}
            if i["code"] in failing else {"code": i["code"], "result": "pass"} for i in items]


def start_underground_first(demo: DemoSession, project: dict) -> dict:
    """Start the underground item; an above-ground start is refused first, to show the order of works."""
    items = project["items"]
    underground = next(i for i in items if i.get("kind") == "rain_sewage_separation")
    roof = next((i for i in items if i.get("kind") == "roof_waterproofing"), None)
    pid = project["project_id"]
    if roof is not None:
        refused = demo.clients["construction"].post(f"/api/projects/{pid}/items/{roof['item_id']}/start",
                                                    headers=demo.headers(Role.CONTRACTOR))
        demo.say(f"  先地下后地上：屋面防水开工被拒（{refused.status_code}），拒绝已记录为事件")
    demo.call(Role.CONTRACTOR, "POST", "construction", f"/api/projects/{pid}/items/{underground['item_id']}/start",
              expect=204)
    return underground


def demo_picture(seed: int) -> bytes:
    """A drawn placeholder picture marked DEMO (no EXIF, so the pipeline flags it): for a second project."""
    pick = random.Random(seed)
    picture = Image.new("RGB", (640, 480))
    draw = ImageDraw.Draw(picture)
    for x in range(0, 640, 80):
        for y in range(0, 480, 80):
            draw.rectangle((x, y, x + 79, y + 79), fill=tuple(pick.randrange(256) for _ in range(3)))
    draw.text((20, 20), f"DEMO PICTURE {seed}", fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


def hidden_work(demo: DemoSession, project_id: str, item: dict, *, drawn: int = 0) -> bool:
    """Declare the buried pipe, upload photos, the engineer accepts, then conceal; False without photos.

    The real sample photos are used once (a second project offering them would rightly be
    suspected of reuse); `drawn` > 0 uploads that many drawn DEMO pictures instead.
    """
    work = demo.call(Role.CONTRACTOR, "POST", "construction", f"/api/projects/{project_id}/hidden-works",
                     expect=201, json={"item_id": item["item_id"], "location": "【演示】1 号楼北侧雨水管",
                                       "kind": "buried_pipe"})["id"]
    folder = photo_dir()
    if drawn:
        files = [("files", (f"demo-{n}.jpg", demo_picture(n), "image/jpeg")) for n in range(1, drawn + 1)]
    elif folder is None:
        demo.say("  未找到 ../shared/testdata/photos：隐蔽工程停在“已申报”，没有照片")
        return False
    else:
        files = [("files", (name, (folder / name).read_bytes(), mimetypes.guess_type(name)[0] or "image/jpeg"))
                 for name in PHOTOS]
    demo.call(Role.CONTRACTOR, "POST", "construction", f"/api/hidden-works/{work}/evidence", expect=201, files=files)
    # Sample photos were taken elsewhere, years ago: the flags are reviewed in the note.
    demo.call(Role.SUPERVISION_ENGINEER, "POST", "construction", f"/api/hidden-works/{work}/accept", expect=204,
              json={"note": "【演示】管道坡度、接口合格；照片为公开样例或演示示意图，警示标记已逐一核查"})
    demo.call(Role.CONTRACTOR, "POST", "construction", f"/api/hidden-works/{work}/conceal", expect=204)
    return True


def inspect(demo: DemoSession, project_id: str) -> list[dict]:
    """A routine inspection finding a minor and a major defect: two rectification orders."""
    items = _checklist(demo, {"dust_noise.cover": ("minor", "【演示】土方未覆盖"),
                              "temporary_power.cables": ("major", "【演示】电缆拖地")})
    demo.call(Role.INSPECTOR, "POST", "construction", f"/api/projects/{project_id}/inspections", expect=201,
              json={"zone": "site", "kind": "routine", "items": items})
    return demo.call(Role.CONTRACTOR, "GET", "construction", f"/api/projects/{project_id}/rectifications")


def rectify(demo: DemoSession, orders: list[dict]) -> None:
    """The contractor reports the minor fix with a photo; the inspector verifies it."""
    folder = photo_dir()
    minor = next((o for o in orders if o["severity"] == "minor"), None)
    if folder is None or minor is None:
        return
    photo = [("files", ("Canon_40D.jpg", (folder / "Canon_40D.jpg").read_bytes(), "image/jpeg"))]
    demo.call(Role.CONTRACTOR, "POST", "construction", f"/api/rectifications/{minor['order_id']}/submissions",
              expect=204, data={"note": "【演示】已用防尘网覆盖"}, files=photo)
    demo.call(Role.INSPECTOR, "POST", "construction", f"/api/rectifications/{minor['order_id']}/verify",
              expect=204, json={"note": "【演示】复查合格"})


def design_change(demo: DemoSession, project_id: str) -> None:
    """A major design change: approved by the official, then noticed in the community by intake."""
    change = demo.call(Role.CONTRACTOR, "POST", "construction", f"/api/projects/{project_id}/design-changes",
                       expect=201, json={"title": "【演示】雨水管改线", "cost_delta_fen": 6_000_000,
                                         "reason": "【演示】原线位与古树根系冲突，改走东侧"})["id"]
    try:
        demo.call(Role.OFFICIAL, "POST", "construction", f"/api/design-changes/{change}/approve", expect=204, json={})
    except DemoStepFailed as refused:
        demo.say(f"  设计变更未批准：{refused}")
