"""Test photos made on the fly: Pillow pictures with chosen EXIF time and GPS, and a small MP4."""

from __future__ import annotations

import io
import os
import random
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

# The real camera files live beside the repository (../shared/testdata), where CI has them.
PHOTOS = Path(os.environ.get("RENOVATION_TEST_PHOTOS")
              or Path(__file__).resolve().parents[4] / "shared" / "testdata" / "photos")
SITE = (41.79, 123.43)  # the test community's centre (幸福里小区 in the e2e test)


def real(name: str) -> bytes:
    """One of the real camera files in ../shared/testdata/photos (skips, or fails on CI, without it)."""
    path = PHOTOS / name
    if not path.exists():
        reason = f"test photo {path} is missing (set RENOVATION_TEST_PHOTOS to the testdata/photos folder)"
        if os.environ.get("CI"):
            pytest.fail(reason + " — on CI ../shared/testdata must be beside the clone")
        pytest.skip(reason)
    return path.read_bytes()


def picture(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A distinctive picture: a coarse random mosaic, so perceptual hashes differ by seed."""
    rng = random.Random(seed)
    small = Image.new("RGB", (8, 6))
    small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48)])
    return small.resize(size, Image.Resampling.BICUBIC)


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


def jpeg(seed: int = 1, *, taken: datetime | None = None, at: tuple[float, float] | None = SITE,
         size: tuple[int, int] = (640, 480), image: Image.Image | None = None, fmt: str = "JPEG") -> bytes:
    """A photo with EXIF capture time (local, no offset) and GPS position, as phones write them."""
    image = image or picture(seed, size)
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if at is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if at[0] >= 0 else "S"), _dms(at[0])
        gps[3], gps[4] = ("E" if at[1] >= 0 else "W"), _dms(at[1])
    buffer = io.BytesIO()
    extra = {"exif": exif} if (taken or at) else {}
    image.save(buffer, fmt, quality=90, **extra)
    return buffer.getvalue()


def resized(data: bytes, scale: float = 0.5) -> bytes:
    """The same photo scaled down and re-encoded without EXIF, as a chat app would."""
    image = Image.open(io.BytesIO(data))
    smaller = image.resize((int(image.width * scale), int(image.height * scale)))
    buffer = io.BytesIO()
    smaller.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def mp4(*, frames: int = 10, creation_time: str | None = None, location: str | None = None) -> bytes:
    """A short MP4 (MPEG-4 part 2) made with PyAV, with optional creation time and ISO 6709 location."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        if creation_time:
            out.metadata["creation_time"] = creation_time
        if location:
            out.metadata["location"] = location
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(frames):
            pixels = np.asarray(picture(i, (320, 240)))
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buffer.getvalue()
