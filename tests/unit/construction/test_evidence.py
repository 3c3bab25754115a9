"""Evidence flags and decoding: real camera files and generated ones."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.construction.domain.evidence import (
    EvidenceRefused, FlagReason, Lookalike, Sighting, Site, Subject, distance_m, hamming, phash_bands,
    place_flags, reuse_flags, time_flags)
from shared.evidence.probe import Limits, claimed, probe, sniff

from .photos import SITE, jpeg, mp4, real, resized

CHINA = ZoneInfo("Asia/Shanghai")
LIMITS = Limits(max_pixels=100_000_000, default_zone=CHINA)
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in China
HERE = Site(latitude=SITE[0], longitude=SITE[1], radius_m=300)


def look(data: bytes, name: str = "photo.jpg", content_type: str | None = "image/jpeg", **kw):
    return probe(data, filename=name, content_type=content_type, limits=kw.get("limits", LIMITS))


def test_a_gps_jpeg_gives_its_capture_time_and_position():
    found = look(real("DSCN0010.jpg"))
    assert found.media_type == "image/jpeg" and (found.width, found.height) == (640, 480)
    assert found.sighting.captured_at == datetime(2008, 10, 22, 16, 28, 39, tzinfo=CHINA)
    assert found.sighting.latitude == pytest.approx(43.4674483, abs=1e-6)
    assert found.sighting.longitude == pytest.approx(11.8851267, abs=1e-6)


def test_a_heic_is_decoded_and_its_exif_read():
    found = look(real("IMG_5195.HEIC"), "IMG_5195.HEIC", None)
    assert found.media_type == "image/heic" and (found.width, found.height) == (2566, 3313)
    assert found.sighting.captured_at.utcoffset() == timedelta(hours=-5)  # OffsetTimeOriginal is honoured
    assert found.sighting.latitude == pytest.approx(39.0513, abs=1e-3)
    assert found.sighting.longitude == pytest.approx(-94.2888, abs=1e-3)
    assert found.sighting.position_error_m == pytest.approx(38.8, abs=0.1)
    assert found.phash


def test_a_broken_exif_block_is_a_flag_not_a_refusal():
    found = look(real("image01137.jpg"))
    assert found.sighting.captured_at is None
    assert [f.reason for f in time_flags(found.sighting, uploaded_at=NOW, tolerance=timedelta(hours=48))] == [
        FlagReason.NO_CAPTURE_TIME]


def test_a_corrupted_jpeg_is_refused_with_a_reason():
    with pytest.raises(EvidenceRefused, match="无法作为 JPEG 完整解码") as refused:
        look(real("corrupted.jpg"), "corrupted.jpg")
    assert refused.value.code == "evidence_unreadable"


def test_a_renamed_non_image_is_refused():
    with pytest.raises(EvidenceRefused, match="不是可识别的照片或视频（声明为 JPEG）"):
        look(b"# notes\nnot a photo at all\n" * 20, "site.jpg")


def test_a_mislabelled_file_is_refused_by_content_not_name():
    with pytest.raises(EvidenceRefused, match="声明为 PNG，实际内容是 JPEG") as refused:
        look(real("DSCN0012.jpg"), "photo.png", "image/png")
    assert refused.value.code == "evidence_mislabelled"
    assert look(real("DSCN0012.jpg"), "upload.bin", "application/octet-stream").media_type == "image/jpeg"


def test_a_truncated_jpeg_is_refused():
    data = jpeg(5, taken=datetime(2026, 11, 20, 11))
    with pytest.raises(EvidenceRefused, match="JPEG"):
        look(data[: len(data) * 2 // 3])


def test_a_truncated_heic_is_refused_though_its_decoder_would_fill_in_grey_tiles():
    data = real("IMG_5195.HEIC")
    cut = data[: len(data) * 2 // 3]
    with pytest.raises(EvidenceRefused, match="无法作为 HEIC 完整解码") as refused:
        look(cut, "IMG_5195.HEIC", None)
    assert refused.value.code == "evidence_unreadable"
    # mdat rewritten to "runs to the end of the file": the item locations still point past it
    mdat = cut.index(b"mdat") - 4
    patched = cut[:mdat] + b"\0\0\0\0" + cut[mdat + 4:]
    with pytest.raises(EvidenceRefused, match="图像项"):
        look(patched, "IMG_5195.HEIC", None)


def test_a_heic_with_a_box_appended_is_still_the_same_photo():
    data = real("IMG_5195.HEIC")
    padded = data + (16).to_bytes(4, "big") + b"free" + bytes(8)
    assert look(padded, "IMG_5195.HEIC", None).phash == look(data, "IMG_5195.HEIC", None).phash


def _libheif_phash(data: bytes, **kw):
    import io

    import imagehash
    from PIL import Image

    from shared.evidence.probe import _small

    image = Image.open(io.BytesIO(data))
    image.load()
    return imagehash.phash(_small(image))


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_a_heic_grid_is_decoded_once_and_hashes_as_libheif_sees_it(turns, monkeypatch):
    """The strict HEVC decode's tiles make the picture: libheif decodes nothing, the hash is the same."""
    import imagehash
    from pillow_heif.as_plugin import HeifImageFile

    data = real("IMG_5195.HEIC")
    at = data.index(b"irot") + 4  # the grid's rotation property: anticlockwise quarter turns
    turned = data[:at] + bytes([turns]) + data[at + 1:]
    expected = _libheif_phash(turned)
    monkeypatch.setattr(HeifImageFile, "load", lambda self: pytest.fail("libheif decoded the picture"))
    found = look(turned, "IMG_5195.HEIC", None)
    assert imagehash.hex_to_hash(found.phash) - expected == 0
    assert (found.width, found.height) == ((3313, 2566) if turns % 2 else (2566, 3313))


def test_a_single_10_bit_heic_is_also_decoded_once(monkeypatch):
    """One coded image (no grid), 10 bits a sample: the strict decode's picture, as libheif sees it."""
    import io

    import imagehash
    import numpy as np
    import pillow_heif
    from PIL import Image
    from pillow_heif.as_plugin import HeifImageFile

    rgb = np.asarray(Image.open(io.BytesIO(jpeg(7))).convert("RGB")).astype(np.uint16) << 8
    buffer = io.BytesIO()
    pillow_heif.from_bytes(mode="RGB;16", size=(rgb.shape[1], rgb.shape[0]), data=rgb.tobytes()).save(buffer)
    data = buffer.getvalue()
    expected = _libheif_phash(data)
    monkeypatch.setattr(HeifImageFile, "load", lambda self: pytest.fail("libheif decoded the picture"))
    assert imagehash.hex_to_hash(look(data, "p.heic", "image/heic").phash) - expected == 0


def test_a_heic_layout_the_strict_decode_does_not_put_together_is_pictured_by_libheif():
    """A mirrored grid (`imir`): still proven by the strict decode, its picture from libheif."""
    import imagehash

    from shared.evidence.heif_container import layout

    data = real("IMG_5195.HEIC")
    at = data.index(b"irot")
    mirrored = data[:at] + b"imir" + bytes([1]) + data[at + 5:]
    assert layout(data) is not None and layout(mirrored) is None
    found = look(mirrored, "IMG_5195.HEIC", None)
    assert imagehash.hex_to_hash(found.phash) - _libheif_phash(mirrored) == 0
    assert found.phash != look(data, "IMG_5195.HEIC", None).phash


def test_the_decompression_bomb_guard_refuses_before_decoding():
    small = Limits(max_pixels=100_000, default_zone=CHINA)
    with pytest.raises(EvidenceRefused, match="解压炸弹") as refused:
        look(jpeg(1), limits=small)
    assert refused.value.code == "evidence_too_many_pixels"


def test_generated_photos_carry_time_and_position_as_written():
    found = look(jpeg(2, taken=datetime(2026, 11, 20, 11, 30), at=(41.7912, 123.4311)))
    assert found.sighting.captured_at == datetime(2026, 11, 20, 11, 30, tzinfo=CHINA)
    assert (round(found.sighting.latitude, 4), round(found.sighting.longitude, 4)) == (41.7912, 123.4311)


def test_a_png_without_exif_decodes_and_is_flagged_for_time_and_position():
    found = look(jpeg(3, at=None, fmt="PNG"), "p.png", "image/png")
    assert found.media_type == "image/png"
    assert {f.reason for f in time_flags(found.sighting, uploaded_at=NOW, tolerance=timedelta(hours=48))
            + place_flags(found.sighting, site=HERE, flag_missing=True)} == {
        FlagReason.NO_CAPTURE_TIME, FlagReason.NO_POSITION}


def test_an_mp4_is_demuxed_and_decoded_and_its_header_read():
    found = look(mp4(creation_time="2026-11-20T03:00:00.000000Z", location="+41.7900+123.4300/"), "v.mp4", "video/mp4")
    assert found.media_type == "video/mp4" and (found.width, found.height) == (320, 240)
    assert found.sighting.captured_at == datetime(2026, 11, 20, 3, tzinfo=UTC)
    assert (found.sighting.latitude, found.sighting.longitude) == (41.79, 123.43)


def test_a_truncated_mp4_is_refused():
    data = mp4()
    with pytest.raises(EvidenceRefused, match="MP4"):
        look(data[: len(data) // 2], "v.mp4", "video/mp4")


def test_capture_time_far_from_the_upload_is_flagged_either_way():
    tolerance = timedelta(hours=48)
    near = Sighting(NOW - timedelta(hours=3), None, None)
    old = Sighting(datetime(2008, 10, 22, 16, 28, tzinfo=CHINA), None, None)
    future = Sighting(NOW + timedelta(days=5), None, None)
    assert time_flags(near, uploaded_at=NOW, tolerance=tolerance) == []
    assert "早于上传时间" in time_flags(old, uploaded_at=NOW, tolerance=tolerance)[0].detail
    assert "晚于上传时间" in time_flags(future, uploaded_at=NOW, tolerance=tolerance)[0].detail


def test_the_geofence_uses_haversine_distance_and_the_receivers_stated_error():
    assert distance_m(41.79, 123.43, 41.79, 123.43) == 0
    assert distance_m(41.79, 123.43, 41.80, 123.43) == pytest.approx(1112, rel=0.01)
    inside = Sighting(NOW, 41.7920, 123.43, None)  # ~222 m north
    outside = Sighting(NOW, 41.7940, 123.43, None)  # ~445 m north
    fuzzy = Sighting(NOW, 41.7940, 123.43, 200.0)  # the same, ±200 m
    assert place_flags(inside, site=HERE, flag_missing=True) == []
    [flag] = place_flags(outside, site=HERE, flag_missing=True)
    assert flag.reason == FlagReason.OUTSIDE_GEOFENCE and "445" in flag.detail
    assert place_flags(fuzzy, site=HERE, flag_missing=True) == []
    italy = look(real("DSCN0021.jpg")).sighting
    assert place_flags(italy, site=HERE, flag_missing=True)[0].reason == FlagReason.OUTSIDE_GEOFENCE


def test_a_resized_copy_has_the_same_perceptual_hash_and_other_photos_do_not():
    original = look(jpeg(7, taken=datetime(2026, 11, 20, 10)))
    copy = look(resized(jpeg(7, taken=datetime(2026, 11, 20, 10)), 0.4))
    assert hamming(original.phash, copy.phash) <= 2
    others = [look(real(n)).phash for n in ("DSCN0010.jpg", "DSCN0012.jpg", "DSCN0021.jpg")]
    assert min(hamming(a, b) for a in others for b in others if a != b) > 12


def test_reuse_flags_name_the_other_subject_and_skip_the_same_one():
    here = Subject(kind="hidden_work", id="hw2", project_id="p1", label="隐蔽工程“B”")
    same = Lookalike("a" * 64, Subject(kind="hidden_work", id="hw2", project_id="p1"), 0)
    other = Lookalike("b" * 64, Subject(kind="hidden_work", id="hw9", project_id="p2", label="隐蔽工程“A”"), 1)
    [flag] = reuse_flags([same, other], subject=here)
    assert flag.other.id == "hw9" and flag.other_sha256 == "b" * 64 and "其他项目" in flag.detail


def test_hash_bands_catch_every_near_duplicate_up_to_seven_bits():
    rng = random.Random(4)
    for _ in range(200):
        a = rng.getrandbits(64)
        b = a
        for bit in rng.sample(range(64), rng.randint(0, 7)):
            b ^= 1 << bit
        ha, hb = f"{a:016x}", f"{b:016x}"
        assert any(x == y for x, y in zip(phash_bands(ha), phash_bands(hb), strict=True))


def test_what_a_file_claims_and_what_it_is():
    assert claimed("IMG_1.HEIC", None) == "image/heic"
    assert claimed("x", "image/jpg") == "image/jpeg"
    assert claimed("clip.mov", "video/quicktime") is None
    assert sniff(real("IMG_5195.HEIC")) == "image/heic"
    assert sniff(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ") is None  # QuickTime .mov: not MP4


def test_a_time_read_from_a_weak_tag_is_flagged_and_names_the_tag():
    from shared.evidence import TimeSource

    tolerance = timedelta(hours=48)
    edited = Sighting(NOW - timedelta(hours=1), None, None, time_source=TimeSource.DATETIME)
    [flag] = time_flags(edited, uploaded_at=NOW, tolerance=tolerance)
    assert flag.reason == FlagReason.CAPTURE_TIME_WEAK and "DateTime" in flag.detail
    fix = Sighting(NOW - timedelta(days=9), None, None, time_source=TimeSource.GPS)
    assert [f.reason for f in time_flags(fix, uploaded_at=NOW, tolerance=tolerance)] == [
        FlagReason.CAPTURE_TIME_WEAK, FlagReason.CAPTURE_TIME_FAR]
    strong = Sighting(NOW - timedelta(hours=1), None, None, time_source=TimeSource.DATETIME_ORIGINAL)
    assert time_flags(strong, uploaded_at=NOW, tolerance=tolerance) == []


# A long narrow site (a strip of buildings): 100 m wide east-west, 1 km north-south, the centre inside.
STRIP = ((41.7864, 123.429397), (41.7864, 123.430603), (41.7954, 123.430603), (41.7954, 123.429397))


def test_the_geofence_is_the_site_boundary_intake_published_where_there_is_one():
    site = Site(latitude=SITE[0], longitude=SITE[1], radius_m=300, boundary=STRIP)
    far_north = Sighting(NOW, 41.7940, 123.43, None)  # ~445 m north: beyond the radius, inside the strip
    east = Sighting(NOW, 41.79, 123.4318, None)  # ~149 m east: within the radius, ~99 m outside the strip
    assert place_flags(far_north, site=site, flag_missing=True) == []
    [flag] = place_flags(east, site=site, flag_missing=True)
    assert flag.reason == FlagReason.OUTSIDE_GEOFENCE and "红线" in flag.detail and "99" in flag.detail
    assert place_flags(Sighting(NOW, 41.79, 123.4318, 120.0), site=site, flag_missing=True) == []  # ±120 m
    # the radius still decides without a usable boundary (none, or too few corners)
    for fallback in (None, STRIP[:2]):
        radius = Site(latitude=SITE[0], longitude=SITE[1], radius_m=300, boundary=fallback)
        assert place_flags(east, site=radius, flag_missing=True) == []
        assert place_flags(far_north, site=radius, flag_missing=True)[0].reason == FlagReason.OUTSIDE_GEOFENCE


def test_a_heic_with_damaged_hevc_data_is_refused_though_libheif_would_smear_it():
    """libheif (libde265) conceals flipped bytes inside a tile; the strict HEVC decode refuses most."""
    data = real("IMG_5195.HEIC")
    mdat = data.index(b"mdat") + 12  # a large mdat: the size is in the 8 bytes after the type
    rng = random.Random(5195)
    refused = []
    for _ in range(20):
        damaged = bytearray(data)
        at = rng.randrange(mdat + len(data) // 8, len(data) - 64)
        damaged[at:at + 8] = bytes(b ^ 0xFF for b in damaged[at:at + 8])
        try:
            look(bytes(damaged), "IMG_5195.HEIC", None)
        except EvidenceRefused as error:
            assert error.code == "evidence_unreadable" and "HEVC" in str(error)
            refused.append(at)
    assert len(refused) >= 6, f"only {len(refused)} of 20 damaged copies refused"
    assert look(data, "IMG_5195.HEIC", None).media_type == "image/heic"  # the sound file still passes
