"""ISO base media (MP4, MOV, 3GP) boxes that PyAV does not show, read by a small bounded walker.

FFmpeg (and so PyAV) turns most QuickTime metadata into tags, but drops what a fact-checker
compares: the ``mvhd``/``tkhd``/``mdhd`` *modification* times, each track's own creation time,
the ``tkhd`` display matrix as written, the order of the top-level boxes (a camera's
``ftyp, wide, mdat, moov`` against an editor's ``ftyp, moov, mdat``), the ``hdlr`` component
names of every track, the ``stsd`` sample-entry codes of data tracks (``gpmd`` is GoPro
telemetry, ``mebx`` Apple timed metadata), XMP in a ``uuid`` or ``udta/XMP_`` box, and
whether the file ends inside a box (a copy cut short).

Bounded whatever the file claims: top-level boxes are visited by seeking over their
payload (an ``mdat`` of 2 GiB is never read), only ``moov`` is read into memory and only up
to :data:`MAX_MOOV_BYTES`, the walk goes :data:`MAX_DEPTH` boxes deep and visits at most
:data:`MAX_BOXES`, and no declared length is trusted (each is checked against what holds it).

Lab notes:

* QuickTime ``meta`` (``moov/meta`` with ``hdlr``/``keys``/``ilst``, Apple's
  ``com.apple.quicktime.*`` keys) is a plain box; the ISO ``meta`` (``udta/meta`` with
  iTunes-style ``ilst`` items such as ``(c)too``) is a full box with 4 bytes of version and
  flags. Which one a box is, is told from whether ``hdlr`` follows at once (what ExifTool
  and FFmpeg do too).
* ``udta`` text atoms whose type starts with (c) (0xA9) are QuickTime international text:
  a 16-bit length and a 16-bit language code before the text. Other ``udta`` children
  (GoPro's ``FIRM``, ``LENS``, ``CAME``) are raw; they are kept when they read as text.
* Times count seconds since 1904-01-01 and are UTC by the specification; cameras (GoPro,
  many Android phones, DJI) write their local time there instead, so these times are given
  without an offset (see :func:`mac_time`).
"""

from __future__ import annotations

import math
import struct
from datetime import datetime, timedelta
from typing import Any, BinaryIO

MAX_DEPTH = 10
MAX_BOXES = 20_000
MAX_TOP_LEVEL = 4_096
MAX_MOOV_BYTES = 64 * 1024 * 1024
"""A ``moov`` larger than this is not read (a camera's is a few MB per hour of video)."""
MAX_TEXT = 4_096
"""Longest tag text kept (characters)."""
MAX_XMP = 2 * 1024 * 1024
MAX_KEYS = 512

XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
MAC_EPOCH = datetime(1904, 1, 1)

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf",
               b"mvex", b"tref"}
_UNUSUAL = frozenset(b" _-.()\xa9")
_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid",
                b"styp", b"sidx", b"moof", b"junk", b"PICT", b"meta", b"prfl"}
"""Boxes a QuickTime or ISO file may start with (ExifTool's and FFmpeg's lists)."""
_3GPP_TEXT = {b"titl", b"dscp", b"cprt", b"perf", b"auth", b"gnre", b"albm", b"yrrc"}
"""3GPP asset boxes (TS 26.244): a full box, a language code, then a string."""


class BoxReadError(Exception):
    """The file is not an ISO base media file at all (no box can be read at its start)."""


def mac_time(seconds: int) -> str | None:
    """Seconds since 1904-01-01 as ``YYYY-MM-DDTHH:MM:SS`` (no offset: see the module notes);
    ``None`` for 0 (never set) and values past the year 9999."""
    if seconds <= 0:
        return None
    try:
        return (MAC_EPOCH + timedelta(seconds=seconds)).isoformat(timespec="seconds")
    except OverflowError:
        return None


def _fourcc(raw: bytes) -> str:
    """A box type as text: printable ASCII as is, (c) for 0xA9, other bytes as ``\\xNN``."""
    out = []
    for b in raw:
        if b == 0xA9:
            out.append("©")
        elif 32 <= b < 127:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out)


def _plausible_type(raw: bytes) -> bool:
    return len(raw) == 4 and all(48 <= b < 58 or 65 <= b < 91 or 97 <= b < 123 or b in _UNUSUAL
                                 for b in raw)


def _clean_text(raw: bytes) -> str | None:
    """Bytes as text when they read as text (UTF-8, else UTF-16 with a BOM), else ``None``."""
    raw = raw.rstrip(b"\x00")
    if not raw:
        return None
    if raw[:2] in (b"\xfe\xff", b"\xff\xfe"):
        try:
            txt = raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        try:
            txt = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
    txt = txt.replace("\x00", "").strip()
    if not txt or sum(ch.isprintable() or ch in "\t\r\n" for ch in txt) < 0.9 * len(txt):
        return None
    return txt[:MAX_TEXT]


def top_level_boxes(fh: BinaryIO, file_size: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The file's top-level boxes ``{type, offset, size, truncated}`` by seeking from header
    to header, and the problems met (a box running past the end of the file, a length that
    cannot be, bytes that are no box). Raises :class:`BoxReadError` when not even the first
    box can be read."""
    boxes: list[dict[str, Any]] = []
    problems: list[str] = []
    pos = 0
    while pos < file_size:
        if len(boxes) >= MAX_TOP_LEVEL:
            problems.append(f"more than {MAX_TOP_LEVEL} top-level boxes: the rest not read")
            break
        fh.seek(pos)
        head = fh.read(16)
        if len(head) < 8:
            problems.append(f"{file_size - pos} trailing bytes at offset {pos} are no box")
            break
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1:
            if len(head) < 16:
                problems.append(f"box at offset {pos} is cut inside its 64-bit size")
                break
            size = struct.unpack(">Q", head[8:16])[0]
            header = 16
        elif size == 0:
            size = file_size - pos
        if not boxes and kind not in _FIRST_BOXES:
            raise BoxReadError("the file does not start with an ISO base media box")
        if not _plausible_type(kind) or size < header:
            if not boxes:
                raise BoxReadError("the file does not start with an ISO base media box")
            problems.append(f"bytes at offset {pos} are no box (type {_fourcc(kind)!r}, "
                            f"declared size {size})")
            break
        truncated = pos + size > file_size
        boxes.append({"type": _fourcc(kind), "offset": pos, "size": size,
                      "header": header, "truncated": truncated})
        if truncated:
            problems.append(f"the {_fourcc(kind)} box at offset {pos} declares {size} bytes "
                            f"but the file ends {file_size - pos} bytes after its start: "
                            "the file is cut short")
            break
        pos += size
    return boxes, problems


def _children(buf: bytes, start: int, end: int, problems: list[str],
              where: str) -> list[tuple[bytes, int, int]]:
    """``(type, payload_start, payload_end)`` of the boxes in ``buf[start:end]``."""
    out: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", buf, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                problems.append(f"{where}: a box is cut inside its 64-bit size")
                break
            size = struct.unpack_from(">Q", buf, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            problems.append(f"{where}: box {_fourcc(kind)!r} at +{pos - start} declares "
                            f"{size} bytes, more than its parent holds")
            break
        out.append((kind, pos + header, pos + size))
        pos += size
    return out


def _matrix_rotation(m: list[float]) -> tuple[int | None, bool]:
    """(rotation in degrees clockwise, mirrored) of a ``tkhd`` display matrix, or
    ``(None, False)`` when it is no rotation by a multiple of 90 degrees."""
    a, b, c, d = m[0], m[1], m[3], m[4]
    det = a * d - b * c
    if not math.isfinite(det) or abs(abs(det) - 1) > 0.01:
        return None, False
    mirrored = det < 0
    if mirrored:  # undo a horizontal flip first
        a, c = -a, -c
    deg = math.degrees(math.atan2(b, a)) % 360
    nearest = int(round(deg / 90.0)) * 90 % 360
    if abs(((deg - nearest) + 180) % 360 - 180) > 1:
        return None, mirrored
    return nearest, mirrored


def _full_times(buf: bytes, p: int, end: int) -> tuple[dict[str, Any], int] | None:
    """creation, modification (and the offset after them) of an mvhd/tkhd/mdhd payload."""
    if p + 4 > end:
        return None
    version = buf[p]
    if version == 1:
        if p + 20 > end:
            return None
        cre, mod = struct.unpack_from(">QQ", buf, p + 4)
        nxt = p + 20
    else:
        if p + 12 > end:
            return None
        cre, mod = struct.unpack_from(">II", buf, p + 4)
        nxt = p + 12
    return {"version": version, "creation_time": mac_time(cre),
            "modification_time": mac_time(mod), "creation_raw": cre,
            "modification_raw": mod}, nxt


def _mvhd(buf: bytes, p: int, end: int) -> dict[str, Any] | None:
    got = _full_times(buf, p, end)
    if got is None:
        return None
    out, q = got
    long_dur = out["version"] == 1
    if q + (12 if long_dur else 8) > end:
        return out
    scale = struct.unpack_from(">I", buf, q)[0]
    dur = struct.unpack_from(">Q" if long_dur else ">I", buf, q + 4)[0]
    out["timescale"] = scale
    out["duration_s"] = round(dur / scale, 3) if scale else None
    return out


def _tkhd(buf: bytes, p: int, end: int) -> dict[str, Any] | None:
    got = _full_times(buf, p, end)
    if got is None:
        return None
    out, q = got
    long_dur = out["version"] == 1
    # track_ID, reserved, duration; reserved[2], layer, alternate_group, volume, reserved
    dur_at = q + 8
    after_dur = dur_at + (8 if long_dur else 4)
    mat_at = after_dur + 16
    if mat_at + 36 + 8 > end:
        return out
    out["track_id"] = struct.unpack_from(">I", buf, q)[0]
    out["duration_raw"] = struct.unpack_from(">Q" if long_dur else ">I", buf, dur_at)[0]
    raw = struct.unpack_from(">9i", buf, mat_at)
    matrix = [raw[i] / (1 << 30 if i % 3 == 2 else 1 << 16) for i in range(9)]
    out["matrix"] = [round(v, 4) for v in matrix]
    out["rotation"], out["mirrored"] = _matrix_rotation(matrix)
    w, h = struct.unpack_from(">II", buf, mat_at + 36)
    out["width"], out["height"] = round(w / 65536, 2), round(h / 65536, 2)
    return out


def _mdhd(buf: bytes, p: int, end: int) -> dict[str, Any] | None:
    got = _full_times(buf, p, end)
    if got is None:
        return None
    out, q = got
    long_dur = out["version"] == 1
    if q + (14 if long_dur else 10) > end:
        return out
    scale = struct.unpack_from(">I", buf, q)[0]
    dur = struct.unpack_from(">Q" if long_dur else ">I", buf, q + 4)[0]
    out["timescale"] = scale
    out["duration_s"] = round(dur / scale, 3) if scale else None
    lang = struct.unpack_from(">H", buf, q + (12 if long_dur else 8))[0]
    if lang and lang < 0x8000 and lang != 0x7FFF:
        out["language"] = "".join(chr(((lang >> s) & 31) + 0x60) for s in (10, 5, 0))
    return out


def _hdlr(buf: bytes, p: int, end: int) -> dict[str, Any] | None:
    if p + 24 > end:
        return None
    component = buf[p + 4:p + 8]
    handler = buf[p + 8:p + 12]
    raw_name = buf[p + 24:end]
    name: str | None = None
    if raw_name:
        # QuickTime: a Pascal string (length byte first); ISO: a NUL-terminated UTF-8 string
        if component == b"mhlr" or component == b"dhlr" or (
                raw_name[0] == len(raw_name) - 1 and raw_name[0] > 0):
            name = _clean_text(raw_name[1:1 + raw_name[0]])
        else:
            name = _clean_text(raw_name.split(b"\x00", 1)[0])
    return {"component_type": _fourcc(component) if component != b"\0\0\0\0" else None,
            "handler_type": _fourcc(handler), "name": name}


def _stsd_format(buf: bytes, p: int, end: int) -> str | None:
    # version/flags 4, entry_count 4, then the first sample entry: size 4, format 4
    if p + 16 > end:
        return None
    count = struct.unpack_from(">I", buf, p + 4)[0]
    if not count:
        return None
    return _fourcc(buf[p + 12:p + 16])


def _intl_text(payload: bytes) -> str | None:
    """A QuickTime international text atom (16-bit length, 16-bit language, text), else the
    payload read as plain text."""
    if len(payload) >= 4:
        n = struct.unpack_from(">H", payload, 0)[0]
        if 0 < n <= len(payload) - 4:
            got = _clean_text(payload[4:4 + n])
            if got:
                return got
    return _clean_text(payload)


def _loci(payload: bytes) -> dict[str, Any] | None:
    """A 3GPP ``loci`` location box: name, role, longitude, latitude, altitude (16.16)."""
    if len(payload) < 6:
        return None
    p = 6
    end = payload.find(b"\x00", p)
    if end < 0 or end + 14 > len(payload):
        return None
    name = _clean_text(payload[p:end])
    lon, lat, alt = (v / 65536 for v in struct.unpack_from(">iii", payload, end + 2))
    return {"name": name, "role": payload[end + 1], "lat": round(lat, 5),
            "lon": round(lon, 5), "alt": round(alt, 2)}


def _data_value(buf: bytes, p: int, end: int) -> Any:
    """The value of an ``ilst`` item's ``data`` box (well-known types: text, numbers)."""
    if p + 8 > end:
        return None
    well_known = struct.unpack_from(">I", buf, p)[0] & 0xFFFFFF
    value = buf[p + 8:end]
    if well_known in (1, 4):  # UTF-8 (4: UTF-8 sort)
        return _clean_text(value) if value else None
    if well_known in (2, 5):  # UTF-16
        try:
            return value.decode("utf-16-be").replace("\x00", "").strip()[:MAX_TEXT] or None
        except UnicodeDecodeError:
            return None
    if well_known == 23 and len(value) == 4:
        v = struct.unpack(">f", value)[0]
        return round(v, 6) if math.isfinite(v) else None
    if well_known == 24 and len(value) == 8:
        v = struct.unpack(">d", value)[0]
        return v if math.isfinite(v) else None
    if well_known in (21, 22) and len(value) in (1, 2, 4, 8):
        fmt = {1: "b", 2: "h", 4: "i", 8: "q"}[len(value)]
        return struct.unpack(">" + (fmt if well_known == 21 else fmt.upper()), value)[0]
    if well_known == 0:
        return _clean_text(value)
    return {"type": well_known, "bytes": len(value)}


class _Walk:
    """One walk over the bytes of a ``moov`` box."""

    def __init__(self, buf: bytes):
        self.buf = buf
        self.visited = 0
        self.problems: list[str] = []
        self.mvhd: dict[str, Any] | None = None
        self.tracks: list[dict[str, Any]] = []
        self.udta: dict[str, Any] = {}
        self.keys: dict[str, Any] = {}
        self.ilst: dict[str, Any] = {}
        self.xmp: list[bytes] = []

    def walk(self, start: int, end: int, depth: int, path: str,
             track: dict[str, Any] | None) -> None:
        if depth > MAX_DEPTH:
            self.problems.append(f"{path}: boxes nested deeper than {MAX_DEPTH}: not read")
            return
        for kind, p, q in _children(self.buf, start, end, self.problems, path):
            self.visited += 1
            if self.visited > MAX_BOXES:
                if self.visited == MAX_BOXES + 1:
                    self.problems.append(f"more than {MAX_BOXES} boxes in moov: the rest "
                                         "not read")
                return
            here = f"{path}/{_fourcc(kind)}"
            if kind == b"trak":
                t: dict[str, Any] = {}
                self.tracks.append(t)
                self.walk(p, q, depth + 1, here, t)
            elif kind in _CONTAINERS:
                if kind == b"udta":
                    self.user_data(p, q, depth, here, track)
                else:
                    self.walk(p, q, depth + 1, here, track)
            elif kind == b"mvhd" and track is None:
                self.mvhd = _mvhd(self.buf, p, q)
            elif kind == b"tkhd" and track is not None:
                track["tkhd"] = _tkhd(self.buf, p, q)
            elif kind == b"mdhd" and track is not None:
                track["mdhd"] = _mdhd(self.buf, p, q)
            elif kind == b"hdlr" and track is not None and "/mdia/hdlr" in here[-10:]:
                track["hdlr"] = _hdlr(self.buf, p, q)
            elif kind == b"stsd" and track is not None:
                track["sample_entry"] = _stsd_format(self.buf, p, q)
            elif kind == b"meta":
                self.meta(p, q, depth, here)
            elif kind == b"uuid" and self.buf[p:p + 16] == XMP_UUID:
                self.add_xmp(self.buf[p + 16:q])

    def add_xmp(self, packet: bytes) -> None:
        if len(packet) > MAX_XMP:
            self.problems.append(f"an XMP packet of {len(packet)} bytes is larger than "
                                 f"{MAX_XMP}: not read")
        elif packet.strip(b"\x00"):
            self.xmp.append(packet)

    def user_data(self, p: int, q: int, depth: int, here: str,
                  track: dict[str, Any] | None) -> None:
        target = self.udta if track is None else track.setdefault("udta", {})
        for kind, a, b in _children(self.buf, p, q, self.problems, here):
            self.visited += 1
            if kind == b"meta":
                self.meta(a, b, depth + 1, f"{here}/meta")
            elif kind == b"XMP_":
                self.add_xmp(self.buf[a:b])
            elif len(target) < MAX_KEYS:
                payload = self.buf[a:min(b, a + MAX_TEXT * 4)]
                name = _fourcc(kind)
                if kind == b"loci":
                    val = _loci(payload)
                elif kind in _3GPP_TEXT:
                    val = _clean_text(payload[6:]) if len(payload) > 6 else None
                elif kind[:1] == b"\xa9":
                    val = _intl_text(payload)
                else:
                    val = _clean_text(payload)
                if val is not None:
                    target[name] = val
                elif name not in target:
                    target[name] = {"bytes": b - a}
                    lead = _clean_text(payload[:64].split(b"\x00", 1)[0])
                    if lead and len(lead) >= 4:  # Pentax TAGS: the make, then binary data
                        target[name]["text"] = lead

    def meta(self, p: int, q: int, depth: int, here: str) -> None:
        if self.buf[p + 4:p + 8] != b"hdlr":  # ISO full box: skip version and flags
            p += 4
        keys: list[str] = []
        kids = _children(self.buf, p, q, self.problems, here)
        for kind, a, b in kids:
            if kind == b"keys" and a + 8 <= b:
                count = min(struct.unpack_from(">I", self.buf, a + 4)[0], MAX_KEYS)
                pos = a + 8
                for _ in range(count):
                    if pos + 8 > b:
                        break
                    size = struct.unpack_from(">I", self.buf, pos)[0]
                    if size < 8 or pos + size > b:
                        self.problems.append(f"{here}/keys: a key declares {size} bytes, "
                                             "more than the box holds")
                        break
                    keys.append(self.buf[pos + 8:pos + size].decode("utf-8", "replace"))
                    pos += size
        for kind, a, b in kids:
            self.visited += 1
            if kind == b"ilst":
                for item, c, d in _children(self.buf, a, b, self.problems, f"{here}/ilst"):
                    self.visited += 1
                    if self.visited > MAX_BOXES:
                        return
                    value = None
                    for sub, e, f in _children(self.buf, c, d, self.problems, f"{here}/ilst"):
                        if sub == b"data":
                            value = _data_value(self.buf, e, f)
                            break
                    index = struct.unpack(">I", item)[0]
                    if keys and 1 <= index <= len(keys):
                        if len(self.keys) < MAX_KEYS:
                            self.keys[keys[index - 1]] = value
                    elif len(self.ilst) < MAX_KEYS:
                        self.ilst[_fourcc(item)] = value
            elif kind == b"XMP_":
                self.add_xmp(self.buf[a:b])


def read_boxes(fh: BinaryIO, file_size: int) -> dict[str, Any]:
    """Everything this module reads from an ISO base media file (see the module notes):
    ``layout`` (top-level box types in file order), ``boxes`` (their offsets and sizes),
    ``ftyp``, ``mvhd``, ``tracks`` (``tkhd``, ``mdhd``, ``hdlr``, ``sample_entry``, ``udta``
    per track), ``udta``, ``keys`` (QuickTime ``mdta`` keys), ``ilst`` (iTunes-style items),
    ``xmp`` (packets, raw), ``moov`` (found, offset, read), ``mdat_before_moov`` and
    ``problems``. Raises :class:`BoxReadError` for a file that is no ISO base media file."""
    boxes, problems = top_level_boxes(fh, file_size)
    out: dict[str, Any] = {
        "layout": [b["type"] for b in boxes[:64]], "boxes": boxes[:64], "ftyp": None,
        "mvhd": None, "tracks": [], "udta": {}, "keys": {}, "ilst": {}, "xmp": [],
        "moov": None, "mdat_before_moov": None, "problems": problems}
    types = [b["type"] for b in boxes]
    ftyp = next((b for b in boxes if b["type"] == "ftyp"), None)
    if ftyp is not None and not ftyp["truncated"]:
        fh.seek(ftyp["offset"] + ftyp["header"])
        body = fh.read(min(ftyp["size"] - ftyp["header"], 1024))
        if len(body) >= 8:
            out["ftyp"] = {"major_brand": _fourcc(body[:4]),
                           "minor_version": struct.unpack_from(">I", body, 4)[0],
                           "compatible_brands": [_fourcc(body[i:i + 4])
                                                 for i in range(8, len(body) - 3, 4)][:32]}
    moov = next((b for b in boxes if b["type"] == "moov"), None)
    if "mdat" in types and moov is not None:
        out["mdat_before_moov"] = types.index("mdat") < types.index("moov")
    if moov is None:
        return out
    length = moov["size"] - moov["header"]
    out["moov"] = {"offset": moov["offset"], "size": moov["size"], "read": False}
    if length > MAX_MOOV_BYTES:
        problems.append(f"the moov box holds {length} bytes, more than {MAX_MOOV_BYTES}: "
                        "its boxes were not read")
        return out
    fh.seek(moov["offset"] + moov["header"])
    buf = fh.read(min(length, file_size - moov["offset"] - moov["header"]))
    walk = _Walk(buf)
    walk.walk(0, len(buf), 1, "moov", None)
    out["moov"]["read"] = True
    out["moov"]["boxes_visited"] = walk.visited
    out.update({"mvhd": walk.mvhd, "tracks": walk.tracks, "udta": walk.udta,
                "keys": walk.keys, "ilst": walk.ilst})
    # XMP in a top-level uuid box (Adobe's usual place)
    for b in boxes:
        if b["type"] == "uuid" and not b["truncated"] and b["size"] - b["header"] <= MAX_XMP:
            fh.seek(b["offset"] + b["header"])
            body = fh.read(b["size"] - b["header"])
            if body[:16] == XMP_UUID:
                walk.add_xmp(body[16:])
    out["xmp"] = walk.xmp
    problems.extend(walk.problems[:20])
    return out
