"""Telemetry inside a video: GoPro GPMF GPS and DJI subtitle tracks, as a track child.

* **GoPro GPMF** (the ``gpmd`` data track, handler ``GoPro MET``): each packet (one per
  second or so) is GPMF KLV (key, type, structure size, repeat; payloads padded to 4 bytes;
  type 0 nests). :func:`parse_gpmf` is a bounded reader of it (:data:`MAX_DEPTH` levels,
  :data:`MAX_ITEMS` items per packet, every length checked against what holds it);
  :func:`gpmf_gps` takes ``GPS5`` (lat, lon, alt, 2D and 3D speed, scaled by ``SCAL``) or
  ``GPS9`` (HERO11+: ``TYPE``-described, with days since 2000 and seconds since midnight)
  with ``GPSU`` (UTC time of the first sample), ``GPSF`` (fix) and ``GPSP`` (DOP x 100),
  spreading a packet's samples over its duration; on a GoPro Karma drone (the corpus
  ``karma.mp4``: its HERO5 writes no GPS of its own) the drone's ``GLPI`` positions, dated
  through ``SYST``.
* **DJI subtitles**: DJI drones (and their phone apps) write the flight telemetry as a
  subtitle track (``mov_text``) inside the MP4 as well as the ``.SRT`` beside it. Its cues
  are rebuilt into SRT text and read by :mod:`forensics.tracks.dji` like a sidecar.

The track child's bytes are a GPX 1.1 file (GPMF) or the SRT text (DJI), so the tracks
parser reads them and the navigation checks and the map see them; the child's details say
where in the video they came from. DJI's newer protobuf telemetry track (``djmd``) is not
decoded (named in ``metadata.Telemetry`` when present).

Maintained GPMF readers were looked at first (2026-12): ``py-gpmf-parser`` 0.1.1 (Apache-2.0)
binds GoPro's C parser but opens files by path with its own MP4 reader and ships one wheel
per CPython version; ``pygpmf-oz`` pulls pandas, geopandas and ffmpeg-python (an FFmpeg
binary). The KLV layer is small and fully specified (gopro/gpmf-parser README), so it is
read here from packets PyAV demuxes; ``tests/test_video_telemetry.py`` checks it against
the figures ExifTool gives for the corpus ``karma.mp4``.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

MAX_DEPTH = 8
MAX_ITEMS = 20_000
MAX_TELEMETRY_BYTES = 64 * 1024 * 1024
"""Bytes of telemetry packets kept per video (a GoPro writes ~8 kB a second)."""
MAX_POINTS = 200_000

_SIZES = {"b": 1, "B": 1, "c": 1, "d": 8, "f": 4, "F": 4, "G": 16, "j": 8, "J": 8, "l": 4,
          "L": 4, "q": 4, "Q": 8, "s": 2, "S": 2, "U": 16}
_STRUCT = {"b": "b", "B": "B", "d": "d", "f": "f", "j": "q", "J": "Q", "l": "i", "L": "I",
           "s": "h", "S": "H"}


@dataclass(frozen=True)
class KLV:
    key: str
    type: str
    """GPMF type character (``\\x00`` for a nested container)."""
    size: int
    repeat: int
    payload: bytes
    children: tuple[KLV, ...] = ()


def parse_gpmf(data: bytes, problems: list[str] | None = None) -> list[KLV]:
    """The KLV tree of one GPMF payload (bounded; damage ends the walk and is noted)."""
    count = [0]
    notes = problems if problems is not None else []

    def walk(start: int, end: int, depth: int) -> list[KLV]:
        out: list[KLV] = []
        pos = start
        while pos + 8 <= end:
            count[0] += 1
            if count[0] > MAX_ITEMS:
                notes.append(f"more than {MAX_ITEMS} GPMF items in one packet: rest not read")
                return out
            key = data[pos:pos + 4]
            if key == b"\x00\x00\x00\x00":
                break
            typ = chr(data[pos + 4])
            size = data[pos + 5]
            repeat = struct.unpack_from(">H", data, pos + 6)[0]
            length = size * repeat
            padded = (length + 3) & ~3
            if not all(48 <= b < 58 or 65 <= b < 91 or 97 <= b < 123 for b in key) or (
                    pos + 8 + length > end):
                notes.append(f"GPMF item at +{pos} ({key!r}) declares {length} bytes, more "
                             "than its container holds")
                break
            body = data[pos + 8:pos + 8 + length]
            kids: tuple[KLV, ...] = ()
            if typ == "\x00":
                if depth >= MAX_DEPTH:
                    notes.append(f"GPMF nested deeper than {MAX_DEPTH}: not read")
                else:
                    kids = tuple(walk(pos + 8, pos + 8 + length, depth + 1))
            out.append(KLV(key.decode("ascii"), typ, size, repeat, body, kids))
            pos += 8 + padded
        return out

    return walk(0, len(data), 0)


def _values(item: KLV, types: str | None = None) -> list[tuple[Any, ...]]:
    """The samples of a KLV item, each a tuple of its elements."""
    if item.type == "?" and types:
        fmt = ">" + "".join(_STRUCT.get(t, f"{_SIZES.get(t, 1)}s") for t in types)
        n = struct.calcsize(fmt)
        if n != item.size:
            return []
        return [struct.unpack_from(fmt, item.payload, i * n) for i in range(item.repeat)]
    if item.type == "c":
        if item.size == 1:  # one string of ``repeat`` characters
            return [(item.payload.rstrip(b"\x00").decode("latin-1"),)]
        return [(item.payload[i * item.size:(i + 1) * item.size].rstrip(b"\x00")
                 .decode("latin-1"),) for i in range(item.repeat)]
    if item.type == "U":
        return [(item.payload[i * 16:(i + 1) * 16].decode("latin-1"),)
                for i in range(item.repeat)]
    code = _STRUCT.get(item.type)
    if code is None or item.size % _SIZES[item.type]:
        return []
    per = item.size // _SIZES[item.type]
    fmt = ">" + code * per
    return [struct.unpack_from(fmt, item.payload, i * item.size) for i in range(item.repeat)]


def _gpsu(text: str) -> datetime | None:
    """GPMF UTC time ``yymmddhhmmss.sss`` -> aware datetime."""
    try:
        base = datetime.strptime(text[:12], "%y%m%d%H%M%S").replace(tzinfo=timezone.utc)
        frac = float("0" + text[12:16]) if text[12:13] == "." else 0.0
    except ValueError:
        return None
    return base + timedelta(seconds=frac)


@dataclass
class GpsSample:
    lat: float
    lon: float
    alt: float | None
    time: datetime | None
    fix: int | None
    dop: float | None
    speed_mps: float | None


@dataclass
class Telemetry:
    """Telemetry read from one video."""

    kind: str
    """``gpmf`` or ``dji_subtitles``."""
    stream: int
    samples: list[GpsSample] = field(default_factory=list)
    device: str | None = None
    text: str | None = None
    """The rebuilt SRT (DJI)."""
    packets: int = 0
    problems: list[str] = field(default_factory=list)


def _scaled(row: tuple[Any, ...], scal: list[float]) -> list[float]:
    width = len(row)
    if len(scal) == 1:
        scal = scal * width
    scal = (scal + [1.0] * width)[:width]
    out = []
    for v, k in zip(row, scal, strict=True):
        try:
            out.append(float(v) / float(k) if k else float("nan"))
        except (TypeError, ValueError):
            out.append(float("nan"))
    return out


def _first_value(items: dict[str, KLV], key: str) -> Any:
    if key not in items:
        return None
    vals = _values(items[key])
    return vals[0][0] if vals and vals[0] else None


def gpmf_gps(payloads: list[tuple[bytes, float | None, float | None]],
             problems: list[str] | None = None) -> tuple[list[GpsSample], str | None]:
    """GPS samples from GPMF packets ``(bytes, start_s, duration_s)``, and the device names
    (``DVNM``). ``GPS5``/``GPS9`` are the camera's GPS; a GoPro Karma drone's ``GLPI``
    (position, stamped on the drone's boot clock) is dated through its ``SYST`` pairs (boot
    time, Unix time) by linear interpolation, as ExifTool does. Samples without a fix
    (``GPSF`` < 2) are kept with their fix so the reader can tell; all-zero positions are
    dropped."""
    notes = problems if problems is not None else []
    camera: list[GpsSample] = []
    karma: list[tuple[float, float, float, float | None]] = []
    syst: list[tuple[float, float]] = []
    devices: list[str] = []
    for data, _start, dur in payloads:
        for devc in parse_gpmf(data, notes):
            for top in (devc.children if devc.type == "\x00" else ()):
                if top.key == "DVNM":
                    name = _first_value({"DVNM": top}, "DVNM")
                    if name and name not in devices:
                        devices.append(str(name))
                if top.key != "STRM" or top.type != "\x00":
                    continue
                items = {k.key: k for k in top.children}
                types = _first_value(items, "TYPE")
                scal = [v[0] for v in _values(items["SCAL"])] if "SCAL" in items else []
                if "SCAL" in items and items["SCAL"].repeat == 1 and len(
                        _values(items["SCAL"])[0]) > 1:
                    scal = list(_values(items["SCAL"])[0])
                if "SYST" in items:
                    for row in _values(items["SYST"], types):
                        v = _scaled(row, scal)
                        if len(v) >= 2 and all(math.isfinite(x) for x in v[:2]):
                            syst.append((v[0], v[1]))
                if "GLPI" in items and len(karma) < MAX_POINTS:
                    for row in _values(items["GLPI"], types):
                        v = _scaled(row, scal)
                        if len(v) >= 4:
                            karma.append((v[0], v[1], v[2], v[3]))
                gps = items.get("GPS5") or items.get("GPS9")
                if gps is None or len(camera) >= MAX_POINTS:
                    continue
                rows = _values(gps, types)
                if not rows:
                    notes.append(f"{gps.key} samples could not be read (type {gps.type!r})")
                    continue
                fix = _first_value(items, "GPSF")
                dop = _first_value(items, "GPSP")
                dop = dop / 100.0 if isinstance(dop, (int, float)) else None
                gpsu = _first_value(items, "GPSU")
                first = _gpsu(gpsu) if isinstance(gpsu, str) else None
                step = (dur / len(rows)) if dur and rows else None
                for i, row in enumerate(rows):
                    vals = _scaled(row, scal)
                    width = len(vals)
                    lat, lon, alt = vals[0], vals[1], vals[2]
                    when = None
                    fix_i, dop_i = fix, dop
                    if gps.key == "GPS9" and width >= 7:
                        when = datetime(2000, 1, 1, tzinfo=timezone.utc) + timedelta(
                            days=vals[5], seconds=vals[6])
                        dop_i = vals[7] if width > 7 else dop
                        fix_i = int(row[8]) if width > 8 else fix
                    elif first is not None:
                        when = first + timedelta(seconds=(step or 0) * i)
                    _add(camera, lat, lon, alt, when, fix_i, dop_i,
                         vals[3] if width > 3 else None)
    out = camera
    if not camera and karma:
        syst.sort()
        for boot, lat, lon, alt in karma:
            _add(out, lat, lon, alt, _boot_to_utc(boot, syst), None, None, None)
        if not syst:
            notes.append("GLPI positions carry the drone's boot clock and no SYST pair to "
                         "date them: the track has no times")
    return out, " / ".join(devices) or None


def _add(out: list[GpsSample], lat: float, lon: float, alt: float, when: datetime | None,
         fix: Any, dop: Any, speed: float | None) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon)) or (lat == 0 and lon == 0):
        return
    out.append(GpsSample(lat=round(lat, 7), lon=round(lon, 7),
                         alt=round(alt, 3) if math.isfinite(alt) else None, time=when,
                         fix=int(fix) if isinstance(fix, (int, float)) else None,
                         dop=float(dop) if isinstance(dop, (int, float)) else None,
                         speed_mps=round(speed, 3) if speed is not None and math.isfinite(
                             speed) else None))


def _boot_to_utc(boot: float, syst: list[tuple[float, float]]) -> datetime | None:
    if not syst or not math.isfinite(boot):
        return None
    i = 0
    while i + 1 < len(syst) and syst[i + 1][0] <= boot:
        i += 1
    j = min(i + 1, len(syst) - 1)
    (b0, u0), (b1, u1) = syst[i], syst[j]
    unix = u0 if b1 == b0 else u0 + (u1 - u0) * (boot - b0) / (b1 - b0)
    try:
        return datetime.fromtimestamp(unix, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def gpx_bytes(samples: list[GpsSample], *, name: str, creator: str) -> bytes:
    """A GPX 1.1 track of the samples (what :func:`forensics.tracks.parse_track` reads)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<gpx version="1.1" creator="{escape(creator)}" '
             'xmlns="http://www.topografix.com/GPX/1/1">',
             f"<trk><name>{escape(name)}</name><trkseg>"]
    for s in samples:
        parts = [f'<trkpt lat="{s.lat:.7f}" lon="{s.lon:.7f}">']
        if s.alt is not None:
            parts.append(f"<ele>{s.alt:.3f}</ele>")
        if s.time is not None:
            parts.append(f"<time>{s.time.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z</time>")
        if s.fix is not None:
            parts.append("<fix>" + {0: "none", 2: "2d", 3: "3d"}.get(int(s.fix), "none")
                         + "</fix>")
        if s.dop is not None and math.isfinite(s.dop):
            parts.append(f"<hdop>{s.dop:.2f}</hdop>")
        parts.append("</trkpt>")
        lines.append("".join(parts))
    lines.append("</trkseg></trk></gpx>")
    return "\n".join(lines).encode("utf-8")


def _srt_time(seconds: float) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def subtitle_text(payload: bytes, codec: str | None = "mov_text") -> str:
    """The text of one subtitle packet: a ``mov_text`` (3GPP timed text) sample is a 16-bit
    length, then UTF-8 (style boxes after it are ignored); other codecs' (SubRip in
    Matroska) payloads are the text itself."""
    if codec == "mov_text" and len(payload) >= 2:
        n = struct.unpack_from(">H", payload, 0)[0]
        if n <= len(payload) - 2:
            return payload[2:2 + n].decode("utf-8", "replace")
    return payload.decode("utf-8", "replace")


def srt_from_cues(cues: list[tuple[float, float, str]]) -> str:
    """SRT text from ``(start_s, end_s, text)`` cues (empty texts skipped)."""
    blocks = []
    for i, (start, end, body) in enumerate((c for c in cues if c[2].strip()), 1):
        blocks.append(f"{i}\n{_srt_time(start)} --> {_srt_time(max(end, start))}\n"
                      f"{body.strip()}\n")
    return "\n".join(blocks)


def looks_like_dji_text(text: str) -> bool:
    low = text.lower()
    return "gps(" in low or "latitude" in low or ("home(" in low and "gps" in low)
