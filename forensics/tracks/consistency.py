"""A navigation log's own consistency: times, lengths, speeds and order of its points.

Pure functions on parsed points (:class:`~forensics.tracks.parse.TrackPoint`), used by the
track check (:mod:`forensics.checks.track_check`), which turns the measurements into findings.
Distances are great-circle km (:func:`forensics.tracks.geo.legs_km`); speeds are km/h.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from .geo import legs_km
from .model import TrackPoint
from .times import parse_time

SEQUENTIAL_KINDS = frozenset({"track", "route", "line"})
"""Point kinds that form a path in time order (waypoints and placemarks do not)."""

_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_CLOCK = re.compile(r"^\s*\d{4}[-:]\d{2}[-:]\d{2}[T ]\d{2}:\d{2}(:\d{2}(?:\.(\d+))?)?")


def looks_like_csv_track(data: bytes) -> bool:
    """Whether a CSV file's first non-empty row names coordinate columns (``lat``/``lon``...)
    or starts with two numbers (a header-less ``lat,lon[,time]`` log). A cheap pre-filter:
    :func:`forensics.tracks.parse.parse_track` decides in the end."""
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
    (:func:`forensics.tracks.times.parse_time`). Two times are comparable only when both have
    an offset or both have none."""
    return _seconds(parse_time(raw))


def _seconds(t: Any) -> tuple[float, bool] | None:
    if t is None or t.date_only:
        return None
    try:
        return (t.dt - (_EPOCH_UTC if t.has_offset else _EPOCH_NAIVE)).total_seconds(), \
            t.has_offset
    except (OverflowError, ValueError):
        return None


def hms(seconds: float) -> str:
    """A duration in seconds in plain words (``42 s``, ``3 min 5 s``, ``2 h 10 min``)."""
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
    :class:`~forensics.tracks.parse.TrackPoint`); ``None`` takes
    every point as one path. Along each path, consecutive *timed* points are compared (the
    distance between them is the along-track distance through any untimed points):
    a negative elapsed time is a reversal; the leg's lowest possible speed is
    ``km / ((elapsed + resolution) / 3600)`` km/h, where ``resolution`` is the coarser of the
    two times' (1 s for ``hh:mm:ss``); legs of at least ``min_jump_km`` whose lowest speed
    exceeds ``max_speed_kmh`` are implausible. Times with and without a UTC offset are never
    compared with each other.
    """
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
    legs = legs_km(lat[sidx], lon[sidx])
    same = seg[sidx][1:] == seg[sidx][:-1] if sidx.size > 1 else np.zeros(0, bool)
    cum = np.concatenate([[0.0], np.cumsum(np.where(same, legs, 0.0))])
    breaks = np.flatnonzero(~same) + 1
    runs = [r for r in np.split(np.arange(sidx.size), breaks) if r.size]
    # = sum of analyse.track_length_km over the paths (same haversine, vectorised)
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
