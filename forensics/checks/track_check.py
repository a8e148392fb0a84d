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
* ``track.simulator`` (info) - the log says a simulator wrote it (MAVLink ``SIMSTATE``,
  DataFlash ``SIM``, a PX4 ``SITL`` board).
* ``track.baro_mismatch`` (medium) - GNSS altitude and the barometer disagree beyond an
  offset and a weather drift (:func:`forensics.tracks.sensors.altitude_agreement`).
* ``track.gnss_quality_constant`` (medium; low for a simulator's log) - satellites used and
  HDOP never change, or are never logged, along a moving track of minutes.
* ``track.clock_inconsistent`` (medium) - GNSS time minus boot time steps, bends or runs at
  a rate no crystal has (:func:`forensics.tracks.sensors.clock_drift`).
* ``track.log_gap`` (medium; low for a telemetry log) - a hole in the densest stream's boot
  time the logger did not record as a dropout, with the MAVLink sequence numbers missing
  there: a deleted segment (or, on a radio link, an outage).
* ``track.boot_time_reversed`` (medium, high confidence) - the boot clock goes backwards
  in the densest stream: logs spliced together.
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

import numpy as np

from ..context import AnalysisContext, Claim, ClaimPlace
from ..errors import DecodeError
from ..model import CheckOutput, EvidenceItem, Finding
from ..tracks import parse as track_parse
from ..tracks.analyse import analyse_track
from ..tracks.authenticity import smoothness
from ..tracks.consistency import analyse_points, hms, looks_like_csv_track, time_seconds
from ..tracks.parse import (
    FORMAT_BY_NAME,
    TRACK_MEDIA_TYPES,
    Track,
    TrackError,
    parse_track,
    sniff_track_format,
)
from ..tracks.sensors import altitude_agreement, clock_drift, gnss_quality, timeline_gaps
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
    baro_min_pairs: int = 20
    """``track.baro_mismatch`` needs at least this many fixes paired with a barometer
    sample ..."""
    baro_max_pair_gap_s: float = 1.0
    """... each within this many seconds of a barometer sample ..."""
    baro_max_drift_m_per_h: float = 30.0
    """... and, after an offset and a barometer drift of at most this (the weather moves
    pressure by up to ~4 hPa, ~30 m, an hour), ..."""
    baro_residual_p95_m: float = 25.0
    """... a 95th-percentile disagreement above this, m. Measured: at most 5.7 m on the
    corpus's logs and the generated ones (GNSS vertical error and barometer noise)."""
    gnss_min_fixes: int = 30
    """``track.gnss_quality_constant`` needs at least this many fixes ..."""
    gnss_min_duration_s: float = 60.0
    """... over at least this long ..."""
    gnss_min_extent_m: float = 100.0
    """... spread over at least this distance (a receiver moving through a changing sky),
    with a single value (or none) of both satellites used and HDOP."""
    clock_step_s: float = 1.0
    """``track.clock_inconsistent``: GNSS time minus boot time departs from a straight line,
    or steps between consecutive fixes, by more than this (s); real: < 0.02 s ..."""
    clock_rate_ppm: float = 1000.0
    """... or runs at a rate this far from the boot clock's (ppm; crystals: tens of ppm)
    over at least :attr:`clock_rate_min_span_s`."""
    clock_rate_min_span_s: float = 300.0
    gap_onboard_s: float = 2.0
    """``track.log_gap``: a hole this long (s, and :attr:`gap_min_steps` median steps) in the
    densest stream of an on-board log (DataFlash, ULog) the logger did not record as a
    dropout ..."""
    gap_link_s: float = 10.0
    """... or of a telemetry log's vehicle boot times (a radio link drops for seconds)."""
    gap_min_steps: float = 20.0
    backwards_onboard_s: float = 0.1
    """``track.boot_time_reversed``: the densest stream's boot time goes back more than this
    (s) in an on-board log ..."""
    backwards_link_s: float = 5.0
    """... or in a telemetry log (measured: 1.4 s once in the corpus's tlog, at start-up)."""


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


class TrackCheck(Check):
    name = NAME
    version = "1.2.0"
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
        found.extend(self._sensor_signs(path, track, pts))
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
        fix_t = (track.sensors or {}).get("gnss", {}).get("fix_t")
        own = fix_t[:len(pts)] if fix_t is not None and len(fix_t) == len(track.points) else None
        sm = smoothness(pts, straight_m=p.clean_straight_m, same_speed_mps=p.clean_same_speed_mps,
                        times=own)
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

    def _sensor_signs(self, path: str, track: Track, pts: Any) -> list[Finding]:
        """The log's sensors against each other and its clock (:mod:`forensics.tracks.sensors`)."""
        p: TrackCheckParams = self.params
        out: list[Finding] = []
        sensors = track.sensors or {}
        sim = int(sensors.get("simulator") or 0)
        if sim:
            out.append(self._f(
                "track.simulator", "info", "high",
                f"{path}: the log was written by a simulator (software in the loop): "
                f"{sim} simulator message(s) or a SITL board. Its positions were computed, "
                "not measured by a vehicle.", {"simulator": sim, "vehicle": dict(track.vehicle)}))
        alt = altitude_agreement(sensors.get("gnss"), sensors.get("baro"),
                                 max_pair_gap_s=p.baro_max_pair_gap_s,
                                 max_drift_m_per_h=p.baro_max_drift_m_per_h)
        if alt.get("pairs", 0) >= p.baro_min_pairs and \
                alt["residual_p95_m"] > p.baro_residual_p95_m:
            w = alt["worst"]
            out.append(self._f(
                "track.baro_mismatch", "medium", "medium",
                f"{path}: the GNSS altitude and the barometer disagree: after a constant "
                f"offset and a drift of {alt['drift_m_per_h']:g} m/h, 5% of {alt['pairs']} "
                f"paired fixes are off by more than {alt['residual_p95_m']:.1f} m (worst "
                f"{alt['residual_max_m']:.1f} m: GNSS {w['gnss_alt_m']:.1f} m, barometer "
                f"{w['baro_alt_m']:.1f} m); the GNSS climbs over {alt['gnss_range_m']:.0f} m, "
                f"the barometer over {alt['baro_range_m']:.0f} m. A barometer follows height "
                "changes to a metre or so: positions or altitudes replaced or edited after "
                "the flight do this.", alt))
        gnss = sensors.get("gnss") or _gnss_from_points(pts)
        q = gnss_quality(gnss) if track.format in ("dataflash", "tlog", "ulog", "nmea") \
            else {"fixes": 0}
        if q.get("fixes", 0) >= p.gnss_min_fixes and q["duration_s"] >= p.gnss_min_duration_s \
                and q["extent_m"] >= p.gnss_min_extent_m and q["distinct_sats"] <= 1 \
                and q["distinct_hdop"] <= 1:
            what = ", ".join(
                f"{label} {'never logged' if not vals else 'always ' + str(vals[0])}"
                for label, vals in (("satellites", q["sats_values"]),
                                    ("HDOP", q["hdop_values"])))
            out.append(self._f(
                "track.gnss_quality_constant", "low" if sim else "medium", "medium",
                f"{path}: over {q['fixes']} fixes, {hms(q['duration_s'])} and "
                f"{q['extent_m'] / 1000:.1f} km the receiver's quality does not change ({what}). "
                "A moving receiver's constellation and HDOP change from minute to minute: "
                "fixes written by a program do not"
                + (" (this log says it comes from a simulator, which writes them so)."
                   if sim else "."), {**q, "simulator": sim}))
        clk = clock_drift(sensors.get("clock"))
        if clk.get("pairs", 0) >= 3 and "rate_ppm" in clk and (
                clk["residual_max_s"] > p.clock_step_s or clk["largest_step_s"] > p.clock_step_s
                or (clk["span_s"] >= p.clock_rate_min_span_s
                    and abs(clk["rate_ppm"]) > p.clock_rate_ppm)):
            out.append(self._f(
                "track.clock_inconsistent", "medium", "medium",
                f"{path}: the GNSS time and the unit's boot clock do not run together: over "
                f"{hms(clk['span_s'])} their difference steps by up to "
                f"{clk['largest_step_s']:.3f} s (at boot time {clk['largest_step_at_boot_s']} "
                f"s), departs from a straight line by {clk['residual_max_s']:.3f} s and runs "
                f"at {clk['rate_ppm']:+,.0f} ppm. Two real clocks drift by tens of ppm and "
                "jitter by milliseconds: times edited on one of them do this.",
                {**clk, "limits": {"step_s": p.clock_step_s, "rate_ppm": p.clock_rate_ppm,
                                   "rate_min_span_s": p.clock_rate_min_span_s}}))
        link = track.format == "tlog"
        gaps = timeline_gaps(sensors.get("timeline"),
                             gap_s=p.gap_link_s if link else p.gap_onboard_s,
                             min_gap_steps=p.gap_min_steps,
                             backwards_s=p.backwards_link_s if link else p.backwards_onboard_s)
        if gaps.get("unexplained_gaps", 0):
            g = next(x for x in gaps["largest"] if not x["logged_dropout"])
            seq = (f"; {g['seq_missing']} sequence number(s) are missing there"
                   if g["seq_missing"] else "")
            out.append(self._f(
                "track.log_gap", "low" if link else "medium", "medium",
                f"{path}: {gaps['unexplained_gaps']} hole(s) in the {gaps['stream']} timeline "
                f"({gaps['unexplained_seconds']:.1f} s in all; logged every "
                f"{gaps['median_step_s']:.3f} s otherwise): the largest from boot time "
                f"{g['from_s']} s to {g['to_s']} s ({g['seconds']:.1f} s){seq}. "
                + ("Messages are missing: deleted from the log, or a telemetry link outage."
                   if link else "An on-board logger writes continuously and records its own "
                   "dropouts; a hole it did not record is a deleted segment."), gaps))
        if gaps.get("backwards", 0):
            f = gaps["first_backwards"]
            out.append(self._f(
                "track.boot_time_reversed", "medium", "high",
                f"{path}: the unit's boot time goes backwards {gaps['backwards']} time(s) in "
                f"the {gaps['stream']} stream (by up to {gaps['largest_backwards_s']:.3f} s; "
                f"first from {f['from_s']} s to {f['to_s']} s). A unit's boot clock only runs "
                "forward: parts of logs spliced together do this.", gaps))
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
            code = err.code if err.code != TrackError.code else "corrupt_track"
            raise DecodeError(message, path=path, code=code) from err

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



def _gnss_from_points(pts: Any) -> dict[str, Any] | None:
    """Fixes, satellites and HDOP from the points of a format that states them (NMEA)."""
    rows = [(time_seconds(q.time), q) for q in pts if q.sats is not None or q.hdop is not None]
    rows = [(t[0], q) for t, q in rows if t is not None]
    if not rows:
        return None
    return {"t": np.array([t for t, _ in rows]), "lat": np.array([q.lat for _, q in rows]),
            "lon": np.array([q.lon for _, q in rows]),
            "sats": np.array([np.nan if q.sats is None else q.sats for _, q in rows], float),
            "hdop": np.array([np.nan if q.hdop is None else q.hdop for _, q in rows], float)}


__all__ = ["TRACK_MEDIA_TYPES", "TrackCheck", "TrackCheckParams"]
