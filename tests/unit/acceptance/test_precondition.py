"""What must hold before the acceptance is convened: each gap named, nothing when all holds."""

from __future__ import annotations

from services.acceptance.domain.precondition import FileView, HiddenWorkView, missing


def test_every_gap_is_named_and_a_complete_file_has_none():
    file = FileView(project_id="p1", hidden_works=[
        HiddenWorkView("hw1", "北侧雨水管", "declared", 3), HiddenWorkView("hw2", "南侧电缆", "concealed", 0),
        HiddenWorkView("hw3", "屋面防水层", "concealed", 4)],
        open_orders=[("d1", "脚手架未设防护网")], open_complaints=[("k1", "quality")])
    assert [g["text"] for g in missing(file)] == [
        "隐蔽工程“北侧雨水管”未验收并隐蔽（待验收）", "隐蔽工程“南侧电缆”没有影像资料",
        "整改单“脚手架未设防护网”未销项", "质量投诉 k1 尚未办结", "施工单位尚未申报完工"]
    done = FileView(project_id="p1", completion_declared_on="2026-11-18",
                    hidden_works=[HiddenWorkView("hw3", "屋面防水层", "concealed", 4)])
    assert missing(done) == []
