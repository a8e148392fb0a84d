"""Navigation / track files into one track model: GPX, KML/KMZ, CSV (lat,lon[,time]), GeoJSON.

The "recovered navigation unit" of a claim usually comes as an exported track. This module
parses the common exchange formats (XML through ``defusedxml``: no entity expansion, no DTD,
no external resources) into one list of :class:`TrackPoint`. Formats are rows of
:data:`FORMATS` (name, extensions, media type, a cheap sniff of the bytes, the parser):
adding a format is one parser function plus one row. Measurements are in
:mod:`.analyse` (against a claim) and :mod:`.consistency` (the log's own times and speeds).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as DET

from .dji import looks_like_dji_srt, parse_dji_srt
from .djicsv import dji_csv_kind, dji_record_version, parse_dji_csv, parse_dji_record
from .mavlink import (
    DATAFLASH_MAGIC,
    looks_like_dataflash_text,
    looks_like_tlog,
    parse_dataflash,
    parse_tlog,
)
from .missions import parse_plan, parse_wpl
from .model import (
    MAX_KMZ_ENTRIES,
    MAX_POINTS,
    MAX_TRACK_BYTES,
    Collector,
    MissionItem,
    Track,
    TrackError,
    TrackPoint,
)
from .nmea import looks_like_nmea, parse_nmea
from .ulog import ULOG_MAGIC, parse_ulog

MAX_LOG_BYTES = 512 * 1024 * 1024
"""Binary flight logs (DataFlash, ULog, tlog) up to this size are read (parsed selectively:
only the message types needed); larger ones are refused with a clear error."""

_Collector = Collector

def _head(data: bytes) -> bytes:
    return data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def sniff_track_format(path: str, data: bytes) -> str | None:
    """The :data:`FORMATS` name of a navigation file: by its bytes first (each format's
    ``sniff``, in table order), then by its extension (CSV has no signature; a mangled file
    named ``.geojson`` gets the GeoJSON parser's own reason); ``None`` for XML of another
    kind or an unknown extension."""
    head = _head(data)
    for fmt in FORMATS:
        if fmt.sniff is not None and fmt.sniff(data, head):
            return fmt.name
    if head.startswith(b"<"):
        return None  # XML of another kind: not read by its extension
    ext = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return TRACK_EXTENSIONS.get(ext)


def signature_media_type(head: bytes) -> str | None:
    """The media type of a flight-log or mission format whose bytes carry a signature (for
    the intake's typing), or ``None``."""
    lowered = _head(head)
    return next((f.media_type for f in SIGNATURE_FORMATS if f.sniff(head, lowered)), None)


def parse_track(path: str, data: bytes) -> Track:
    """Parse a navigation file. Raises :class:`TrackError` naming the file and the reason."""
    if not data:
        raise TrackError(f"{path}: the file is empty (0 bytes)", path=path)
    name = sniff_track_format(path, data)
    limit = FORMAT_BY_NAME[name].limit() if name else MAX_TRACK_BYTES
    if len(data) > limit:
        raise TrackError(f"{path}: {len(data)} bytes is more than the {limit} a "
                         "track file of this format may have here", path=path)
    if name is None:
        labels = ", ".join(f.label for f in FORMATS)
        raise TrackError(f"{path}: not a navigation file of a format read here ({labels})",
                         path=path)
    fmt = FORMAT_BY_NAME[name]
    try:
        track = fmt.parse(data)
    except TrackError as err:
        raise TrackError(f"{path}: {err.message}", path=path, code=err.code) from err
    except (DET.ParseError, ValueError, UnicodeDecodeError) as exc:
        raise TrackError(f"{path}: the {fmt.label} data cannot be parsed ({exc})"[:400],
                         path=path) from exc
    except Exception as exc:  # defusedxml refusals (entities, DTDs) and other parser errors
        raise TrackError(f"{path}: the {fmt.label} data was refused "
                         f"({type(exc).__name__}: {exc})"[:400], path=path) from exc
    if not track.points and not (track.vehicle or track.mission):
        raise TrackError(f"{path}: the {fmt.label} file holds no valid point"
                         + (f" ({'; '.join(track.problems[:3])})" if track.problems else ""),
                         path=path)
    return track


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def _child_text(el: Any, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _gpx(data: bytes) -> Track:
    root = DET.fromstring(data, forbid_dtd=True)
    if _local(root.tag) != "gpx":
        raise TrackError(f"the root element is <{_local(root.tag)}>, not <gpx>")
    col = _Collector()
    name = None
    current = 0
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "metadata" and name is None:
            name = _child_text(el, "name")
        elif tag in ("trk", "trkseg", "rte"):
            current = col.new_segment()
        elif tag in ("trkpt", "rtept", "wpt"):
            kind = {"trkpt": "track", "rtept": "route", "wpt": "waypoint"}[tag]
            col.add(el.get("lat"), el.get("lon"), _child_text(el, "ele"),
                    _child_text(el, "time"), kind=kind, where=f"<{tag}> {len(col.points) + 1}",
                    segment=col.new_segment() if tag == "wpt" else current)
    if name is None:
        trk = next((e for e in root.iter() if _local(e.tag) == "trk"), None)
        name = _child_text(trk, "name") if trk is not None else None
    return Track("gpx", tuple(col.points), name, root.get("creator"), tuple(col.kinds),
                 tuple(col.problems))


def _kml(data: bytes) -> Track:
    root = DET.fromstring(data, forbid_dtd=True)
    if _local(root.tag) != "kml":
        raise TrackError(f"the root element is <{_local(root.tag)}>, not <kml>")
    col = _Collector()
    name = next((_child_text(e, "name") for e in root.iter() if _local(e.tag) == "Document"),
                None)
    for pm in (e for e in root.iter() if _local(e.tag) == "Placemark"):
        stamp = next(((e.text or "").strip() or None for e in pm.iter()
                      if _local(e.tag) == "when" and e is not None), None)
        for el in pm.iter():
            tag = _local(el.tag)
            if tag == "Track":  # gx:Track: <when> and <gx:coord> "lon lat alt" pairs
                whens = [(c.text or "").strip() for c in el if _local(c.tag) == "when"]
                coords = [(c.text or "").split() for c in el if _local(c.tag) == "coord"]
                seg = col.new_segment()
                for i, parts in enumerate(coords):
                    if len(parts) < 2:
                        col.skip(f"gx:coord {i + 1}: {' '.join(parts)!r} is not 'lon lat [alt]'")
                        continue
                    col.add(parts[1], parts[0], parts[2] if len(parts) > 2 else None,
                            whens[i] if i < len(whens) else None, kind="track",
                            where=f"gx:coord {i + 1}", segment=seg)
            elif tag in ("LineString", "Point", "LinearRing"):
                text = _child_text(el, "coordinates") or ""
                kind = "point" if tag == "Point" else "line"
                seg = col.new_segment()
                for i, tup in enumerate(text.split()):
                    parts = tup.split(",")
                    if len(parts) < 2:
                        col.skip(f"<{tag}> coordinate {i + 1}: {tup!r} is not 'lon,lat[,alt]'")
                        continue
                    col.add(parts[1], parts[0], parts[2] if len(parts) > 2 else None,
                            stamp if tag == "Point" else None, kind=kind,
                            where=f"<{tag}> coordinate {i + 1}",
                            segment=col.new_segment() if tag == "Point" and i else seg)
    return Track("kml", tuple(col.points), name, None, tuple(col.kinds), tuple(col.problems))


def kmz_member(data: bytes) -> tuple[str, bytes]:
    """The KML inside a KMZ: ``doc.kml`` at the top level if present (Google Earth's
    convention), else the first ``.kml`` member. Read with bounds (members, declared and
    actual uncompressed size), so a ZIP bomb or a huge archive costs nothing. Raises
    :class:`TrackError` with the reason."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_KMZ_ENTRIES:
                raise TrackError(f"the KMZ archive has {len(infos)} members (more than "
                                 f"{MAX_KMZ_ENTRIES} are not read)")
            kml = [i for i in infos if i.filename.lower().endswith(".kml") and not i.is_dir()]
            if not kml:
                raise TrackError("a ZIP archive without a .kml member (not a KMZ track)")
            member = next((i for i in kml if i.filename.lower() == "doc.kml"), kml[0])
            if member.flag_bits & 0x1:
                raise TrackError(f"the KMZ member {member.filename!r} is encrypted")
            if member.file_size > MAX_TRACK_BYTES:
                raise TrackError(f"the KMZ member {member.filename!r} would unpack to "
                                 f"{member.file_size} bytes (more than {MAX_TRACK_BYTES})")
            with zf.open(member) as fh:
                body = fh.read(MAX_TRACK_BYTES + 1)
            if len(body) > MAX_TRACK_BYTES:
                raise TrackError(f"the KMZ member {member.filename!r} unpacks to more than "
                                 f"{MAX_TRACK_BYTES} bytes")
            return member.filename, body
    except TrackError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            OSError, RuntimeError, ValueError, zlib.error) as exc:
        raise TrackError(f"the KMZ (ZIP) archive cannot be read ({exc})"[:300]) from exc


def _kmz(data: bytes) -> Track:
    name, body = kmz_member(data)
    track = _kml(body)
    return Track("kmz", track.points, track.name, track.creator, track.kinds,
                 track.problems + ((f"read from the archive member {name!r}",)
                                   if name.lower() != "doc.kml" else ()))


def _geojson(data: bytes) -> Track:
    doc = json.loads(data.decode("utf-8-sig"))
    col = _Collector()
    if not isinstance(doc, dict) or "type" not in doc:
        raise TrackError("the JSON is not a GeoJSON object (no 'type')")

    def times_of(props: Any) -> list[Any]:
        if not isinstance(props, dict):
            return []
        for key in ("coordTimes", "times", "timestamps"):
            if isinstance(props.get(key), list):
                val = props[key]
                return val[0] if val and isinstance(val[0], list) else val
        for key in ("time", "timestamp", "datetime"):
            if props.get(key) is not None:
                return [props[key]]
        return []

    def geometry(geom: Any, props: Any, where: str) -> None:
        if not isinstance(geom, dict):
            return
        gtype = geom.get("type")
        coords = geom.get("coordinates")
        times = times_of(props)
        if gtype == "Point":
            seqs, kind = [[coords]], "point"
        elif gtype == "MultiPoint":
            seqs, kind = [[c] for c in (coords if isinstance(coords, list) else [])], "point"
        elif gtype == "LineString":
            seqs, kind = [coords], "line"
        elif gtype == "MultiLineString":
            seqs, kind = coords, "line"
        elif gtype == "GeometryCollection":
            for g in geom.get("geometries") or []:
                geometry(g, props, where)
            return
        else:
            col.skip(f"{where}: geometry type {gtype!r} is not a point or line")
            return
        k = 0
        for seq in seqs or []:
            seg = col.new_segment()
            for pos in seq or []:
                if not isinstance(pos, (list, tuple)) or len(pos) < 2:
                    col.skip(f"{where}: position {pos!r} is not [lon, lat]")
                    continue
                t = times[k] if k < len(times) else None
                if t is None and len(pos) > 3:
                    t = pos[3]
                col.add(pos[1], pos[0], pos[2] if len(pos) > 2 else None, t, kind=kind,
                        where=f"{where} position {k + 1}", segment=seg)
                k += 1

    name = None
    if doc.get("type") == "FeatureCollection":
        name = doc.get("name") if isinstance(doc.get("name"), str) else None
        for i, feat in enumerate(doc.get("features") or []):
            if isinstance(feat, dict):
                geometry(feat.get("geometry"), feat.get("properties"), f"feature {i + 1}")
    elif doc.get("type") == "Feature":
        geometry(doc.get("geometry"), doc.get("properties"), "feature")
    else:
        geometry(doc, None, "geometry")
    return Track("geojson", tuple(col.points), name, None, tuple(col.kinds),
                 tuple(col.problems))


_LAT_NAMES = ("lat", "latitude", "y")
_LON_NAMES = ("lon", "lng", "long", "longitude", "x")
_TIME_NAMES = ("time", "timestamp", "datetime", "date_time", "utc", "when")
_ELE_NAMES = ("ele", "elevation", "alt", "altitude")


def _csv_rows(data: bytes) -> list[list[str]]:
    """The non-empty rows of a CSV file (delimiter sniffed: comma, semicolon or tab; an Excel
    ``sep=`` first line is skipped)."""
    text = data.decode("utf-8-sig")
    if text[:4].lower() == "sep=":
        text = text.split("\n", 1)[1] if "\n" in text else ""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise TrackError("the CSV file has no rows")
    return rows


def _dji_csv(data: bytes) -> Track:
    rows = _csv_rows(data)
    header = [c.strip().lower() for c in rows[0]]
    kind = dji_csv_kind(header)
    if kind is None:
        raise TrackError("the header is not that of an AirData, DJI Flight Reader / Phantom "
                         "Help or Litchi export")
    return parse_dji_csv(kind, header, rows[1:])


def _csv_first_line(head: bytes) -> list[str]:
    lines = head.split(b"\n", 2)
    line = lines[1] if lines[0].startswith(b"sep=") and len(lines) > 1 else lines[0]
    return [c.strip().strip('"') for c in line.decode("utf-8", "replace").split(",")]


def _csv(data: bytes) -> Track:
    rows = _csv_rows(data)
    header = [c.strip().lower() for c in rows[0]]

    def find(names: tuple[str, ...]) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    ilat, ilon = find(_LAT_NAMES), find(_LON_NAMES)
    if ilat is not None and ilon is not None:
        itime, iele, body, first = find(_TIME_NAMES), find(_ELE_NAMES), rows[1:], 2
    else:  # no header: lat,lon[,time] as the format says
        try:
            float(rows[0][0]), float(rows[0][1])
        except (ValueError, IndexError) as exc:
            raise TrackError("the CSV has neither a lat/lon header nor numeric lat,lon "
                             "columns") from exc
        ilat, ilon, itime, iele, body, first = 0, 1, 2, None, rows, 1
    col = _Collector()
    for n, row in enumerate(body, start=first):
        def cell(i: int | None, row: list[str] = row) -> str | None:
            return row[i].strip() if i is not None and i < len(row) else None

        col.add(cell(ilat), cell(ilon), cell(iele), cell(itime), kind="track",
                where=f"row {n}", segment=1)
    return Track("csv", tuple(col.points), None, None, tuple(col.kinds), tuple(col.problems))


# --------------------------------------------------------------------------------------------
# The formats table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackFormat:
    """One navigation-file format: adding a format is a parser and one row of
    :data:`FORMATS`."""

    name: str
    """Stable name, recorded as ``Track.format``."""
    label: str
    """How messages name it (``GPX``, ``GeoJSON``...)."""
    extensions: tuple[str, ...]
    media_type: str
    """The media type :func:`forensics.sniff.sniff_media_type` gives such a file."""
    sniff: Callable[[bytes, bytes], bool] | None
    """``(data, head)`` -> whether the bytes are this format (``head``: the first 2 KiB,
    BOM and leading white space stripped, lower-cased); ``None`` for a format without a
    signature, recognised by its extension alone (CSV)."""
    parse: Callable[[bytes], Track]
    signature: bool = False
    """``sniff`` is a reliable signature of the bytes, so the intake's typing
    (:func:`forensics.sniff.sniff_media_type`) asks it; the exchange formats (GPX, KML, KMZ,
    GeoJSON, CSV) are typed there by their own rules."""
    max_bytes: int | None = None
    """Largest file read; ``None``: :data:`MAX_TRACK_BYTES`."""

    def limit(self) -> int:
        return self.max_bytes if self.max_bytes is not None else MAX_TRACK_BYTES


FORMATS: tuple[TrackFormat, ...] = (
    # what flight controllers and ground stations write
    TrackFormat("dataflash", "ArduPilot DataFlash", (".bin",),
                "application/vnd.ardupilot.dataflash",
                lambda data, head: data.startswith(DATAFLASH_MAGIC), parse_dataflash,
                signature=True, max_bytes=MAX_LOG_BYTES),
    TrackFormat("ulog", "PX4 ULog", (".ulg",), "application/vnd.px4.ulog",
                lambda data, head: data.startswith(ULOG_MAGIC), parse_ulog,
                signature=True, max_bytes=MAX_LOG_BYTES),
    TrackFormat("tlog", "MAVLink telemetry log", (".tlog",), "application/vnd.mavlink.tlog",
                lambda data, head: looks_like_tlog(data), parse_tlog,
                signature=True, max_bytes=MAX_LOG_BYTES),
    TrackFormat("dataflash_text", "ArduPilot DataFlash text log", (),
                "text/vnd.ardupilot.dataflash",
                lambda data, head: looks_like_dataflash_text(head), parse_dataflash,
                signature=True),
    TrackFormat("plan", "QGroundControl plan", (".plan",),
                "application/vnd.qgroundcontrol.plan+json",
                lambda data, head: head.startswith(b"{") and b'"filetype"' in head
                and b'"plan"' in head, parse_plan, signature=True),
    TrackFormat("wpl", "QGC WPL waypoint list", (".waypoints",), "text/vnd.qgc.wpl",
                lambda data, head: head.startswith(b"qgc wpl"), parse_wpl, signature=True),
    TrackFormat("nmea", "NMEA 0183", (".nmea",), "text/vnd.nmea.0183",
                lambda data, head: looks_like_nmea(data[:4096]), parse_nmea, signature=True),
    TrackFormat("dji_srt", "DJI SRT telemetry", (".srt",), "text/vnd.dji.srt",
                lambda data, head: looks_like_dji_srt(head), parse_dji_srt, signature=True),
    TrackFormat("dji_record", "DJI flight record", (), "application/vnd.dji.flightrecord",
                lambda data, head: dji_record_version(data) is not None, parse_dji_record,
                signature=True),
    TrackFormat("dji_csv", "DJI flight record CSV (AirData, Flight Reader, Phantom Help)", (),
                "text/csv", lambda data, head: dji_csv_kind(_csv_first_line(head)) in (
                    "airdata", "phantomhelp"), _dji_csv, signature=True),
    TrackFormat("litchi", "Litchi mission CSV", (), "text/csv",
                lambda data, head: dji_csv_kind(_csv_first_line(head)) == "litchi", _dji_csv,
                signature=True),
    # exchange formats
    # a ZIP: only KMZ is read (its KML member); any other archive is refused by the parser
    TrackFormat("kmz", "KMZ", (".kmz",), "application/vnd.google-earth.kmz",
                lambda data, head: data.startswith(b"PK\x03\x04"), _kmz),
    TrackFormat("gpx", "GPX", (".gpx",), "application/gpx+xml",
                lambda data, head: head.startswith(b"<") and b"<gpx" in head, _gpx),
    TrackFormat("kml", "KML", (".kml",), "application/vnd.google-earth.kml+xml",
                lambda data, head: head.startswith(b"<") and b"<kml" in head, _kml),
    TrackFormat("geojson", "GeoJSON", (".geojson", ".json"), "application/geo+json",
                lambda data, head: head.startswith(b"{"), _geojson),
    TrackFormat("csv", "CSV", (".csv",), "text/csv", None, _csv),
)
"""Every navigation format read, in sniffing order."""

FORMAT_BY_NAME: dict[str, TrackFormat] = {f.name: f for f in FORMATS}
SIGNATURE_FORMATS: tuple[TrackFormat, ...] = tuple(f for f in FORMATS if f.signature)
TRACK_EXTENSIONS: dict[str, str] = {ext: f.name for f in FORMATS for ext in f.extensions}
"""File extension -> format name (for a case file's ``kind: auto``)."""
TRACK_MEDIA_TYPES: frozenset[str] = frozenset(f.media_type for f in FORMATS)
"""Media types the intake sniffer gives track files (by their bytes)."""

__all__ = ["FORMATS", "FORMAT_BY_NAME", "MAX_KMZ_ENTRIES", "MAX_LOG_BYTES", "MAX_POINTS",
           "MAX_TRACK_BYTES", "TRACK_EXTENSIONS", "TRACK_MEDIA_TYPES", "MissionItem", "Track",
           "TrackError", "TrackFormat", "TrackPoint", "kmz_member", "parse_track",
           "signature_media_type", "sniff_track_format"]
