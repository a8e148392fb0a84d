"""Capture dates that live outside EXIF's DateTimeOriginal, read where ExifTool reads them.

``summary.datetime_original`` is EXIF DateTimeOriginal when the file has one. Some cameras
and programs write the moment of capture only elsewhere; ExifTool (its tags and its Composite
tags are the reference) finds it there, and so does :func:`capture_datetime`, which also says
where the date came from (``summary.datetime_original_source``). In ExifTool's order of trust:

``EXIF:DateTimeOriginal``
    ExifIFD 0x9003, with OffsetTimeOriginal when present.
``XMP:exif:DateTimeOriginal``
    its XMP copy.
``MakerNotes:Reconyx:DateTimeOriginal``
    Reconyx trail cameras. The HC500/HC600/PC900 (HyperFire) write the date only in their
    maker note, as six little-endian int16 (second, minute, hour, month, day, year) at byte
    22 of a note starting ``01 F1``; the UltraFire (``RECONYXUF``), HyperFire 2
    (``RECONYXH2``), MicroFire (``RECONYXMF``) and HyperFire 4K (``RECONYXHF4K``) notes have
    their own layouts (ExifTool ``Reconyx.pm``, from Reconyx's maker-note documents).
    exifread has no Reconyx decoder: the note's raw bytes (its ``EXIF MakerNote`` value) are
    read by these layouts.
``MakerNotes:Kodak:DateTimeOriginal``
    Kodak type-9 notes (C140, C180, M320... and cameras sold under other names): a note
    starting ``IIII`` 02/03 00 with ``YYYY/MM/DD HH:MM:SS`` at byte 0x14.
``APP12:PictureInfo:DateTimeOriginal``
    the ``[picture info]`` text block of old Olympus, Sanyo, Agfa and Polaroid cameras:
    ``TimeDate=`` seconds since 1970 (shown as UTC wall time, as ExifTool does).
``APP1:Casio:DateTimeOriginal``
    the APP1 ``QVCI`` block of the Casio QV-7000SX: ``YYYY.MM.DD HH:MM:SS`` at byte 0x4D.
``APP1:FLIR:DateTimeOriginal``
    FLIR thermal cameras: the CameraInfo record (type 0x20) of the FFF data split over APP1
    ``FLIR`` chunks; at 0x384, seconds since 1970 (UTC), milliseconds and the zone in
    minutes (local time = UTC - zone, offset -zone).
``IPTC:DateCreated+TimeCreated``
    IPTC IIM 2:55 (``YYYYMMDD``) with 2:60 (``HHMMSS[+-HHMM]``): ExifTool's Composite
    DateTimeOriginal, which needs both.
``XMP:photoshop:DateCreated``
    when it carries a time.

Other vendors' maker notes were checked against ExifTool's tag tables: Canon, Nikon, Sony,
Olympus, Panasonic, Pentax, Fujifilm, Samsung, Apple and the rest keep no capture date of
their own in still-image maker notes (their dated tables are for AVI/MOV/WAV or for other file
types: Sony PMP, Canon CRW/CIFF, FLIR FPF), and exifread's decoders (Apple, Canon, Casio,
DJI, Fujifilm, Nikon, Olympus, Sony) give none either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from .exif import raw_value

_EXIF_DT = re.compile(r"^\s*(\d{4})[:\-/.](\d{2})[:\-/.](\d{2})[ T.:](\d{2})[:.](\d{2})[:.](\d{2})")
MAX_FLIR_BYTES = 8 * 1024 * 1024
"""FLIR chunks joined at most (the CameraInfo record comes before the raw thermal data)."""


def iso(y: int, mo: int, d: int, h: int, mi: int, s: int, offset: str | None = None
        ) -> str | None:
    """The ISO 8601 text of a wall-clock time, or ``None`` for an impossible one (all-zero
    dates are what cameras write when their clock was never set)."""
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    if y < 1900:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}" + (offset or "")


def _parse_text(raw: str | None) -> str | None:
    m = _EXIF_DT.match(raw or "")
    return iso(*(int(g) for g in m.groups())) if m else None


def _note_bytes(tags: dict[str, Any]) -> bytes:
    """The maker note's raw bytes: exifread's list of byte values, or Pillow's bytes."""
    value = raw_value(tags, "EXIF MakerNote")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) and 0 <= v < 256
                                                for v in value[:4096]):
        return bytes(value[:65536])
    return b""


def _u16(data: bytes, at: int, count: int) -> list[int] | None:
    if at + 2 * count > len(data):
        return None
    return [int.from_bytes(data[at + 2 * i:at + 2 * i + 2], "little") for i in range(count)]


def _reconyx(note: bytes, make: str) -> str | None:
    """Reconyx maker-note DateTimeOriginal, by the layout the note's header names."""
    if note[:2] == b"\x01\xf1" and (note[2:4] in (b"\x02\x00", b"\x03\x00")
                                    or make.upper() == "RECONYX"):
        a = _u16(note, 0x0B * 2, 6)  # HyperFire: int16u entries, the date is entry 0x0b
        if a is None:
            return None
        if a[0] & 0xFF00 and not a[0] & 0xFF:  # seen written big-endian (ExifTool)
            a = [((v >> 8) | ((v & 0xFF) << 8)) for v in a]
        sec, mi, h, mo, d, y = a
        return iso(y, mo, d, h, mi, sec)
    if note.startswith(b"RECONYXUF\x00"):
        return _c5v(note, 0x3B)
    if note.startswith(b"RECONYXHF4K\x00"):
        return _c5v(note, 0x2F)
    if note.startswith(b"RECONYXH2\x00"):
        a = _u16(note, 0x3E, 6)
        return iso(a[5], a[4], a[3], a[2], a[1], a[0]) if a else None
    if note.startswith(b"RECONYXMF\x00"):
        a = _u16(note, 0x4E, 6)
        return iso(a[5], a[3], a[4], a[2], a[1], a[0]) if a else None
    return None


def _c5v(note: bytes, at: int) -> str | None:
    """Seconds, minutes, hours, day, month (one byte each) and a little-endian int16 year."""
    if at + 7 > len(note):
        return None
    sec, mi, h, d, mo = note[at:at + 5]
    return iso(int.from_bytes(note[at + 5:at + 7], "little"), mo, d, h, mi, sec)


def _kodak9(note: bytes) -> str | None:
    if re.match(rb"^IIII[\x02\x03]\x00.{14}\d{4}/\d{2}/\d{2} ", note, re.S):
        return _parse_text(note[0x14:0x14 + 20].decode("latin-1"))
    return None


def maker_note_date(tags: dict[str, Any]) -> tuple[str, str] | None:
    """``(iso, source)`` from a maker note that keeps the capture date, else ``None``."""
    note = _note_bytes(tags)
    if not note:
        return None
    make = str(raw_value(tags, "Image Make") or "").strip()
    for source, reader in (("MakerNotes:Reconyx:DateTimeOriginal", lambda n: _reconyx(n, make)),
                           ("MakerNotes:Kodak:DateTimeOriginal", _kodak9)):
        value = reader(note)
        if value:
            return value, source
    return None


# --------------------------------------------------------------------------- JPEG APP blocks


def _picture_info(body: bytes) -> str | None:
    if b"[picture info]" not in body and b"Type=" not in body:
        return None
    m = re.search(rb"(?:^|[\r\n])TimeDate=([^\r\n\x00]*)", body)
    if not m:
        return None
    raw = m.group(1).decode("latin-1").strip()
    if raw.isdigit():
        if len(raw) > 10 or int(raw) == 0:  # 10 digits reach the year 2286
            return None
        when = datetime(1970, 1, 1) + timedelta(seconds=int(raw))
        return iso(when.year, when.month, when.day, when.hour, when.minute, when.second)
    return _parse_text(raw)


def _casio_qvci(body: bytes) -> str | None:
    if not body.startswith(b"QVCI\x00") or len(body) < 0x4D + 19:
        return None
    return _parse_text(body[0x4D:0x4D + 20].split(b"\x00")[0].decode("latin-1"))


def _flir(chunks: Sequence[bytes]) -> str | None:
    """DateTimeOriginal of the FLIR CameraInfo record in the joined FFF data."""
    parts: dict[int, bytes] = {}
    total = None
    size = 0
    for body in chunks:
        number, count = body[6], body[7] + 1
        if total is None:
            total = count
        if count != total or number in parts:
            return None
        parts[number] = body[8:]
        size += len(body) - 8
        if size > MAX_FLIR_BYTES:
            break
    fff = b"".join(parts[k] for k in sorted(parts))
    if len(fff) < 0x40 or fff[:4] not in (b"FFF\x00", b"AFF\x00"):
        return None
    for order in ("big", "little"):  # FLIR APP1 data is big-endian, FFF files little-endian
        if 100 <= int.from_bytes(fff[0x14:0x18], order) < 200:
            break
    else:
        return None
    where = int.from_bytes(fff[0x18:0x1C], order)
    count = min(int.from_bytes(fff[0x1C:0x20], order), 256)
    for i in range(count):
        entry = fff[where + 0x20 * i:where + 0x20 * (i + 1)]
        if len(entry) < 0x20:
            return None
        if int.from_bytes(entry[0:2], order) != 0x20:  # CameraInfo
            continue
        start = int.from_bytes(entry[0x0C:0x10], order)
        record = fff[start:start + int.from_bytes(entry[0x10:0x14], order)]
        return _flir_camera_info(record)
    return None


def _flir_camera_info(record: bytes) -> str | None:
    if len(record) < 0x384 + 10:
        return None
    # the record's own byte order: its first int16 reads 2 when it is right (ExifTool)
    order = "little" if int.from_bytes(record[0:2], "little") < 0x100 else "big"
    seconds = int.from_bytes(record[0x384:0x388], order)
    zone = int.from_bytes(record[0x38C:0x38E], order, signed=True)
    if seconds == 0 or abs(zone) > 14 * 60:
        return None
    local = datetime(1970, 1, 1) + timedelta(seconds=seconds - zone * 60)
    offset = -zone
    sign = "+" if offset >= 0 else "-"
    text = f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return iso(local.year, local.month, local.day, local.hour, local.minute, local.second, text)


def jpeg_block_date(data: bytes, segments: Sequence[dict[str, Any]] | None
                    ) -> tuple[str, str] | None:
    """``(iso, source)`` from a JPEG APP block that keeps the capture date, else ``None``.
    ``segments`` is the marker walk (:func:`forensics.metadata.jpeg.walk_segments`)."""
    if not segments:
        return None
    flir: list[bytes] = []
    found: list[tuple[str, str]] = []
    readers: dict[str, tuple[str, Callable[[bytes], str | None]]] = {
        "APP12": ("APP12:PictureInfo:DateTimeOriginal", _picture_info),
        "APP1": ("APP1:Casio:DateTimeOriginal", _casio_qvci),
    }
    for seg in segments:
        marker = seg.get("marker")
        if marker not in readers:
            continue
        body = data[seg["offset"] + 4:seg["offset"] + 2 + seg["length"]]
        if marker == "APP1" and body.startswith(b"FLIR\x00") and len(body) >= 8:
            flir.append(body)
            continue
        source, reader = readers[marker]
        value = reader(body)
        if value:
            found.append((value, source))
    if found:
        return found[0]
    if flir:
        value = _flir(flir)
        if value:
            return value, "APP1:FLIR:DateTimeOriginal"
    return None


# --------------------------------------------------------------------------- IPTC


def iptc_date(iptc: dict[str, Any] | None) -> tuple[str, str] | None:
    """IPTC DateCreated + TimeCreated as one time (ExifTool's Composite DateTimeOriginal
    needs both), e.g. ``20061029`` + ``062751-0500`` -> ``2006-10-29T06:27:51-05:00``."""
    if not iptc or "error" in iptc:
        return None
    date, clock = _first(iptc.get("DateCreated")), _first(iptc.get("TimeCreated"))
    if not date or not clock:
        return None
    d = re.match(r"^\s*(\d{4})-?(\d{2})-?(\d{2})", date)
    t = re.match(r"^\s*(\d{2}):?(\d{2}):?(\d{2})(?:\s*([+\-])(\d{2}):?(\d{2}))?", clock)
    if not d or not t:
        return None
    offset = None
    if t[4]:
        if int(t[5]) > 14 or int(t[6]) > 59:
            return None
        offset = f"{t[4]}{t[5]}:{t[6]}"
    value = iso(int(d[1]), int(d[2]), int(d[3]), int(t[1]), int(t[2]), int(t[3]), offset)
    return (value, "IPTC:DateCreated+TimeCreated") if value else None


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else None
