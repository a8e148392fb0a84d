"""The video extractor: a video's container metadata and findings, its keyframes at shot
changes and its telemetry, as children (see :mod:`forensics.containers`).

* metadata: :mod:`.video_meta` (PyAV plus the ISO-BMFF boxes of :mod:`.video_boxes`), in
  groups ``Format``, ``Streams``, ``QuickTime``, ``XMP``, ``Keyframes``, ``Telemetry`` and
  the stills' ``summary`` keys plus ``duration_s``, ``codec``, ``frame_rate``;
* findings: :mod:`.video_findings` (codes ``video.*``), plus the telemetry clock and
  position against the container's (``video.telemetry_clock``, ``video.clock_offset``,
  ``video.telemetry_position``);
* children: the telemetry track first (relation ``track``: a GPX file made from GoPro GPMF,
  or DJI's subtitle cues as SRT; path ``clip.mp4#track=3``), then at most
  :attr:`~.video_params.VideoParams.max_keyframes` keyframes (relation ``keyframe``, PNG,
  path ``clip.mp4#t=12.48``; ``metadata.Container`` of the child names the stream, the
  presentation timestamp and time base, whether it was a coded keyframe, and why it was
  chosen: :mod:`.video_keyframes`).

A file that cannot be opened at all (no ``moov``, cut short, not a video) keeps what its
boxes told and gets a clear problem naming it (``truncated``, ``corrupt_video``,
``no_video_stream``, ``unsupported_codec``); it never raises past :meth:`extract`.

Lab notes: the video is read from ``ctx.data`` through a file object, so PyAV streams it
packet by packet (nothing is decoded whole); keyframe pass 1 and the telemetry packets are
read in one demux of the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from ..context import AnalysisContext
from ..model import Finding
from ..tracks.geo import haversine_km
from .base import Child, ContainerBudget, Extraction, Extractor
from .video_findings import compare_clocks, file_name_time, video_findings
from .video_keyframes import KeyframePlan, plan_keyframes, render_keyframes
from .video_meta import VIDEO_TYPES, VideoMetadata, read_video_metadata
from .video_params import VideoParams
from .video_telemetry import (
    MAX_TELEMETRY_BYTES,
    Telemetry,
    gpmf_gps,
    gpx_bytes,
    looks_like_dji_text,
    srt_from_cues,
    subtitle_text,
)

NAME = "video"


class _Collect:
    """Packets of one telemetry stream, kept up to :data:`MAX_TELEMETRY_BYTES`."""

    def __init__(self, kind: str, stream: int, codec: str | None = None):
        self.kind, self.stream, self.codec = kind, stream, codec
        self.packets: list[tuple[bytes, float | None, float | None]] = []
        self.bytes = 0
        self.dropped = 0

    def __call__(self, packet: Any) -> None:
        raw = bytes(packet)
        if self.bytes + len(raw) > MAX_TELEMETRY_BYTES:
            self.dropped += 1
            return
        self.bytes += len(raw)
        tb = packet.time_base
        start = float(packet.pts * tb) if packet.pts is not None and tb else None
        dur = float(packet.duration * tb) if packet.duration and tb else None
        self.packets.append((raw, start, dur))


def _telemetry_streams(md: VideoMetadata) -> dict[int, tuple[str, str | None]]:
    """Stream index -> (``gpmf`` / ``subtitles``, codec) for the streams that may carry
    telemetry."""
    out: dict[int, tuple[str, str | None]] = {}
    tracks = (md.groups.get("QuickTime") or {}).get("tracks") or []
    entries = [t.get("sample_entry") for t in tracks]
    for s in (md.groups.get("Streams") or {}).values():
        handler = str((s.get("tags") or {}).get("handler_name") or "")
        i = s["index"]
        entry = entries[i] if i < len(entries) else None
        if s.get("type") == "data" and (entry == "gpmd" or "GoPro MET" in handler):
            out[i] = ("gpmf", None)
        elif s.get("type") == "subtitle" and s.get("codec") in ("mov_text", "subrip", "srt",
                                                                   "text", "webvtt"):
            out[i] = ("subtitles", s.get("codec"))
    return out


def _telemetry(sinks: dict[int, _Collect]) -> list[Telemetry]:
    out: list[Telemetry] = []
    for index, sink in sinks.items():
        tel = Telemetry(kind="gpmf" if sink.kind == "gpmf" else "dji_subtitles", stream=index,
                        packets=len(sink.packets))
        if sink.dropped:
            tel.problems.append(f"{sink.dropped} telemetry packets past "
                                f"{MAX_TELEMETRY_BYTES} bytes were not read")
        if sink.kind == "gpmf":
            tel.samples, tel.device = gpmf_gps(sink.packets, tel.problems)
            if not tel.samples:
                continue
        else:
            cues = [(start or 0.0, (start or 0.0) + (dur or 0.0), subtitle_text(raw, sink.codec))
                    for raw, start, dur in sink.packets]
            text = srt_from_cues(cues)
            if not looks_like_dji_text(text):
                continue
            tel.text = text
        out.append(tel)
    return out


def _telemetry_summary(tel: Telemetry) -> dict[str, Any]:
    first = tel.samples[0] if tel.samples else None
    last = tel.samples[-1] if tel.samples else None
    return {"kind": tel.kind, "stream": tel.stream, "packets": tel.packets,
            "device": tel.device, "points": len(tel.samples) if tel.samples else None,
            "first": None if first is None else {
                "lat": first.lat, "lon": first.lon, "alt": first.alt,
                "time": first.time.isoformat() if first.time else None},
            "last": None if last is None else {
                "lat": last.lat, "lon": last.lon, "alt": last.alt,
                "time": last.time.isoformat() if last.time else None},
            "problems": tel.problems[:10]}


def _first_dji_time(text: str) -> str | None:
    from ..tracks.dji import _DATE  # the DJI layouts' date pattern, kept in one place

    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d, hh, mi, ss, _ms = m.groups()
    return f"{y}-{mo}-{d}T{hh}:{mi}:{ss}"


class VideoExtractor(Extractor):
    name = NAME
    version = "1.0.0"
    description = ("Video containers (MP4, MOV, 3GP, MKV, WebM, AVI, MPEG-TS): container "
                   "metadata and findings, keyframes at shot changes, GoPro/DJI telemetry")
    media_types = VIDEO_TYPES

    def __init__(self, params: VideoParams | None = None):
        self.params = params or VideoParams()

    def extract(self, ctx: AnalysisContext, budget: ContainerBudget) -> Extraction:
        path, p = ctx.item.path, self.params
        md = read_video_metadata(io.BytesIO(ctx.data), path=path,
                                 media_type=ctx.item.media_type)
        for problem in md.problems:
            ctx.problem(problem.code, problem.message)
        findings = video_findings(md, path, p)
        metadata: dict[str, Any] = {"summary": md.summary, **md.groups}
        plan: KeyframePlan | None = None
        telemetry: list[Telemetry] = []
        if md.video_stream is not None and md.decodable:
            kinds = _telemetry_streams(md)
            sinks = {i: _Collect(k, i, codec) for i, (k, codec) in kinds.items()}
            try:
                plan = plan_keyframes(io.BytesIO(ctx.data), stream_index=md.video_stream,
                                      params=p, duration_s=md.summary.get("duration_s"),
                                      other_streams=sinks)
                metadata["Keyframes"] = plan.summary()
            except Exception as exc:  # noqa: BLE001 - PyAV raises many types on bad input
                ctx.problem("corrupt_video", f"{path}: no frame could be decoded "
                            f"({type(exc).__name__}: {str(exc)[:160]})")
            telemetry = _telemetry(sinks)
        if telemetry:
            metadata["Telemetry"] = {str(t.stream): _telemetry_summary(t) for t in telemetry}
            findings += self._telemetry_findings(md, telemetry, path)
        return Extraction(metadata=metadata, findings=findings,
                          children=self._children(ctx, plan, telemetry, budget, metadata),
                          state={"plan": plan})

    def _children(self, ctx: AnalysisContext, plan: KeyframePlan | None,
                  telemetry: list[Telemetry], budget: ContainerBudget,
                  metadata: dict[str, Any]) -> Iterator[Child]:
        base = ctx.item.path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        for tel in telemetry:
            if not budget.admit():
                return
            if tel.kind == "gpmf":
                data = gpx_bytes(tel.samples, name=f"{base} GPMF stream {tel.stream}",
                                 creator="provenance (from GoPro GPMF)")
                name = f"{base}.gpx"
            else:
                data = (tel.text or "").encode("utf-8")
                name = f"{base}.srt"
            yield Child(data=data, locator=(("track", tel.stream),), relation="track",
                        name=name, details={
                            "stream": tel.stream, "telemetry": tel.kind, "device": tel.device,
                            "stored_as": "GPX 1.1 written from the GPMF GPS samples"
                            if tel.kind == "gpmf" else "SRT rebuilt from the subtitle cues"})
        if plan is None:
            return
        problems = metadata.get("Keyframes", {}).get("problems")
        for kf in render_keyframes(io.BytesIO(ctx.data), plan, self.params):
            if not budget.admit(len(kf.png)):
                break
            yield Child(data=kf.png, locator=(("t", round(kf.time_s, 3)),),
                        relation="keyframe", name=None, details=kf.details())
        if isinstance(problems, list):
            problems[:] = plan.problems[:10]

    def _telemetry_findings(self, md: VideoMetadata, telemetry: list[Telemetry],
                            path: str) -> list[Finding]:
        out: list[Finding] = []
        p = self.params
        duration = float(md.summary.get("duration_s") or 0.0)
        tol = p.clock_tolerance_s + duration
        qt = md.groups.get("QuickTime") or {}
        clocks = [("QuickTime:mvhd.creation_time", (qt.get("mvhd") or {}).get("creation_time")),
                  (md.summary.get("datetime_original_source") or "summary",
                   md.summary.get("datetime_original"))]
        named = file_name_time(path)
        if named:
            clocks.append(("File:name", named[0]))
        seen: set[str] = set()
        for tel in telemetry:
            if tel.kind == "gpmf":
                first = next((s for s in tel.samples if s.time is not None), None)
                t_iso = first.time.isoformat() if first is not None and first.time else None
                t_name = f"Telemetry:GPMF stream {tel.stream} first GPS time (UTC)"
            else:
                t_iso = _first_dji_time(tel.text or "")
                t_name = f"Telemetry:DJI subtitles stream {tel.stream} first time (local)"
            for name, value in clocks:
                if not value or value in seen:
                    continue
                seen.add(value)
                rel = compare_clocks(t_iso, value, tolerance_s=tol)
                if rel is None or rel["relation"] == "agree":
                    continue
                ev = {"a": {"field": t_name, "value": t_iso}, "b": {"field": name,
                                                                    "value": value}, **rel}
                if rel["relation"] == "offset":
                    out.append(self.finding(
                        "video.clock_offset", "info", "medium",
                        f"The telemetry clock ({t_iso}) and {name} ({value}) differ by a whole "
                        f"time-zone offset ({rel['offset']}): one of them is local time.", ev))
                else:
                    out.append(self.finding(
                        "video.telemetry_clock", "medium", "medium",
                        f"The telemetry clock ({t_iso}) and {name} ({value}) differ by "
                        f"{abs(rel['difference_s']):.0f} s, more than the recording lasts: the "
                        "camera's clock was wrong, or the telemetry and the picture were not "
                        "recorded together.", ev))
            gps = md.summary.get("gps")
            if gps and tel.samples:
                nearest = min(haversine_km((gps["lat"], gps["lon"]), (s.lat, s.lon))
                              for s in tel.samples)
                if nearest > 1.0:
                    out.append(self.finding(
                        "video.telemetry_position", "medium", "medium",
                        f"The container's position ({gps['lat']}, {gps['lon']}) is "
                        f"{nearest:.1f} km from every point of the telemetry track.",
                        {"container_gps": gps, "nearest_km": round(nearest, 3),
                         "telemetry_stream": tel.stream}))
        return out
