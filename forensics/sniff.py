"""Type a file by its bytes, in the spirit of Pillow's ``_accept`` plug-in sniffers.

Only the first few kilobytes are looked at; nothing is decoded. The extension is used only to
report a mismatch, never to decide the type.
"""

from __future__ import annotations

import os

from .tracks.parse import signature_media_type

SNIFF_BYTES = 4096

# ISO-BMFF major/compatible brands -> media type
_HEIF_BRANDS = {
    b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
    b"hevc": "image/heic", b"hevx": "image/heic",
    b"mif1": "image/heif", b"msf1": "image/heif", b"heif": "image/heif",
    b"avif": "image/avif", b"avis": "image/avif",
}
_VIDEO_BRANDS = (b"isom", b"iso2", b"mp41", b"mp42", b"M4V ", b"qt  ", b"3gp4", b"3gp5", b"dash")

IMAGE_TYPES = frozenset({
    "image/jpeg", "image/png", "image/webp", "image/tiff", "image/heic", "image/heif",
    "image/avif", "image/gif", "image/bmp",
})
"""Media types whose pixels and metadata this version analyses."""

EXTENSIONS = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".jfif": "image/jpeg",
    ".png": "image/png", ".webp": "image/webp", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".heic": "image/heic", ".heif": "image/heif", ".hif": "image/heif", ".avif": "image/avif",
    ".gif": "image/gif", ".bmp": "image/bmp", ".jxl": "image/jxl", ".svg": "image/svg+xml",
    ".gpx": "application/gpx+xml", ".kml": "application/vnd.google-earth.kml+xml",
    ".kmz": "application/vnd.google-earth.kmz", ".json": "application/json",
    ".geojson": "application/geo+json", ".csv": "text/csv", ".txt": "text/plain",
    ".pdf": "application/pdf", ".zip": "application/zip", ".mp4": "video/mp4",
    ".mov": "video/quicktime", ".m4v": "video/mp4", ".3gp": "video/mp4",
    ".mkv": "video/x-matroska", ".webm": "video/webm", ".avi": "video/x-msvideo",
    ".dng": "image/x-adobe-dng", ".nef": "image/x-nikon-nef",
    ".arw": "image/x-sony-arw", ".cr2": "image/x-canon-cr2", ".html": "text/html",
    ".htm": "text/html", ".xml": "application/xml", ".c2pa": "application/c2pa",
    ".ulg": "application/vnd.px4.ulog", ".tlog": "application/vnd.mavlink.tlog",
    ".plan": "application/vnd.qgroundcontrol.plan+json", ".waypoints": "text/vnd.qgc.wpl",
    ".nmea": "text/vnd.nmea.0183", ".srt": "text/vnd.dji.srt",
}

# Types that may legitimately wear another type's extension (a DNG is a TIFF, and so on).
_COMPATIBLE = {
    "image/tiff": {"image/x-adobe-dng", "image/x-nikon-nef", "image/x-sony-arw",
                   "image/x-canon-cr2"},
    "image/heif": {"image/heic", "image/avif"},
    "image/heic": {"image/heif"},
    "image/avif": {"image/heif"},
    "application/xml": {"application/gpx+xml", "application/vnd.google-earth.kml+xml",
                        "image/svg+xml"},
    "text/plain": {"text/csv", "text/vnd.qgc.wpl", "text/vnd.nmea.0183",
                   "text/vnd.ardupilot.dataflash", "text/vnd.dji.srt"},
    "application/json": {"application/geo+json", "application/vnd.qgroundcontrol.plan+json"},
    "application/zip": {"application/vnd.google-earth.kmz"},
    "video/mp4": {"video/quicktime"},
    "video/quicktime": {"video/mp4"},
    "video/x-matroska": {"video/webm"},
    "video/webm": {"video/x-matroska"},
}


def sniff_media_type(head: bytes) -> str:
    """Return the MIME type the leading bytes of a file show, or ``application/octet-stream``.

    ``head`` should be the first :data:`SNIFF_BYTES` bytes (fewer is fine).
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska, or WebM by its DocType
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head[:2] == b"BM" and len(head) >= 14:
        return "image/bmp"
    if head[4:8] == b"ftyp":
        brands = [head[8:12]] + [head[i:i + 4] for i in range(16, min(len(head), 64), 4)]
        types = {_HEIF_BRANDS[b] for b in brands if b in _HEIF_BRANDS}
        for specific in ("image/avif", "image/heic", "image/heif"):  # most specific first
            if specific in types:
                return specific
        if head[8:12] in _VIDEO_BRANDS:
            return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
        return "application/octet-stream"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):
        return "image/jxl"
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "application/pdf"  # readers accept the header anywhere in the first 1 KiB
    if head.startswith(b"PK\x03\x04"):
        # the first member's name (local file header: name length at 26, name at 30):
        # Google Earth writes KMZ with doc.kml first
        n = int.from_bytes(head[26:28], "little")
        if head[30:30 + n].lower().endswith(b".kml"):
            return "application/vnd.google-earth.kmz"
        return "application/zip"
    log = signature_media_type(head)  # flight logs and mission files (forensics.tracks)
    if log is not None:
        return log
    return _sniff_text(head)


def _sniff_text(head: bytes) -> str:
    if not head or b"\x00" in head[:1024]:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head[:-3].decode("utf-8-sig")  # a multi-byte char cut at the end
        except UnicodeDecodeError:
            return "application/octet-stream"
    stripped = text.lstrip()
    lower = stripped[:2048].lower()
    if lower.startswith("<?xml") or lower.startswith("<"):
        if "<gpx" in lower:
            return "application/gpx+xml"
        if "<kml" in lower:
            return "application/vnd.google-earth.kml+xml"
        if "<svg" in lower:
            return "image/svg+xml"
        if "<html" in lower or "<!doctype html" in lower:
            return "text/html"
        return "application/xml"
    if stripped.startswith(("{", "[")):
        compact = "".join(lower.split())
        if '"featurecollection"' in compact or '"feature"' in compact:
            return "application/geo+json"
        if '"coordinates"' in compact and any(f'"type":"{g}"' in compact for g in _GEOMETRIES):
            return "application/geo+json"  # a bare geometry (RFC 7946 allows it)
        return "application/json"
    first = stripped.splitlines()[0] if stripped else ""
    if first.count(",") >= 1 and len(stripped.splitlines()) >= 2:
        return "text/csv"
    return "text/plain"


_GEOMETRIES = ("point", "multipoint", "linestring", "multilinestring", "polygon",
               "multipolygon", "geometrycollection")


def extension_media_type(path: str) -> str | None:
    """The MIME type a file name's extension implies, or ``None`` for unknown extensions."""
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def extension_agrees(sniffed: str, by_extension: str | None) -> bool:
    """True when the extension is unknown or names the sniffed type (or a compatible one)."""
    if by_extension is None or sniffed == by_extension:
        return True
    return by_extension in _COMPATIBLE.get(sniffed, set())
