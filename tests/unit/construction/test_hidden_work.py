"""Hidden works: nothing is covered before the supervision engineer accepted it on enough photos."""

from __future__ import annotations

import pytest

from services.construction.domain.evidence import Flag, FlagReason
from services.construction.domain.hidden_work import HiddenWork, HiddenWorkState
from shared.errors import RecordedRefusal
from shared.errors import InvalidCommand

from .given import evidence, given, reuse_flag, then

IDS = {"hidden_work_id": "hw1", "project_id": "p1"}
DECLARED = HiddenWork.Declared(**IDS, item_id="pipes", zone="1号楼", location="1号楼北侧雨水管", kind="buried_pipe")


def attached(*items):
    return [HiddenWork.EvidenceAttached(**IDS, evidence=e) for e in items]


def test_concealment_before_acceptance_is_refused_and_the_refusal_recorded():
    work = given(HiddenWork, DECLARED, *attached(evidence(1)))
    with pytest.raises(RecordedRefusal, match="尚未经监理工程师验收") as refused:
        work.conceal()
    assert refused.value.code == "concealment_refused"
    assert then(work) == [HiddenWork.ConcealmentRefused(**IDS, state="declared", reason=refused.value.message)]
    assert work.state == HiddenWorkState.DECLARED


def test_acceptance_needs_the_configured_number_of_photos():
    work = given(HiddenWork, DECLARED, *attached(evidence(1), evidence(2), evidence(3, media_type="video/mp4")))
    with pytest.raises(InvalidCommand, match="至少需要 3 张") as refused:
        work.accept(min_photos=3)
    assert refused.value.details == {"required": 3, "counted": 2}
    assert then(work) == []


def test_a_suspected_reuse_does_not_count_and_flags_need_a_review_note():
    photos = [evidence(1), evidence(2), evidence(3, flags=(reuse_flag(),))]
    work = given(HiddenWork, DECLARED, *attached(*photos))
    with pytest.raises(InvalidCommand, match="疑似重复使用的照片不计"):
        work.accept(min_photos=3)
    work = given(HiddenWork, DECLARED, *attached(*photos, evidence(4)))
    with pytest.raises(InvalidCommand, match="警示标记"):
        work.accept(min_photos=3)
    work.accept(min_photos=3, note="第3张系他处照片，已要求补拍；其余现场核实无误")
    [accepted] = then(work)
    assert accepted.photo_count == 3 and photos[2].sha256 not in accepted.evidence


def test_accepted_work_may_be_concealed_and_then_takes_no_more_photos():
    flagless = [evidence(n) for n in (1, 2, 3)]
    work = given(HiddenWork, DECLARED, *attached(*flagless))
    work.accept(min_photos=3)
    work.conceal()
    assert [e.event_type for e in then(work)] == ["construction.HiddenWorkAccepted", "construction.HiddenWorkConcealed"]
    with pytest.raises(InvalidCommand, match="已隐蔽"):
        work.attach(evidence(9))


def test_a_stopped_zone_refuses_concealment_even_when_accepted():
    work = given(HiddenWork, DECLARED, *attached(*(evidence(n) for n in (1, 2, 3))),
                 HiddenWork.Accepted(**IDS, photo_count=3, evidence=()))
    with pytest.raises(RecordedRefusal, match="停工"):
        work.conceal(stopped_zone="1号楼")
    assert then(work)[0].event_type == "construction.ConcealmentRefused"


def test_rejected_work_gets_more_photos_and_can_then_be_accepted():
    work = given(HiddenWork, DECLARED, *attached(evidence(1)), HiddenWork.Rejected(**IDS, reason="照片看不清管道接口"))
    assert work.attach(evidence(2)) and work.attach(evidence(3))
    assert not work.attach(evidence(3)), "the same file twice is one attachment"
    work.accept(min_photos=3)
    assert then(work)[-1].event_type == "construction.HiddenWorkAccepted"


def test_declaring_needs_a_location_and_a_known_kind():
    with pytest.raises(InvalidCommand, match="部位"):
        HiddenWork.declare(hidden_work_id="h", project_id="p", item_id=None, zone="site", location=" ", kind="drainage")
    with pytest.raises(InvalidCommand, match="类别"):
        HiddenWork.declare(hidden_work_id="h", project_id="p", item_id=None, zone="site", location="x", kind="magic")


def test_an_evidence_flag_is_carried_in_the_event_never_bytes():
    flag = Flag(reason=FlagReason.NO_CAPTURE_TIME, detail="文件中没有拍摄时间")
    work = given(HiddenWork, DECLARED)
    work.attach(evidence(5, flags=(flag,)))
    payload = then(work)[0].model_dump(mode="json")["evidence"]
    assert set(payload) >= {"sha256", "key", "size", "media_type", "captured_at", "latitude", "longitude", "flags"}
    assert payload["flags"][0]["reason"] == "no_capture_time"
