"""DJI flight records as people export them, and DJI's own binary flight records.

* **AirData UAV CSV** (the commonest export of a DJI flight record): ``time(millisecond)``,
  ``datetime(utc)``, ``latitude``, ``longitude``, ``altitude_above_seaLevel(feet)``,
  ``height_above_takeoff(feet)``, ``satellites``, ``flycState``... Times are UTC (the column
  says so), altitudes in feet are converted to metres, the flight-controller state changes
  (``flycState``: GPS_Atti, Go_Home, AutoLanding...) become events.
* **Phantom Help / DJI Flight Reader CSV**: ``OSD.latitude``, ``OSD.longitude``,
  ``OSD.altitude [ft]`` or ``[m]``, ``OSD.gpsNum``, ``OSD.flycState``, ``CUSTOM.date [local]``
  + ``CUSTOM.updateTime [local]``: local times without an offset (kept without one: the track
  then says it cannot be placed exactly on UTC).
* **Litchi mission CSV** (``latitude,longitude,altitude(m),heading(deg),curvesize(m),...``):
  a *programmed* mission, not a flown track: every row is a waypoint item
  (MAVLink ``NAV_WAYPOINT`` semantics), the last one is where the mission sends the aircraft.
* **DJI binary flight records** (``DJIFlightRecord_*.txt`` of DJI GO / DJI Fly): a 100-byte
  prefix (records/details offset, details length, format version). From version 13 on the
  records are AES-encrypted with per-file keys that only DJI's servers hand out, so they
  cannot be read offline; earlier versions use an undocumented binary layout this tool does
  not decode. Either way the file is recognised and said to be unreadable, with its version,
  never taken for text or crashed on (prefix layout as documented by the open-source
  dji-log-parser, lvauvillier).
"""

from __future__ import annotations

import struct
from datetime import datetime, timezone
from typing import Any

from .missions import mission_item
from .model import Collector, Track, TrackError

FEET = 0.3048
DJI_PREFIX_SIZE = 100
DJI_ENCRYPTED_FROM_VERSION = 13

_AIRDATA = ("datetime(utc)", "latitude", "longitude")
_PHANTOMHELP = ("osd.latitude", "osd.longitude")
_LITCHI = ("latitude", "longitude", "altitude(m)", "heading(deg)", "curvesize(m)")


def dji_csv_kind(header: list[str]) -> str | None:
    """``airdata``, ``phantomhelp``, ``litchi`` or ``None`` from a lower-cased CSV header."""
    names = set(header)
    if all(n in names for n in _LITCHI):
        return "litchi"
    if all(n in names for n in _AIRDATA):
        return "airdata"
    if all(n in names for n in _PHANTOMHELP):
        return "phantomhelp"
    return None


def _col(header: list[str], *names: str) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _num(v: str | None) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None


def parse_dji_csv(kind: str, header: list[str], rows: list[list[str]]) -> Track:
    """A DJI/AirData/Phantom Help/Litchi CSV (``rows`` without the header)."""
    if kind == "litchi":
        return _litchi(header, rows)
    col = Collector()
    events: list[dict[str, Any]] = []
    ilat = _col(header, "latitude", "osd.latitude")
    ilon = _col(header, "longitude", "osd.longitude")
    if kind == "airdata":
        ialt_ft = _col(header, "altitude_above_sealevel(feet)", "altitude(feet)")
        ialt_m = _col(header, "altitude_above_sealevel(meters)", "altitude(meters)")
    else:
        ialt_ft = _col(header, "osd.altitude [ft]")
        ialt_m = _col(header, "osd.altitude [m]")
    isats = _col(header, "satellites", "osd.gpsnum")
    istate = _col(header, "flycstate", "osd.flycstate")
    idate, iclock = _col(header, "custom.date [local]"), _col(header, "custom.updatetime [local]")
    itime = _col(header, "datetime(utc)")
    state = None
    for n, row in enumerate(rows, start=2):
        def cell(i: int | None, row: list[str] = row) -> str | None:
            return row[i].strip() if i is not None and i < len(row) else None

        if kind == "airdata":
            when = _airdata_time(cell(itime))
        else:
            when = _local_time(cell(idate), cell(iclock))
        ft, m = _num(cell(ialt_ft)), _num(cell(ialt_m))
        alt = m if m is not None else (ft * FEET if ft is not None else None)
        sats = _num(cell(isats))
        lat, lon = cell(ilat), cell(ilon)
        if _num(lat) == 0 and _num(lon) == 0:  # DJI logs 0,0 before the first fix
            continue
        col.add(lat, lon, alt, when, kind="track", where=f"row {n}", segment=1,
                sats=int(sats) if sats is not None else None)
        s = cell(istate)
        if s and s != state and len(events) < 200:
            events.append({"kind": "mode", "time": when, "text": s[:80]})
            state = s
    clock = ("gps" if kind == "airdata" else "file") if col.points else None
    return Track("dji_csv", tuple(col.points), None,
                 "AirData" if kind == "airdata" else "DJI Flight Reader / Phantom Help",
                 tuple(col.kinds), tuple(col.problems), clock=clock, events=tuple(events))


def _airdata_time(v: str | None) -> str | None:
    """AirData's ``datetime(utc)`` (``2019-08-17 15:04:05``) as ISO 8601 UTC."""
    if not v:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=timezone.utc).isoformat(
                timespec="milliseconds").replace("+00:00", "Z")
        except ValueError:
            continue
    return v


def _local_time(date: str | None, clock: str | None) -> str | None:
    """Phantom Help's local ``8/17/2019`` + ``3:04:05.10 PM``: ISO without an offset."""
    if not date or not clock:
        return None
    for fmt in ("%m/%d/%Y %I:%M:%S.%f %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S.%f",
                "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(f"{date} {clock}", fmt).isoformat(timespec="milliseconds")
        except ValueError:
            continue
    return None


def _litchi(header: list[str], rows: list[list[str]]) -> Track:
    ilat, ilon, ialt = header.index("latitude"), header.index("longitude"), \
        header.index("altitude(m)")
    items, col = [], Collector()
    for n, row in enumerate(rows):
        if max(ilat, ilon, ialt) >= len(row):
            col.skip(f"row {n + 2}: fewer columns than the header")
            continue
        item = mission_item(n, 16, row[ilat].strip(), row[ilon].strip(), row[ialt].strip())
        items.append(item)
        if item.lat is not None:
            col.add(item.lat, item.lon, item.alt, None, kind="waypoint", where=f"row {n + 2}",
                    segment=col.new_segment())
    if not items:
        raise TrackError("the Litchi mission has no waypoint rows")
    return Track("litchi", tuple(col.points), None, "Litchi", tuple(col.kinds),
                 tuple(col.problems), mission=tuple(items))


# --------------------------------------------------------------------------------------------
# DJI binary flight records (DJI GO / DJI Fly .txt)
# --------------------------------------------------------------------------------------------


def dji_record_version(data: bytes) -> int | None:
    """The format version of a DJI binary flight record, or ``None`` when the bytes are not one.

    The prefix is ``<Q`` records/details offset, ``<H`` details length, ``B`` version; there is
    no magic number, so the test is strict: the offset lies past the prefix and below 4 GiB,
    the version is 1-20, and the first 16 bytes are not text (a text file starting with digits
    would otherwise pass). ``data`` may be only the file's head (the intake's sniff)."""
    if len(data) < DJI_PREFIX_SIZE:
        return None
    offset, _length, version = struct.unpack_from("<QHB", data, 0)
    if not (1 <= version <= 20):
        return None
    low = 12 if version < 6 else DJI_PREFIX_SIZE
    if offset < low:
        return None
    if offset >= 1 << 32:  # a flight record is far smaller than 4 GiB
        return None
    head = data[:16]
    if sum(32 <= b < 127 or b in (9, 10, 13) for b in head) >= 14:  # text, not a prefix
        return None
    return int(version)


def parse_dji_record(data: bytes) -> Track:
    version = dji_record_version(data)
    if version is None:
        raise TrackError("not a DJI flight record")
    if version >= DJI_ENCRYPTED_FROM_VERSION:
        raise TrackError(f"an encrypted DJI flight record (format version {version}): its "
                         "records are AES-encrypted with keys only DJI's servers give out, so "
                         "it is not readable offline. Export it to CSV (AirData, DJI Flight "
                         "Reader, Phantom Help) and scan the CSV", code="encrypted_flight_record")
    raise TrackError(f"a DJI flight record (format version {version}) in DJI's undocumented "
                     "binary layout, which this tool does not decode. Export it to CSV "
                     "(AirData, DJI Flight Reader, Phantom Help) and scan the CSV",
                     code="unsupported_flight_record")
