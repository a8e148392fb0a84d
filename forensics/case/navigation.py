"""Navigation evidence (tracks, flight logs, missions) against the claim: where the vehicle was
*sent* and where it *went*, measured separately, then the time of flight.

A drone can be sent to A and brought down near B, so the planned mission and the flown track
are two statements:

* **planned** - the mission's destination (its last navigation point: waypoint, loiter, land)
  and its planned path's closest approach to the claimed target and to every rival site
  (:func:`forensics.tracks.analyse.analyse_mission`);
* **flown** - where the track ends, its closest approach and the heading of its final leg.

The ``target`` assessment says both. When both exist, the mission decides what the vehicle was
aimed at (the claim is about a target), the flown track is stated beside it; a mission sent
elsewhere while the track ends at the target is ``cannot_tell`` (the two disagree: one of
them is not what it seems). Distances are great-circle km; "near" is the case's ``near_km``
or the target's radius, whichever is larger.
"""

from __future__ import annotations

from typing import Any

from ..tracks.geo import haversine_km
from .assess import CANNOT_TELL, CONSISTENT, INCONSISTENT, _assessment, _f
from .casefile import Case


def _named(p: dict[str, Any]) -> str:
    return p.get("name") or p.get("role") or "the place"


def _planned(mission: dict[str, Any], target: dict[str, Any] | None,
             sites: list[dict[str, Any]], radius: float, near_km: float,
             ) -> tuple[str | None, str, list[dict[str, Any]]]:
    """(status or None when the mission names no place, sentence, findings) of the mission."""
    dest = mission.get("destination")
    if not dest or dest.get("lat") is None:
        msg = (f"The programmed mission ({mission['items']} item(s)) names no place the "
               "vehicle is sent to.")
        return None, msg, [_f("track.mission_no_destination", "info", "high", msg)]
    where = (f"The programmed mission sends the vehicle to item {dest['seq']} "
             f"({dest['command']}) at {dest['lat']:.5f}, {dest['lon']:.5f}")
    back = " and then back to launch" if mission.get("returns_home") else ""
    findings: list[dict[str, Any]] = []
    near_sites = sorted((s for s in sites if s["destination_km"] <= near_km),
                        key=lambda s: s["destination_km"])
    for s in near_sites:
        findings.append(_f("track.mission_to_site", "high", "high",
                           f"The mission's destination is {s['destination_km']:.1f} km from "
                           f"{_named(s)}.", site=s.get("name"),
                           destination_km=round(s["destination_km"], 3),
                           destination=dest))
    rival = "; ".join(f"{s['destination_km']:.1f} km from {_named(s)}" for s in near_sites)
    if target is None:
        msg = where + back + (f" ({rival})" if rival else "") + "."
        return None, msg, findings
    d, c = target["destination_km"], target["closest_km"]
    msg = (where + back + f": {d:.1f} km from the claimed target {_named(target)}"
           + (f" (its planned path passes within {c:.1f} km)" if c < d - 0.05 else "")
           + (f"; {rival}" if rival else "") + ".")
    ev = {"target": target.get("name"), "destination_km": round(d, 3),
          "closest_km": round(c, 3), "radius_km": radius, "destination": dest}
    return _reach(d, c, radius, ("track.mission_to_target", "track.mission_passes_target",
                                 "track.mission_misses_target"), bool(near_sites), msg,
                  findings, ev)


def _flown(track: dict[str, Any], target: dict[str, Any] | None,
           sites: list[dict[str, Any]], radius: float, near_km: float,
           ) -> tuple[str | None, str, list[dict[str, Any]]]:
    """(status or None without a target, sentence, findings) of the flown track."""
    leg = track.get("final_leg")
    findings: list[dict[str, Any]] = []
    near_sites = sorted((s for s in sites if s["end_km"] <= near_km), key=lambda s: s["end_km"])
    passes = [s for s in sites if s["closest_km"] <= near_km and s not in near_sites]
    for s in near_sites:
        findings.append(_f("track.ends_near_site", "high", "high",
                           f"The last point is {s['end_km']:.1f} km from {_named(s)}.",
                           site=s.get("name"), end_km=round(s["end_km"], 3)))
    for s in passes:
        findings.append(_f("track.passes_near_site", "medium", "high",
                           f"The track passes within {s['closest_km']:.1f} km of {_named(s)}.",
                           site=s.get("name"), closest_km=round(s["closest_km"], 3),
                           at_time=s.get("closest_time")))
    if leg:
        heading = f"The final leg ({leg['length_km']:.1f} km) heads {leg['compass']} " \
                  f"({leg['bearing_deg']:.0f} deg)"
        parts = [f"continued straight it passes {p['extended_miss_km']:.1f} km from {_named(p)}"
                 for p in ([target] if target else []) + sites
                 if p.get("extended_miss_km") is not None]
        findings.append(_f("track.final_leg", "info", "high",
                           heading + ("; " + "; ".join(parts) if parts else "") + ".",
                           bearing_deg=round(leg["bearing_deg"], 1), compass=leg["compass"],
                           length_km=round(leg["length_km"], 3)))
    if target is None:
        return None, "", findings
    end_km, close_km = target["end_km"], target["closest_km"]
    site_txt = "; ".join(
        f"the track {'ends' if s in near_sites else 'passes'} within "
        f"{(s['end_km'] if s in near_sites else s['closest_km']):.1f} km of {_named(s)}"
        for s in near_sites + passes)
    msg = (f"The flown track's last point is {end_km:.1f} km from the claimed target "
           f"{_named(target)}"
           + (f" (closest approach {close_km:.1f} km)" if close_km < end_km - 0.05 else "")
           + (f"; {site_txt}" if site_txt else "") + ".")
    ev = {"target": target.get("name"), "end_km": round(end_km, 3),
          "closest_km": round(close_km, 3), "radius_km": radius}
    return _reach(end_km, close_km, radius, ("track.ends_near_target", "track.passes_target",
                                             "track.misses_target"), bool(near_sites), msg,
                  findings, ev)


def _reach(end_km: float, closest_km: float, radius: float, codes: tuple[str, str, str],
           rival_reached: bool, msg: str, findings: list[dict[str, Any]], ev: dict[str, Any]
           ) -> tuple[str, str, list[dict[str, Any]]]:
    """Planned or flown path against the target: it ends there (consistent), passes it and
    ends elsewhere (cannot tell), or misses it (inconsistent; high confidence when it reaches
    a rival site instead). ``codes``: the (ends, passes, misses) finding codes."""
    if end_km <= radius:
        findings.insert(0, _f(codes[0], "info", "high", msg, **ev))
        return CONSISTENT, msg, findings
    if closest_km <= radius:
        findings.insert(0, _f(codes[1], "low", "high", msg, **ev))
        return CANNOT_TELL, msg, findings
    findings.insert(0, _f(codes[2], "high", "high" if rival_reached else "medium", msg, **ev))
    return INCONSISTENT, msg, findings


_CAVEAT = (" (a log or mission file can be edited or fabricated: its origin still needs "
           "establishing)")


def assess_target(track: dict[str, Any], case: Case, near_km: float) -> dict[str, Any]:
    """The ``target`` assessment: planned and flown, each with distances."""
    radius = max(case.target.radius_km or near_km, near_km) if case.target else near_km
    refs = []
    if track.get("end"):
        refs.append({"kind": "track", "field": "end point",
                     "value": f"{track['end']['lat']:.6f}, {track['end']['lon']:.6f}"})
    mission = track.get("mission")
    dest = (mission or {}).get("destination")
    if dest and dest.get("lat") is not None:
        refs.append({"kind": "track", "field": "mission destination",
                     "value": f"{dest['lat']:.6f}, {dest['lon']:.6f} (item {dest['seq']})"})

    def split(places: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[dict]]:
        return (next((p for p in places if p["role"] == "target"), None),
                [p for p in places if p["role"] == "site"])

    plan = fly = None
    findings: list[dict[str, Any]] = []
    if mission:
        t, s = split(mission.get("places") or [])
        plan = _planned(mission, t, s, radius, near_km)
        findings += plan[2]
    if track.get("points"):
        t, s = split(track.get("places") or [])
        fly = _flown(track, t, s, radius, near_km)
        findings += fly[2]
    if case.target is None:
        return _assessment("target", CANNOT_TELL, "high",
                           "The case names no target to measure the navigation data against.",
                           findings, refs)
    statements = " ".join(x[1] for x in (plan, fly) if x and x[1])
    p_status = plan[0] if plan else None
    f_status = fly[0] if fly else None
    if p_status is None and f_status is None:
        return _assessment("target", CANNOT_TELL, "high",
                           statements or "The file holds no position to measure.", findings,
                           refs)
    if p_status is not None and f_status is not None and p_status != f_status:
        if p_status == CONSISTENT:
            return _assessment("target", CONSISTENT, "medium", statements + " The vehicle was "
                               "sent to the claimed target; the flown track ends elsewhere "
                               "(a vehicle can be brought down before it arrives)" + _CAVEAT
                               + ".", findings, refs)
        if p_status == INCONSISTENT and f_status == CONSISTENT:
            return _assessment("target", CANNOT_TELL, "medium", statements + " The mission and "
                               "the flown track disagree: the vehicle was sent elsewhere but "
                               "the track ends at the claimed target; one of them is not what "
                               "it seems.", findings, refs)
    status = p_status if p_status is not None else f_status
    what = "mission" if p_status is not None else "track"
    if status == CONSISTENT:
        return _assessment("target", CONSISTENT, "medium", statements + " The navigation data "
                           "fit the claimed target" + _CAVEAT + ".", findings, refs)
    if status == INCONSISTENT:
        conf = "high" if any(f["code"] in ("track.mission_to_site", "track.ends_near_site")
                             for f in findings) else "medium"
        return _assessment("target", INCONSISTENT, conf, statements + " The navigation data "
                           "released in support of the claim do not point to the claimed "
                           "target.", findings, refs)
    return _assessment("target", CANNOT_TELL, "medium", statements + f" The {what} passes the "
                       "claimed target but ends elsewhere.", findings, refs)


def assess_flight_time(track: dict[str, Any], case: Case) -> dict[str, Any]:
    """The ``time`` assessment: the flown track's times against the event window, with the
    log's own clock source stated (GNSS time is absolute UTC; boot time is not)."""
    counts = (track.get("times") or {}).get("relation_counts") or {}
    n = track.get("points") or 0
    clock = track.get("clock")
    clock_txt = {"gps": " (GNSS time, absolute UTC)", "boot": " (time since the unit "
                 "started: not absolute)", "ground_station": " (the recording computer's "
                 "clock)", "file": " (times written in the file)"}.get(clock or "", "")
    if case.window is None:
        return _assessment("time", CANNOT_TELL, "high", "The case states no event window.")
    if n == 0:
        return _assessment("time", CANNOT_TELL, "high",
                           "The file holds no flown position, so no time of flight.")
    if counts.get("no_time", 0) == n:
        msg = "The track's points carry no times" + clock_txt + "."
        return _assessment("time", CANNOT_TELL, "high", msg,
                           [_f("track.no_times", "info", "high", msg)])
    inside, before, after = (counts.get(k, 0) for k in ("inside", "before", "after"))
    t = track["times"]
    span = f"{t['first']} to {t['last']}{clock_txt}"
    ev = {"first": t["first"], "last": t["last"], "counts": counts, "clock": clock}
    if inside and not before and not after:
        msg = f"All timed points ({inside}) fall inside the event window ({span})."
        return _assessment("time", CONSISTENT, "medium", msg,
                           [_f("track.times_in_window", "info", "medium", msg, **ev)])
    if not inside and (before or after):
        msg = (f"None of the track's times falls inside the event window ({span}; "
               f"{before} before, {after} after).")
        return _assessment("time", INCONSISTENT, "high", msg,
                           [_f("track.times_outside_window", "high", "high", msg, **ev)])
    msg = (f"The track's times ({span}) only partly fall inside the event window "
           f"({inside} inside, {before} before, {after} after, "
           f"{counts.get('unknown', 0)} without a fixed offset).")
    return _assessment("time", CANNOT_TELL, "medium", msg,
                       [_f("track.times_partly_in_window", "low", "medium", msg, **ev)])


def assess_navigation(track: dict[str, Any], case: Case, near_km: float) -> list[dict[str, Any]]:
    """Target, time and place assessments of a track's measurements (the track check's
    ``track.against_claim`` evidence, see :func:`forensics.tracks.analyse.analyse_track`)."""
    out = [assess_target(track, case, near_km), assess_flight_time(track, case)]
    if case.place is not None and track.get("end"):
        pl = (case.place.lat, case.place.lon)
        end_place = haversine_km((track["end"]["lat"], track["end"]["lon"]), pl)
        radius = case.place.radius_km or 1.0
        msg = (f"The track's last point is {end_place:.1f} km from the claimed place "
               f"{case.place.name}.")
        status = CONSISTENT if end_place <= max(radius, near_km) else INCONSISTENT
        out.append(_assessment("place", status, "medium", msg, [
            _f("track.end_vs_place", "info" if status == CONSISTENT else "medium", "high", msg,
               distance_km=round(end_place, 3))]))
    return out
