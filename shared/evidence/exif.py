"""Where and when a file says it was taken: EXIF (time tags in order of trust, GPS) and the MP4 header."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image

from shared.evidence.model import Sighting, TimeSource

# (where, tag of the time, tag of its UTC offset): the tags cameras and phones write, strongest first.
_TIME_TAGS = ((TimeSource.DATETIME_ORIGINAL, "exif", 0x9003, 0x9011),
              (TimeSource.DATETIME_DIGITIZED, "exif", 0x9004, 0x9012),
              (TimeSource.DATETIME, "ifd0", 0x0132, 0x9010))


def read_exif(image: Image.Image, *, zone: ZoneInfo) -> Sighting:
    """Capture time (the first time tag present, its source recorded) and GPS position from EXIF."""
    try:
        exif = image.getexif()
        details = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception as error:  # noqa: BLE001 - a broken EXIF block is a flag, never a crash
        return Sighting(None, None, None, note=f"EXIF 无法读取：{error.__class__.__name__}")
    captured, source = capture_time(exif, details, gps, zone=zone)
    latitude = _coordinate(gps.get(2), gps.get(1), "S", limit=90)
    longitude = _coordinate(gps.get(4), gps.get(3), "W", limit=180)
    if latitude == 0 and longitude == 0:  # "null island": a receiver without a fix
        latitude = longitude = None
    error = _number(gps.get(31))
    note = "" if exif else "没有 EXIF 信息"
    return Sighting(captured, latitude, longitude, position_error_m=error, note=note, time_source=source)


def capture_time(ifd0, details, gps, *, zone: ZoneInfo) -> tuple[datetime | None, TimeSource | None]:
    """The first readable time among DateTimeOriginal, DateTimeDigitized, DateTime and the GPS stamp."""
    for source, where, tag, offset_tag in _TIME_TAGS:
        value = (details if where == "exif" else ifd0).get(tag)
        if value is None and where == "ifd0":
            value = details.get(tag)  # some writers misplace DateTime in the Exif IFD
        found = _exif_time(value, details.get(offset_tag), zone)
        if found is not None:
            return found, source
    found = _gps_time(gps.get(0x1D), gps.get(0x07))
    return (found, TimeSource.GPS) if found is not None else (None, None)


def _exif_time(value, offset, zone: ZoneInfo) -> datetime | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    if not isinstance(value, str):
        return None
    try:
        naive = datetime.strptime(value.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 - the zone is attached below
    except ValueError:
        return None
    if isinstance(offset, str) and len(offset.strip("\x00 ")) == 6:
        try:
            return datetime.fromisoformat(naive.isoformat() + offset.strip("\x00 "))
        except ValueError:
            pass
    # No offset recorded: the camera's clock is taken to run on the site's (China) time.
    return naive.replace(tzinfo=zone)


def _gps_time(date_stamp, time_stamp) -> datetime | None:
    # GPSDateStamp "YYYY:MM:DD" and GPSTimeStamp (hours, minutes, seconds) are in UTC.
    if isinstance(date_stamp, bytes):
        date_stamp = date_stamp.decode("ascii", "ignore")
    if not isinstance(date_stamp, str):
        return None
    try:
        day = datetime.strptime(date_stamp.strip("\x00 ")[:10], "%Y:%m:%d")  # noqa: DTZ007 - GPS time is UTC, attached below
        hours, minutes, seconds = (float(part) for part in time_stamp)
        if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 61):
            return None
        whole = int(seconds)
        return day.replace(hour=int(hours), minute=int(minutes), second=min(whole, 59),
                           microsecond=int((seconds - whole) * 1e6) if whole < 60 else 0, tzinfo=UTC)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


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
    captured = captured if captured and captured.tzinfo else None
    return Sighting(captured, latitude, longitude, time_source=TimeSource.MP4_CREATION if captured else None)


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
