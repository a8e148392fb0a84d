"""One timeline of every time source an evidence item carries, against the event window.

Sources: the claim itself, EXIF (DateTimeOriginal, DateTimeDigitized, ModifyDate, with their
OffsetTime* tags), the GPS clock (UTC), XMP dates and ``xmpMM:History`` events, IPTC
dates, PNG text dates, C2PA signing time and action times, the obtained copy's file-system
modification time, when the fact-checker obtained the file, the earliest known-imagery
match's ``first_seen``, and the track's first and last fix.

Each entry states what it is (``role``): ``capture`` (when the picture was taken, as the
device says), ``modify`` (a later write), ``exists_by`` (the file or picture existed by then:
signing, publication, first seen, obtained), ``file`` (file-system times of our copy, which
say when *we* copied it, not when it was made) or ``claim``.
"""

from __future__ import annotations

import re
from typing import Any

from ..tracks.times import TimeValue, Window, human_delta, parse_time

_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?")


def _rational(text: str) -> float | None:
    try:
        if "/" in text:
            a, b = text.split("/", 1)
            return float(a) / float(b) if float(b) else None
        return float(text)
    except ValueError:
        return None


def _gps_time(gps: dict[str, Any]) -> str | None:
    """GPSDateStamp + GPSTimeStamp (always UTC) as ISO, or ``None``."""
    day = str(gps.get("GPSDate") or gps.get("GPSDateStamp") or "").strip()
    stamp = str(gps.get("GPSTimeStamp") or "")
    m = re.match(r"^(\d{4}):(\d{2}):(\d{2})$", day)
    parts = [_rational(x) for x in _NUM.findall(stamp)]
    if not m or len(parts) != 3 or any(p is None for p in parts):
        return None
    h, mi, s = (int(p) for p in parts)  # type: ignore[arg-type]
    if not (0 <= h < 24 and 0 <= mi < 60 and 0 <= s < 61):
        return None
    return f"{m[1]}-{m[2]}-{m[3]}T{h:02d}:{mi:02d}:{min(s, 59):02d}+00:00"


def _exif_with_offset(value: Any, offset: Any) -> str | None:
    raw = str(value or "").strip()
    m = re.match(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})", raw)
    if not m:
        return None
    iso = f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}"
    off = str(offset or "").strip()
    if re.match(r"^[+\-]\d{2}:\d{2}$", off):
        iso += off
    return iso


def _entry(source: str, field: str, value: Any, role: str, window: Window | None,
           note: str | None = None) -> dict[str, Any] | None:
    t = parse_time(value)
    if t is None:
        return None
    return _from_time(source, field, t, role, window, note)


def _from_time(source: str, field: str, t: TimeValue, role: str, window: Window | None,
               note: str | None = None) -> dict[str, Any]:
    rel = window.relation(t) if window else "unknown"
    hours = window.margin_hours(t) if window else 0.0
    return {"source": source, "field": field, "value": t.iso(), "utc": t.utc_iso(),
            "has_offset": t.has_offset and not t.date_only, "role": role,
            "relation": rel if window else "no_window",
            "offset_from_window": human_delta(hours) if rel in ("before", "after") else None,
            "hours_outside": round(hours, 3) if rel in ("before", "after") else None,
            "sort_utc": t.earliest_utc().isoformat(), "note": note}


def item_timeline(item: dict[str, Any], *, window: Window | None,
                  obtained_at: str | None = None, file_mtime: str | None = None,
                  known_matches: list[dict[str, Any]] | None = None,
                  track: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every time source of one scanned item (plain dicts), sorted by earliest instant."""
    md = item.get("metadata") or {}
    out: list[dict[str, Any] | None] = []
    exif = md.get("EXIF") or {}
    ifd0, sub, gps = (exif.get("IFD0") or {}), (exif.get("ExifIFD") or {}), (exif.get("GPS")
                                                                             or {})
    out.append(_entry("EXIF", "DateTimeOriginal", _exif_with_offset(
        sub.get("DateTimeOriginal"), sub.get("OffsetTimeOriginal")), "capture", window,
        "the camera's clock when the picture was taken (editable)"))
    out.append(_entry("EXIF", "DateTimeDigitized", _exif_with_offset(
        sub.get("DateTimeDigitized"), sub.get("OffsetTimeDigitized")), "capture", window))
    out.append(_entry("EXIF", "ModifyDate (DateTime)", _exif_with_offset(
        ifd0.get("DateTime"), sub.get("OffsetTime")), "modify", window,
        "when the file was last written by the device or software"))
    out.append(_entry("EXIF", "GPS date/time (UTC)", _gps_time(gps), "capture", window,
                      "the satellite clock, independent of the camera clock"))
    xmp = (md.get("XMP") or {}).get("properties") or {}
    for key, role in (("exif:DateTimeOriginal", "capture"), ("xmp:CreateDate", "capture"),
                      ("photoshop:DateCreated", "capture"), ("xmp:ModifyDate", "modify"),
                      ("xmp:MetadataDate", "modify"), ("tiff:DateTime", "modify")):
        if xmp.get(key):
            out.append(_entry("XMP", key, xmp.get(key), role, window))
    hist = xmp.get("xmpMM:History")
    for i, ev in enumerate(hist if isinstance(hist, list) else []):
        if isinstance(ev, dict) and ev.get("stEvt:when"):
            what = " ".join(str(ev.get(k)) for k in ("stEvt:action", "stEvt:softwareAgent")
                            if ev.get(k))
            out.append(_entry("XMP", f"xmpMM:History[{i}] {what}".strip(), ev.get("stEvt:when"),
                              "modify" if ev.get("stEvt:action") != "created" else "capture",
                              window))
    iptc = md.get("IPTC") or {}
    if isinstance(iptc, dict):
        for dkey, tkey in (("DateCreated", "TimeCreated"),
                           ("DigitalCreationDate", "DigitalCreationTime")):
            d = str(iptc.get(dkey) or "")
            if re.match(r"^\d{8}$", d):
                iso = f"{d[:4]}-{d[4:6]}-{d[6:]}"
                t = str(iptc.get(tkey) or "")
                m = re.match(r"^(\d{2})(\d{2})(\d{2})([+\-]\d{2})(\d{2})$", t)
                if m:
                    iso += f"T{m[1]}:{m[2]}:{m[3]}{m[4]}:{m[5]}"
                out.append(_entry("IPTC", dkey, iso, "capture", window))
    png = md.get("PNG") or {}
    if isinstance(png, dict):
        for key in ("Creation Time", "CreationTime", "date:create", "date:modify"):
            if png.get(key):
                out.append(_entry("PNG", key, png.get(key),
                                  "modify" if "modify" in key else "capture", window))
    c2pa = md.get("C2PA") or {}
    if isinstance(c2pa, dict):
        signer = c2pa.get("signer") or {}
        if signer.get("time"):
            out.append(_entry("C2PA", "signature time", signer.get("time"), "exists_by", window,
                              f"C2PA state: {c2pa.get('state')}"))
        for i, act in enumerate(c2pa.get("actions") or []):
            if isinstance(act, dict) and act.get("when"):
                out.append(_entry("C2PA", f"action[{i}] {act.get('action')}", act.get("when"),
                                  "modify", window))
    for m in known_matches or []:
        out.append(_entry("known imagery", f"first_seen ({m.get('url') or 'index entry'})",
                          m.get("first_seen"), "exists_by", window,
                          "the picture was already published then: it cannot show a later "
                          "event"))
    if obtained_at:
        out.append(_entry("case file", "obtained_at", obtained_at, "exists_by", window,
                          "when the fact-checker obtained the file"))
    if file_mtime:
        out.append(_entry("file system", "modified (our copy)", file_mtime, "file", window,
                          "when this copy was written to disk; says nothing of when the "
                          "picture was made"))
    if track:
        times = track.get("times") or {}
        if times.get("first"):
            out.append(_entry("track", "first fix", times["first"], "capture", window))
        if times.get("last"):
            out.append(_entry("track", "last fix", times["last"], "capture", window))
    entries = [e for e in out if e is not None]
    entries.sort(key=lambda e: e["sort_utc"])
    return entries


def claim_timeline(claim: dict[str, Any], window_iso: tuple[str, str] | None,
                   window: Window | None) -> list[dict[str, Any]]:
    """The claim's own times: the event window's ends, when the claim was made and published."""
    out: list[dict[str, Any] | None] = []
    if window_iso:
        out.append(_entry("claim", "event window start", window_iso[0], "claim", window))
        out.append(_entry("claim", "event window end", window_iso[1], "claim", window))
    if claim.get("date"):
        out.append(_entry("claim", "claim made", claim["date"], "claim", window))
    for a in claim.get("appearances") or []:
        if a.get("published"):
            out.append(_entry("claim", f"published at {a.get('url')}", a["published"], "claim",
                              window))
    entries = [e for e in out if e is not None]
    entries.sort(key=lambda e: e["sort_utc"])
    return entries
