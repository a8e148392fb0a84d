"""The one track model every navigation format is read into.

A :class:`Track` holds the flown (or drawn) positions as :class:`TrackPoint` and, for formats
that carry one, the programmed mission as :class:`MissionItem` (where the vehicle was *sent*,
which may differ from where it *went*), with the vehicle's and firmware's identity, the clock
the times come from, and how much of the file was read.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ProvenanceError
from .geo import valid_latlon

MAX_TRACK_BYTES = 50 * 1024 * 1024
MAX_KMZ_ENTRIES = 1000
"""A KMZ (Google Earth's zipped KML) with more members than this is refused unread."""
MAX_POINTS = 1_000_000


class TrackError(ProvenanceError):
    """A navigation file that cannot be parsed (named, with the reason)."""

    code = "track_unreadable"


@dataclass(frozen=True)
class TrackPoint:
    lat: float
    lon: float
    ele: float | None = None
    time: str | None = None
    """The time exactly as the file states it (ISO 8601 when it is one)."""
    kind: str = "track"
    """``track``, ``route``, ``line`` (points of a path, in time order) or ``waypoint``,
    ``point`` (placed on their own)."""
    segment: int = 0
    """Which path the point belongs to, numbered in file order: GPX ``<trkseg>`` / ``<rte>``,
    KML ``gx:Track`` / ``LineString``, each GeoJSON ``LineString`` or ``MultiLineString``
    line, the whole CSV; every waypoint or lone point has a segment of its own."""
    fix: int | None = None
    """GNSS fix type where the log records it (0-1 none, 2 2D, 3 3D, 4+ DGPS/RTK)."""
    sats: int | None = None
    """Satellites used for the fix."""
    hdop: float | None = None
    """Horizontal dilution of precision (or EPH in metres where only that is logged)."""


@dataclass(frozen=True)
class MissionItem:
    """One item of a programmed mission (MAVLink ``MISSION_ITEM`` semantics)."""

    seq: int
    command: str
    """Command name without the ``MAV_CMD_`` prefix (``NAV_WAYPOINT``, ``NAV_LAND``...), or
    the number when the command is unknown."""
    command_id: int | None
    lat: float | None
    lon: float | None
    alt: float | None
    is_navigation: bool
    """Whether the item is a place the vehicle is sent to (a ``NAV_*`` command with a
    position; not a ``DO_*`` action, not a position-less ``NAV_RETURN_TO_LAUNCH``)."""

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "command": self.command, "command_id": self.command_id,
                "lat": self.lat, "lon": self.lon, "alt": self.alt,
                "navigation": self.is_navigation}


@dataclass(frozen=True)
class Track:
    format: str
    points: tuple[TrackPoint, ...]
    name: str | None = None
    creator: str | None = None
    kinds: tuple[str, ...] = ()
    """What the points came from: ``track``, ``route``, ``waypoint``, ``line``, ``point``."""
    problems: tuple[str, ...] = ()
    """Rows or elements skipped, with why (capped)."""
    mission: tuple[MissionItem, ...] = ()
    """The programmed mission, in sequence order (home first where the format lists it)."""
    home: tuple[float, float, float | None] | None = None
    """Home / planned launch position (lat, lon, alt) where the file states it."""
    vehicle: dict[str, Any] = field(default_factory=dict)
    """Vehicle and firmware identity as the log states it (firmware, version, board, serial,
    UUID...): strings and numbers only."""
    clock: str | None = None
    """Where the points' times come from: ``gps`` (GNSS time, absolute UTC), ``file`` (times
    written in the file), ``ground_station`` (the recording computer's clock), ``boot`` (time
    since the unit started: not absolute), or ``None`` when there are no times."""
    events: tuple[dict[str, Any], ...] = ()
    """Mode changes, arming, failsafes, status texts, in log order (capped)."""
    integrity: dict[str, Any] = field(default_factory=dict)
    """What the reader measured about the file's structure: messages read, CRC failures,
    sequence gaps, bytes not understood..."""
    bytes_read: int | None = None
    """How many bytes of the file were read (``None``: all of it)."""
    sensors: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Sensor streams a flight log carries beside its positions, for the cross-checks of
    :mod:`forensics.tracks.sensors` (not part of any JSON result): named series of numpy
    arrays on one time axis per log (``gnss``, ``baro``, ``clock``, ``timeline``...), as
    the docstring of :mod:`forensics.tracks.sensors` lists them."""


@dataclass
class Collector:
    points: list[TrackPoint] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    segments: int = 0

    def new_segment(self) -> int:
        """The number of a new path (or of a lone point)."""
        self.segments += 1
        return self.segments

    def add(self, lat: Any, lon: Any, ele: Any = None, time: Any = None, *, kind: str,
            where: str, segment: int, fix: int | None = None, sats: int | None = None,
            hdop: float | None = None) -> None:
        try:
            la, lo = float(lat), float(lon)
        except (TypeError, ValueError):
            self.skip(f"{where}: coordinates {lat!r}, {lon!r} are not numbers")
            return
        if not valid_latlon(la, lo):
            self.skip(f"{where}: coordinates {la}, {lo} are out of range")
            return
        e = None
        if ele not in (None, ""):
            try:
                e = float(ele)
                e = e if math.isfinite(e) else None
            except (TypeError, ValueError):
                e = None
        if len(self.points) >= MAX_POINTS:
            self.skip(f"more than {MAX_POINTS} points: the rest were not read")
            return
        t = str(time).strip()[:64] if time not in (None, "") else None
        self.points.append(TrackPoint(la, lo, e, t, kind, segment, fix, sats, hdop))
        if kind not in self.kinds:
            self.kinds.append(kind)

    def skip(self, why: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(why)




class _Discard(io.TextIOBase):
    """A text sink that keeps nothing (a damaged log can make a library print a line per byte)."""

    def write(self, s: str) -> int:
        return len(s)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence what a log library prints (pymavlink, pyulog print their complaints): it must not
    reach a JSON document on stdout nor the user's terminal."""
    with contextlib.redirect_stdout(_Discard()), contextlib.redirect_stderr(_Discard()):
        yield
