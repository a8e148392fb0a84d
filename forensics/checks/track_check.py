"""Navigation / track logs in a plain scan: GPX, KML/KMZ, GeoJSON and CSV.

The "recovered navigation unit" of a claim usually comes as an exported track. The case report
(:mod:`forensics.case`) measures a track against a claim; this check says, for any scan, what
the log itself holds and whether its own times and positions hang together. It reads the
file's bytes only (:func:`forensics.case.track.parse_track`: XML through ``defusedxml``, no
entity expansion, no DTD, no network), never decodes pixels, and measures:

* ``track.summary`` (info) - format, points, how many carry a time, first and last time as
  the file states them, duration, along-track length (great-circle km,
  :func:`forensics.case.track.track_length_km`), bounding box, start and end point.
* ``track.time_reversed`` (medium, high confidence) - a time earlier than the one before it
  along a track segment: a log is written in time order, so this is a sign of points spliced
  in or edited. Between separate segments or tracks of one file (which a file may list in any
  order) it is only ``low``.
* ``track.implausible_speed`` (medium) - consecutive timed points further apart than any
  vehicle such a log comes from could travel in the time between them, even allowing for the
  times' resolution (:attr:`TrackCheckParams.max_speed_kmh`); this includes far jumps between
  points with the same time. A GPS glitch does this too, so it is not proof of editing.
* ``track.duplicate_timestamps`` (low) - many consecutive points with the same time but
  different positions: a logger faster than its time resolution, or points added without a
  time of their own.
* ``track.no_timestamps`` (info) - a track without times cannot be placed in time.

A file whose bytes do not parse as a track gets the item error ``corrupt_track``; a CSV
without coordinate columns is not a track (``unsupported_format``, as before this check).

Work is bounded: track files over :data:`forensics.case.track.MAX_TRACK_BYTES` are refused
(``too_large``), the parser reads at most :data:`forensics.case.track.MAX_POINTS` points and
this check analyses at most :attr:`TrackCheckParams.max_points`; the summary says when the
rest was not read. Distances are great-circle (haversine) km on the IUGG mean sphere
(:mod:`forensics.case.geo`); speeds are km/h.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from ..context import AnalysisContext
from ..errors import DecodeError
from ..model import CheckOutput, EvidenceItem, Finding
from .base import Check

if TYPE_CHECKING:
    from ..case.track import Track, TrackPoint

# forensics.case imports the check registry (its runner scans), so the track parser and the
# geometry are imported where they are used, never at module level.

NAME = "track"

TRACK_MEDIA_TYPES = frozenset({
    "application/gpx+xml", "application/vnd.google-earth.kml+xml", "application/geo+json",
    "text/csv", "application/vnd.google-earth.kmz",
})
"""Media types :func:`forensics.sniff.sniff_media_type` gives track files (by their bytes)."""

SEQUENTIAL_KINDS = frozenset({"track", "route", "line"})
"""Point kinds that form a path in time order (waypoints and placemarks do not)."""

_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_CLOCK = re.compile(r"^\s*\d{4}[-:]\d{2}[-:]\d{2}[T ]\d{2}:\d{2}(:\d{2}(?:\.(\d+))?)?")


@dataclass(frozen=True)
class TrackCheckParams:
    """Parameters of the track check (the one place they live)."""

    max_speed_kmh: float = 1200.0
    """Ground speed, km/h, above which a leg is implausible. The vehicles a navigation-unit
    log comes from (drones, cruise missiles, light and airliner aircraft, road vehicles) stay
    below it: subsonic airliners cruise at 850-950 km/h ground speed and exceed 1,200 only in
    record jet-stream tailwinds. Compared with the *lowest* speed the leg can mean (the
    elapsed time plus the times' resolution), so rounding of times does not raise it."""
    min_jump_km: float = 0.5
    """A leg must be at least this long, km, to be called implausible: GPS scatter of a few
    tens of metres between fixes logged fractions of a second apart is not a jump."""
    duplicate_min_count: int = 5
    """``track.duplicate_timestamps`` needs at least this many consecutive pairs of points
    with the same time and different positions ..."""
    duplicate_min_fraction: float = 0.05
    """... and at least this fraction of the timed consecutive pairs."""
    max_points: int = 1_000_000
    """At most this many points (in file order) are analysed (the parser itself stops at
    :data:`forensics.case.track.MAX_POINTS`, also 1,000,000)."""
    examples: int = 5
    """How many example legs or steps a finding's evidence lists."""


# --------------------------------------------------------------------------------------------
# Pure functions
# --------------------------------------------------------------------------------------------


def looks_like_csv_track(data: bytes) -> bool:
    """Whether a CSV file's first non-empty row names coordinate columns (``lat``/``lon``...)
    or starts with two numbers (a header-less ``lat,lon[,time]`` log). A cheap pre-filter:
    :func:`forensics.case.track.parse_track` decides in the end."""
    try:
        text = data[:8192].decode("utf-8-sig", errors="replace")
    except Exception:  # noqa: BLE001 - anything odd: let the parser say what is wrong
        return True
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    cells = [c.strip().strip('"').strip().lower() for c in re.split(r"[,;\t]", first)]
    if len(cells) < 2:
        return False
    has_lat = any(c.startswith("lat") or c == "y" for c in cells)
    has_lon = any(c.startswith(("lon", "lng")) or c == "x" for c in cells)
    if has_lat and has_lon:
        return True
    try:
        float(cells[0]), float(cells[1])
    except ValueError:
        return False
    return True


def time_resolution_s(raw: str | None) -> float | None:
    """The resolution, in seconds, a time string is written to (``12:00`` -> 60,
    ``12:00:05`` -> 1, ``12:00:05.25`` -> 0.01), or ``None`` when it is not a clock time."""
    if not raw:
        return None
    m = _CLOCK.match(raw)
    if m is None:
        return None
    if m.group(1) is None:
        return 60.0
    return 10.0 ** -min(len(m.group(2)), 6) if m.group(2) else 1.0


def time_seconds(raw: str | None) -> tuple[float, bool] | None:
    """A point's time as ``(seconds, has_offset)``: seconds since 1970-01-01 UTC when the
    time states an offset, since 1970-01-01 on its own (unknown) clock when it does not.
    ``None`` for a missing, unparsable or date-only time
    (:func:`forensics.case.times.parse_time`). Two times are comparable only when both have
    an offset or both have none."""
    from ..case.times import parse_time

    return _seconds(parse_time(raw))


def _seconds(t: Any) -> tuple[float, bool] | None:
    if t is None or t.date_only:
        return None
    try:
        return (t.dt - (_EPOCH_UTC if t.has_offset else _EPOCH_NAIVE)).total_seconds(), \
            t.has_offset
    except (OverflowError, ValueError):
        return None


def _legs_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Haversine km between consecutive points (same formula as ``geo.haversine_km``)."""
    from ..case.geo import EARTH_RADIUS_KM

    if lat.size < 2:
        return np.zeros(0)
    la, lo = np.radians(lat), np.radians(lon)
    h = (np.sin(np.diff(la) / 2) ** 2
         + np.cos(la[:-1]) * np.cos(la[1:]) * np.sin(np.diff(lo) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _hms(seconds: float) -> str:
    s = abs(seconds)
    if s < 60:
        text = f"{s:g} s"
    elif s < 3600:
        text = f"{int(s // 60)} min {int(s % 60)} s"
    elif s < 86400 * 2:
        text = f"{int(s // 3600)} h {int(s % 3600 // 60)} min"
    else:
        text = f"{s / 86400:.1f} days"
    return ("-" if seconds < 0 else "") + text


def analyse_points(points: Sequence[TrackPoint], layout: Sequence[tuple[str, int]] | None, *,
                   max_speed_kmh: float, min_jump_km: float, examples: int) -> dict[str, Any]:
    """Times, lengths, speeds and order of a track's points (all plain data out).

    ``layout`` gives each point's ``(kind, segment)`` (as the parser recorded them in
    :class:`~forensics.case.track.TrackPoint`); ``None`` takes
    every point as one path. Along each path, consecutive *timed* points are compared (the
    distance between them is the along-track distance through any untimed points):
    a negative elapsed time is a reversal; the leg's lowest possible speed is
    ``km / ((elapsed + resolution) / 3600)`` km/h, where ``resolution`` is the coarser of the
    two times' (1 s for ``hh:mm:ss``); legs of at least ``min_jump_km`` whose lowest speed
    exceeds ``max_speed_kmh`` are implausible. Times with and without a UTC offset are never
    compared with each other.
    """
    from ..case.times import parse_time

    n = len(points)
    if layout is None:
        layout = [("track", 0)] * n
    lat = np.fromiter((p.lat for p in points), float, n)
    lon = np.fromiter((p.lon for p in points), float, n)
    seq = np.fromiter((k in SEQUENTIAL_KINDS for k, _ in layout), bool, n)
    seg = np.fromiter((s for _, s in layout), np.int64, n)
    secs = np.full(n, np.nan)
    aware = np.zeros(n, bool)
    raw_present = unparsed = 0
    for i, p in enumerate(points):
        if p.time is None:
            continue
        raw_present += 1
        ts = _seconds(parse_time(p.time))
        if ts is None:
            unparsed += 1
            continue
        secs[i], aware[i] = ts
    timed = ~np.isnan(secs)

    # paths: runs of consecutive sequential points with one segment number
    sidx = np.flatnonzero(seq)
    legs = _legs_km(lat[sidx], lon[sidx])
    same = seg[sidx][1:] == seg[sidx][:-1] if sidx.size > 1 else np.zeros(0, bool)
    cum = np.concatenate([[0.0], np.cumsum(np.where(same, legs, 0.0))])
    breaks = np.flatnonzero(~same) + 1
    runs = [r for r in np.split(np.arange(sidx.size), breaks) if r.size]
    # = sum of forensics.case.track.track_length_km over the paths (same haversine, vectorised)
    length_km = float(legs[same].sum()) if legs.size else 0.0

    # consecutive timed points along the sequential points
    tk = np.flatnonzero(timed[sidx])  # positions in sidx
    ti = sidx[tk]  # point indices
    pair_same_seg = seg[ti][1:] == seg[ti][:-1]
    comparable = aware[ti][1:] == aware[ti][:-1]
    dt = np.diff(secs[ti]) if ti.size > 1 else np.zeros(0)
    dist = np.diff(cum[tk]) if ti.size > 1 else np.zeros(0)
    within = pair_same_seg & comparable
    across = ~pair_same_seg & comparable

    def step(k: int) -> dict[str, Any]:
        a, b = int(ti[k]), int(ti[k + 1])
        return {"from_index": a, "to_index": b, "from_time": points[a].time,
                "to_time": points[b].time, "seconds": round(float(dt[k]), 3),
                "km": round(float(dist[k]), 4) if within[k] else None}

    rev_in = np.flatnonzero(within & (dt < 0))
    rev_across = np.flatnonzero(across & (dt < 0))
    dup = np.flatnonzero(within & (dt == 0) & (dist > 0))

    speeds: list[dict[str, Any]] = []
    fast = np.zeros(0, np.int64)
    if dt.size:
        ok = within & (dt >= 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            implied = np.where(ok & (dt > 0), dist / (dt / 3600.0), np.inf)
        # the times' resolution only lowers a speed: look it up for the fast legs alone
        pair_res = np.zeros(dt.size)
        lowest = np.zeros(dt.size)
        for k in np.flatnonzero(ok & (dist >= min_jump_km) & (implied > max_speed_kmh)):
            a, b = points[int(ti[k])].time, points[int(ti[k + 1])].time
            pair_res[k] = max(time_resolution_s(a) or 1.0, time_resolution_s(b) or 1.0)
            lowest[k] = dist[k] / ((dt[k] + pair_res[k]) / 3600.0)
        fast = np.flatnonzero(lowest > max_speed_kmh)
        order = fast[np.argsort(-lowest[fast], kind="stable")][:examples]
        for k in order:
            leg = step(int(k))
            leg["kmh_at_least"] = round(float(lowest[k]), 1)
            leg["kmh"] = round(float(implied[k]), 1) if math.isfinite(implied[k]) else None
            leg["time_resolution_s"] = float(pair_res[k])
            speeds.append(leg)

    def pt(i: int) -> dict[str, Any]:
        p = points[i]
        return {"index": i, "lat": round(p.lat, 5), "lon": round(p.lon, 5), "time": p.time}

    path_idx = sidx if sidx.size else np.arange(n)
    first_t = last_t = None
    duration = None
    timed_all = path_idx[timed[path_idx]]  # the path's times (not its waypoints')
    if timed_all.size:
        a, b = int(timed_all[0]), int(timed_all[-1])
        first_t, last_t = points[a].time, points[b].time
        if aware[a] == aware[b]:
            duration = float(secs[b] - secs[a])
    kinds: dict[str, int] = {}
    for k, _ in layout:
        kinds[k] = kinds.get(k, 0) + 1
    return {
        "points": n,
        "kinds": kinds,
        "path_points": int(sidx.size),
        "segments": len(runs),
        "with_time": int(timed.sum()),
        "without_time": n - raw_present,
        "time_not_understood": unparsed,
        "times_with_offset": int((timed & aware).sum()),
        "first_time": first_t,
        "last_time": last_t,
        "duration_s": duration,
        "length_km": length_km,
        "bbox": {"south": round(float(lat.min()), 5), "west": round(float(lon.min()), 5),
                 "north": round(float(lat.max()), 5), "east": round(float(lon.max()), 5)},
        "start": pt(int(path_idx[0])),
        "end": pt(int(path_idx[-1])),
        "timed_steps": int(within.sum()),
        "reversed": {"count": int(rev_in.size),
                     "first": step(int(rev_in[0])) if rev_in.size else None,
                     "examples": [step(int(k)) for k in rev_in[:examples]]},
        "reversed_between_segments": {
            "count": int(rev_across.size),
            "first": step(int(rev_across[0])) if rev_across.size else None},
        "duplicate_times": {"count": int(dup.size),
                            "max_km": round(float(dist[dup].max()), 4) if dup.size else None,
                            "examples": [step(int(k)) for k in dup[:examples]]},
        "implausible_speed": {"count": int(fast.size), "worst": speeds[0] if speeds else None,
                              "examples": speeds},
    }


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


class TrackCheck(Check):
    name = NAME
    version = "1.0.0"
    description = ("navigation/track logs (GPX, KML/KMZ, GeoJSON, CSV): summary, times going "
                   "backwards, implausible speeds and jumps, duplicate times, missing times")
    params = TrackCheckParams()

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in TRACK_MEDIA_TYPES

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: TrackCheckParams = self.params
        path = os.path.basename(ctx.item.path) or ctx.item.path  # named in each message
        track = self._parse(ctx)
        pts = track.points[: p.max_points]
        capped = len(track.points) > p.max_points or any(
            pr.startswith("more than") for pr in track.problems)
        layout = [(q.kind, q.segment) for q in pts]
        m = analyse_points(pts, layout, max_speed_kmh=p.max_speed_kmh,
                           min_jump_km=p.min_jump_km, examples=p.examples)
        fmt = track.format.upper() if track.format != "geojson" else "GeoJSON"
        found = [self._summary(path, fmt, track, m, capped)]
        rev, rev_x = m["reversed"], m["reversed_between_segments"]
        if rev["count"]:
            f = rev["first"]
            found.append(self._f(
                "track.time_reversed", "medium", "high",
                f"{path}: the time goes backwards {rev['count']} time(s) along the track: "
                f"first from {f['from_time']} (point index {f['from_index']}) to "
                f"{f['to_time']} (point index {f['to_index']}), {_hms(f['seconds'])}. A log is "
                "written in time order; points out of order suggest the log was spliced or "
                "edited (or the unit's clock was reset).",
                {**rev, "between_segments": rev_x["count"]}))
        elif rev_x["count"]:
            f = rev_x["first"]
            found.append(self._f(
                "track.time_reversed", "low", "medium",
                f"{path}: {rev_x['count']} track segment(s) start earlier than the segment "
                f"before them ends: from {f['from_time']} (point index {f['from_index']}) to "
                f"{f['to_time']} (point index {f['to_index']}). Separate segments of one file "
                "may be listed out of order; within each segment the times run forward.",
                {"count": 0, "between_segments": rev_x["count"], "first": f}))
        sp = m["implausible_speed"]
        if sp["count"]:
            w = sp["worst"]
            when = (f"{_hms(w['seconds'])}" if w["seconds"] > 0 else
                    f"the same time ({w['from_time']}, written to "
                    f"{w['time_resolution_s']:g} s)")
            found.append(self._f(
                "track.implausible_speed", "medium", "medium",
                f"{path}: {sp['count']} leg(s) imply a ground speed above "
                f"{p.max_speed_kmh:,.0f} km/h. The worst: {w['km']:.2f} km in {when} between "
                f"point indexes {w['from_index']} and {w['to_index']}, at least "
                f"{w['kmh_at_least']:,.0f} km/h. No vehicle such a log comes from moves that "
                "fast: the points were moved or spliced, or the receiver recorded a bad fix.",
                {**sp, "max_speed_kmh": p.max_speed_kmh, "min_jump_km": p.min_jump_km}))
        dup = m["duplicate_times"]
        steps = max(1, m["timed_steps"])
        if dup["count"] >= p.duplicate_min_count and \
                dup["count"] / steps >= p.duplicate_min_fraction:
            found.append(self._f(
                "track.duplicate_timestamps", "low", "medium",
                f"{path}: {dup['count']} of {m['timed_steps']} consecutive pairs of timed "
                "points have the same time but different positions (up to "
                f"{dup['max_km']:.3f} km apart): logged faster than the times' resolution, or "
                "points added without a time of their own.",
                {**dup, "timed_steps": m["timed_steps"],
                 "fraction": round(dup["count"] / steps, 4)}))
        if m["with_time"] == 0:
            extra = (f" ({m['time_not_understood']} point(s) carry a time value that is not "
                     "an ISO 8601 date and time)" if m["time_not_understood"] else "")
            found.append(self._f(
                "track.no_timestamps", "info", "high",
                f"{path}: none of the {m['points']} points carries a usable time{extra}: the "
                "track shows where, not when, and cannot be placed in time.",
                {"points": m["points"], "time_not_understood": m["time_not_understood"]}))
        return CheckOutput(findings=tuple(found))

    def _parse(self, ctx: AnalysisContext) -> Track:
        from ..case.track import MAX_TRACK_BYTES, TrackError, parse_track, sniff_track_format

        path, data = ctx.item.path, ctx.data
        if len(data) > MAX_TRACK_BYTES:
            raise DecodeError(f"{path}: {len(data)} bytes is more than the {MAX_TRACK_BYTES} "
                              "a track file may have here", path=path, code="too_large")
        name = path
        if ctx.item.media_type == "text/csv":
            if not looks_like_csv_track(data):
                raise DecodeError(f"{path}: a CSV file without latitude/longitude columns is "
                                  "not a track; this version analyses no other CSV",
                                  path=path, code="unsupported_format")
            if sniff_track_format(path, data) != "csv":  # a CSV log named .txt or .log
                name = f"{path}#.csv"
        try:
            return parse_track(name, data)
        except TrackError as err:
            message = err.message.replace(name, path) if name != path else err.message
            raise DecodeError(message, path=path, code="corrupt_track") from err

    def _summary(self, path: str, fmt: str, track: Track, m: dict[str, Any],
                 capped: bool) -> Finding:
        parts = [f"{path}: {fmt} track of {m['points']:,} point(s)"]
        others = m["points"] - m["path_points"]
        if others:
            parts[0] += f" ({others:,} waypoint(s)/placemark(s) not on the path)"
        timing = f"{m['with_time']:,} with a time"
        if m["first_time"]:
            timing += f", from {m['first_time']} to {m['last_time']}"
            if m["duration_s"] is not None:
                timing += f" ({_hms(m['duration_s'])})"
        parts.append(timing)
        parts.append(f"{m['length_km']:.1f} km along the path in {m['segments']} segment(s)")
        s, e = m["start"], m["end"]
        parts.append(f"from {s['lat']:.5f}, {s['lon']:.5f} to {e['lat']:.5f}, {e['lon']:.5f}")
        msg = "; ".join(parts) + "."
        if capped:
            msg += f" Only the first {m['points']:,} points were read."
        evidence = {
            "format": track.format, "name": (track.name or None) and track.name[:200],
            "creator": (track.creator or None) and track.creator[:200],
            **{k: m[k] for k in ("points", "kinds", "path_points", "segments", "with_time",
                                 "without_time", "time_not_understood", "times_with_offset",
                                 "first_time", "last_time", "duration_s", "bbox", "start",
                                 "end")},
            "length_km": round(m["length_km"], 4),
            "capped": capped,
            "skipped": list(track.problems),
        }
        return self._f("track.summary", "info", "high", msg, evidence)



__all__ = ["TrackCheck", "TrackCheckParams", "analyse_points", "looks_like_csv_track",
           "time_resolution_s", "time_seconds"]
