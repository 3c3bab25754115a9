"""What an upload is by its first bytes, and what it claims to be by its name and declared type."""

from __future__ import annotations

MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
              b"M4V ", b"dash", b"mmp4", b"MSNV", b"3gp4", b"3gp5", b"3gp6"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}
LABELS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC", "image/heif": "HEIF",
          "video/mp4": "MP4"}
_CLAIMS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".png": "image/png",
           ".heic": "image/heic", ".heif": "image/heif", ".hif": "image/heif", ".mp4": "video/mp4",
           ".m4v": "video/mp4", "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}


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
