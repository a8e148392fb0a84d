"""A track measured against a claim: distances to the claimed target and other named sites,
the closest approach along the track (point-to-segment, not only at fixes), the bearing of
the final leg and whether it heads for the target, and whether the track's times fall inside
the event window.

Distances are great-circle (haversine) km (:mod:`.geo`); bearings are degrees clockwise from
true north. Plain data out.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .geo import (
    angle_diff_deg,
    bearing_deg,
    compass,
    haversine_km,
    path_length_km,
    point_segment_km,
)
from .model import Track, TrackPoint
from .times import TimeValue, Window, parse_time


@dataclass(frozen=True)
class TrackParams:
    """Parameters of the track assessment (the one place they live)."""

    final_leg_km: float = 3.0
    """Along-track length, km, of the final leg whose bearing is measured."""
    near_km: float = 2.0
    """A track that ends or passes within this many km of a site is said to reach it."""


def track_length_km(points: tuple[TrackPoint, ...] | list[TrackPoint]) -> float:
    """Along-track length in km through every point, in order."""
    n = len(points)
    return path_length_km(np.fromiter((p.lat for p in points), float, n),
                          np.fromiter((p.lon for p in points), float, n))


def closest_approach(points: tuple[TrackPoint, ...] | list[TrackPoint],
                     place: tuple[float, float]) -> dict[str, Any]:
    """Closest approach of the polyline to ``place``: km, the segment index and fraction."""
    if len(points) == 1:
        return {"km": haversine_km((points[0].lat, points[0].lon), place), "segment": 0,
                "fraction": 0.0, "point_index": 0}
    best = (math.inf, 0, 0.0)
    for i, (a, b) in enumerate(zip(points, points[1:], strict=False)):
        d, t = point_segment_km(place, (a.lat, a.lon), (b.lat, b.lon))
        if d < best[0]:
            best = (d, i, t)
    d, i, t = best
    return {"km": d, "segment": i, "fraction": t, "point_index": i if t < 0.5 else i + 1}


def final_leg(points: tuple[TrackPoint, ...] | list[TrackPoint],
              length_km: float) -> tuple[int, float] | None:
    """Index of the point where the last ``length_km`` of the track starts, and the leg's
    length; ``None`` for a single point."""
    if len(points) < 2:
        return None
    acc = 0.0
    for i in range(len(points) - 1, 0, -1):
        acc += haversine_km((points[i - 1].lat, points[i - 1].lon), (points[i].lat, points[i].lon))
        if acc >= length_km:
            return i - 1, acc
    return 0, acc


def flown_points(track: Track) -> tuple[TrackPoint, ...]:
    """The positions the vehicle was *at*: a mission file's points are where it was *sent*
    (its programmed waypoints), so a file whose points are all its mission's has none."""
    if track.mission and all(p.kind == "waypoint" for p in track.points):
        return ()
    return track.points


def analyse_mission(track: Track, places: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Where the programmed mission sends the vehicle, measured against the places.

    The destination is the last navigation item that names a place (waypoint, loiter, land,
    spline waypoint; ``DO_*`` actions and a position-less return-to-launch are not places);
    ``returns_home`` says whether a return-to-launch follows it. The planned path is home (where
    the file states it) then every navigation point in sequence; for each place: km from the
    destination and the planned path's closest approach (great-circle km)."""
    if not track.mission:
        return None
    nav = [m for m in track.mission if m.is_navigation]
    home = track.home
    path = ([TrackPoint(home[0], home[1], home[2], None, kind="home")] if home else []) + [
        TrackPoint(m.lat, m.lon, m.alt, None, kind="waypoint") for m in nav
        if m.lat is not None and m.lon is not None]
    dest = nav[-1] if nav else None
    after = [m for m in track.mission if dest is not None and m.seq > dest.seq]
    out: dict[str, Any] = {
        "items": len(track.mission), "navigation_points": len(nav),
        "home": list(home) if home else None,
        "destination": dest.to_dict() if dest else None,
        "returns_home": any(m.command_id == 20 for m in after),
        "length_km": track_length_km(path) if len(path) > 1 else 0.0,
        "places": [],
        "waypoints": [{"seq": m.seq, "command": m.command, "lat": round(m.lat, 6),
                       "lon": round(m.lon, 6), "alt": m.alt} for m in nav
                      if m.lat is not None and m.lon is not None][:2000],
    }
    if dest is None or dest.lat is None or dest.lon is None:
        return out
    for p in places:
        loc = (float(p["lat"]), float(p["lon"]))
        ca = closest_approach(path, loc)
        out["places"].append({
            "role": p["role"], "name": p.get("name"), "lat": loc[0], "lon": loc[1],
            "destination_km": haversine_km((dest.lat, dest.lon), loc),
            "closest_km": ca["km"],
            "launch_km": haversine_km((home[0], home[1]), loc) if home else None})
    return out


def analyse_track(track: Track, *, target: dict[str, Any] | None,
                  sites: list[dict[str, Any]], window: Window | None,
                  final_leg_km: float = TrackParams.final_leg_km) -> dict[str, Any]:
    """Measure the track against the target and the named sites (all plain data out).

    ``target`` and each site are ``{"name", "lat", "lon"}`` (``radius_km`` optional);
    ``final_leg_km`` is the along-track length, km, of the final leg whose bearing is
    measured. Planned and flown are measured separately: ``mission`` (see
    :func:`analyse_mission`, ``None`` without a mission) and the flown fields (``points`` 0,
    ``end`` ``None`` and no ``places`` when the file holds only a mission).
    """
    places = ([{"role": "target", **target}] if target else []) + [
        {"role": "site", **s} for s in sites]
    mission = analyse_mission(track, places)
    pts = flown_points(track)
    if not pts:
        return {"format": track.format, "name": track.name, "creator": track.creator,
                "kinds": list(track.kinds), "points": 0, "problems": list(track.problems),
                "length_km": 0.0, "start": None, "end": None, "final_leg": None,
                "places": [], "mission": mission, "clock": track.clock,
                "times": {"first": None, "last": None,
                          "relation_counts": {"inside": 0, "before": 0, "after": 0,
                                              "unknown": 0, "no_time": 0}},
                "params": {"final_leg_km": final_leg_km}, "polyline": []}
    end, start = pts[-1], pts[0]
    leg = final_leg(pts, final_leg_km)
    leg_bearing = None
    leg_info: dict[str, Any] | None = None
    if leg is not None:
        i0, leg_len = leg
        if leg_len > 0:
            leg_bearing = bearing_deg((pts[i0].lat, pts[i0].lon), (end.lat, end.lon))
            leg_info = {"from_index": i0, "to_index": len(pts) - 1, "length_km": leg_len,
                        "bearing_deg": leg_bearing, "compass": compass(leg_bearing)}
    measured = []
    for p in places:
        loc = (float(p["lat"]), float(p["lon"]))
        ca = closest_approach(pts, loc)
        end_km = haversine_km((end.lat, end.lon), loc)
        entry: dict[str, Any] = {
            "role": p["role"], "name": p.get("name"), "lat": loc[0], "lon": loc[1],
            "end_km": end_km, "start_km": haversine_km((start.lat, start.lon), loc),
            "closest_km": ca["km"], "closest_point_index": ca["point_index"],
            "closest_time": pts[ca["point_index"]].time,
        }
        if leg_info is not None and end_km > 0.05:
            to_place = bearing_deg((pts[leg_info["from_index"]].lat,
                                    pts[leg_info["from_index"]].lon), loc)
            entry["bearing_from_leg_start_deg"] = to_place
            off = angle_diff_deg(leg_bearing or 0.0, to_place)
            entry["heading_off_deg"] = off
            # Continued in a straight line, how close would the final leg pass? (cross-track)
            d0 = haversine_km((pts[leg_info["from_index"]].lat,
                               pts[leg_info["from_index"]].lon), loc)
            entry["extended_miss_km"] = (abs(d0 * math.sin(math.radians(off)))
                                         if off < 90 else None)
        measured.append(entry)
    times = [_placed_time(p.time) for p in pts]
    known = [t for t in times if t is not None]
    rel: dict[str, int] = {"inside": 0, "before": 0, "after": 0, "unknown": 0, "no_time": 0}
    for t in times:
        if t is None:
            rel["no_time"] += 1
        elif window is None:
            rel["unknown"] += 1
        else:
            rel[window.relation(t)] += 1
    first_t = min(known, key=TimeValue.earliest_utc) if known else None
    last_t = max(known, key=TimeValue.latest_utc) if known else None
    return {
        "format": track.format, "name": track.name, "creator": track.creator,
        "kinds": list(track.kinds), "points": len(pts), "problems": list(track.problems),
        "length_km": track_length_km(pts),
        "start": asdict(start), "end": asdict(end),
        "final_leg": leg_info, "places": measured, "mission": mission, "clock": track.clock,
        "times": {"first": first_t.iso() if first_t else None,
                  "last": last_t.iso() if last_t else None, "relation_counts": rel},
        "params": {"final_leg_km": final_leg_km},
        "polyline": [[round(p.lat, 6), round(p.lon, 6)] for p in _thin(pts, 2000)],
        "profile": profile(pts, track.events),
    }


def profile(points: tuple[TrackPoint, ...] | list[TrackPoint],
            events: tuple[dict[str, Any], ...] = (), limit: int = 600) -> dict[str, Any] | None:
    """Altitude and ground speed over time, for drawing: ``[seconds since the first timed
    point, altitude m or None, km/h since the previous timed point or None]`` rows (at most
    ``limit``, evenly thinned), plus the log's events that carry a time (mode changes,
    arming, status texts) on the same axis. ``None`` when fewer than two points have a time.
    Speeds over a step of under 0.5 s are left out (a fix logged twice)."""
    timed = [(p, t) for p in points if (t := _placed_time(p.time)) is not None]
    if len(timed) < 2:
        return None
    t0 = timed[0][1]
    rows: list[list[float | None]] = []
    prev: tuple[TrackPoint, float] | None = None
    for p, t in timed:
        s = (t.earliest_utc() - t0.earliest_utc()).total_seconds()
        kmh = None
        if prev is not None and s - prev[1] >= 0.5:
            kmh = haversine_km((prev[0].lat, prev[0].lon), (p.lat, p.lon)) / (
                (s - prev[1]) / 3600.0)
        rows.append([round(s, 3), None if p.ele is None else round(p.ele, 2),
                     None if kmh is None else round(kmh, 2)])
        prev = (p, s)
    if len(rows) > limit:
        step = (len(rows) - 1) / (limit - 1)
        rows = [rows[round(i * step)] for i in range(limit)]
    marks = []
    for e in events:
        t = _placed_time(e.get("time"))
        if t is None:
            continue
        marks.append({"s": round((t.earliest_utc() - t0.earliest_utc()).total_seconds(), 3),
                      "kind": e.get("kind"),
                      "text": str(e.get("text") or e.get("mode") or e.get("event") or "")[:80]})
    return {"start": t0.iso(), "rows": rows, "events": marks[:200]}


def drawn_points(analysis: dict[str, Any]) -> list[tuple[float, float]]:
    """Every position a map of :func:`analyse_track`'s result draws: the flown polyline, the
    mission's waypoints and home (for the map's extent)."""
    mission = analysis.get("mission") or {}
    out = [(float(a), float(b)) for a, b in analysis.get("polyline") or []]
    out += [(float(w["lat"]), float(w["lon"])) for w in mission.get("waypoints") or []]
    if mission.get("home"):
        out.append((float(mission["home"][0]), float(mission["home"][1])))
    return out


def _placed_time(raw: str | None) -> TimeValue | None:
    """The point's time, or ``None`` when it cannot be placed on the UTC timeline: on the
    first or last day of the calendar the UTC offset range runs past ``datetime``'s limits."""
    t = parse_time(raw)
    if t is None:
        return None
    try:
        t.earliest_utc(), t.latest_utc()
    except OverflowError:
        return None
    return t


def _thin(points: tuple[TrackPoint, ...], limit: int) -> list[TrackPoint]:
    """At most ``limit`` points for drawing (first and last always kept)."""
    if len(points) <= limit:
        return list(points)
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]
