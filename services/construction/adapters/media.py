"""Decodes an upload to prove it is the photo or video it claims to be, and reads where and when.

JPEG, PNG and HEIC/HEIF through Pillow (pillow-heif for HEIF), with a strict libjpeg-level
decode through FFmpeg (PyAV) because Pillow silently pads a JPEG whose data ends early;
MP4 through PyAV: the container is demuxed to its end and the first frame decoded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import av
import imagehash
import pillow_heif
from PIL import ExifTags, Image, UnidentifiedImageError

from services.construction.domain.evidence import EvidenceRefused, Probed, Sighting

pillow_heif.register_heif_opener()
av.logging.set_level(av.logging.PANIC)  # errors reach us as exceptions; keep stderr quiet

MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
              b"M4V ", b"dash", b"mmp4", b"MSNV", b"3gp4", b"3gp5", b"3gp6"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}
LABELS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC", "image/heif": "HEIF",
          "video/mp4": "MP4"}
_CLAIMS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".png": "image/png",
           ".heic": "image/heic", ".heif": "image/heif", ".hif": "image/heif", ".mp4": "video/mp4",
           ".m4v": "video/mp4", "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}


@dataclass(frozen=True)
class Limits:
    """How big a decoded picture may be: the decompression-bomb guard."""

    max_pixels: int
    default_zone: ZoneInfo


def sniff(data: bytes) -> str | None:
    """The media type the first bytes show, or None for anything unsupported."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[4:8] == b"ftyp":
        major = data[8:12]
        brands = {data[i:i + 4] for i in range(16, min(int.from_bytes(data[:4], "big"), 64), 4)}
        if major in HEIF_BRANDS and (major != b"mif1" or brands & {b"heic", b"heix", b"heif"}):
            return "image/heic" if major in (b"heic", b"heix", b"heim", b"heis") else "image/heif"
        if major in MP4_BRANDS:
            return "video/mp4"
    return None


def claimed(filename: str, content_type: str | None) -> str | None:
    """What the upload says it is: its declared type, else its file extension."""
    declared = (content_type or "").split(";")[0].strip().lower()
    declared = _CLAIMS.get(declared, declared)
    if declared in LABELS:
        return declared
    dot = filename.rfind(".")
    return _CLAIMS.get(filename[dot:].lower()) if dot >= 0 else None


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
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            _guard(image.size, filename=filename, limits=limits)
            if media_type == "image/png":
                image.verify()  # chunk CRCs; verify() leaves the image unusable, so reopen
                image = Image.open(io.BytesIO(data))
            if media_type != "image/jpeg":
                image.load()
        except EvidenceRefused:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, RuntimeError,
                Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _broken(filename, kind, error) from error
    sighting = read_exif(image, zone=limits.default_zone)
    # A JPEG is decoded once, strictly, by FFmpeg: Pillow only read its header and EXIF.
    small = _strict_jpeg(data, filename=filename) if media_type == "image/jpeg" else _small(image)
    upright = _upright(small, image)
    return Probed(media_type=media_type, width=image.width, height=image.height,
                  sighting=sighting, phash=str(imagehash.phash(upright)))


def _small(image: Image.Image) -> Image.Image:
    small = image.convert("RGB")
    small.thumbnail((512, 512))  # phash looks at 32×32 anyway
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


def _strict_jpeg(data: bytes, *, filename: str) -> Image.Image:
    # libjpeg's "premature end of data" is only a warning to Pillow, which pads the picture
    # with grey; FFmpeg's decoder with err_detect=explode turns it into an error.
    try:
        with av.open(io.BytesIO(data), format="jpeg_pipe") as container:
            stream = container.streams.video[0]
            stream.codec_context.options = {"err_detect": "explode"}
            packet = next(container.demux(stream))
            frames = stream.codec_context.decode(packet) + stream.codec_context.decode(None)
            if not frames:
                raise _broken(filename, "JPEG", "没有可解码的图像")
            return _frame_thumbnail(frames[0])
    except (av.FFmpegError, StopIteration, IndexError) as error:
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


def read_exif(image: Image.Image, *, zone: ZoneInfo) -> Sighting:
    """Capture time (DateTimeOriginal, else DateTimeDigitized) and GPS position from EXIF."""
    try:
        exif = image.getexif()
        details = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception as error:  # noqa: BLE001 - a broken EXIF block is a flag, never a crash
        return Sighting(None, None, None, note=f"EXIF 无法读取：{error.__class__.__name__}")
    captured = (_exif_time(details.get(0x9003), details.get(0x9011), zone)
                or _exif_time(details.get(0x9004), details.get(0x9012), zone))
    latitude = _coordinate(gps.get(2), gps.get(1), "S", limit=90)
    longitude = _coordinate(gps.get(4), gps.get(3), "W", limit=180)
    if latitude == 0 and longitude == 0:  # "null island": a receiver without a fix
        latitude = longitude = None
    error = _number(gps.get(31))
    note = "" if exif else "没有 EXIF 信息"
    return Sighting(captured, latitude, longitude, position_error_m=error, note=note)


def _exif_time(value, offset, zone: ZoneInfo) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        naive = datetime.strptime(value.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if isinstance(offset, str) and len(offset.strip("\x00 ")) == 6:
        try:
            return datetime.fromisoformat(naive.isoformat() + offset.strip("\x00 "))
        except ValueError:
            pass
    # No offset recorded: the camera's clock is taken to run on the site's (China) time.
    return naive.replace(tzinfo=zone)


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _coordinate(value, ref, negative: str, *, limit: float) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative:
        result = -result
    return result if -limit <= result <= limit else None


def read_mp4_metadata(metadata: dict[str, str]) -> Sighting:
    """creation_time and the ISO 6709 location phones write into the MP4 header."""
    captured = None
    raw = metadata.get("creation_time") or metadata.get("com.apple.quicktime.creationdate")
    if raw:
        try:
            captured = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            captured = None
    location = metadata.get("location") or metadata.get("com.apple.quicktime.location.ISO6709") or ""
    latitude, longitude = _iso6709(location)
    return Sighting(captured if captured and captured.tzinfo else None, latitude, longitude)


def _iso6709(text: str) -> tuple[float | None, float | None]:
    # e.g. "+39.0510-094.2887+348.055/": signed latitude, signed longitude, optional altitude
    parts, current = [], ""
    for char in text.strip().rstrip("/"):
        if char in "+-" and current:
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude
