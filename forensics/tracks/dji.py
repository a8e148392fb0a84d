"""DJI drone subtitle telemetry (``.SRT`` written next to the video), read with the ``srt``
library; the telemetry inside each subtitle is one of DJI's text layouts:

* ``GPS(lon,lat,alt) ... HOME(lon,lat) 2017.08.05 14:11:51`` (Mavic Pro era): longitude first;
* ``GPS(lat,lon,altM) BAROMETER:...`` with a date line (Matrice 300);
* ``[latitude: 41.42] [longitude: 2.23] [altitude: 117.0]`` with ``2022-08-07 13:40:40,774``
  (Air 2S, Mavic Air 2, Mini...).

When the ``GPS(a,b)`` order cannot be told from the values (both within +-90), the file's
layout decides (a ``HOME(...)`` line marks the longitude-first layout) and the track's
``problems`` say so. DJI writes the aircraft's local time without a UTC offset, so the times
are naive (placed on the timeline only within the offsets a time zone can have).
"""

from __future__ import annotations

import re

from .model import MAX_POINTS, Collector, Track, TrackError

_GPS = re.compile(r"GPS\s*\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,?\s*(-?\d+(?:\.\d+)?)?")
_LAT = re.compile(r"\[\s*latitude\s*:\s*(-?\d+(?:\.\d+)?)\s*\]", re.I)
_LON = re.compile(r"\[\s*long(?:i|t)tude\s*:\s*(-?\d+(?:\.\d+)?)\s*\]", re.I)
_ALT = re.compile(r"\[\s*(?:rel_)?alt(?:itude)?\s*:\s*(-?\d+(?:\.\d+)?)", re.I)
_DATE = re.compile(r"(\d{4})[.-](\d{2})[.-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[,.](\d{1,3}))?")


def looks_like_dji_srt(head: bytes) -> bool:
    """An SRT file (a number, then ``hh:mm:ss,mmm --> ...``) whose text carries GPS data."""
    lines = head.splitlines()
    return (len(lines) >= 3 and lines[0].strip().isdigit() and b"-->" in lines[1]
            and (b"gps(" in head or b"latitude" in head))


def parse_dji_srt(data: bytes) -> Track:
    import srt

    text = data.decode("utf-8-sig", errors="replace")
    try:
        subs = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as exc:
        raise TrackError(f"the SRT subtitle file cannot be parsed ({exc})"[:300]) from exc
    if not subs:
        raise TrackError("the SRT file holds no subtitle")
    lon_first = "HOME(" in text
    col = Collector()
    ambiguous = False
    for sub in subs:
        if len(col.points) >= MAX_POINTS:
            col.skip(f"more than {MAX_POINTS} points: the rest were not read")
            break
        body = sub.content
        lat = lon = alt = None
        m = _GPS.search(body)
        if m:
            a, b = float(m.group(1)), float(m.group(2))
            alt = float(m.group(3)) if m.group(3) else None
            if abs(a) > 90 >= abs(b):
                lon, lat = a, b
            elif abs(b) > 90 >= abs(a):
                lat, lon = a, b
            else:
                ambiguous = True
                lat, lon = (b, a) if lon_first else (a, b)
        else:
            ml, mo = _LAT.search(body), _LON.search(body)
            if ml and mo:
                lat, lon = float(ml.group(1)), float(mo.group(1))
                ma = _ALT.search(body)
                alt = float(ma.group(1)) if ma else None
        if lat is None or (lat == 0 and lon == 0):
            continue  # no fix in this subtitle (DJI writes 0.0 without one)
        d = _DATE.search(body)
        when = None
        if d:
            y, mo_, dd, hh, mi, ss, ms = d.groups()
            when = f"{y}-{mo_}-{dd}T{hh}:{mi}:{ss}" + (f".{ms.ljust(3, '0')}" if ms else "")
        col.add(lat, lon, alt, when, kind="track", where=f"subtitle {sub.index}", segment=1)
    if ambiguous:
        col.skip("GPS(a,b) values could be either order; read as "
                 + ("longitude,latitude (the layout with HOME(...))" if lon_first
                    else "latitude,longitude"))
    return Track("dji_srt", tuple(col.points), None, None, tuple(col.kinds),
                 tuple(col.problems), clock="file",
                 integrity={"subtitles": len(subs)})
