"""Loads the demo once into a running embedded stack: every stage of a project, over HTTP.

Nothing is written to a database directly: each step is a real command of a service, sent
as the demo account of the role that would do it. Where a stage needs time to pass (a
14-working-day notice), the demo moves its clock, which only exists in demo mode.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from shared.actor import Role
from shared.demo import construction_steps as works
from shared.demo import intake_steps as intake
from shared.demo import later_steps as later
from shared.demo.session import DemoSession, DemoStepFailed

MARKER = "demo-loaded.json"


def load_demo(urls: dict[str, str], var_dir: Path, *, say: Callable[[str], None] = print) -> dict:
    """Record the demo (once per data folder); answers the ids of what it recorded."""
    marker = Path(var_dir) / MARKER
    if marker.exists():
        say("演示数据已在本数据目录中，不再重复载入（删除 var/ 可重新开始）")
        return json.loads(marker.read_text(encoding="utf-8"))
    demo = DemoSession(urls, var_dir, say=say)
    try:
        recorded = _record(demo)
    finally:
        demo.close()
    marker.write_text(json.dumps(recorded, ensure_ascii=False, indent=2), encoding="utf-8")
    say("演示数据已载入 (demo data loaded)：项目受理首页可见各阶段的小区，施工监管首页可见在建项目")
    return recorded


def _record(demo: DemoSession) -> dict:
    surveyed = demo.today() - timedelta(days=30)
    names = ["幸福里小区", "锦绣里小区", "光明里小区", "和平新村", "春晖苑", "东风里小区"]
    communities = [intake.Community(n, intake.registration(n, surveyed_on=surveyed, offset=i,
                                                           fee="35%" if i == 5 else "62%"))
                   for i, n in enumerate(names)]
    approved, finished, voting, on_notice, _, _ = communities
    _decide(demo, communities)
    demo.say("3/5 施工监管：参建单位、合同、先地下后地上、隐蔽工程、巡查、整改、设计变更…")
    project = works.wait_for_project(demo, approved.project_id)
    works.set_up(demo, approved.project_id)
    item = works.start_underground_first(demo, project)
    works.hidden_work(demo, approved.project_id, item)
    works.rectify(demo, works.inspect(demo, approved.project_id))
    works.design_change(demo, approved.project_id)
    demo.say("4/5 投诉处理：热线受理一件工地安全投诉，签收并派给施工单位…")
    later.safety_complaint(demo, approved.community_id)
    demo.say("5/5 竣工验收：另一个项目全部完工并申报，召集联合验收…")
    if later.build_and_complete(demo, finished.project_id):
        later.convene_acceptance(demo, finished.project_id)
    return {"communities": {c.name: c.community_id for c in communities},
            "projects": {"under_construction": approved.project_id, "in_acceptance": finished.project_id,
                         "voting": voting.project_id, "on_notice": on_notice.project_id},
            "demo_today": demo.today().isoformat()}


def _decide(demo: DemoSession, communities: list[intake.Community]) -> None:
    """Intake's stages: each community stops at its own (not eligible ... approved twice)."""
    approved, finished, voting, on_notice, _, _ = communities
    demo.say("1/5 登记小区、入户调查、征求业主意见、资格评估…")
    for community, agree in zip(communities, (24, 23, 20, 18, 17, 12), strict=True):
        intake.register(demo, community, agree=agree)
    demo.say("2/5 申报项目、编制方案、公示 14 个工作日、异议与答复、投票、联合审查、批准入库…")
    for community in (approved, finished, voting):
        intake.declare_and_notice(demo, community)
    intake.object_and_answer(demo, approved)
    _let_notices_end(demo, approved, finished, voting)
    for community in (approved, finished):
        intake.open_vote(demo, community, ballots=22)
        intake.approve(demo, community)
    intake.open_vote(demo, voting, ballots=9)
    intake.declare_and_notice(demo, on_notice)
    # The demo resident speaks for a flat in each: a ballot to cast, a notice to object to.
    intake.link_resident(demo, voting, "1-1-601")
    intake.link_resident(demo, on_notice, "1-1-601")


def _let_notices_end(demo: DemoSession, *communities: intake.Community) -> None:
    for community in communities:
        notice = demo.call(Role.OFFICIAL, "GET", "intake", f"/api/notices/{community.notice_id}")
        if notice.get("end_provisional"):
            raise DemoStepFailed(f"公示截止日 {notice['end']} 是暂定的：请先载入 {notice['end'][:4]} 年的工作日历"
                                 "（renovation calendar load），演示才能继续到投票和批准")
    end = max(c.notice_end for c in communities)
    demo.advance(intake.days_until_after(end, demo.today()))
    demo.wait_for("公示期满（项目受理的公示时钟）",
                  lambda: all(intake.notice_ended(demo, c) for c in communities), timeout=90)


def load_in_background(urls: dict[str, str], var_dir: Path, *, say: Callable[[str], None]):
    """Load the demo in a thread while the launcher keeps watching the services; a refusal is told, not fatal."""
    import threading

    def run() -> None:
        try:
            load_demo(urls, var_dir, say=say)
        except Exception as error:  # noqa: BLE001 - the stack stays up; the user is told why
            say(f"[red]演示数据未能全部载入：{error}[/red]")

    thread = threading.Thread(target=run, name="demo-loader", daemon=True)
    thread.start()
    return thread
