"""Tie each evidence item to the claim: time, place, originality, integrity, navigation.

Every assessment is one of ``consistent`` / ``inconsistent`` / ``cannot_tell`` with a
confidence, a plain-language summary, the case findings it produced and the exact scan
findings, metadata fields or timeline entries it rests on (so each statement can be traced
to the bytes). Nothing here reads files: the inputs are the scan result dicts, the track
measurements and the case data.

Statuses mean, for the claim:

* ``consistent`` - this evidence agrees with the assertion (it does not prove it: metadata
  can be edited; the confidence says how much weight it bears);
* ``inconsistent`` - this evidence cannot show what the claim says (taken or published
  before the event, far from the place, altered, or pointing elsewhere);
* ``cannot_tell`` - the evidence carries nothing that bears on the assertion.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from ..model import Finding, severity_rank
from ..tracks.geo import haversine_km
from ..tracks.times import TimeValue, Window, human_delta, parse_time
from .casefile import Place

CONSISTENT, INCONSISTENT, CANNOT_TELL = "consistent", "inconsistent", "cannot_tell"
CHECK = "case"
# Findings that are visual aids, never evidence by themselves.
VISUAL_AID_PREFIXES = ("ela.",)
# Information-only findings that say nothing about alteration.
NEUTRAL_CODES = {"metadata.exif_absent", "metadata.makernote_missing",
                 "metadata.c2pa_remote_not_fetched"}
PIXEL_EDIT_PREFIXES = ("copy_move.", "noise.", "double_jpeg.", "splice.", "splicing.")
CONTENT_CHANGE_CODES = {"metadata.thumbnail_mismatch"}


@dataclass(frozen=True)
class AssessParams:
    """Parameters of the claim assessment (the one place they live)."""

    default_place_radius_km: float = 1.0
    """Radius used when the case gives a named point without ``radius_km``."""
    gps_margin_km: float = 1.0
    """A photo's GPS this far beyond the radius is 'cannot tell' (consumer GPS error,
    a photographer standing back), not 'inconsistent'."""
    duplicate_is_inconsistent: bool = False
    """Whether a duplicate inside the release makes originality inconsistent (default: it
    is reported, as 'cannot tell': one photograph counted twice is not a forgery)."""
    claim_clock_slack_hours: float = 1.0
    """A capture time less than this after the claim was published is inconsistent at
    medium confidence (a camera clock an hour off, daylight saving not set); beyond it, at
    high confidence. A capture after the file was *obtained* is always high: no clock
    explains a file recording a moment after it was in the fact-checker's hands."""


def _f(code: str, severity: str, confidence: str, message: str, **evidence: Any
       ) -> dict[str, Any]:
    return Finding(code=code, check=CHECK, severity=severity,  # type: ignore[arg-type]
                   confidence=confidence, message=message,  # type: ignore[arg-type]
                   evidence=evidence).to_dict()


def _assessment(assertion: str, status: str, confidence: str, summary: str,
                findings: list[dict[str, Any]] | None = None,
                rests_on: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"assertion": assertion, "status": status, "confidence": confidence,
            "summary": summary, "findings": findings or [], "rests_on": rests_on or []}


def _scan_ref(item: dict[str, Any], finding: dict[str, Any]) -> dict[str, Any]:
    idx = item.get("findings", []).index(finding) if finding in item.get("findings", []) else -1
    return {"kind": "scan_finding", "code": finding.get("code"), "check": finding.get("check"),
            "index": idx, "severity": finding.get("severity"),
            "message": finding.get("message")}


def _tl_ref(entry: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "timeline", "source": entry["source"], "field": entry["field"],
            "value": entry["value"], "relation": entry["relation"]}


# --------------------------------------------------------------------------------------------
# time
# --------------------------------------------------------------------------------------------


def assess_time(item: dict[str, Any], timeline: list[dict[str, Any]],
                window: Window | None, limits: list[dict[str, Any]] | None = None,
                params: AssessParams = AssessParams()) -> dict[str, Any]:
    """Does what the file says about *when* fit the event window, and is it possible at all
    given when the file was obtained and the claim published (``limits``, see
    :func:`apply_time_limits`)?"""
    return apply_time_limits(_assess_window(item, timeline, window), timeline, limits or [],
                             params)


# Impossible times (issue 14, item 3). 2026-12 notes: a photo captured (offset known) after
# the fact-checker obtained it, or after the claim that cites it was published, passed as
# 'consistent' because times were compared with the event window only. Every time the file
# carries is now compared with each limit: the evidence's obtained_at (and that of each
# byte-identical copy: the same bytes existed by the earliest), the claim's date and its
# appearances' publication times. A time counts as after a limit only when its earliest
# possible instant (a time without offset: any of UTC-12..+14) is after the limit's latest,
# so a naive EXIF time is flagged only when every offset agrees. What the same window-only
# rule also let through: a track's fixes after it was obtained, a C2PA signature or an
# editor's save dated after the file was obtained (the file as obtained cannot have been
# written then: its clock or metadata is wrong, so its embedded times are not taken at face
# value), and all of these when the case states no event window.

LIMIT_OBTAINED, LIMIT_CLAIM = "obtained", "claim"
_FILE_TIME_ROLES = ("capture", "modify", "exists_by")
_NOT_FILE_TIMES = ("case file", "known imagery")


def _hours_after(entry: dict[str, Any], limit: TimeValue) -> float | None:
    """Hours by which the timeline entry is certainly after ``limit``, else ``None``."""
    t = parse_time(entry.get("value"))
    if t is None:
        return None
    gap = (t.earliest_utc() - limit.latest_utc()).total_seconds() / 3600.0
    return gap if gap > 0 else None


def _limit_ref(limit: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "timeline", "source": limit["source"], "field": limit["field"],
            "value": limit["value"], "relation": "limit"}


def time_limit_findings(timeline: list[dict[str, Any]], limits: list[dict[str, Any]],
                        params: AssessParams = AssessParams()
                        ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The impossible times of one item: (case finding, the timeline refs it rests on).

    ``limits``: ``{"kind": "obtained" | "claim", "source", "field", "value"}``. Each time
    the file carries (capture, modify, signing; not our copy's file-system time) is compared
    with every ``obtained`` limit, each capture time with every ``claim`` limit. One finding
    per kind of impossibility: its message cites the time that passes a limit by most and
    that limit; ``evidence.times`` lists every time that does."""
    parsed = [(lim, parse_time(lim.get("value"))) for lim in limits]
    groups: dict[str, list[tuple[float, dict[str, Any], dict[str, Any]]]] = {}
    for entry in timeline:
        if entry.get("role") not in _FILE_TIME_ROLES or entry.get("source") in _NOT_FILE_TIMES:
            continue
        for kind in (LIMIT_OBTAINED, LIMIT_CLAIM):
            if kind == LIMIT_CLAIM and entry["role"] != "capture":
                continue  # a file edited after the claim is ordinary; captured after, not
            gaps = [(gap, lim) for lim, tv in parsed if lim.get("kind") == kind and tv
                    for gap in [_hours_after(entry, tv)] if gap is not None]
            if not gaps:
                continue
            gap, lim = max(gaps, key=lambda g: g[0])
            code = ("case.captured_after_claim" if kind == LIMIT_CLAIM else
                    "case.captured_after_obtained" if entry["role"] == "capture" else
                    "case.written_after_obtained")
            groups.setdefault(code, []).append((gap, entry, lim))
    out = []
    for code in ("case.captured_after_obtained", "case.captured_after_claim",
                 "case.written_after_obtained"):
        if code not in groups:
            continue
        group = groups[code]
        gap, entry, lim = max(group, key=lambda g: g[0])
        what = f"{entry['source']} {entry['field']} says {entry['value']}"
        if entry.get("utc") and entry["utc"] != entry["value"]:
            what += f" ({entry['utc']} UTC)"
        what += f", {human_delta(gap)} {lim['field']} ({lim['value']})"
        others = [f"{e['source']} {e['field']}" for _, e, _ in group if e is not entry]
        also = f" (so {'does' if len(others) == 1 else 'do'} {', '.join(others)})" \
            if others else ""
        ev = {"source": entry["source"], "field": entry["field"], "value": entry["value"],
              "utc": entry.get("utc"), "limit_field": lim["field"],
              "limit_value": lim["value"], "hours_after": round(gap, 3),
              "times": [{"source": e["source"], "field": e["field"], "value": e["value"],
                         "limit_field": li["field"], "hours_after": round(g, 3)}
                        for g, e, li in group]}
        thing = "track" if entry["source"] == "track" else "picture"
        if code == "case.captured_after_obtained":
            msg = (f"{what}{also}: the {thing} is dated after the file was obtained, which no "
                   "file can record. Its clock or its metadata is wrong, so its time cannot "
                   "support the claim.")
            f = _f(code, "high", "high", msg, **ev)
        elif code == "case.written_after_obtained":
            msg = (f"{what}{also}: the file as obtained cannot have been written or signed "
                   "then. Its clock or its metadata is wrong, so the times it carries cannot "
                   "be taken at face value.")
            f = _f(code, "medium", "high", msg, **ev)
        else:
            conf = "high" if gap > params.claim_clock_slack_hours else "medium"
            msg = (f"{what}{also}: {'logged' if thing == 'track' else 'taken'} after the "
                   f"claim was published, the {thing} cannot be what the claim showed of the "
                   "event (or its clock is wrong).")
            f = _f(code, "high", conf, msg, **ev)
        refs: list[dict[str, Any]] = []
        for _, e, li in group:
            refs.extend(r for r in (_tl_ref(e), _limit_ref(li)) if r not in refs)
        out.append((f, refs))
    return out


def apply_time_limits(base: dict[str, Any], timeline: list[dict[str, Any]],
                      limits: list[dict[str, Any]],
                      params: AssessParams = AssessParams()) -> dict[str, Any]:
    """The time assessment ``base`` (from the window, or a track's) with the impossible times
    of :func:`time_limit_findings` applied: a capture after the file was obtained or after
    the claim was published makes it inconsistent (citing both times); a write or signature
    after it was obtained turns a 'consistent' into 'cannot tell'."""
    found = time_limit_findings(timeline, limits, params)
    if not found:
        return base
    refs: list[dict[str, Any]] = []
    for _, r in found:
        refs.extend(x for x in r if x not in refs)
    refs.extend(x for x in base.get("rests_on") or [] if x not in refs)
    caps = [f for f, _ in found if f["code"] != "case.written_after_obtained"]
    writes = [f for f, _ in found if f["code"] == "case.written_after_obtained"]
    findings = caps + writes + list(base.get("findings") or [])
    if caps:
        conf = "high" if any(f["confidence"] == "high" for f in caps) else "medium"
        summary = caps[0]["message"]
        if base["status"] == INCONSISTENT:
            summary += " Also: " + base["summary"]
        return _assessment(base["assertion"], INCONSISTENT, conf, summary, findings, refs)
    if base["status"] == CONSISTENT:
        return _assessment(base["assertion"], CANNOT_TELL, "medium",
                           writes[0]["message"] + " Taken at face value: " + base["summary"],
                           findings, refs)
    return _assessment(base["assertion"], base["status"], base["confidence"],
                       base["summary"] + " " + writes[0]["message"], findings, refs)


def _assess_window(item: dict[str, Any], timeline: list[dict[str, Any]],
                   window: Window | None) -> dict[str, Any]:
    """The file's times against the event window alone."""
    if window is None:
        return _assessment("time", CANNOT_TELL, "high", "The case states no event window.")
    first_seen = [e for e in timeline if e["source"] == "known imagery"]
    early_seen = [e for e in first_seen if e["relation"] == "before"]
    if early_seen:
        e = min(early_seen, key=lambda x: x["sort_utc"])
        msg = (f"The picture was already published on {e['value']} ({e['offset_from_window']}"
               " the event window), according to the known-imagery index: a picture first "
               "seen before the event cannot show it.")
        return _assessment("time", INCONSISTENT, "high", msg, [
            _f("case.first_seen_before_event", "high", "high", msg, first_seen=e["value"],
               field=e["field"], hours_before=e["hours_outside"])], [_tl_ref(e)])
    exists_by = [e for e in timeline if e["role"] == "exists_by" and e["relation"] == "before"
                 and e["source"] != "known imagery"]
    if exists_by:
        e = min(exists_by, key=lambda x: x["sort_utc"])
        msg = (f"{e['source']} {e['field']} ({e['value']}) is {e['offset_from_window']} the "
               "event window: the file existed before the event.")
        return _assessment("time", INCONSISTENT, "high", msg, [
            _f("case.exists_before_event", "high", "high", msg, source=e["source"],
               field=e["field"], value=e["value"])], [_tl_ref(e)])
    capture = [e for e in timeline if e["role"] == "capture" and e["source"] != "track"]
    if not capture:
        why = ("no capture time survives in the file" if item.get("status") == "ok"
               else "the file could not be analysed")
        return _assessment("time", CANNOT_TELL, "high",
                           f"Cannot tell when the picture was taken: {why}.",
                           [_f("case.time_unknown", "info", "high",
                               f"No capture time in the file ({why}).")])
    before = [e for e in capture if e["relation"] == "before"]
    inside = [e for e in capture if e["relation"] == "inside"]
    after = [e for e in capture if e["relation"] == "after"]
    refs = [_tl_ref(e) for e in capture]
    if before:
        e = min(before, key=lambda x: x["sort_utc"])
        conf = "high" if abs(e["hours_outside"] or 0) > 24 * 30 else "medium"
        msg = (f"{e['source']} {e['field']} says {e['value']}, {e['offset_from_window']} the "
               "event window. A camera clock can be wrong, but taken at face value the picture "
               "predates the event it is said to show.")
        return _assessment("time", INCONSISTENT, conf, msg, [
            _f("case.time_before_event", "high", conf, msg, source=e["source"],
               field=e["field"], value=e["value"], hours_before=e["hours_outside"])], refs)
    if inside and not after:
        names = ", ".join(f"{e['source']} {e['field']}" for e in inside)
        independent = any(e["field"].startswith("GPS") for e in inside) and len(inside) > 1
        conf = "medium" if independent else "low"
        msg = (f"{names} fall inside the event window. Embedded times are written by the device "
               "and can be edited, so this fits the claim without proving it"
               + (" (the GPS clock, set by satellites, agrees with the camera clock)."
                  if independent else "."))
        return _assessment("time", CONSISTENT, conf, msg, [
            _f("case.time_inside_window", "info", conf, msg,
               sources=[f"{e['source']} {e['field']}" for e in inside])], refs)
    if after and not inside:
        e = min(after, key=lambda x: x["sort_utc"])
        msg = (f"{e['source']} {e['field']} says {e['value']}, {e['offset_from_window']} the "
               "event window: the picture could show the aftermath, not the event itself.")
        return _assessment("time", CANNOT_TELL, "medium", msg, [
            _f("case.time_after_event", "low", "medium", msg, source=e["source"],
               field=e["field"], value=e["value"])], refs)
    if inside and after:
        msg = ("The embedded capture times disagree: some fall inside the event window, some "
               "after it.")
        return _assessment("time", CANNOT_TELL, "medium", msg, [
            _f("case.time_sources_disagree", "low", "medium", msg,
               sources=[f"{e['source']} {e['field']}={e['value']}" for e in capture])], refs)
    msg = ("The capture time has no UTC offset and is close enough to the event window that "
           "the time zone decides whether it falls inside it.")
    return _assessment("time", CANNOT_TELL, "medium", msg, [
        _f("case.time_ambiguous", "info", "medium", msg,
           sources=[f"{e['source']} {e['field']}={e['value']}" for e in capture])], refs)


# --------------------------------------------------------------------------------------------
# place
# --------------------------------------------------------------------------------------------


def _location_names(md: dict[str, Any]) -> dict[str, str]:
    props = (md.get("XMP") or {}).get("properties") or {}
    iptc = md.get("IPTC") if isinstance(md.get("IPTC"), dict) else {}
    out = {}
    for key in ("photoshop:City", "photoshop:State", "photoshop:Country",
                "Iptc4xmpCore:Location", "Iptc4xmpCore:CountryCode"):
        if props.get(key):
            out[f"XMP {key}"] = str(props[key])[:200]
    for key in ("City", "Sub-location", "Province-State", "Country-PrimaryLocationName"):
        if iptc and iptc.get(key):
            out[f"IPTC {key}"] = str(iptc[key])[:200]
    return out


def assess_place(item: dict[str, Any], place: Place | None,
                 params: AssessParams = AssessParams()) -> dict[str, Any]:
    """Does the location the file records fit the claimed place?"""
    if place is None:
        return _assessment("place", CANNOT_TELL, "high", "The case states no place.")
    md = item.get("metadata") or {}
    gps = (md.get("summary") or {}).get("gps")
    names = _location_names(md)
    radius = place.radius_km or params.default_place_radius_km
    if not gps or gps.get("lat") is None or gps.get("lon") is None:
        extra = (" It names a location in text (" + "; ".join(f"{k}: {v}" for k, v in
                                                             names.items()) + ").") if names \
            else ""
        unusable = (md.get("summary") or {}).get("gps_unusable")
        refs = [{"kind": "metadata", "field": k, "value": v} for k, v in names.items()]
        if unusable:
            msg = (f"The file's {unusable.get('source', '')} GPS tags hold no usable position "
                   f"({unusable.get('why') or unusable.get('reason')}), so its place cannot be "
                   "checked from the file." + extra)
            refs.insert(0, {"kind": "metadata", "field": "summary.gps_unusable",
                            "value": unusable.get("reason")})
            return _assessment("place", CANNOT_TELL, "high", msg,
                               [_f("case.place_unknown", "info", "high", msg,
                                   location_names=names, gps_unusable=unusable)], refs)
        msg = ("The file records no GPS position, so its place cannot be checked from the "
               "file (platforms strip location routinely)." + extra)
        return _assessment("place", CANNOT_TELL, "high", msg,
                           [_f("case.place_unknown", "info", "high", msg,
                               location_names=names)], refs)
    pos = (float(gps["lat"]), float(gps["lon"]))
    km = haversine_km(pos, (place.lat, place.lon))
    refs = [{"kind": "metadata", "field": "summary.gps (EXIF GPS / XMP exif:GPS*)",
             "value": f"{pos[0]:.6f}, {pos[1]:.6f}"}]
    ev = {"gps": {"lat": pos[0], "lon": pos[1]}, "place": place.name, "distance_km": round(km, 3),
          "radius_km": radius}
    if km <= radius:
        msg = (f"The file's GPS position is {km:.2f} km from {place.name} (within the "
               f"{radius:g} km the claim allows). GPS tags can be edited, so this fits the "
               "claim without proving it.")
        return _assessment("place", CONSISTENT, "medium", msg,
                           [_f("case.place_within_radius", "info", "medium", msg, **ev)], refs)
    if km <= radius + params.gps_margin_km:
        msg = (f"The file's GPS position is {km:.2f} km from {place.name}, just beyond the "
               f"{radius:g} km radius: within GPS error and photographer distance.")
        return _assessment("place", CANNOT_TELL, "medium", msg,
                           [_f("case.place_near_radius", "low", "medium", msg, **ev)], refs)
    conf = "high" if km > 10 * radius + 5 else "medium"
    msg = (f"The file's GPS position is {km:.1f} km from {place.name}, the place the claim "
           f"names (radius {radius:g} km). Taken at face value, the picture was not taken "
           "there.")
    return _assessment("place", INCONSISTENT, conf, msg,
                       [_f("case.place_far_from_claim", "high", conf, msg, **ev)], refs)


# --------------------------------------------------------------------------------------------
# originality
# --------------------------------------------------------------------------------------------


def assess_originality(item: dict[str, Any], window: Window | None, *, index_searched: bool,
                       exact_duplicates: list[str],
                       params: AssessParams = AssessParams(), copy_of: str | None = None,
                       labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Has the picture been published before, or is it repeated within the release?

    ``exact_duplicates``: the other evidence entries with the same bytes ("E1 (file)");
    ``copy_of``: the id of the entry this one is a byte-identical copy of (it is counted
    once, as that one); ``labels``: evidence label by resolved path, so a near-duplicate the
    scan names by path is named by its evidence id."""
    findings = item.get("findings") or []
    matches = [f for f in findings if f.get("code") == "known_image.match"]
    dups = [f for f in findings if f.get("code") == "known_image.duplicate_in_release"]
    out: list[dict[str, Any]] = []
    refs = [_scan_ref(item, f) for f in matches + dups]
    if matches:
        early = []
        for f in matches:
            fs = (f.get("evidence") or {}).get("first_seen")
            rel = _first_seen_relation(fs, window)
            if rel == "before":
                early.append(f)
        if early:
            ev = early[0].get("evidence") or {}
            msg = (f"The picture matches known imagery first seen {ev.get('first_seen')} "
                   f"({ev.get('url') or 'index entry'}), before the event: it is recycled.")
            out.append(_f("case.recycled", "high", "high", msg,
                          first_seen=ev.get("first_seen"), url=ev.get("url"),
                          transform=ev.get("transform")))
            return _assessment("originality", INCONSISTENT, "high", msg, out, refs)
        ev = matches[0].get("evidence") or {}
        msg = (f"The picture matches known imagery ({ev.get('url') or 'index entry'}, first "
               f"seen {ev.get('first_seen') or 'unknown'}), not before the event: it was "
               "published elsewhere too; who published it first decides its origin.")
        out.append(_f("case.known_elsewhere", "low", "medium", msg, url=ev.get("url"),
                      first_seen=ev.get("first_seen")))
        return _assessment("originality", CANNOT_TELL, "medium", msg, out, refs)
    if dups or exact_duplicates:
        names = labels or {}
        near = {names.get(os.path.realpath(str(v)), str(v)) for f in dups
                for k in ("other_path", "duplicate_of", "other", "path")
                if (v := (f.get("evidence") or {}).get(k))}
        others = sorted(set(exact_duplicates) | near)
        if copy_of:
            first = next((o for o in exact_duplicates if o.startswith(copy_of + " (")),
                         copy_of)
            msg = (f"A byte-identical copy of {first} (the same SHA-256): one piece of "
                   f"evidence, counted once, as {copy_of}.")
        elif exact_duplicates:
            one = len(exact_duplicates) == 1
            msg = (f"{', '.join(exact_duplicates)} {'is a' if one else 'are'} byte-identical "
                   f"cop{'y' if one else 'ies'} of this file: one piece of evidence, counted "
                   "once.")
        else:
            msg = ""
        if near - set(exact_duplicates):
            msg += (" " if msg else "") + (
                "The same photograph appears more than once in the release ("
                + ", ".join(sorted(near - set(exact_duplicates)))
                + "): it is one piece of evidence, not several.")
        status = INCONSISTENT if params.duplicate_is_inconsistent else CANNOT_TELL
        out.append(_f("case.duplicate_in_release", "medium", "high", msg, others=others,
                      exact=bool(exact_duplicates), copy_of=copy_of))
        return _assessment("originality", status, "high", msg, out, refs)
    if not index_searched:
        msg = ("No known-imagery index was searched for this case, so whether the picture was "
               "published before cannot be told.")
        return _assessment("originality", CANNOT_TELL, "high", msg,
                           [_f("case.not_searched", "info", "high", msg)])
    if item.get("status") != "ok":
        return _assessment("originality", CANNOT_TELL, "high",
                           "The file could not be analysed, so it was not matched.")
    msg = ("Not found in the known-imagery index. That index holds only what was added to "
           "it: absence there is weak evidence of originality.")
    return _assessment("originality", CONSISTENT, "low", msg,
                       [_f("case.no_known_match", "info", "low", msg)])


def _first_seen_relation(first_seen: Any, window: Window | None) -> str:
    t = parse_time(first_seen)
    if t is None or window is None:
        return "unknown"
    return window.relation(t)


# --------------------------------------------------------------------------------------------
# integrity
# --------------------------------------------------------------------------------------------


def assess_integrity(item: dict[str, Any]) -> dict[str, Any]:
    """Editing findings, Content Credentials state and metadata anomalies, summed up."""
    if item.get("status") == "error" and not item.get("findings"):
        err = item.get("error") or {}
        msg = f"The file could not be analysed ({err.get('code')}: {err.get('message')})."
        return _assessment("integrity", CANNOT_TELL, "high", msg,
                           [_f("case.not_analysed", "medium", "high", msg,
                               error=err.get("code"))])
    considered, aids = [], []
    for f in item.get("findings") or []:
        code = f.get("code", "")
        if code.startswith("known_image."):
            continue
        if code.startswith(VISUAL_AID_PREFIXES):
            aids.append(f)
        elif code not in NEUTRAL_CODES:
            considered.append(f)
    refs = [_scan_ref(item, f) for f in considered]
    c2pa = ((item.get("metadata") or {}).get("C2PA") or {}).get("state")
    checks = [c.get("name") for c in item.get("checks") or [] if c.get("status") != "error"]
    failed = [c.get("name") for c in item.get("checks") or [] if c.get("status") == "error"]
    ran = ", ".join(checks) or "none"
    top = max((severity_rank(f["severity"]) for f in considered), default=-1)
    serious = [f for f in considered if severity_rank(f["severity"]) >= 2]
    if serious:
        codes = ", ".join(dict.fromkeys(f["code"] for f in serious))
        conf = "high" if any(f["confidence"] == "high" for f in serious) else "medium"
        msg = (f"The file shows signs of editing or of not being what it appears ({codes}). "
               "It is not the file as the device wrote it.")
        return _assessment("integrity", INCONSISTENT, conf, msg, [], refs)
    if c2pa == "trusted" and top < 1:
        msg = "Content Credentials (C2PA) validate and the signer is trusted."
        return _assessment("integrity", CONSISTENT, "high", msg, [], refs)
    if top == 1:
        codes = ", ".join(dict.fromkeys(f["code"] for f in considered if f["severity"] == "low"))
        msg = (f"Minor anomalies ({codes}): worth explaining, not signs of editing by "
               "themselves.")
        return _assessment("integrity", CANNOT_TELL, "medium", msg, [], refs)
    extra = f" (checks that failed: {', '.join(failed)})" if failed else ""
    aid_note = (" Visual aids (ELA) were produced; they are not evidence by themselves."
                if aids else "")
    msg = (f"No sign of editing was found by the checks that ran ({ran}){extra}. Absence of "
           "a finding is not proof that nothing was changed." + aid_note)
    return _assessment("integrity", CONSISTENT, "low", msg, [], refs)


# navigation evidence (tracks, flight logs, missions): see navigation.py


# --------------------------------------------------------------------------------------------
# Summaries: what each item can support, media category, First Draft suggestion
# --------------------------------------------------------------------------------------------

_WHAT = {"time": "the time of the event", "place": "the place of the event",
         "originality": "being an original, first published with this claim",
         "integrity": "being unaltered", "target": "the claimed target"}


def supports(assessments: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Plain sentences: what this item can support, and what it cannot (with why)."""
    can, cannot = [], []
    for a in assessments:
        what = _WHAT.get(a["assertion"], a["assertion"])
        if a["status"] == CONSISTENT:
            can.append(f"{what} ({a['confidence']} confidence)")
        elif a["status"] == INCONSISTENT:
            cannot.append(f"{what}: {a['summary']}")
        else:
            cannot.append(f"{what}: cannot tell. {a['summary']}")
    return can, cannot


def suggest_media_category(kind: str, item: dict[str, Any],
                           assessments: list[dict[str, Any]]) -> tuple[str | None, str]:
    """A schema.org MediaReview category *suggestion* for an image, with why."""
    if kind != "image" or item.get("status") == "error" and not item.get("findings"):
        return None, "not an analysable image"
    by = {a["assertion"]: a for a in assessments}
    codes = {f.get("code", "") for f in item.get("findings") or []}
    if "metadata.ai_generated" in codes:
        return "TransformedContent", "the file declares generative-AI creation"
    if any(by.get(k, {}).get("status") == INCONSISTENT for k in ("originality", "time", "place")):
        return "DecontextualizedContent", ("the picture is presented with a time or place it "
                                           "does not have")
    if by.get("integrity", {}).get("status") == INCONSISTENT:
        if any(c.startswith(PIXEL_EDIT_PREFIXES) or c in CONTENT_CHANGE_CODES for c in codes):
            return "TransformedContent", "picture content was changed (elements added or moved)"
        return "EditedOrCroppedContent", "the file was edited after capture"
    if all(by.get(k, {}).get("status") == CONSISTENT for k in ("time", "place", "integrity")):
        return "OriginalMediaContent", "time, place and integrity fit the claim"
    return None, "not enough in the file to suggest a category"


RATING_VALUES = {"verified": 5, "likely": 4, "possible": 3, "unverified": 2, "false": 1}


def suggest_rating(evidence: list[dict[str, Any]]) -> dict[str, Any]:
    """First Draft scale *suggestion* for the claim, with the reasons. Never a verdict."""
    reasons, supporting, undermining, contradicting = [], [], [], []
    for ev in evidence:
        if ev.get("copy_of"):
            continue  # a byte-identical copy is the same piece of evidence, counted once
        by = {a["assertion"]: a for a in ev.get("assessments") or []}
        if ev["kind"] == "track":
            tgt = by.get("target")
            if tgt and tgt["status"] == INCONSISTENT and tgt["confidence"] == "high":
                contradicting.append(ev["id"])
                reasons.append(f"{ev['id']} ({ev['file']}): {tgt['summary']}")
            continue
        statuses = {k: by.get(k, {}).get("status") for k in
                    ("time", "place", "originality", "integrity")}
        if INCONSISTENT in statuses.values():
            undermining.append(ev["id"])
            bad = [k for k, v in statuses.items() if v == INCONSISTENT]
            reasons.append(f"{ev['id']} ({ev['file']}) cannot support the claim: "
                           f"{', '.join(bad)} inconsistent.")
        elif statuses["time"] == CONSISTENT and statuses["place"] == CONSISTENT:
            supporting.append(ev["id"])
            reasons.append(f"{ev['id']} ({ev['file']}) fits the claimed time and place.")
    trusted = [ev["id"] for ev in evidence if ev["id"] in supporting and
               ((ev.get("scan") or {}).get("metadata") or {}).get("C2PA", {}).get("state")
               == "trusted"]
    if contradicting:
        rating = "false"
    elif trusted and not undermining:
        rating = "verified"
    elif len(supporting) >= 2 and not undermining:
        rating = "likely"
    elif supporting:
        rating = "possible"
    else:
        rating = "unverified"
    return {"suggested_rating": rating, "rating_value": RATING_VALUES[rating],
            "supporting": supporting, "undermining": undermining,
            "contradicting": contradicting, "reasons": reasons,
            "note": ("A suggestion from the files alone, on First Draft's scale (verified / "
                     "likely / possible / unverified / false). The fact-checker confirms or "
                     "overrides it in the case file (review.rating); the tool never publishes "
                     "a verdict by itself.")}


def params_dict(params: AssessParams) -> dict[str, Any]:
    return asdict(params)
