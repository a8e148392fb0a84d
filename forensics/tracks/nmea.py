"""NMEA 0183 streams (``$GPGGA``, ``$GPRMC``, ``$GNxxx``...), read with pynmea2.

Each GGA sentence with a fix is a point (position, altitude, fix quality, satellites, HDOP);
RMC sentences supply the date (GGA carries only the time of day) and, where no GGA is
logged, the position. Every sentence's checksum is verified: a sentence whose checksum fails
is not used, and the count is kept (``integrity.bad_checksums``), since edited sentences that
were not re-checksummed are a sign of a hand-made log. Lines that are not sentences (gpsd's
``#`` comments, binary noise) are skipped and counted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from .model import MAX_POINTS, Collector, Track, TrackError

GGA_QUALITY_FIX = {1: 3, 2: 4, 4: 5, 5: 5, 6: 2, 8: 0}
"""GGA fix quality -> the track model's fix type (1 GPS 3D, 2 DGPS, 4/5 RTK, 6 estimated
(dead reckoning, 2D at best), 8 simulation: 0, no real fix)."""


def looks_like_nmea(head: bytes) -> bool:
    """Several lines of the first 2 KiB are NMEA sentences (``$..GGA``/``$..RMC``...)."""
    lines = [ln.strip() for ln in head.splitlines()]
    sentences = [ln for ln in lines if len(ln) > 6 and ln[:1] in (b"$", b"!")
                 and ln[1:6].isalpha() and b"," in ln]
    return len(sentences) >= 2 and any(s[3:6] in (b"gga", b"rmc", b"gll", b"GGA", b"RMC",
                                                  b"GLL") for s in sentences)


def parse_nmea(data: bytes) -> Track:
    import pynmea2

    text = data.decode("ascii", errors="replace")
    col = Collector()
    bad = unparsed = sentences = 0
    day: date | None = None
    talkers: dict[str, int] = {}
    pending_rmc: list[Any] = []
    gga_seen = False
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith(("$", "!")):
            continue
        sentences += 1
        try:
            msg = pynmea2.parse(line, check=True)
        except pynmea2.ChecksumError:
            bad += 1
            continue
        except (pynmea2.ParseError, ValueError, TypeError, AttributeError):
            unparsed += 1
            continue
        kind = getattr(msg, "sentence_type", "")
        talker = getattr(msg, "talker", "")
        talkers[talker] = talkers.get(talker, 0) + 1
        if len(col.points) >= MAX_POINTS:
            col.skip(f"more than {MAX_POINTS} points: the rest were not read")
            break
        if kind == "RMC":
            if getattr(msg, "datestamp", None):
                day = msg.datestamp
            if msg.status == "A":
                pending_rmc.append(msg)
        elif kind == "GGA":
            quality = int(msg.gps_qual or 0) if str(msg.gps_qual or "").isdigit() else 0
            if quality == 0 or msg.latitude is None or not msg.lat:
                continue
            gga_seen = True
            fix = GGA_QUALITY_FIX.get(quality, 3)
            col.add(msg.latitude, msg.longitude, msg.altitude, _when(day, msg.timestamp),
                    kind="track", where=f"GGA {sentences}", segment=1,
                    fix=fix, sats=_int(msg.num_sats), hdop=_float(msg.horizontal_dil))
    if not gga_seen:  # an RMC-only log: positions from RMC
        for msg in pending_rmc:
            col.add(msg.latitude, msg.longitude, None, _when(msg.datestamp, msg.timestamp),
                    kind="track", where="RMC", segment=1)
    if sentences == 0:
        raise TrackError("no NMEA sentence in the file")
    if bad:
        col.skip(f"{bad} sentence(s) with a wrong checksum were not used")
    integrity = {"sentences": sentences, "bad_checksums": bad, "unparsed": unparsed,
                 "talkers": talkers, "date_known": day is not None}
    return Track("nmea", tuple(col.points), None, None, tuple(col.kinds), tuple(col.problems),
                 clock="gps" if day is not None else ("gps_time_of_day" if col.points
                                                       else None),
                 integrity=integrity)


def _when(day: date | None, t: time | None) -> str | None:
    """ISO time: with the RMC date when one was seen (UTC), else the time of day alone is not
    a placeable time and is dropped."""
    if t is None or day is None:
        return None
    tt = t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return datetime.combine(day, tt).isoformat().replace("+00:00", "Z")


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _float(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None
