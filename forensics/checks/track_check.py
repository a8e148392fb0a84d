"""Navigation data in a plain scan: flight logs (ArduPilot DataFlash, MAVLink tlog, PX4 ULog),
NMEA, mission files (QGroundControl plan, WPL 110), DJI SRT telemetry, GPX, KML/KMZ, GeoJSON,
CSV (the formats of :data:`forensics.tracks.parse.FORMATS`).

The "recovered navigation unit" of a claim usually comes as an exported track. The case report
(:mod:`forensics.case`) measures a track against a claim; this check says, for any scan, what
the log itself holds and whether its own times and positions hang together. It reads the
file's bytes only (:func:`forensics.tracks.parse.parse_track`: XML through ``defusedxml``, no
entity expansion, no DTD, no network), never decodes pixels, and measures:

* ``track.summary`` (info) - format, points, how many carry a time, first and last time as
  the file states them, duration, along-track length (great-circle km,
  :func:`forensics.tracks.analyse.track_length_km`), bounding box, start and end point.
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
* ``track.mission`` (info) - the programmed mission a log or mission file carries: every item
  (``seq``, ``command``, ``lat``, ``lon``, ``alt``), home, and the last navigation point (where
  the vehicle was *sent*; the flown track says where it *went*).
* ``track.no_positions`` (info) - a log read whole that holds no GNSS position (its identity
  and structure are still reported).
* ``track.too_clean`` (medium) - the positions lack the scatter every GNSS receiver produces:
  most consecutive fixes lie on the line through their neighbours at the same speed
  (:func:`forensics.tracks.authenticity.smoothness`): drawn or interpolated, not recorded.
* ``track.simulated_fix`` (low) - the receiver itself marks its fixes as simulated (NMEA GGA
  quality 8).
* ``track.damaged_records`` (low) - sentences with wrong checksums (NMEA) or MAVLink frames
  that failed their CRC: edited bytes that were not re-checksummed, or a noisy link.
* ``track.against_claim`` (info) - only when the scan carries a claim (a case run,
  :attr:`forensics.context.ScanOptions.claim`): the track measured against the claimed target,
  the named sites and the event window (:func:`forensics.tracks.analyse.analyse_track`); the
  case assessment reads it from here, so a case runs every track through this check.

A file whose bytes do not parse as a track gets the item error ``corrupt_track``; a CSV
without coordinate columns is not a track (``unsupported_format``, as before this check).

Work is bounded: track files over :data:`forensics.tracks.parse.MAX_TRACK_BYTES` are refused
(``too_large``), the parser reads at most :data:`forensics.tracks.parse.MAX_POINTS` points and
this check analyses at most :attr:`TrackCheckParams.max_points`; the summary says when the
rest was not read. Distances are great-circle (haversine) km on the IUGG mean sphere
(:mod:`forensics.tracks.geo`); speeds are km/h.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..context import AnalysisContext, Claim, ClaimPlace
from ..errors import DecodeError
from ..model import CheckOutput, EvidenceItem, Finding
from ..tracks import parse as track_parse
from ..tracks.analyse import analyse_track
from ..tracks.authenticity import smoothness
from ..tracks.consistency import analyse_points, hms, looks_like_csv_track
from ..tracks.parse import (
    FORMAT_BY_NAME,
    TRACK_MEDIA_TYPES,
    Track,
    TrackError,
    parse_track,
    sniff_track_format,
)
from ..tracks.times import Window, read_time
from .base import Check

NAME = "track"


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
    :data:`forensics.tracks.parse.MAX_POINTS`, also 1,000,000)."""
    examples: int = 5
    """How many example legs or steps a finding's evidence lists."""
    final_leg_km: float = 3.0
    """Along-track length, km, of the final leg whose bearing is measured against a claim
    (``track.against_claim``)."""
    clean_min_triplets: int = 20
    """``track.too_clean`` needs at least this many moving timed triplets ..."""
    clean_min_fraction: float = 0.8
    """... of which at least this fraction have the middle fix within
    :attr:`clean_straight_m` of its neighbours' line and the same speed on both legs to
    :attr:`clean_same_speed_mps`. Measured on the corpus's real logs: at most 0.08 (a DJI SRT
    with 4-decimal coordinates); a straight line or a 10x noiseless resampling: >= 0.9."""
    clean_straight_m: float = 0.05
    clean_same_speed_mps: float = 0.02
    mission_items_listed: int = 500
    """``track.mission`` lists at most this many items in its evidence (the count is
    always given)."""


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


class TrackCheck(Check):
    name = NAME
    version = "1.1.0"
    description = ("navigation data (flight logs, NMEA, missions, DJI SRT, GPX, KML/KMZ, "
                   "GeoJSON, CSV): summary, mission, times going backwards, implausible "
                   "speeds, duplicate or missing times, positions too clean to be recorded")
    params = TrackCheckParams()
    screening = True

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in TRACK_MEDIA_TYPES

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: TrackCheckParams = self.params
        path = os.path.basename(ctx.item.path) or ctx.item.path  # named in each message
        track = self._parse(ctx)
        if not track.points:  # a log without a fix may still hold the mission it was sent
            alone = [self._no_positions(path, track)]
            if track.mission:
                alone.append(self._mission(path, track))
                if ctx.options.claim is not None:
                    alone.append(self._against_claim(path, track, ctx.options.claim))
            return CheckOutput(findings=tuple(alone))
        pts = track.points[: p.max_points]
        capped = len(track.points) > p.max_points or any(
            pr.startswith("more than") for pr in track.problems)
        layout = [(q.kind, q.segment) for q in pts]
        m = analyse_points(pts, layout, max_speed_kmh=p.max_speed_kmh,
                           min_jump_km=p.min_jump_km, examples=p.examples)
        fmt = FORMAT_BY_NAME[track.format].label
        found = [self._summary(path, fmt, track, m, capped)]
        rev, rev_x = m["reversed"], m["reversed_between_segments"]
        if rev["count"]:
            f = rev["first"]
            found.append(self._f(
                "track.time_reversed", "medium", "high",
                f"{path}: the time goes backwards {rev['count']} time(s) along the track: "
                f"first from {f['from_time']} (point index {f['from_index']}) to "
                f"{f['to_time']} (point index {f['to_index']}), {hms(f['seconds'])}. A log is "
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
            when = (f"{hms(w['seconds'])}" if w["seconds"] > 0 else
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
        if track.mission:
            found.append(self._mission(path, track))
        found.extend(self._log_signs(path, track, pts))
        claim = ctx.options.claim
        if claim is not None:
            found.append(self._against_claim(path, track, claim))
        if m["with_time"] == 0:
            extra = (f" ({m['time_not_understood']} point(s) carry a time value that is not "
                     "an ISO 8601 date and time)" if m["time_not_understood"] else "")
            found.append(self._f(
                "track.no_timestamps", "info", "high",
                f"{path}: none of the {m['points']} points carries a usable time{extra}: the "
                "track shows where, not when, and cannot be placed in time.",
                {"points": m["points"], "time_not_understood": m["time_not_understood"]}))
        return CheckOutput(findings=tuple(found))

    def _no_positions(self, path: str, track: Track) -> Finding:
        fmt = FORMAT_BY_NAME[track.format].label
        return self._f("track.no_positions", "info", "high",
                       f"{path}: a {fmt} log that holds no GNSS position: it says nothing "
                       "about where the vehicle was.",
                       {"format": track.format, "vehicle": dict(track.vehicle),
                        "clock": track.clock, "integrity": dict(track.integrity),
                        "skipped": list(track.problems)})

    def _mission(self, path: str, track: Track) -> Finding:
        items = [m.to_dict() for m in track.mission]
        nav = [m for m in track.mission if m.is_navigation]
        last = nav[-1] if nav else None
        where = (f"; the last navigation point is item {last.seq} ({last.command}) at "
                 f"{last.lat:.6f}, {last.lon:.6f}" if last else "; no item names a place")
        home = (f"; home {track.home[0]:.6f}, {track.home[1]:.6f}" if track.home else "")
        changed = int(track.integrity.get("mission_items_changed") or 0)
        extra = (f". {changed} item(s) were sent with different values during the log (the "
                 "mission was changed): the last version is listed" if changed else "")
        limit = self.params.mission_items_listed
        return self._f(
            "track.mission", "info", "high",
            f"{path}: a programmed mission of {len(items)} item(s), {len(nav)} of them places "
            f"the vehicle is sent to{where}{home}{extra}. A mission says where the vehicle was "
            "sent, not where it went.",
            {"items": items[:limit], "count": len(items), "listed": min(len(items), limit),
             "navigation_points": len(nav), "home": list(track.home) if track.home else None,
             "last_navigation": last.to_dict() if last else None, "changed_items": changed})

    def _log_signs(self, path: str, track: Track, pts: Any) -> list[Finding]:
        p: TrackCheckParams = self.params
        out = []
        sm = smoothness(pts, straight_m=p.clean_straight_m, same_speed_mps=p.clean_same_speed_mps)
        if sm.get("triplets", 0) >= p.clean_min_triplets and \
                sm["fraction_clean"] >= p.clean_min_fraction:
            out.append(self._f(
                "track.too_clean", "medium", "medium",
                f"{path}: {sm['on_line_and_same_speed']} of {sm['triplets']} consecutive moving "
                f"fixes lie within {p.clean_straight_m * 100:g} cm of the line through their "
                f"neighbours at the same speed (to {p.clean_same_speed_mps * 100:g} cm/s); "
                f"median deviation {sm['median_deviation_m']:.3f} m. GNSS receivers scatter "
                "by centimetres to metres from fix to fix: positions this clean were drawn or "
                "interpolated, not recorded by a receiver.", sm))
        simulated = sum(1 for q in pts if q.fix == 0)
        if simulated and track.format == "nmea":
            out.append(self._f(
                "track.simulated_fix", "low", "high",
                f"{path}: the receiver marks {simulated} of {len(pts)} fixes as simulated "
                "(NMEA GGA quality 8, simulator mode): these positions were not measured.",
                {"simulated": simulated, "points": len(pts)}))
        bad = int(track.integrity.get("bad_checksums") or 0) + \
            int(track.integrity.get("bad_crc_frames") or 0)
        if bad:
            what = "NMEA sentences" if track.format == "nmea" else "MAVLink frames"
            out.append(self._f(
                "track.damaged_records", "low", "medium",
                f"{path}: {bad} {what} fail their checksum and were not used. Bytes edited "
                "without recomputing the checksum do this; so does a noisy serial or radio "
                "link.", {"count": bad, "integrity": dict(track.integrity)}))
        return out

    def _against_claim(self, path: str, track: Track, claim: Claim) -> Finding:
        def place(p: ClaimPlace) -> dict[str, Any]:
            return {"name": p.name, "lat": p.lat, "lon": p.lon, "radius_km": p.radius_km}

        window = None
        if claim.window is not None:
            start, end = read_time(claim.window[0]), read_time(claim.window[1])
            if start is not None and end is not None:
                window = Window(start.dt, end.dt)
        analysis = analyse_track(track, target=place(claim.target) if claim.target else None,
                                 sites=[place(s) for s in claim.sites], window=window,
                                 final_leg_km=self.params.final_leg_km)
        parts = [f"{path}: measured against the claim"]
        for p in analysis["places"]:
            parts.append(f"{p['name'] or p['role']}: last point {p['end_km']:.1f} km, closest "
                         f"{p['closest_km']:.1f} km")
        for p in (analysis["mission"] or {}).get("places", []):
            parts.append(f"{p['name'] or p['role']}: the mission's destination "
                         f"{p['destination_km']:.1f} km, its planned path's closest "
                         f"{p['closest_km']:.1f} km")
        return self._f("track.against_claim", "info", "high", "; ".join(parts) + ".", analysis)

    def _parse(self, ctx: AnalysisContext) -> Track:
        path, data = ctx.item.path, ctx.data
        limit = track_parse.MAX_TRACK_BYTES  # read at call time (tests lower it)
        if len(data) > limit:
            raise DecodeError(f"{path}: {len(data)} bytes is more than the {limit} "
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
                timing += f" ({hms(m['duration_s'])})"
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
            "clock": track.clock,
            "vehicle": dict(track.vehicle),
            "integrity": dict(track.integrity),
            "events": list(track.events[:50]),
        }
        return self._f("track.summary", "info", "high", msg, evidence)



__all__ = ["TRACK_MEDIA_TYPES", "TrackCheck", "TrackCheckParams"]
