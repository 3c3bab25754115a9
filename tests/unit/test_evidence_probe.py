"""The kernel's evidence probe: capture time from the tags phones actually write, the DCT-scaled strict JPEG proof."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import imagehash
import pytest
from PIL import Image

from shared.evidence import EvidenceRefused, EvidenceTooLarge, TimeSource, hamming
from shared.evidence.probe import Limits, examine, probe
from tests.unit.construction.photos import picture, real

CHINA = ZoneInfo("Asia/Shanghai")
LIMITS = Limits(max_pixels=100_000_000, default_zone=CHINA, max_bytes=20_000_000)


def photo(*, ifd0: dict | None = None, exif: dict | None = None, gps: dict | None = None,
          size: tuple[int, int] = (640, 480), seed: int = 1) -> bytes:
    """A JPEG carrying exactly the given tags (IFD0, Exif sub-IFD, GPS sub-IFD)."""
    tags = Image.Exif()
    for tag, value in (ifd0 or {}).items():
        tags[tag] = value
    for tag, value in (exif or {}).items():
        tags.get_ifd(0x8769)[tag] = value
    for tag, value in (gps or {}).items():
        tags.get_ifd(0x8825)[tag] = value
    buffer = io.BytesIO()
    picture(seed, size).save(buffer, "JPEG", quality=90, exif=tags)
    return buffer.getvalue()


def sighting(data: bytes):
    return probe(data, filename="p.jpg", content_type="image/jpeg", limits=LIMITS).sighting


def test_a_phone_that_writes_only_datetime_gives_a_time_marked_weak():
    found = sighting(photo(ifd0={0x0132: "2026:11:20 11:30:00"}))
    assert found.captured_at == datetime(2026, 11, 20, 11, 30, tzinfo=CHINA)
    assert found.time_source is TimeSource.DATETIME and found.time_weak


def test_the_time_tags_are_tried_strongest_first():
    original = "2026:11:20 09:00:00"
    both = sighting(photo(ifd0={0x0132: "2026:11:21 18:00:00"}, exif={0x9003: original, 0x9004: "2026:11:20 10:00:00"}))
    assert both.captured_at.hour == 9 and both.time_source is TimeSource.DATETIME_ORIGINAL and not both.time_weak
    digitized = sighting(photo(ifd0={0x0132: "2026:11:21 18:00:00"},
                               exif={0x9004: "2026:11:20 10:00:00", 0x9012: "+08:00"}))
    assert digitized.time_source is TimeSource.DATETIME_DIGITIZED and not digitized.time_weak
    assert digitized.captured_at == datetime(2026, 11, 20, 2, tzinfo=UTC)


def test_an_unreadable_stronger_tag_falls_through_to_the_next():
    found = sighting(photo(ifd0={0x0132: "2026:11:20 11:30:00"}, exif={0x9003: "0000:00:00 00:00:00"}))
    assert found.time_source is TimeSource.DATETIME


def test_the_gps_stamp_is_the_last_resort_and_is_utc():
    found = sighting(photo(gps={1: "N", 2: (41.0, 47.0, 0.0), 3: "E", 4: (123.0, 25.0, 0.0),
                                0x1D: "2026:11:20", 0x07: (3.0, 30.0, 15.5)}))
    assert found.captured_at == datetime(2026, 11, 20, 3, 30, 15, 500000, tzinfo=UTC)
    assert found.time_source is TimeSource.GPS and found.time_weak


def test_no_time_tag_at_all_leaves_the_time_and_its_source_empty():
    found = sighting(photo(gps={1: "N", 2: (41.0, 47.0, 0.0), 3: "E", 4: (123.0, 25.0, 0.0)}))
    assert found.captured_at is None and found.time_source is None and not found.time_weak


def test_examine_hashes_once_and_takes_a_digest_computed_while_streaming():
    data = photo()
    found = examine(data, filename="p.jpg", content_type="image/jpeg", limits=LIMITS)
    assert found.sha256 == hashlib.sha256(data).hexdigest() and found.size == len(data)
    given = examine(data, filename="p.jpg", content_type="image/jpeg", limits=LIMITS, sha256="ab" * 32)
    assert given.sha256 == "ab" * 32
    with pytest.raises(EvidenceRefused, match="空文件"):
        examine(b"", filename="e.jpg", content_type="image/jpeg", limits=LIMITS)
    small = Limits(max_pixels=100_000_000, default_zone=CHINA, max_bytes=1000)
    with pytest.raises(EvidenceTooLarge, match="超过"):
        examine(data, filename="p.jpg", content_type="image/jpeg", limits=small)


def test_examine_takes_a_digest_another_thread_computes_while_it_decodes():
    data = photo()
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = Future()
        proving = pool.submit(examine, data, filename="p.jpg", content_type="image/jpeg", limits=LIMITS,
                              sha256=digest)
        digest.set_result(hashlib.sha256(data).hexdigest())
        assert proving.result().sha256 == hashlib.sha256(data).hexdigest()


def test_the_scaled_decode_still_reads_every_block_so_a_late_cut_is_refused():
    data = photo(size=(1600, 1200), seed=3)
    for cut in (0.99, 0.9, 0.5):
        with pytest.raises(EvidenceRefused, match="无法作为 JPEG 完整解码"):
            probe(data[: int(len(data) * cut)], filename="p.jpg", content_type="image/jpeg", limits=LIMITS)


def test_a_flipped_byte_in_the_entropy_coded_data_is_refused():
    data = bytearray(real("DSCN0012.jpg"))
    start = data.rindex(b"\xff\xda")  # the main picture's scan (an EXIF thumbnail has one before it)
    refused = 0
    for offset in range(2000, 2000 + 40 * 997, 997):
        broken = bytearray(data)
        broken[start + offset] = 0xFF  # a marker where data belongs
        broken[start + offset + 1] = 0xD9  # EOI in the middle of the scan: the rest is missing
        try:
            probe(bytes(broken), filename="p.jpg", content_type="image/jpeg", limits=LIMITS)
        except EvidenceRefused:
            refused += 1
    assert refused == 40


def test_the_scaled_decode_hashes_like_a_full_decode():
    for name in ("DSCN0010.jpg", "DSCN0012.jpg", "DSCN0021.jpg", "Canon_40D.jpg"):
        data = real(name)
        full = Image.open(io.BytesIO(data))
        full.load()
        found = probe(data, filename=name, content_type="image/jpeg", limits=LIMITS)
        assert hamming(found.phash, str(imagehash.phash(full))) <= 4, name
