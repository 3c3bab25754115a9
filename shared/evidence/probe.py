"""Proves an upload is the photo or video it claims to be, hashes it once, and reads where and when.

JPEG through libjpeg-turbo (simplejpeg), strictly — a corrupt or truncated entropy-coded
segment is an error, not grey padding — and scaled in the DCT domain, so every coefficient
is decoded (the proof) while only a small picture is built (the perceptual hash needs
32×32). HEIC/HEIF: every byte the container names must be there, and its HEVC data is decoded
once, strictly, by FFmpeg; the picture is put together from those tiles, or, for a layout
that is not a plain grid, decoded by Pillow (pillow-heif) as well (`shared/evidence/heif.py`).
PNG through Pillow; MP4 through PyAV: the container is demuxed to its end and the first frame
decoded.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from concurrent.futures import Future
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import av
import imagehash
import numpy as np
import pillow_heif
import scipy.fftpack  # noqa: F401 - imagehash.phash imports it on first use; pay that at start, not per upload
import simplejpeg
from PIL import Image, UnidentifiedImageError

from shared.evidence.exif import read_exif, read_mp4_metadata
from shared.evidence.heif import missing_bytes, strict_picture
from shared.evidence.model import EvidenceRefused, EvidenceTooLarge, Probed
from shared.evidence.sniff import LABELS, claimed, sniff

__all__ = ["Limits", "claimed", "examine", "probe", "sniff"]

pillow_heif.register_heif_opener()
# Errors reach us as exceptions; FFmpeg's log is not routed through Python at all. A Python log
# callback (any level) deadlocks when a frame-threaded decoder logs from its worker threads.
av.logging.set_level(None)
PHASH_SIDE = 128  # a DCT-scaled JPEG is decoded to at least this many pixels a side (phash uses 32)


@dataclass(frozen=True)
class Limits:
    """How big an upload and its decoded picture may be (the decompression-bomb guard)."""

    max_pixels: int
    default_zone: ZoneInfo
    max_bytes: int | None = None


def examine(data: bytes, *, filename: str, content_type: str | None, limits: Limits,
            sha256: str | Future[str] | None = None) -> Probed:
    """Check size, prove the content and hash it once.

    `sha256` is the digest computed while the upload streamed in, or a future of the one the
    caller computes on another thread while this one decodes; None: hashed here.
    """
    size = len(data)
    if size == 0:
        raise EvidenceRefused(f"文件“{filename}”是空文件", code="evidence_empty")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise EvidenceTooLarge(f"文件“{filename}”有 {size / 1048576:.1f} MB，"
                               f"超过 {limits.max_bytes / 1048576:.0f} MB 的上限")
    probed = probe(data, filename=filename, content_type=content_type, limits=limits)
    digest = sha256.result() if isinstance(sha256, Future) else sha256 or hashlib.sha256(data).hexdigest()
    return Probed(media_type=probed.media_type, width=probed.width, height=probed.height,
                  sighting=probed.sighting, phash=probed.phash, sha256=digest, size=size)


def probe(data: bytes, *, filename: str, content_type: str | None, limits: Limits) -> Probed:
    """Decode the upload; refuse (EvidenceRefused, with a zh-CN reason) what is not what it claims."""
    actual = sniff(data)
    claim = claimed(filename, content_type)
    if actual is None:
        said = f"（声明为 {LABELS[claim]}）" if claim else ""
        raise EvidenceRefused(f"文件“{filename}”不是可识别的照片或视频{said}：只接受 JPEG、PNG、HEIC/HEIF 和 MP4",
                              code="evidence_unsupported")
    same_family = {claim, actual} <= {"image/heic", "image/heif"}
    if claim is not None and claim != actual and not same_family:
        raise EvidenceRefused(f"文件“{filename}”声明为 {LABELS[claim]}，实际内容是 {LABELS[actual]}：请上传原始文件",
                              code="evidence_mislabelled")
    if actual == "video/mp4":
        return _probe_video(data, filename=filename, limits=limits)
    return _probe_image(data, actual, filename=filename, limits=limits)


def _broken(filename: str, kind: str, error: Exception | str) -> EvidenceRefused:
    reason = str(error).split("; last error log")[0]
    reason = reason.split("] ", 1)[1] if reason.startswith("[Errno") and "] " in reason else reason
    reason = reason[:120]
    return EvidenceRefused(f"文件“{filename}”无法作为 {kind} 完整解码，可能已损坏或被截断（{reason}）",
                           code="evidence_unreadable")


def _probe_image(data: bytes, media_type: str, *, filename: str, limits: Limits) -> Probed:
    kind = LABELS[media_type]
    if media_type in ("image/heic", "image/heif") and (missing := missing_bytes(data)):
        raise _broken(filename, kind, missing)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            _guard(image.size, filename=filename, limits=limits)
            if media_type == "image/png":
                image.verify()  # chunk CRCs; verify() leaves the image unusable, so reopen
                image = Image.open(io.BytesIO(data))
            picture = None
            if media_type in ("image/heic", "image/heif"):
                problem, picture = strict_picture(data)
                if problem:
                    raise _broken(filename, kind, problem)
            if media_type != "image/jpeg" and picture is None:
                image.load()  # a HEIF layout the strict decode could not put together: libheif's picture
        except EvidenceRefused:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, RuntimeError,
                Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _broken(filename, kind, error) from error
    sighting = read_exif(image, zone=limits.default_zone)
    # A JPEG is decoded once, strictly, by libjpeg-turbo: Pillow only read its header and EXIF.
    if media_type == "image/jpeg":
        small = _strict_jpeg(data, filename=filename, limits=limits)
    else:
        small = picture if picture is not None else _small(image)
    upright = _upright(small, image)
    return Probed(media_type=media_type, width=image.width, height=image.height,
                  sighting=sighting, phash=str(imagehash.phash(upright)))


def _small(image: Image.Image) -> Image.Image:
    # phash looks at 32×32: a box reduction by a whole factor first (cheap), then the colour conversion.
    factor = max(1, max(image.size) // 512)
    small = image.reduce(factor) if factor > 1 and image.mode in ("RGB", "RGBA", "L", "LA") else image
    small = small.convert("RGB")
    small.thumbnail((512, 512))
    return small


_ORIENTATION = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
                7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


def _upright(small: Image.Image, original: Image.Image) -> Image.Image:
    # Hash the picture as people see it, so a copy rotated for real matches the original.
    try:
        orientation = original.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - a broken EXIF block leaves the pixels as they are
        orientation = None
    step = _ORIENTATION.get(orientation)
    return small.transpose(step) if step is not None else small


def _guard(size: tuple[int, int], *, filename: str, limits: Limits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise EvidenceRefused(f"文件“{filename}”的图像尺寸无效", code="evidence_unreadable")
    if width * height > limits.max_pixels:
        raise EvidenceRefused(
            f"文件“{filename}”解码后为 {width}×{height} 像素，超过 {limits.max_pixels:,} 像素的上限"
            "（防止解压炸弹）", code="evidence_too_many_pixels")


def _strict_jpeg(data: bytes, *, filename: str, limits: Limits) -> Image.Image:
    # libjpeg's "premature end of data" is only a warning to Pillow, which pads the picture with
    # grey; with strict=True libjpeg-turbo's warnings are errors. Scaling happens in the IDCT:
    # every block's coefficients are entropy-decoded, only the small picture is built.
    try:
        height, width, colorspace, _ = simplejpeg.decode_jpeg_header(data)
        _guard((width, height), filename=filename, limits=limits)
        side = {"min_height": min(height, PHASH_SIDE), "min_width": min(width, PHASH_SIDE), "strict": True}
        if colorspace in ("CMYK", "YCCK"):
            pixels = simplejpeg.decode_jpeg(data, colorspace="CMYK", **side)
            return Image.fromarray(np.ascontiguousarray(pixels), "CMYK").convert("L")
        return Image.fromarray(simplejpeg.decode_jpeg(data, colorspace="GRAY", **side)[:, :, 0], "L")
    except ValueError as error:
        raise _broken(filename, "JPEG", error) from error


def _frame_thumbnail(frame) -> Image.Image:
    scale = min(1.0, 512 / max(frame.width, frame.height))
    width, height = max(int(frame.width * scale), 1), max(int(frame.height * scale), 1)
    return frame.reformat(width=width, height=height, format="rgb24").to_image()


def _probe_video(data: bytes, *, filename: str, limits: Limits) -> Probed:
    try:
        with av.open(io.BytesIO(data), format="mp4") as container:
            stream = container.streams.video[0]
            _guard((stream.codec_context.width, stream.codec_context.height), filename=filename,
                   limits=limits)
            stream.codec_context.options = {"err_detect": "explode"}
            expected, first, packets = stream.frames, None, 0
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                packets += 1
                if first is None:
                    decoded = stream.codec_context.decode(packet)
                    first = decoded[0] if decoded else None
            if first is None:
                first = next(iter(stream.codec_context.decode(None)), None)
            metadata = dict(container.metadata)
    except EvidenceRefused:
        raise
    except (av.FFmpegError, IndexError, StopIteration, ValueError) as error:
        raise _broken(filename, "MP4", error) from error
    if first is None or (expected and packets < expected):
        raise _broken(filename, "MP4", f"只读到 {packets}/{expected or '?'} 帧")
    return Probed(media_type="video/mp4", width=first.width, height=first.height,
                  sighting=read_mp4_metadata(metadata), phash=str(imagehash.phash(_frame_thumbnail(first))))
