"""Video container and stream metadata, read with PyAV (FFmpeg's libraries, no FFmpeg binary).

:func:`read_video_metadata` opens a video (a path or any seekable binary file object: the
file is streamed, never loaded whole) and returns its metadata grouped like ``exiftool -G``:

* ``Format`` - container format, duration, bit rate and every container tag FFmpeg reads
  (``creation_time``, ``location`` from ``(c)xyz``, ``com.apple.quicktime.*`` keys,
  ``encoder`` from ``(c)too``, GoPro ``firmware``...);
* ``Streams`` - per stream (keyed by its index, ``"0"``, ``"1"``...): type, codec, profile,
  size, pixel format, frame rate, time base, duration, frame count, bit rate, tags
  (``handler_name``, ``encoder``, ``timecode``) and, for the main video stream, the
  encoder banner an encoding library leaves in the first frame (x264 and x265 write their
  version and settings in an SEI message);
* ``QuickTime`` - what FFmpeg drops, from :mod:`.video_boxes` (MP4/MOV/3GP only): top-level
  box order, ``mvhd``/``tkhd``/``mdhd`` creation *and modification* times, each track's
  display matrix and rotation, handler names, sample-entry codes, ``udta`` atoms, Apple
  ``mdta`` keys, iTunes ``ilst`` items;
* ``XMP`` - a packet in a ``uuid`` or ``udta/XMP_`` box (Adobe tools, iMovie), parsed with
  defusedxml as for stills;
* ``summary`` - the still images' keys (make, model, software, datetime_original,
  datetime_original_source, gps, gps_unusable, width, height, orientation: see
  :mod:`forensics.metadata.summary`) plus ``duration_s``, ``codec`` and ``frame_rate``.

What could not be read is returned as :class:`VideoProblem` (stable code, message naming the
file), never raised: a truncated MP4 still shows its ``ftyp`` and box layout, a file with no
video stream or an undecodable codec still shows its tags.

Lab notes (corpus, ``../shared/corpus/video``, 2026-12):

* FFmpeg exposes the Apple keys, ``(c)xyz`` as ``location`` and GoPro's ``FIRM`` as
  ``firmware``, but not the 3GPP ``loci`` location box (Android and iOS MP4 export: the two
  metadata-extractor MP4s carry their position only there and in ``(c)xyz``), nor ``udta
  date`` with its offset (``2020-11-20T15:04:02+0100`` in ``Issue 515 (java).mp4``, which
  ExifTool calls DateTimeOriginal): both are read from the boxes.
* ``mvhd`` times are naive here (see :mod:`.video_boxes`): the iPhone writes UTC, the GoPro
  HERO5 of ``karma.mp4`` its own clock (19:27:57, one second before its first GPS fix at
  19:27:58 UTC: that camera's clock was on UTC).
* ExifTool's metadata-only ``Matroska.mkv`` stub opens in no FFmpeg demuxer (end of file
  before the first cluster): it is reported ``truncated``, as ``ffprobe`` reads no streams.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ..metadata.summary import NO_POSITION_REASONS, normalise_offset, usable_position, xmp_datetime
from ..metadata.xmp import parse_xmp
from .video_boxes import BoxReadError, read_boxes

ISO_BMFF_TYPES = frozenset({"video/mp4", "video/quicktime", "video/3gpp", "video/x-m4v"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/3gpp", "video/x-m4v",
                         "video/x-matroska", "video/webm", "video/x-msvideo", "video/mp2t"})
"""Media types this module reads (MP4/MOV/3GP boxes are read as well for the first four)."""

MAX_TAG_TEXT = 2_048
MAX_TAGS = 256
BANNER_PACKETS = 3
"""How many packets of the main video stream are searched for an encoder banner."""

_BANNERS = (
    (re.compile(rb"x264 - core \d+[^\x00]{0,80}"), "x264"),
    (re.compile(rb"x265 \(build \d+\)[^\x00]{0,80}"), "x265"),
    (re.compile(rb"HandBrake [^\x00]{1,60}"), "HandBrake"),
    (re.compile(rb"Lavc\d+\.\d+\.\d+[^\x00]{0,40}"), "Lavc"),
)
_ISO6709 = re.compile(r"^\s*([+\-]\d+(?:\.\d*)?)([+\-]\d+(?:\.\d*)?)([+\-]\d+(?:\.\d*)?)?")


@dataclass(frozen=True)
class VideoProblem:
    """Why part of a video could not be read: a stable code and a message naming the file."""

    code: str
    message: str


@dataclass
class VideoMetadata:
    """What :func:`read_video_metadata` read. ``groups`` and ``summary`` are JSON-safe."""

    groups: dict[str, Any]
    summary: dict[str, Any]
    problems: list[VideoProblem] = field(default_factory=list)
    video_stream: int | None = None
    """Index of the main video stream (the first with a size), or ``None``."""
    decodable: bool = False
    """Whether the main video stream's codec has a decoder in this FFmpeg build."""

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, **self.groups}


@contextmanager
def open_source(source: str | os.PathLike[str] | bytes | BinaryIO) -> Iterator[
        tuple[BinaryIO, int]]:
    """A seekable binary file object and its size, from a path, bytes or a file object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(bytes(source)), len(source)
        return
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            yield fh, os.fstat(fh.fileno()).st_size
        return
    fh = source
    here = fh.tell()
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(here)
    yield fh, size


def _tag_dict(tags: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in list(dict(tags).items())[:MAX_TAGS]:
        out[str(k)[:128]] = str(v).replace("\x00", "")[:MAX_TAG_TEXT].strip()
    return out


def _rate(value: Any) -> float | None:
    try:
        if value is None or not value.denominator:
            return None
        out = float(value.numerator) / float(value.denominator)
    except (AttributeError, TypeError, ZeroDivisionError):
        return None
    return round(out, 3) if math.isfinite(out) and out > 0 else None


def _seconds(value: int | None, time_base: Any) -> float | None:
    if value is None or time_base is None:
        return None
    try:
        return round(float(value * time_base), 3)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def iso6709(value: Any) -> dict[str, float | None] | None:
    """An ISO 6709 position (``+32.0929+034.8620+028.516/``; degrees, or degrees-minutes
    ``+4012.3-07400.5`` and degrees-minutes-seconds forms) as ``{lat, lon, alt}``."""
    m = _ISO6709.match(str(value or ""))
    if not m:
        return None

    def part(raw: str, deg_digits: int) -> float:
        sign = -1.0 if raw[0] == "-" else 1.0
        body = raw[1:]
        whole = body.split(".")[0]
        frac = float("0." + body.split(".")[1]) if "." in body and body.split(".")[1] else 0.0
        n = len(whole)
        if n <= deg_digits:
            return sign * (int(whole) + frac)
        if n <= deg_digits + 2:
            d, mi = int(whole[:deg_digits]), int(whole[deg_digits:]) + frac
            return sign * (d + mi / 60)
        d, mi, s = int(whole[:deg_digits]), int(whole[deg_digits:deg_digits + 2]), int(
            whole[deg_digits + 2:]) + frac
        return sign * (d + mi / 60 + s / 3600)

    try:
        lat, lon = part(m.group(1), 2), part(m.group(2), 3)
        alt = float(m.group(3)) if m.group(3) else None
    except ValueError:
        return None
    return {"lat": round(lat, 7), "lon": round(lon, 7),
            "alt": round(alt, 3) if alt is not None else None}


def _banner(container: Any, stream: Any) -> dict[str, str] | None:
    """The encoder banner in the first packets of ``stream`` (x264/x265 SEI text...)."""
    try:
        container.seek(0)
    except Exception:  # noqa: BLE001 - some inputs cannot seek; read from where we are
        pass
    seen = 0
    try:
        for packet in container.demux(stream):
            if packet.size:
                raw = bytes(packet)
                for pattern, name in _BANNERS:
                    m = pattern.search(raw)
                    if m:
                        txt = m.group(0).decode("latin-1").strip()
                        return {"library": name, "text": txt[:200]}
                seen += 1
            if seen >= BANNER_PACKETS:
                break
    except Exception:  # noqa: BLE001 - a damaged packet: no banner, the rest still read
        return None
    return None


def _stream_group(stream: Any) -> dict[str, Any]:
    cc = stream.codec_context
    out: dict[str, Any] = {
        "index": stream.index, "type": stream.type,
        "codec": getattr(cc, "name", None) if cc is not None else None,
        "codec_long_name": None, "profile": None,
        "time_base": str(stream.time_base) if stream.time_base is not None else None,
        "start_s": _seconds(stream.start_time, stream.time_base),
        "duration_s": _seconds(stream.duration, stream.time_base),
        "frames": int(stream.frames or 0) or None,
        "bit_rate": getattr(cc, "bit_rate", None) or None,
        "tags": _tag_dict(stream.metadata),
    }
    try:
        out["codec_long_name"] = cc.codec.long_name if cc is not None else None
    except Exception:  # noqa: BLE001 - no decoder for this codec in the build
        out["codec_long_name"] = None
    try:
        out["profile"] = stream.profile
    except Exception:  # noqa: BLE001
        pass
    if stream.type == "video":
        out.update({
            "width": (cc.width or None) if cc is not None else None,
            "height": (cc.height or None) if cc is not None else None,
            "pix_fmt": cc.pix_fmt if cc is not None else None,
            "frame_rate": _rate(stream.average_rate),
            "guessed_rate": _rate(stream.guessed_rate),
            "sample_aspect_ratio": str(stream.sample_aspect_ratio)
            if stream.sample_aspect_ratio else None})
    elif stream.type == "audio":
        out.update({"sample_rate": getattr(cc, "sample_rate", None),
                    "channels": getattr(cc, "channels", None)})
    return out


def _clean_boxes(boxes: dict[str, Any]) -> dict[str, Any]:
    out = dict(boxes)
    out["xmp"] = [len(x) for x in boxes.get("xmp", [])]
    return out


def _from_xmp(packets: list[bytes]) -> dict[str, Any] | None:
    if not packets:
        return None
    try:
        parsed = parse_xmp(packets[0])
    except Exception as exc:  # noqa: BLE001 - parse_xmp reports, but be safe on hostile XML
        return {"error": str(exc)[:200], "properties": {}}
    parsed["packets"] = len(packets)
    return parsed


def read_video_metadata(source: str | os.PathLike[str] | bytes | BinaryIO, *, path: str,
                        media_type: str) -> VideoMetadata:
    """Read a video's metadata (see the module notes). ``path`` names the file in messages;
    ``media_type`` is the sniffed type (MP4/MOV/3GP boxes are walked for those)."""
    groups: dict[str, Any] = {"Format": None, "Streams": {}, "QuickTime": None,
                              "XMP": None}
    problems: list[VideoProblem] = []
    boxes: dict[str, Any] | None = None
    video_index: int | None = None
    decodable = False
    with open_source(source) as (fh, size):
        if media_type in ISO_BMFF_TYPES:
            try:
                boxes = read_boxes(fh, size)
            except BoxReadError as exc:
                problems.append(VideoProblem("corrupt_video", f"{path}: {exc}"))
            if boxes is not None:
                groups["QuickTime"] = _clean_boxes(boxes)
                groups["XMP"] = _from_xmp(boxes["xmp"])
                if boxes["moov"] is None:
                    cut = any(b["truncated"] for b in boxes["boxes"])
                    problems.append(VideoProblem("truncated", (
                        f"{path}: the file has no moov box (the index a player needs to find "
                        "the frames)" + (", and its last box runs past the end of the file: "
                                         "the recording or the copy was cut short"
                                         if cut else ""))))
        fh.seek(0)
        container = None
        try:
            import av

            container = av.open(fh, mode="r", metadata_errors="replace")
        except Exception as exc:  # noqa: BLE001 - PyAV raises FFmpegError subclasses & OSError
            if not any(p.code == "truncated" for p in problems):
                kind = type(exc).__name__
                code = "truncated" if "EOF" in kind else "corrupt_video"
                why = ("the file ends before FFmpeg finds its streams" if code == "truncated"
                       else f"FFmpeg cannot read it as {media_type} ({kind}: {exc})")
                problems.append(VideoProblem(code, f"{path}: {why}"[:400]))
        if container is not None:
            try:
                groups["Format"] = {
                    "format": container.format.name,
                    "format_long_name": container.format.long_name,
                    "duration_s": round(container.duration / 1_000_000, 3)
                    if container.duration else None,
                    "start_s": round(container.start_time / 1_000_000, 3)
                    if container.start_time else None,
                    "bit_rate": container.bit_rate or None,
                    "tags": _tag_dict(container.metadata)}
                groups["Streams"] = {str(s.index): _stream_group(s) for s in container.streams}
                video = [s for s in container.streams.video
                         if s.codec_context is not None and s.codec_context.width]
                if not video:
                    video = list(container.streams.video)
                attached = [s for s in video if int(s.disposition) & 0x400]  # attached picture
                main = next((s for s in video if s not in attached), None)
                if main is None:
                    problems.append(VideoProblem("no_video_stream", (
                        f"{path}: the file holds no video stream ("
                        + (", ".join(s.type for s in container.streams) or "no stream")
                        + "); its metadata was read")))
                else:
                    video_index = main.index
                    codec_name = getattr(main.codec_context, "name", None)
                    try:
                        import av

                        av.codec.Codec(codec_name, "r")
                        decodable = True
                    except Exception:  # noqa: BLE001 - unknown or decoder-less codec
                        decodable = False
                    if not decodable:
                        qt_tracks = (boxes or {}).get("tracks") or []
                        entry = next((t.get("sample_entry") for t in qt_tracks
                                      if (t.get("hdlr") or {}).get("handler_type") == "vide"),
                                     None)
                        problems.append(VideoProblem("unsupported_codec", (
                            f"{path}: the video codec {codec_name or entry or 'unknown'!r}"
                            " has no decoder in this FFmpeg build: no frame can be decoded; "
                            "its metadata was read")))
                    else:
                        banner = _banner(container, main)
                        if banner:
                            groups["Streams"][str(main.index)]["encoder_banner"] = banner
            finally:
                container.close()
    summary = summarise_video(groups, video_index)
    return VideoMetadata(groups=groups, summary=summary, problems=problems,
                         video_stream=video_index, decodable=decodable)


def _first(*values: Any) -> Any:
    for v in values:
        if v not in (None, "", {}):
            return v
    return None


def _gps_from(value: Any, source: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    pos = value if isinstance(value, dict) else iso6709(value)
    if pos is None:
        return None, {"source": source, "reason": "invalid",
                      "why": NO_POSITION_REASONS["invalid"], "values": {"raw": str(value)}}
    reason = usable_position(pos.get("lat"), pos.get("lon"))
    if reason:
        return None, {"source": source, "reason": reason, "why": NO_POSITION_REASONS[reason],
                      "values": dict(pos)}
    return {"lat": pos["lat"], "lon": pos["lon"], "alt": pos.get("alt")}, None


def _video_date(raw: Any) -> str | None:
    """A container date (ISO 8601 with ``+0300`` or ``Z``, or ``YYYY:MM:DD HH:MM:SS``)."""
    if raw in (None, ""):
        return None
    s = str(raw).strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*"
                 r"(Z|[+\-]\d{2}:?\d{2})?$", s)
    if m:
        base = m.group(1).replace(" ", "T")
        if len(base) == 16:
            base += ":00"
        off = m.group(2)
        if off == "Z":
            return base + "+00:00"
        norm = normalise_offset(off) if off else None
        return base + (norm or "")
    return xmp_datetime(s)


_ORIENTATION = {(0, False): 1, (90, False): 6, (180, False): 3, (270, False): 8,
                (0, True): 2, (90, True): 7, (180, True): 4, (270, True): 5}


def summarise_video(groups: dict[str, Any], video_index: int | None) -> dict[str, Any]:
    """``metadata.summary`` of a video from its groups (keys as for stills, plus
    ``duration_s``, ``codec``, ``frame_rate``). Sources in order of trust:

    * make/model: Apple keys, ``(c)mak``/``(c)mod``, Android keys, Samsung ``manu``/``modl``,
      XMP ``tiff:Make``; a GoPro is named by its ``FIRM`` atom / handler names, a Pentax by
      the text that starts its ``TAGS`` atom;
    * duration_s: as the ``mvhd`` declares it, else as FFmpeg measures the streams;
    * software: Apple key, ``(c)swr``, GoPro firmware, else the ``encoder`` tag (``(c)too``);
    * datetime_original: Apple ``creationdate`` (with its offset), ``udta date``, ``(c)day``,
      XMP ``exif:DateTimeOriginal``/``xmp:CreateDate``, then the ``mvhd`` creation time
      (naive: UTC by specification, local on many cameras), then FFmpeg's
      ``creation_time``/``date`` tags for other containers (Matroska ``DateUTC``, AVI
      ``IDIT``);
    * gps: Apple ``location.ISO6709`` key, ``(c)xyz``, 3GPP ``loci``, XMP.
    """
    qt = groups.get("QuickTime") or {}
    keys = qt.get("keys") or {}
    udta = qt.get("udta") or {}
    ilst = qt.get("ilst") or {}
    ctags = (groups.get("Format") or {}).get("tags") or {}
    props = (groups.get("XMP") or {}).get("properties") or {}
    streams = groups.get("Streams") or {}
    vs = streams.get(str(video_index)) if video_index is not None else None
    handlers = " ".join(str((t.get("hdlr") or {}).get("name") or "")
                        for t in qt.get("tracks") or [])
    firm = _first(udta.get("FIRM"), ctags.get("firmware"))
    gopro = "GoPro" if (isinstance(firm, str) and re.match(r"^H[DX]\d", firm)) or (
        "GoPro" in handlers) else None

    make = _first(keys.get("com.apple.quicktime.make"), udta.get("©mak"), ctags.get("make"),
                  keys.get("com.android.manufacturer"), udta.get("manu"),
                  props.get("tiff:Make"), gopro, (udta.get("TAGS") or {}).get("text")
                  if isinstance(udta.get("TAGS"), dict) else None)
    model = _first(keys.get("com.apple.quicktime.model"), udta.get("©mod"), ctags.get("model"),
                   keys.get("com.android.model"), udta.get("modl"), props.get("tiff:Model"))
    software = _first(keys.get("com.apple.quicktime.software"), udta.get("©swr"),
                      keys.get("com.android.version") and
                      f"Android {keys.get('com.android.version')}",
                      firm if isinstance(firm, str) else None, props.get("xmp:CreatorTool"),
                      ilst.get("©too"), udta.get("©too"), ctags.get("encoder"))

    dto, src = None, None
    for value, where in (
            (keys.get("com.apple.quicktime.creationdate"),
             "QuickTime:Keys:com.apple.quicktime.creationdate"),
            (udta.get("date"), "QuickTime:UserData:date"),
            (udta.get("©day"), "QuickTime:UserData:©day"),
            (ilst.get("©day"), "QuickTime:ItemList:©day"),
            (props.get("exif:DateTimeOriginal"), "XMP:exif:DateTimeOriginal"),
            (props.get("xmp:CreateDate"), "XMP:xmp:CreateDate"),
            ((qt.get("mvhd") or {}).get("creation_time"), "QuickTime:mvhd.creation_time"),
            (None if qt else ctags.get("creation_time"), "Format:creation_time"),
            (None if qt else ctags.get("date"), "Format:date")):
        got = _video_date(value) if isinstance(value, str) else None
        if got and len(got) >= 19:
            dto, src = got, where
            break

    gps, unusable = None, None
    for value, where in ((keys.get("com.apple.quicktime.location.ISO6709"),
                          "QuickTime:Keys:com.apple.quicktime.location.ISO6709"),
                         (udta.get("©xyz") or ctags.get("location"), "QuickTime:UserData:©xyz"),
                         (udta.get("loci") if isinstance(udta.get("loci"), dict)
                          and "lat" in udta.get("loci", {}) else None,
                          "QuickTime:UserData:loci")):
        if value in (None, ""):
            continue
        gps, bad = _gps_from(value, where)
        if gps:
            unusable = None
            break
        unusable = unusable or bad

    rotation, mirrored = None, False
    tracks = qt.get("tracks") or []
    vtrack = next((t for t in tracks if (t.get("hdlr") or {}).get("handler_type") == "vide"),
                  None)
    if vtrack and vtrack.get("tkhd"):
        rotation = vtrack["tkhd"].get("rotation")
        mirrored = bool(vtrack["tkhd"].get("mirrored"))
    return {
        "make": make, "model": model, "software": software,
        "datetime_original": dto, "datetime_original_source": src,
        "gps": gps, "gps_unusable": unusable,
        "width": vs.get("width") if vs else None, "height": vs.get("height") if vs else None,
        "orientation": _ORIENTATION.get((rotation, mirrored)) if rotation is not None else None,
        "duration_s": _first((qt.get("mvhd") or {}).get("duration_s"),
                             (groups.get("Format") or {}).get("duration_s")),
        "codec": vs.get("codec") if vs else None,
        "frame_rate": vs.get("frame_rate") if vs else None,
    }
