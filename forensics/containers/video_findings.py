"""What a video's container says about its history: findings from its metadata alone.

Codes (stable; ``check`` is ``video``, the extractor's name):

* ``video.editor_software`` (medium; low when the editor only rewrote metadata) - an editing
  or conversion program is named in an encoder, handler, software or XMP field (Premiere,
  HandBrake, CapCut, InShot, iMovie, Final Cut...): the file passed through it.
* ``video.reencoded`` (low) - the file was written by an encoding library rather than a
  camera: FFmpeg's muxer (``Lavf``) or encoder (``Lavc``), x264/x265 settings in the first
  frame, FFmpeg's default handler names (``VideoHandler``), a platform's writer (``ISO
  Media file produced by Google``). Conversion, download and editing tools all leave these.
* ``video.date_inconsistent`` (low/medium) - two of the file's clocks (``mvhd``,
  ``tkhd``, Apple ``creationdate``, ``udta date``, XMP, the file name) disagree by more
  than the recording's duration and :attr:`VideoParams.clock_tolerance_s`.
* ``video.clock_offset`` (info) - two clocks differ by a whole time-zone offset: one of
  them is local time (cameras write local time where UTC is required).
* ``video.modified_after_recording`` (low) - the ``mvhd`` modification time is later than
  the creation time plus the duration: the file was written again after recording.
* ``video.rotation_mismatch`` (low) - the display matrix is no quarter turn, or the track
  header's display size is the coded size turned as well as the matrix turning it.
* ``video.dimensions_mismatch`` (low) - the track header's display size is neither the
  coded size (times its pixel aspect ratio) nor that turned.
* ``video.duration_mismatch`` (low) - the video and audio tracks' durations, or the declared
  and the measured duration, disagree (a cut, a splice, or a copy cut short).
* ``video.metadata_stripped`` (info) - no make, model, capture date or place: platforms
  strip these routinely; it is not an accusation.

Lab notes (false alarms on the 10 corpus videos: see ``tests/test_video_findings.py``):
camera and phone originals (iPhone 6, iOS export, FLIR One, GoPro HERO5, Sony A7 III,
Pentax) raise nothing above info; ``uuid540.mp4`` (iMovie, then Adobe Bridge on its
metadata) is named as such; ExifTool's ``QuickTime.mov`` stub (modified 2010, five years
after its creation; declared 4.97 s, 0.43 s of media left) is flagged for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..model import Finding
from ..tracks.times import parse_time
from .video_meta import VideoMetadata
from .video_params import VideoParams

CHECK = "video"

EDITORS = (
    ("premiere", "Adobe Premiere"), ("after effects", "Adobe After Effects"),
    ("media encoder", "Adobe Media Encoder"), ("adobe bridge", "Adobe Bridge"),
    ("premiere rush", "Adobe Premiere Rush"), ("handbrake", "HandBrake"),
    ("capcut", "CapCut"), ("jianying", "CapCut (Jianying)"), ("inshot", "InShot"),
    ("kinemaster", "KineMaster"), ("imovie", "iMovie"), ("final cut", "Final Cut Pro"),
    ("davinci", "DaVinci Resolve"),
    ("filmora", "Wondershare Filmora"), ("wondershare", "Wondershare"),
    ("vegas", "VEGAS"), ("camtasia", "Camtasia"), ("shotcut", "Shotcut"),
    ("openshot", "OpenShot"), ("kdenlive", "Kdenlive"), ("avidemux", "Avidemux"),
    ("movavi", "Movavi"), ("powerdirector", "PowerDirector"), ("clipchamp", "Clipchamp"),
    ("vn video", "VN Video Editor"), ("splice", "Splice"), ("quik", "GoPro Quik"),
    ("lumafusion", "LumaFusion"), ("vlc", "VLC"), ("mencoder", "MEncoder"),
    ("mkvmerge", "mkvmerge"), ("mp4box", "GPAC MP4Box"), ("gpac", "GPAC"),
    ("youcut", "YouCut"), ("videoleap", "Videoleap"), ("canva", "Canva"),
)
"""Editors and converters, matched case-insensitively as substrings (name shown)."""
LIBRARIES = (
    ("lavf", "FFmpeg (libavformat muxer)"), ("lavc", "FFmpeg (libavcodec encoder)"),
    ("x264", "x264 encoder"), ("x265", "x265 encoder"), ("l-smash", "L-SMASH muxer"),
    ("videohandler", "FFmpeg's default handler name"),
    ("soundhandler", "FFmpeg's default handler name"),
    ("iso media file produced by google", "Google's (YouTube) writer"),
    ("bento4", "Bento4"),
)
"""Encoding libraries: a file they wrote is no camera original (low: many tools use them)."""
_WORD = re.compile(r"[a-z0-9]")

_NAME_TIME = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?:[-_ T.]|\s+at\s+)?(\d{2})"
    r"[-_.:h]?(\d{2})[-_.:m]?(\d{2})(\d{3})?(?!\d)")


def file_name_time(path: str) -> tuple[str, bool] | None:
    """The date and time a file name states (``VID_20200101_123456.mp4``,
    ``DJI_20220807134040_0001.MP4``, ``PXL_20230101_101010123.mp4``, ``Screen Recording
    2023-01-01 at 10.10.10.mov``) as ISO 8601, and whether it is UTC (Google Pixel's ``PXL_``
    names are; others are the device's local time). ``None`` when it states none."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].split("#", 1)[0]
    m = _NAME_TIME.search(name)
    if not m:
        return None
    y, mo, d, hh, mi, ss = (int(g) for g in m.groups()[:6])
    try:
        when = datetime(y, mo, d, hh, mi, ss)
    except ValueError:
        return None
    if hh > 23 or mi > 59 or ss > 59:
        return None
    utc = name.upper().startswith("PXL_")
    return when.isoformat(timespec="seconds") + ("+00:00" if utc else ""), utc


def _strings(md: VideoMetadata) -> list[tuple[str, str]]:
    """(where, text) of every field that may name the program that wrote the file."""
    g = md.groups
    out: list[tuple[str, str]] = []
    ctags = (g.get("Format") or {}).get("tags") or {}
    for k in ("encoder", "encoded_by", "software", "writing_app", "muxing_app",
              "handler_name", "com.apple.quicktime.software", "com.android.version"):
        if ctags.get(k):
            out.append((f"Format:{k}", str(ctags[k])))
    for s in (g.get("Streams") or {}).values():
        for k in ("encoder", "handler_name"):
            v = (s.get("tags") or {}).get(k)
            if v:
                out.append((f"Stream{s['index']}:{k}", str(v)))
        banner = s.get("encoder_banner")
        if banner:
            out.append((f"Stream{s['index']}:encoder_banner", banner["text"]))
    qt = g.get("QuickTime") or {}
    for group, values in (("UserData", qt.get("udta") or {}), ("ItemList", qt.get("ilst") or {}),
                          ("Keys", qt.get("keys") or {})):
        for k, v in values.items():
            if isinstance(v, str) and (k in ("©too", "©swr", "©enc", "kywd", "©fmt", "©inf")
                                       or "software" in k or "encoder" in k):
                out.append((f"QuickTime:{group}:{k}", v))
    for i, t in enumerate(qt.get("tracks") or []):
        name = (t.get("hdlr") or {}).get("name")
        if name:
            out.append((f"QuickTime:Track{i + 1}:HandlerName", name))
    props = (g.get("XMP") or {}).get("properties") or {}
    if props.get("xmp:CreatorTool"):
        out.append(("XMP:xmp:CreatorTool", str(props["xmp:CreatorTool"])))
    for ev in props.get("xmpMM:History") or []:
        if isinstance(ev, dict) and ev.get("stEvt:softwareAgent"):
            out.append(("XMP:xmpMM:History", str(ev["stEvt:softwareAgent"])
                        + (f" (changed {ev['stEvt:changed']})" if ev.get("stEvt:changed")
                           else "")))
    seen: set[tuple[str, str]] = set()
    return [x for x in out if not (x in seen or seen.add(x))]


def _match(text: str, terms: Iterable[tuple[str, str]]) -> str | None:
    low = text.lower()
    for term, name in terms:
        i = low.find(term)
        if i < 0:
            continue
        before = low[i - 1] if i else " "
        after = low[i + len(term)] if i + len(term) < len(low) else " "
        if term[0].isalpha() and _WORD.match(before) and not before.isdigit():
            continue  # inside another word ("resolved", "splicer")
        if term[-1].isalpha() and after.isalpha():
            continue
        return name
    return None


def _software_findings(md: VideoMetadata) -> list[Finding]:
    editors: dict[str, list[dict[str, str]]] = {}
    libraries: dict[str, list[dict[str, str]]] = {}
    for where, txt in _strings(md):
        ed = _match(txt, EDITORS)
        if ed:
            editors.setdefault(ed, []).append({"field": where, "value": txt[:200]})
            continue
        lib = _match(txt, LIBRARIES)
        if lib:
            libraries.setdefault(lib, []).append({"field": where, "value": txt[:200]})
    out = []
    qt = md.groups.get("QuickTime") or {}
    layout = {"layout": qt.get("layout"), "mdat_before_moov": qt.get("mdat_before_moov")}
    if editors:
        only_metadata = all("changed /metadata" in e["value"] and e["field"].startswith("XMP")
                            for hits in editors.values() for e in hits)
        names = ", ".join(editors)
        out.append(Finding(
            code="video.editor_software", check=CHECK,
            severity="low" if only_metadata else "medium", confidence="high",
            message=(f"The file names {names}: it passed through "
                     + ("a program that rewrote its metadata" if only_metadata
                        else "an editing or conversion program") + " after it was recorded."),
            evidence={"editors": editors, **layout}))
    if libraries:
        names = ", ".join(libraries)
        out.append(Finding(
            code="video.reencoded", check=CHECK, severity="low", confidence="medium",
            message=(f"The file was written by {names}, not by a camera: it was converted, "
                     "downloaded, re-encoded or edited (many tools use these libraries)."),
            evidence={"libraries": libraries, **layout}))
    return out


def _instant(value: str | None) -> tuple[datetime, bool] | None:
    """(datetime, aware) of an ISO string, naive values kept naive."""
    tv = parse_time(value) if value else None
    if tv is None or tv.date_only:
        return None
    return tv.dt, tv.has_offset


def compare_clocks(a: str | None, b: str | None, *, tolerance_s: float
                   ) -> dict[str, Any] | None:
    """How two clock readings relate: ``{"relation": "agree"|"offset"|"disagree",
    "difference_s", "offset"}``, or ``None`` when either is missing. A naive reading is taken
    as UTC (what ``mvhd`` should be) for the difference; a difference within ``tolerance_s``
    of a whole number of quarter hours up to 14 h is an ``offset`` (one clock is local
    time)."""
    ia, ib = _instant(a), _instant(b)
    if ia is None or ib is None:
        return None
    da, db = ia[0], ib[0]
    da = da if ia[1] else da.replace(tzinfo=timezone.utc)
    db = db if ib[1] else db.replace(tzinfo=timezone.utc)
    diff = (da - db).total_seconds()
    out: dict[str, Any] = {"difference_s": round(diff, 3), "offset": None}
    if abs(diff) <= tolerance_s:
        out["relation"] = "agree"
        return out
    quarters = round(diff / 900)
    if quarters and abs(quarters) <= 56 and abs(diff - quarters * 900) <= tolerance_s:
        sign = "+" if quarters > 0 else "-"
        mins = abs(quarters) * 15
        out.update(relation="offset", offset=f"{sign}{mins // 60:02d}:{mins % 60:02d}")
        return out
    out["relation"] = "disagree"
    return out


def _clocks(md: VideoMetadata, path: str) -> list[tuple[str, str]]:
    """(name, ISO reading) of the file's clocks, most trusted first."""
    g = md.groups
    qt = g.get("QuickTime") or {}
    keys, udta = qt.get("keys") or {}, qt.get("udta") or {}
    props = (g.get("XMP") or {}).get("properties") or {}
    from .video_meta import _video_date

    out: list[tuple[str, str]] = []
    for name, raw in (
            ("QuickTime:Keys:com.apple.quicktime.creationdate",
             keys.get("com.apple.quicktime.creationdate")),
            ("QuickTime:UserData:date", udta.get("date")),
            ("QuickTime:UserData:©day", udta.get("©day")),
            ("XMP:exif:DateTimeOriginal", props.get("exif:DateTimeOriginal")),
            ("XMP:xmp:CreateDate", props.get("xmp:CreateDate")),
            ("QuickTime:mvhd.creation_time", (qt.get("mvhd") or {}).get("creation_time"))):
        v = _video_date(raw) if isinstance(raw, str) else None
        if v and len(v) >= 19:
            out.append((name, v))
    if not qt:
        ct = _video_date(((g.get("Format") or {}).get("tags") or {}).get("creation_time"))
        if ct:
            out.append(("Format:creation_time", ct))
    named = file_name_time(path)
    if named:
        out.append(("File:name", named[0]))
    return out


def _date_findings(md: VideoMetadata, path: str, p: VideoParams) -> list[Finding]:
    out: list[Finding] = []
    duration = float(md.summary.get("duration_s") or 0.0)
    tol = p.clock_tolerance_s + duration
    qt = md.groups.get("QuickTime") or {}
    mvhd = qt.get("mvhd") or {}
    cre, mod = mvhd.get("creation_time"), mvhd.get("modification_time")
    rel = compare_clocks(mod, cre, tolerance_s=1e9)
    if rel is not None:
        late = rel["difference_s"] - duration
        if late > p.modified_after_s:
            out.append(Finding(
                code="video.modified_after_recording", check=CHECK, severity="low",
                confidence="medium",
                message=(f"The movie header was modified {_human(late)} after the recording "
                         f"ended (created {cre}, modified {mod}): the file was written again "
                         "after it was recorded."),
                evidence={"creation_time": cre, "modification_time": mod,
                          "duration_s": duration, "seconds_after_end": round(late, 1)}))
        elif rel["difference_s"] < -p.clock_tolerance_s:
            out.append(Finding(
                code="video.date_inconsistent", check=CHECK, severity="low",
                confidence="high",
                message=(f"The movie header's modification time {mod} is before its creation "
                         f"time {cre}."),
                evidence={"a": {"field": "QuickTime:mvhd.modification_time", "value": mod},
                          "b": {"field": "QuickTime:mvhd.creation_time", "value": cre}}))
    clocks = _clocks(md, path)
    disagree, offsets = [], []
    for i, (na, va) in enumerate(clocks):
        for nb, vb in clocks[i + 1:]:
            r = compare_clocks(va, vb, tolerance_s=tol)
            if r is None or r["relation"] == "agree":
                continue
            pair = {"a": {"field": na, "value": va}, "b": {"field": nb, "value": vb}, **r}
            (offsets if r["relation"] == "offset" else disagree).append(pair)
    for t, track in enumerate(qt.get("tracks") or []):
        tc = (track.get("tkhd") or {}).get("creation_time")
        r = compare_clocks(tc, cre, tolerance_s=tol)
        if r is not None and r["relation"] != "agree":
            disagree.append({"a": {"field": f"QuickTime:Track{t + 1}:tkhd.creation_time",
                                   "value": tc},
                             "b": {"field": "QuickTime:mvhd.creation_time", "value": cre}, **r})
    for pair in disagree[:6]:
        named = "File:name" in (pair["a"]["field"], pair["b"]["field"])
        out.append(Finding(
            code="video.date_inconsistent", check=CHECK, severity="low" if named else "medium",
            confidence="medium" if named else "high",
            message=(f"{pair['a']['field']} ({pair['a']['value']}) and {pair['b']['field']} "
                     f"({pair['b']['value']}) differ by {_human(abs(pair['difference_s']))}"
                     + (": a file name is easily changed, but a camera names its files by its "
                        "own clock" if named else "") + "."),
            evidence=pair))
    for pair in offsets[:3]:
        out.append(Finding(
            code="video.clock_offset", check=CHECK, severity="info", confidence="medium",
            message=(f"{pair['a']['field']} ({pair['a']['value']}) and {pair['b']['field']} "
                     f"({pair['b']['value']}) differ by a whole time-zone offset "
                     f"({pair['offset']}): one of them is local time (cameras often write "
                     "local time where UTC is required)."),
            evidence=pair))
    return out


def _human(seconds: float) -> str:
    s = abs(seconds)
    if s >= 2 * 86400 * 365:
        return f"{s / 86400 / 365.25:.1f} years"
    if s >= 2 * 86400:
        return f"{s / 86400:.0f} days"
    if s >= 7200:
        return f"{s / 3600:.1f} h"
    if s >= 120:
        return f"{s / 60:.0f} min"
    return f"{s:.0f} s"


def _geometry_findings(md: VideoMetadata) -> list[Finding]:
    qt = md.groups.get("QuickTime") or {}
    vs = next((s for s in (md.groups.get("Streams") or {}).values()
               if s.get("index") == md.video_stream), None)
    track = next((t for t in qt.get("tracks") or []
                  if (t.get("hdlr") or {}).get("handler_type") == "vide"), None)
    if vs is None or track is None or not track.get("tkhd"):
        return []
    tk = track["tkhd"]
    w, h = vs.get("width"), vs.get("height")
    tw, th = tk.get("width"), tk.get("height")
    out: list[Finding] = []
    if "matrix" in tk and tk.get("rotation") is None:
        out.append(Finding(
            code="video.rotation_mismatch", check=CHECK, severity="low", confidence="high",
            message=("The video track's display matrix is not a turn by a multiple of 90 "
                     f"degrees ({tk['matrix']}): no camera writes that; an editor or a "
                     "hand-made file does."),
            evidence={"matrix": tk["matrix"]}))
    if not (w and h and tw and th):
        return out
    sar = 1.0
    raw_sar = vs.get("sample_aspect_ratio")
    if raw_sar and "/" in str(raw_sar):
        num, den = str(raw_sar).split("/", 1)
        try:
            sar = float(num) / float(den) if float(den) and float(num) else 1.0
        except ValueError:
            sar = 1.0

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= max(2.0, 0.01 * b)

    straight = near(tw, w * sar) and near(th, h)
    turned = near(tw, h) and near(th, w * sar)
    evidence = {"coded": [w, h], "sample_aspect_ratio": raw_sar,
                "track_header": [tw, th], "rotation": tk.get("rotation"),
                "matrix": tk.get("matrix")}
    if turned and not straight and tk.get("rotation") in (90, 270):
        out.append(Finding(
            code="video.rotation_mismatch", check=CHECK, severity="low", confidence="medium",
            message=(f"The track header's display size {tw:g}x{th:g} is the coded {w}x{h} "
                     f"turned, and its matrix turns it by {tk['rotation']} degrees again: the "
                     "pixels and the rotation flag disagree (rotated by a tool)."),
            evidence=evidence))
    elif not straight and not turned:
        out.append(Finding(
            code="video.dimensions_mismatch", check=CHECK, severity="low", confidence="medium",
            message=(f"The track header's display size {tw:g}x{th:g} is not the coded size "
                     f"{w}x{h}: the stream was replaced or resized without the header "
                     "following."),
            evidence=evidence))
    return out


def _duration_findings(md: VideoMetadata, p: VideoParams) -> list[Finding]:
    out: list[Finding] = []
    streams = (md.groups.get("Streams") or {}).values()
    qt = md.groups.get("QuickTime") or {}
    by_type: dict[str, list[tuple[int, float]]] = {}
    for s in streams:
        if s.get("duration_s") and s.get("type") in ("video", "audio"):
            by_type.setdefault(s["type"], []).append((s["index"], float(s["duration_s"])))
    if md.video_stream is not None:
        v = next((d for i, d in by_type.get("video", []) if i == md.video_stream), None)
        for i, a in by_type.get("audio", [])[:2]:
            if v is None:
                break
            tol = max(p.duration_tolerance_s, 0.02 * max(v, a))
            if abs(v - a) > tol:
                out.append(Finding(
                    code="video.duration_mismatch", check=CHECK, severity="low",
                    confidence="medium",
                    message=(f"The video stream lasts {v:.2f} s and the audio stream "
                             f"{a:.2f} s: a camera records both together; a cut, a splice or "
                             "a replaced sound track leaves them apart."),
                    evidence={"video_stream": md.video_stream, "video_s": v,
                              "audio_stream": i, "audio_s": a, "tolerance_s": round(tol, 3)}))
    declared = (qt.get("mvhd") or {}).get("duration_s")
    measured = (md.groups.get("Format") or {}).get("duration_s")
    if declared and measured:
        tol = max(p.duration_tolerance_s, 0.02 * declared)
        if abs(declared - measured) > tol:
            out.append(Finding(
                code="video.duration_mismatch", check=CHECK, severity="low",
                confidence="medium",
                message=(f"The movie header declares {declared:.2f} s but the streams hold "
                         f"{measured:.2f} s: media was removed or the file is incomplete."),
                evidence={"declared_s": declared, "measured_s": measured,
                          "tolerance_s": round(tol, 3)}))
    return out


def _stripped(md: VideoMetadata) -> list[Finding]:
    s = md.summary
    if any(s.get(k) for k in ("make", "model", "gps")):
        return []
    src = s.get("datetime_original_source") or ""
    if src and src != "QuickTime:mvhd.creation_time" and not src.startswith("Format"):
        return []
    return [Finding(
        code="video.metadata_stripped", check=CHECK, severity="info", confidence="medium",
        message=("The container names no camera, no place and no capture date beyond the "
                 "container's own clock: platforms and converters strip these routinely, so "
                 "this is not by itself a sign of editing."),
        evidence={"datetime_original_source": src or None,
                  "software": s.get("software")})]


def video_findings(md: VideoMetadata, path: str, params: VideoParams | None = None
                   ) -> list[Finding]:
    """Every finding the container's metadata supports (see the module notes)."""
    p = params or VideoParams()
    out = _software_findings(md)
    out += _date_findings(md, path, p)
    out += _geometry_findings(md)
    out += _duration_findings(md, p)
    out += _stripped(md)
    return out


__all__ = ["EDITORS", "LIBRARIES", "compare_clocks", "file_name_time", "video_findings"]
