"""EXIF: every IFD read with exifread (Pillow as the second reader), grouped like ExifTool.

exifread answers ``{}`` both for "no EXIF" and for "EXIF it could not parse". We tell them
apart by looking for the EXIF block in the container first (:func:`exif_block_present`).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

import exifread
from PIL import ExifTags, Image

from .jpeg import iter_segments

logging.getLogger("exifread").setLevel(logging.CRITICAL)

GROUPS = {
    "Image": "IFD0", "EXIF": "ExifIFD", "GPS": "GPS", "Interoperability": "Interop",
    "Thumbnail": "IFD1", "MakerNote": "MakerNote",
}
MAX_TAGS = 5000
MAX_VALUE_CHARS = 2000
MAX_EXIFREAD_READS = 300_000
"""Reads exifread may make on one file (about 1 s). It reads a maker note one value at a time,
even past the end of the data, so one absurd tag count (up to 2**32) would keep it busy for
hours. Real camera files need far fewer: at most about 73,000 over the shared EXIF corpus."""
MAX_EXIFREAD_READS_PAST_END = 50_000
"""Of those, reads that reach past the end of the data (at most about 38,000 in the corpus,
in files cut down by their publishers)."""


class _ReadLimitReached(Exception):
    pass


class _BoundedReader(io.BytesIO):
    """The file's bytes for exifread, refusing to serve more than ``limit`` reads."""

    def __init__(self, data: bytes, limit: int, past_end_limit: int):
        super().__init__(data)
        self._size = len(data)
        self._left = limit
        self._past_end_left = past_end_limit

    def read(self, size: int | None = -1, /) -> bytes:
        self._left -= 1
        if size is not None and size > 0 and self.tell() + size > self._size:
            self._past_end_left -= 1
        if self._left < 0 or self._past_end_left < 0:
            raise _ReadLimitReached
        return super().read(size)


@dataclass
class ExifData:
    """What was read. ``tags`` keeps the raw reader values for normalisation (not JSON)."""

    present: bool
    reader: str | None = None
    error: str | None = None
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    thumbnail: bytes | None = None
    makernote_bytes: int = 0
    layout: dict[str, Any] | None = None
    """How the block is laid out (:func:`exif_layout`), part of the writer's fingerprint."""

    @property
    def corrupt(self) -> bool:
        return self.present and not self.tags

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"present": self.present, "reader": self.reader,
                               "error": self.error}
        out.update(self.groups)
        out["MakerNote"] = {**self.groups.get("MakerNote", {}),
                            "present": self.makernote_bytes > 0 or "MakerNote" in self.groups,
                            "bytes": self.makernote_bytes}
        out["thumbnail"] = thumbnail_info(self.thumbnail) if self.thumbnail else None
        out["layout"] = self.layout
        return out


def exif_layout(tags: dict[str, Any], byte_order: str | None) -> dict[str, Any]:
    """The EXIF block's layout as its writer left it: the TIFF byte order (``II``/``MM``) and,
    per IFD, the tag numbers in the order the entries stand in the file (exifread reads them
    in that order); maker-note tags are left out (their layout is the camera's own). Cameras
    and editors each write their own set and order (Kee, Johnson & Farid 2011)."""
    ifds: dict[str, list[int]] = {}
    for name, tag in tags.items():
        prefix = name.partition(" ")[0]
        group = GROUPS.get(prefix)
        number = getattr(tag, "tag", None)
        if group is None or group == "MakerNote" or not isinstance(number, int):
            continue
        ifds.setdefault(group, []).append(number)
    order = {"<": "II", ">": "MM"}.get(byte_order or "")
    return {"byte_order": order, "ifds": ifds}


def thumbnail_info(data: bytes) -> dict[str, Any]:
    """The embedded thumbnail's size in bytes, its pixel size and the SHA-1 of its JPEG
    quantization and Huffman tables (header only, no pixel is decoded); a thumbnail Pillow
    cannot open keeps only its size in bytes."""
    from .jpeg import walk_segments

    out: dict[str, Any] = {"bytes": len(data)}
    try:
        with Image.open(io.BytesIO(data)) as im:
            out["width"], out["height"], out["format"] = im.size[0], im.size[1], im.format
    except Exception:  # noqa: BLE001 - a damaged thumbnail is still a thumbnail of n bytes
        return out
    if data.startswith(b"\xff\xd8"):
        out["tables_sha1"] = walk_segments(data)["tables_sha1"]
    return out


def exif_block_present(data: bytes, media_type: str, pillow_exif: bytes | None) -> bool:
    """Whether the container carries an EXIF block at all (before anyone parses it)."""
    if pillow_exif:
        return True
    if media_type == "image/jpeg":
        # an APP1 segment starting "Exif\0" before the image data (the lenient walk: a
        # damaged header still shows the block it carries)
        return any(seg.marker == 0xE1 and data[seg.offset + 4:seg.offset + 9] == b"Exif\x00"
                   for seg in iter_segments(data, lenient=True))
    if media_type == "image/tiff":
        return True
    if media_type == "image/png":
        return b"eXIf" in data or b"Raw profile type exif" in data
    if media_type == "image/webp":
        return b"EXIF" in data[:1 << 20]
    return False


def read_exif(data: bytes, media_type: str, image: Image.Image | None) -> ExifData:
    """Read EXIF from a file's bytes; ``image`` is the opened Pillow image, if any."""
    pillow_raw = image.info.get("exif") if image is not None else None
    if isinstance(pillow_raw, str):
        pillow_raw = pillow_raw.encode("latin-1", "replace")
    out = ExifData(present=exif_block_present(data, media_type, pillow_raw))
    try:
        reader = _BoundedReader(data, MAX_EXIFREAD_READS, MAX_EXIFREAD_READS_PAST_END)
        tags = exifread.process_file(reader, details=True, extract_thumbnail=True)
    except _ReadLimitReached:
        tags = {}
        out.error = ("exifread was stopped: the EXIF block needs more reads than any real "
                     "file (a tag claims an absurd number of values); Pillow's reading is "
                     "shown when it has one")
    except Exception as exc:  # noqa: BLE001 - exifread raises many types on hostile input
        tags = {}
        out.error = f"exifread failed: {type(exc).__name__}: {exc}"[:300]
    if tags:
        out.present = True
        out.reader = "exifread"
        thumb = tags.pop("JPEGThumbnail", None) or tags.pop("TIFFThumbnail", None)
        out.thumbnail = bytes(thumb) if isinstance(thumb, (bytes, bytearray)) else None
        for name, tag in list(tags.items())[:MAX_TAGS]:
            prefix, _, short = name.partition(" ")
            group = GROUPS.get(prefix, prefix)
            out.groups.setdefault(group, {})[short or name] = _printable(tag)
        out.tags = tags
    if image is not None:
        _pillow_side(image, out)
    if out.present and out.reader == "exifread":
        out.layout = exif_layout(out.tags, _byte_order(data, image))
    if out.present and not out.tags and out.error is None:
        out.error = "an EXIF block is present but no tag could be read from it"
    return out


def _byte_order(data: bytes, image: Image.Image | None) -> str | None:
    """``"<"`` or ``">"``: the TIFF header's byte order (Pillow's reading, else the first TIFF
    header in the file's first 128 KiB)."""
    if image is not None:
        try:
            endian = getattr(image.getexif(), "endian", None)
        except Exception:  # noqa: BLE001
            endian = None
        if endian in ("<", ">"):
            return endian
    head = data[:1 << 17]
    for mark, endian in ((b"Exif\x00\x00II*\x00", "<"), (b"Exif\x00\x00MM\x00*", ">")):
        if mark in head:
            return endian
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "<" if head[:2] == b"II" else ">"
    return None


def _pillow_side(image: Image.Image, out: ExifData) -> None:
    """Maker-note size from Pillow; Pillow's tags when exifread read none."""
    try:
        exif = image.getexif()
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception as exc:  # noqa: BLE001
        if out.error is None and out.present and not out.tags:
            out.error = f"Pillow could not read EXIF: {exc}"[:300]
        return
    note = exif_ifd.get(0x927C)
    if isinstance(note, (bytes, bytearray)):
        out.makernote_bytes = len(note)
    comment = user_comment(exif_ifd.get(0x9286), getattr(exif, "endian", None) or "<")
    if comment is not None:  # exifread garbles UNICODE/UTF-8 comments and drops long ones
        out.groups.setdefault("ExifIFD", {})["UserComment"] = comment[:MAX_VALUE_CHARS]
    # Pillow also reports XMP's tiff:Orientation through getexif(); only an EXIF block that
    # exists in the container is read here.
    if out.tags or not out.present or not (len(exif) or len(exif_ifd)):
        return
    out.reader = "pillow"
    if out.error is None:
        out.error = "exifread could not parse the EXIF block; Pillow's reading is shown"
    tags: dict[str, Any] = {}
    for group, ifd in (("IFD0", exif), ("ExifIFD", exif_ifd),
                       ("GPS", _safe_ifd(exif, ExifTags.IFD.GPSInfo)),
                       ("Interop", _safe_ifd(exif, ExifTags.IFD.Interop))):
        names = ExifTags.GPSTAGS if group == "GPS" else ExifTags.TAGS
        for tag_id, value in ifd.items():
            if group == "IFD0" and tag_id in (0x8769, 0x8825, 0xA005):
                continue
            name = names.get(tag_id, f"Tag 0x{tag_id:04X}")
            out.groups.setdefault(group, {})[name] = _printable(value)
            prefix = {"IFD0": "Image", "ExifIFD": "EXIF", "GPS": "GPS",
                      "Interop": "Interoperability"}[group]
            tags[f"{prefix} {name}"] = value
    out.tags = tags


_CHARSETS = {b"ASCII\0\0\0": "ascii", b"UNICODE\0": "utf-16", b"JIS\0\0\0\0\0": "iso2022_jp",
             b"\0" * 8: "undefined"}


def user_comment(raw: Any, byte_order: str = "<") -> str | None:
    """EXIF UserComment (``UNDEFINED`` bytes) decoded by its 8-byte character code (EXIF 2.32
    section 4.6.5): ASCII, UNICODE (UTF-16 in the TIFF byte order ``"<"``/``">"``, or as its
    BOM says), JIS, or undefined (UTF-8 if it decodes, else Latin-1). Trailing NUL padding
    and surrounding spaces are removed; ``None`` when ``raw`` is not bytes."""
    if not isinstance(raw, (bytes, bytearray)) or len(raw) < 8:
        return None
    code, body = _CHARSETS.get(bytes(raw[:8])), bytes(raw[8:])
    if code is None:  # no character code: the whole value is the text
        code, body = "undefined", bytes(raw)
    if code == "utf-16":
        if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = body.decode("utf-16", "replace")
        else:
            text = body.decode("utf-16-be" if byte_order == ">" else "utf-16-le", "replace")
    elif code == "iso2022_jp":
        text = body.decode("iso2022_jp", "replace")
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = body.decode("latin-1")
    return text.rstrip("\x00").strip()  # NUL padding ends it; a NUL inside is data


def _safe_ifd(exif: Image.Exif, ifd: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(ifd))
    except Exception:  # noqa: BLE001
        return {}


def _printable(tag: Any) -> Any:
    if hasattr(tag, "printable"):
        text = str(tag.printable)
    elif isinstance(tag, (bytes, bytearray)):
        text = f"({len(tag)} bytes)"
    else:
        text = str(tag)
    return text.replace("\x00", "").strip()[:MAX_VALUE_CHARS]


def raw_value(tags: dict[str, Any], name: str) -> Any:
    """The raw value(s) of an exifread-style tag name (``"EXIF DateTimeOriginal"``)."""
    tag = tags.get(name)
    if tag is None:
        return None
    if hasattr(tag, "values"):
        return tag.values
    return tag
