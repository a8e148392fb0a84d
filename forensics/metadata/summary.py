"""Normalise the fields a fact-checker compares across files into ``metadata.summary``.

Fields: ``make``, ``model``, ``software``; ``datetime_original`` (ISO 8601, with the UTC
offset when the file records one) and ``datetime_original_source`` (where it was read, e.g.
``EXIF:DateTimeOriginal``, ``MakerNotes:Reconyx:DateTimeOriginal``,
``IPTC:DateCreated+TimeCreated``: :func:`capture_datetime`); ``gps`` ({lat, lon, alt} in
decimal degrees and metres, or null; null too when the GPS tags hold no usable position) and
``gps_unusable`` (why GPS tags that are present give no position: :func:`gps_position`; null
otherwise); ``width`` and ``height`` (pixel size as stored, before any Orientation rotation)
and ``orientation`` (EXIF 1..8).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .dates import iptc_date, jpeg_block_date, maker_note_date
from .exif import raw_value

_EXIF_DT = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_ISO_DT = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+\-]\d{2}:?\d{2})?")
_OFFSET = re.compile(r"^\s*([+\-])(\d{2}):?(\d{2})\s*$")


def text(value: Any) -> str | None:
    """A tag value as a clean string, or ``None`` when empty."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = value[0] if len(value) == 1 else " ".join(str(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    out = str(value).replace("\x00", "").strip()
    return out or None


def exif_datetime(value: Any, offset: Any = None) -> str | None:
    """``"2008:10:22 16:28:39"`` (+ ``"+02:00"``) -> ``"2008-10-22T16:28:39+02:00"``."""
    raw = text(value)
    if not raw:
        return None
    m = _EXIF_DT.match(raw)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    if y == 0 or not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 61):
        return None
    iso = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}"
    off = normalise_offset(text(offset))
    return iso + off if off else iso


def normalise_offset(raw: str | None) -> str | None:
    if not raw:
        return None
    m = _OFFSET.match(raw)
    if not m:
        return None
    sign, hh, mm = m.groups()
    if int(hh) > 14 or int(mm) > 59:
        return None
    return f"{sign}{hh}:{mm}"


def xmp_datetime(raw: Any) -> str | None:
    """An XMP date (ISO 8601, possibly without seconds or offset) normalised to seconds."""
    s = text(raw)
    if not s:
        return None
    m = _ISO_DT.match(s)
    if not m:
        return exif_datetime(s)
    y, mo, d, h, mi, sec, off = m.groups()
    iso = f"{y}-{mo}-{d}T{h}:{mi}:{sec or '00'}"
    if off == "Z":
        return iso + "+00:00"
    return iso + (normalise_offset(off) or "") if off else iso


def _ratio(v: Any) -> float | None:
    try:
        if hasattr(v, "numerator") and hasattr(v, "denominator"):
            return None if v.denominator == 0 else float(v.numerator) / float(v.denominator)
        if isinstance(v, tuple) and len(v) == 2:
            return None if v[1] == 0 else float(v[0]) / float(v[1])
        return float(v)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def dms_to_degrees(values: Any, ref: Any) -> float | None:
    """Degrees/minutes/seconds rationals and an N/S/E/W reference -> signed decimal degrees."""
    if values is None:
        return None
    vals = list(values) if isinstance(values, (list, tuple)) else [values]
    parts = [_ratio(v) for v in vals[:3]]
    if not parts or any(p is None for p in parts):
        return None
    deg = parts[0] + (parts[1] / 60 if len(parts) > 1 else 0) + (
        parts[2] / 3600 if len(parts) > 2 else 0)
    r = (text(ref) or "").upper()[:1]
    if r in ("S", "W"):
        deg = -deg
    return round(deg, 7)


NO_POSITION_REASONS = {
    "zero": "latitude and longitude are both 0 ('null island', in the Gulf of Guinea): what "
            "many phones and editors write when they have no fix",
    "void": "the GPS receiver marked the measurement void (GPSStatus 'V')",
    "out_of_range": "the latitude or longitude lies outside -90..90 / -180..180 degrees",
    "invalid": "the latitude or longitude cannot be read as a number (empty, or a zero "
               "denominator)",
}
"""Why GPS tags that are present give no usable position (``summary.gps_unusable.reason``)."""


def usable_position(lat: float | None, lon: float | None, status: Any = None) -> str | None:
    """``None`` when (lat, lon) is a usable position, else the key of
    :data:`NO_POSITION_REASONS` saying why not."""
    if (text(status) or "").upper().startswith("V"):
        return "void"
    if lat is None or lon is None:
        return "invalid"
    if abs(lat) > 90 or abs(lon) > 180:
        return "out_of_range"
    if lat == 0 and lon == 0:
        return "zero"
    return None


def _unusable(source: str, reason: str, values: dict[str, Any]) -> dict[str, Any]:
    return {"source": source, "reason": reason, "why": NO_POSITION_REASONS[reason],
            "values": {k: v for k, v in values.items() if v not in (None, "")}}


def _printable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    if hasattr(value, "numerator") and hasattr(value, "denominator"):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return value if isinstance(value, (int, float, str)) or value is None else str(value)


def _exif_gps(tags: dict[str, Any]) -> tuple[dict[str, float | None] | None,
                                             dict[str, Any] | None]:
    """(position, None), (None, unusable) when GPS latitude/longitude tags are present but
    give no usable position, or (None, None) when there are none."""
    raw_lat, raw_lon = raw_value(tags, "GPS GPSLatitude"), raw_value(tags, "GPS GPSLongitude")
    if raw_lat is None and raw_lon is None:
        return None, None
    lat = dms_to_degrees(raw_lat, raw_value(tags, "GPS GPSLatitudeRef"))
    lon = dms_to_degrees(raw_lon, raw_value(tags, "GPS GPSLongitudeRef"))
    status = raw_value(tags, "GPS GPSStatus")
    reason = usable_position(lat, lon, status)
    if reason:
        return None, _unusable("EXIF", reason, {
            "GPSLatitude": _printable(raw_lat), "GPSLatitudeRef": text(
                raw_value(tags, "GPS GPSLatitudeRef")),
            "GPSLongitude": _printable(raw_lon), "GPSLongitudeRef": text(
                raw_value(tags, "GPS GPSLongitudeRef")),
            "GPSStatus": text(status), "latitude": lat, "longitude": lon})
    alt = None
    alt_raw = raw_value(tags, "GPS GPSAltitude")
    if alt_raw is not None:
        alt = _ratio(alt_raw[0] if isinstance(alt_raw, (list, tuple)) and alt_raw else alt_raw)
        ref = raw_value(tags, "GPS GPSAltitudeRef")
        ref_v = ref[0] if isinstance(ref, (list, tuple)) and ref else ref
        if alt is not None and ref_v in (1, b"\x01", "1"):
            alt = -alt
        alt = round(alt, 3) if alt is not None else None
    return {"lat": lat, "lon": lon, "alt": alt}, None


def gps_from_exif(tags: dict[str, Any]) -> dict[str, float | None] | None:
    """The EXIF GPS position, or ``None`` when absent or unusable (see :func:`gps_position`)."""
    return _exif_gps(tags)[0]


def _xmp_gps(props: dict[str, Any]) -> tuple[dict[str, float | None] | None,
                                             dict[str, Any] | None]:
    def coord(raw: Any) -> float | None:
        s = text(raw)
        if not s:
            return None
        m = re.match(r"^\s*(\d+),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?([NSEW])\s*$", s)
        if not m:
            return None
        d, mi, sec, ref = m.groups()
        val = int(d) + float(mi) / 60 + (float(sec) / 3600 if sec else 0)
        return round(-val if ref in "SW" else val, 7)

    raw_lat, raw_lon = props.get("exif:GPSLatitude"), props.get("exif:GPSLongitude")
    if raw_lat is None and raw_lon is None:
        return None, None
    lat, lon = coord(raw_lat), coord(raw_lon)
    reason = usable_position(lat, lon, props.get("exif:GPSStatus"))
    if reason:
        return None, _unusable("XMP", reason, {
            "exif:GPSLatitude": text(raw_lat), "exif:GPSLongitude": text(raw_lon),
            "exif:GPSStatus": text(props.get("exif:GPSStatus")), "latitude": lat,
            "longitude": lon})
    alt = _xmp_number(props.get("exif:GPSAltitude"))
    if alt is not None:
        alt = round(-alt if text(props.get("exif:GPSAltitudeRef")) == "1" else alt, 3)
    return {"lat": lat, "lon": lon, "alt": alt}, None


def gps_position(tags: dict[str, Any], xmp_props: dict[str, Any]
                 ) -> tuple[dict[str, float | None] | None, dict[str, Any] | None]:
    """The file's GPS position ``{lat, lon, alt}`` (EXIF, else XMP), and why there is none
    when GPS tags are present but hold no usable position: all zero ('null island'), a void
    measurement (GPSStatus 'V'), out of range, or unreadable. Such tags are not a place:
    taken at face value, zeros would put the picture in the Gulf of Guinea. The second value
    is ``{source, reason, why, values}`` (see :data:`NO_POSITION_REASONS`), or ``None``."""
    exif_pos, exif_bad = _exif_gps(tags)
    if exif_pos:
        return exif_pos, None
    xmp_pos, xmp_bad = _xmp_gps(xmp_props)
    if xmp_pos:
        return xmp_pos, None
    return None, exif_bad or xmp_bad


def _xmp_number(raw: Any) -> float | None:
    """An XMP rational (``"324145/1000"``) or decimal string as a float."""
    m = re.match(r"^\s*([+\-]?\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?))?\s*$", text(raw) or "")
    if not m:
        return None
    den = float(m[2]) if m[2] else 1.0
    return None if den == 0 else float(m[1]) / den


def _int(value: Any) -> int | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def capture_datetime(tags: dict[str, Any], xmp_props: dict[str, Any], *,
                     iptc: dict[str, Any] | None = None, data: bytes = b"",
                     jpeg_segments: Sequence[dict[str, Any]] | None = None
                     ) -> tuple[str | None, str | None]:
    """The moment of capture and where it was read, in ExifTool's order of trust: EXIF
    DateTimeOriginal, its XMP copy, a maker note, a JPEG vendor block, IPTC DateCreated +
    TimeCreated, XMP photoshop:DateCreated (see :mod:`forensics.metadata.dates`).
    ``(None, None)`` when the file records none."""
    dto = exif_datetime(raw_value(tags, "EXIF DateTimeOriginal"),
                        raw_value(tags, "EXIF OffsetTimeOriginal"))
    if dto:
        return dto, "EXIF:DateTimeOriginal"
    dto = xmp_datetime(xmp_props.get("exif:DateTimeOriginal"))
    if dto:
        return dto, "XMP:exif:DateTimeOriginal"
    found = (maker_note_date(tags) or jpeg_block_date(data, jpeg_segments)
             or iptc_date(iptc))
    if found:
        return found
    dto = xmp_datetime(xmp_props.get("photoshop:DateCreated"))
    return (dto, "XMP:photoshop:DateCreated") if dto else (None, None)


def summarise(tags: dict[str, Any], xmp_props: dict[str, Any],
              size: tuple[int, int] | None, *, iptc: dict[str, Any] | None = None,
              data: bytes = b"", jpeg_segments: Sequence[dict[str, Any]] | None = None
              ) -> dict[str, Any]:
    """Build ``metadata.summary`` from raw EXIF tags, XMP properties and the stored size;
    ``iptc`` (:func:`~forensics.metadata.containers.read_iptc`), the file's bytes and its
    JPEG marker walk let capture dates kept elsewhere be found (:func:`capture_datetime`)."""
    dto, dto_source = capture_datetime(tags, xmp_props, iptc=iptc, data=data,
                                       jpeg_segments=jpeg_segments)
    gps, gps_unusable = gps_position(tags, xmp_props)
    orientation = _int(raw_value(tags, "Image Orientation"))
    if orientation is None:
        orientation = _int(text(xmp_props.get("tiff:Orientation")))
    return {
        "make": text(raw_value(tags, "Image Make")) or text(xmp_props.get("tiff:Make")),
        "model": text(raw_value(tags, "Image Model")) or text(xmp_props.get("tiff:Model")),
        "software": text(raw_value(tags, "Image Software")),
        "datetime_original": dto,
        "datetime_original_source": dto_source,
        "gps": gps,
        "gps_unusable": gps_unusable,
        "width": size[0] if size else None,
        "height": size[1] if size else None,
        "orientation": orientation if orientation in range(1, 9) else None,
    }
