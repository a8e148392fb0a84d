"""Coverage-guided fuzzing of the intake and metadata layer with atheris (libFuzzer).

Usage::

    python -m benchmarks.fuzz --seconds 60 [--target intake|metadata|jpeg|xmp|case|track|all]
                              [--corpus DIR] [--out DIR] [--jobs 2]
    python -m benchmarks.fuzz --target metadata --replay FILE [FILE ...]

Each target is a function taking the fuzzer's bytes (see :data:`TARGETS`):

``intake``
    the bytes as an evidence file on a RAM disk: :func:`forensics.intake.read_evidence`
    (SHA-256, size, byte sniffing by :mod:`forensics.sniff`), then the whole metadata-only scan
    :func:`forensics.scan.scan_file` with ``checks=()`` (decode, every metadata block), and the
    item serialised as the reports serialise it (``json.dumps(..., allow_nan=False)``).
``metadata``
    :func:`forensics.metadata.extract_metadata` through the shared analysis context (marker
    walk, Pillow open, EXIF, XMP, IPTC, ICC, PNG text, JPEG tables, C2PA, summary), no pixel
    decode; the ``metadata`` dict must be JSON as the contract writes it.
``jpeg``
    the JPEG marker walk (:func:`forensics.metadata.jpeg.walk_segments`), the DQT parser and
    encoder identification (:mod:`forensics.editing.jpeg_tables`), the quality estimate and the
    APP1 XMP / extended-XMP reassembly.
``xmp``
    :func:`forensics.metadata.xmp.read_xmp` on raw bytes (packet search, defusedxml parse),
    XMP history / digital-source-type helpers and the XMP side of the summary.
``case``
    the bytes as a ``case.yaml``: :func:`forensics.case.casefile.load_case`.
``track``
    :func:`forensics.tracks.parse.parse_track` (GPX, KML, KMZ, CSV, GeoJSON) and
    :func:`forensics.tracks.analyse.analyse_track` against the demo case's target, site and window.
``navlog``
    the flight-log readers through :func:`forensics.tracks.parse.parse_track` (DataFlash, tlog,
    ULog, NMEA, missions, DJI SRT, typed by their bytes) and the sensor measurements of the
    fabrication signs (:mod:`forensics.tracks.sensors`, :func:`forensics.tracks.authenticity.
    smoothness`); the results must be JSON. Seeds: the heads of the corpus's navlog files and
    of the generated logs of :mod:`samples.navunit`.

An exception other than the target's documented error type (``IntakeError``,
``CaseFileError``, ``TrackError``; the metadata, JPEG and XMP readers never raise), a broken
invariant (``AssertionError``), an input that runs past the per-input time limit or a crash of
the interpreter is a *finding*: the input is saved under ``--out`` and its path printed. Each
target runs in its own subprocess (``atheris.Fuzz()`` ends the process), restarted for the rest
of its time after a timeout or crash, so the driver prints one summary line per target.
Failures in code the harness's author may not change are listed in :data:`OWNED_ELSEWHERE`:
they are saved and printed as ``known`` but do not count as findings. Saved inputs rerun with
``--replay`` (no atheris needed); inputs slower than :data:`SLOW_INPUT_S` are listed too.

Only the project's ``forensics`` package is instrumented for coverage (``--instrument`` adds
other packages, e.g. ``exifread``). Seeds: the demo samples (``samples.generate.build_samples``),
small files synthesised here (every metadata block the readers know), and the first bytes of
the files in ``../shared/corpus/exif`` when that folder exists; a libFuzzer dictionary per
target (:data:`DICTIONARIES`) supplies markers, chunk and field names and calendar-edge dates.

The summary gives per target: wall seconds, executions, executions/s, libFuzzer coverage
(``cov``: instrumented edges, ``ft``: features), corpus size, peak RSS and the findings; the
``RESULT`` lines are meant to be parsed. Exit status: 0 when no target had a finding, 1 when
one did, 2 when atheris is not installed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_EXIF = ROOT.parent / "shared" / "corpus" / "exif"

TARGETS = ("intake", "metadata", "jpeg", "xmp", "case", "track", "navlog")
SEED_GROUP = {"intake": "files", "metadata": "images", "jpeg": "jpeg", "xmp": "xmp",
              "case": "case", "track": "track", "navlog": "navlog"}
MAX_LEN = {"intake": 65536, "metadata": 65536, "jpeg": 32768, "xmp": 16384, "case": 16384,
           "track": 16384, "navlog": 32768}
"""Largest input, bytes, the fuzzer builds per target (seeds are cut to it)."""
INPUT_TIMEOUT_S = 10
"""One input running longer than this (seconds) is a hang finding (libFuzzer ``-timeout``)."""
SLOW_INPUT_S = 2
"""Inputs slower than this (seconds) are reported (libFuzzer ``-report_slow_units``)."""
RSS_LIMIT_MB = 3072
"""A worker whose resident memory passes this (MB) is an out-of-memory finding."""
MAX_RESTARTS = 20

# Demo-case geometry used by the track target (the values of samples.generate).
_TARGET = {"name": "Residence", "lat": 61.5265, "lon": 34.1930}
_SITE = {"name": "Airfield", "lat": 61.2693, "lon": 33.8600}


# --------------------------------------------------------------------------------------------
# Targets: each takes bytes; documented errors are in Target.expected, the rest are findings.
# --------------------------------------------------------------------------------------------

_SCRATCH: Path | None = None


def _scratch() -> Path:
    """A private folder on a RAM disk (``/dev/shm`` when there is one) for file targets."""
    global _SCRATCH
    if _SCRATCH is None:
        given = os.environ.get("PROVENANCE_FUZZ_SCRATCH")
        if given:
            _SCRATCH = Path(given)
            _SCRATCH.mkdir(parents=True, exist_ok=True)
        else:
            _SCRATCH = Path(tempfile.mkdtemp(prefix="provenance-fuzz-", dir=_ram_disk()))
    return _SCRATCH


def _ram_disk() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _strict_json(obj: Any) -> str:
    """Serialise exactly as the reports do (no NaN/Infinity, lone surrogates escaped)."""
    return json.dumps(obj, ensure_ascii=True, allow_nan=False)


_INTAKE_EXT = (".jpg", ".png", ".heic", ".tif", ".webp", ".gif", ".txt", "")


def fuzz_intake(data: bytes) -> None:
    from provenancekit.forensics.intake import read_evidence
    from provenancekit.forensics.model import EMPTY_SUMMARY
    from provenancekit.forensics.scan import scan_file
    from provenancekit.forensics.sniff import SNIFF_BYTES, extension_agrees, sniff_media_type

    path = str(_scratch() / ("evidence" + _INTAKE_EXT[len(data) % len(_INTAKE_EXT)]))
    with open(path, "wb") as fh:
        fh.write(data)
    sniffed = sniff_media_type(data[:SNIFF_BYTES])
    assert isinstance(sniffed, str) and "/" in sniffed, sniffed
    if data:
        item, got = read_evidence(path)
        assert got == data
        assert item.size == len(data)
        assert item.sha256 == hashlib.sha256(data).hexdigest()
        assert item.media_type == sniffed
        assert isinstance(extension_agrees(item.media_type, item.extension_media_type), bool)
    result = scan_file(path, checks=())
    doc = result.to_dict()
    _strict_json(doc)
    assert doc["path"] == path
    assert doc["status"] in ("ok", "error")
    # every summary has the stills' keys; a video's adds duration_s, codec, frame_rate
    extra = set(doc["metadata"]["summary"]) - set(EMPTY_SUMMARY)
    assert set(EMPTY_SUMMARY) <= set(doc["metadata"]["summary"]), doc["metadata"]["summary"]
    assert extra <= {"duration_s", "codec", "frame_rate"}, extra
    if doc["error"] is not None:
        assert doc["status"] == "error"
        assert path in doc["error"]["message"], doc["error"]
    if not data:
        assert doc["error"]["code"] == "empty_file"


def fuzz_metadata(data: bytes) -> None:
    from provenancekit.forensics.context import AnalysisContext
    from provenancekit.forensics.model import EMPTY_SUMMARY, EvidenceItem, _jsonable
    from provenancekit.forensics.sniff import SNIFF_BYTES, sniff_media_type

    item = EvidenceItem(path="fuzz-input", sha256=hashlib.sha256(data).hexdigest(),
                        size=len(data), media_type=sniff_media_type(data[:SNIFF_BYTES]))
    ctx = AnalysisContext(item, data)
    ctx.jpeg  # noqa: B018 - the marker walk, as scan_file runs it first
    ctx.image_or_none  # noqa: B018
    md = ctx.metadata
    out = md.to_dict()
    _strict_json(_jsonable(out))
    summary = out["summary"]
    assert set(summary) == set(EMPTY_SUMMARY), summary
    gps = summary["gps"]
    if gps is not None:
        assert -90 <= gps["lat"] <= 90 and -180 <= gps["lon"] <= 180, gps
    assert summary["orientation"] in (None, *range(1, 9)), summary["orientation"]


def fuzz_jpeg(data: bytes) -> None:
    from provenancekit.forensics.editing.jpeg_tables import identify_tables, read_dqt
    from provenancekit.forensics.metadata.jpeg import estimate_quality, walk_segments
    from provenancekit.forensics.metadata.xmp import jpeg_xmp_packets

    info = walk_segments(data)
    _strict_json(info)
    for seg in info["segments"]:
        assert 0 <= seg["offset"] < len(data), seg
    dqt = read_dqt(data)
    for table in dqt["tables"].values():
        assert len(table) == 64, table
    ident = identify_tables(dqt["segments"], dqt["sampling"], dqt["tables"])
    _strict_json(ident)
    assert ident["family"] in ("ijg_standard", "editor", "camera", "custom", "none"), ident
    if dqt["tables"]:
        q = estimate_quality(dqt["tables"])
        assert q is None or 1 <= q["quality"] <= 100, q
    for packet in jpeg_xmp_packets(data, info["segments"]):
        assert isinstance(packet, bytes)


def fuzz_xmp(data: bytes) -> None:
    from provenancekit.forensics.metadata.summary import summarise
    from provenancekit.forensics.metadata.xmp import (
        digital_source_types,
        history,
        parse_xmp,
        read_xmp,
    )

    out = read_xmp(data)
    parsed = parse_xmp(data)
    assert "error" in parsed or isinstance(parsed["properties"], dict)
    for result in (out, parsed):
        if result is None:
            continue
        _strict_json(result)
        props = result.get("properties", {})
        history(props)
        digital_source_types(props)
        summary = summarise({}, props, None)
        _strict_json(summary)


def fuzz_case(data: bytes) -> None:
    from provenancekit.forensics.case.casefile import load_case

    folder = _scratch() / "case"
    if not folder.is_dir():
        folder.mkdir()
        for name in ("photo.jpg", "known.sqlite", "anchors.pem", "track.gpx"):
            (folder / name).write_bytes(b"x")
    path = folder / "case.yaml"
    path.write_bytes(data)
    case = load_case(path)
    assert case.claim.text and case.evidence, case


def fuzz_track(data: bytes) -> None:
    from datetime import datetime, timedelta, timezone

    from provenancekit.forensics.tracks import analyse_track, parse_track
    from provenancekit.forensics.tracks.geo import valid_latlon
    from provenancekit.forensics.tracks.times import Window

    name = "track.csv" if len(data) % 2 else "track.geojson"
    track = parse_track(name, data)
    assert track.points
    for p in track.points:
        assert valid_latlon(p.lat, p.lon), p
    tz = timezone(timedelta(hours=3))
    window = Window(datetime(2025, 12, 29, 21, tzinfo=tz), datetime(2025, 12, 30, 3, tzinfo=tz))
    result = analyse_track(track, target=_TARGET, sites=[_SITE], window=window)
    _strict_json(result)


def fuzz_navlog(data: bytes) -> None:
    from provenancekit.forensics.tracks import parse_track
    from provenancekit.forensics.tracks import sensors as s
    from provenancekit.forensics.tracks.authenticity import smoothness
    from provenancekit.forensics.tracks.geo import valid_latlon

    track = parse_track("unit.log", data)
    for p in track.points:
        assert valid_latlon(p.lat, p.lon), p
    st = track.sensors or {}
    _strict_json({"integrity": track.integrity, "vehicle": track.vehicle,
                  "events": list(track.events), "problems": list(track.problems),
                  "mission": [m.to_dict() for m in track.mission],
                  "smooth": smoothness(track.points),
                  "alt": s.altitude_agreement(st.get("gnss"), st.get("baro")),
                  "quality": s.gnss_quality(st.get("gnss")),
                  "clock": s.clock_drift(st.get("clock")),
                  "gaps": s.timeline_gaps(st.get("timeline"), gap_s=2.0)})


@dataclass(frozen=True)
class Target:
    fn: Callable[[bytes], None]
    expected: tuple[str, ...]
    """Qualified names of the documented error types (resolved inside the worker)."""


TARGET_FUNCS: dict[str, Target] = {
    "intake": Target(fuzz_intake, ("provenancekit.forensics.errors.IntakeError",)),
    "metadata": Target(fuzz_metadata, ()),
    "jpeg": Target(fuzz_jpeg, ()),
    "xmp": Target(fuzz_xmp, ()),
    "case": Target(fuzz_case, ("provenancekit.forensics.case.casefile.CaseFileError",)),
    "track": Target(fuzz_track, ("provenancekit.forensics.tracks.parse.TrackError",)),
    "navlog": Target(fuzz_navlog, ("provenancekit.forensics.tracks.parse.TrackError",)),
}

_TARGET_MODULES = {
    "intake": ("provenancekit.forensics.intake", "provenancekit.forensics.scan",
               "provenancekit.forensics.sniff", "provenancekit.forensics.model"),
    "metadata": ("provenancekit.forensics.context", "provenancekit.forensics.metadata",
                 "provenancekit.forensics.model", "provenancekit.forensics.sniff"),
    "jpeg": ("provenancekit.forensics.metadata.jpeg", "provenancekit.forensics.editing.jpeg_tables",
             "provenancekit.forensics.metadata.xmp"),
    "xmp": ("provenancekit.forensics.metadata.xmp", "provenancekit.forensics.metadata.summary"),
    "case": ("provenancekit.forensics.case.casefile",),
    "track": ("provenancekit.forensics.tracks.parse", "provenancekit.forensics.tracks.times"),
    "navlog": ("provenancekit.forensics.tracks.mavlink", "provenancekit.forensics.tracks.ulog",
               "provenancekit.forensics.tracks.nmea", "provenancekit.forensics.tracks.missions",
               "provenancekit.forensics.tracks.dji", "provenancekit.forensics.tracks.sensors",
               "provenancekit.forensics.tracks.authenticity"),
}


def _resolve(qualname: str) -> type[BaseException]:
    module, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module), name)


OWNED_ELSEWHERE: dict[tuple[str, str], str] = {}
"""Known failures in code this harness's author may not change, keyed by (file, function) of
the innermost project frame: still saved and printed (as ``known``), but not counted as new
findings, so the CI run stays green until the owner fixes them. Each one has a strict
``xfail`` test in ``tests/adversarial/test_fuzz_regressions.py``: remove both with the fix."""


def _frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame in the project's ``forensics`` package (else the innermost)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/forensics/" in f.filename.replace("\\", "/")]
    return (ours or frames or [None])[-1]


def _signature(exc: BaseException) -> str:
    """``Type@file:function:line`` of the innermost project frame."""
    frame = _frame(exc)
    if frame is None:
        return type(exc).__name__
    rel = frame.filename.replace("\\", "/")
    rel = rel.split("/forensics/", 1)[1] if "/forensics/" in rel else rel.rsplit("/", 1)[-1]
    return f"{type(exc).__name__}@{rel}:{frame.name}:{frame.lineno}"


def owned_elsewhere(exc: BaseException) -> str | None:
    """The :data:`OWNED_ELSEWHERE` note for a failure in code owned by someone else."""
    frame = _frame(exc)
    if frame is None or "/forensics/" not in frame.filename.replace("\\", "/"):
        return None
    return OWNED_ELSEWHERE.get((Path(frame.filename).name, frame.name))


def _run_one(target: Target, expected: tuple[type[BaseException], ...],
             data: bytes) -> BaseException | None:
    """Run the target once: ``None`` when it passed or raised a documented error."""
    try:
        target.fn(data)
    except expected:
        return None
    except Exception as exc:  # noqa: BLE001 - anything else is what we are looking for
        return exc
    return None


# --------------------------------------------------------------------------------------------
# Worker: one target under libFuzzer (a subprocess of the driver)
# --------------------------------------------------------------------------------------------


def _worker(args: argparse.Namespace) -> None:
    import atheris

    warnings.simplefilter("ignore")
    include = ["forensics", *[m for m in (args.instrument or "").split(",") if m]]
    with atheris.instrument_imports(include=include):
        for module in _TARGET_MODULES[args.worker]:
            importlib.import_module(module)
    target = TARGET_FUNCS[args.worker]
    expected = tuple(_resolve(q) for q in target.expected)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seen = set(Path(args.known).read_text().split()) if args.known else set()

    def one_input(data: bytes) -> None:
        exc = _run_one(target, expected, data)
        if exc is None:
            return
        sig = _signature(exc)
        if sig in seen:
            return
        seen.add(sig)
        known = owned_elsewhere(exc)
        kind = "known" if known else "finding"
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()[:12]
        stem = f"{kind}-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", sig) + f"-{digest}"
        path = out / f"{stem}.bin"
        path.write_bytes(data)
        (out / f"{stem}.txt").write_text(
            f"target: {args.worker}\nsignature: {sig}\ninput: {len(data)} bytes\n"
            + (f"known, owned elsewhere: {known}\n" if known else "") + "\n"
            + "".join(traceback.format_exception(exc)), encoding="utf-8")
        print(f"FUZZ-{kind.upper()} {sig} {path}", file=sys.stderr, flush=True)

    corpora = [args.work_corpus, *args.seed_dirs]
    extra = [f"-dict={args.dict}"] if args.dict else []
    argv = [sys.argv[0], *corpora, *extra, f"-max_total_time={args.seconds}",
            f"-max_len={MAX_LEN[args.worker]}", f"-timeout={INPUT_TIMEOUT_S}",
            f"-report_slow_units={SLOW_INPUT_S}", f"-rss_limit_mb={RSS_LIMIT_MB}",
            f"-artifact_prefix={out}{os.sep}", "-print_final_stats=1"]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


# --------------------------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------------------------

XMP_PACKET = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
 xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
 xmlns:stRef="http://ns.adobe.com/xap/1.0/sType/ResourceRef#"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
 xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
 xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
 xmp:CreatorTool="Adobe Photoshop 25.0 (Windows)" xmp:ModifyDate="2025-12-31T10:02:03+03:00"
 xmp:CreateDate="2025-12-29T23:47" exif:DateTimeOriginal="2025-12-29T23:47:12.5+03:00"
 exif:GPSLatitude="61,31.32N" exif:GPSLongitude="34,11.0448E" exif:GPSAltitude="147900/1000"
 exif:GPSAltitudeRef="1" tiff:Make="Canon" tiff:Model="Canon EOS 90D" tiff:Orientation="6"
 photoshop:DateCreated="2025-12-29" xmpMM:DocumentID="xmp.did:0001"
 Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia">
<xmpMM:History><rdf:Seq>
 <rdf:li rdf:parseType="Resource"><stEvt:action>created</stEvt:action>
  <stEvt:when>2025-12-29T23:47:12+03:00</stEvt:when>
  <stEvt:softwareAgent>Canon EOS 90D Firmware 1.1.1</stEvt:softwareAgent></rdf:li>
 <rdf:li><rdf:Description stEvt:action="saved" stEvt:when="2025-12-31T10:02:03+03:00"
  stEvt:softwareAgent="Adobe Photoshop 25.0 (Windows)" stEvt:changed="/"/></rdf:li>
</rdf:Seq></xmpMM:History>
<xmpMM:DerivedFrom rdf:parseType="Resource"><stRef:documentID>xmp.did:0000</stRef:documentID>
</xmpMM:DerivedFrom>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Wreckage &lt;b&gt;</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>Press service</rdf:li></rdf:Seq></dc:creator>
<dc:subject><rdf:Bag><rdf:li>drone</rdf:li><rdf:li>wreckage</rdf:li></rdf:Bag></dc:subject>
<plus:DigitalSourceType
 rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic"/>
<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li Iptc4xmpExt:City="Nowhere"/></rdf:Bag>
</Iptc4xmpExt:LocationShown>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""

XMP_VARIANTS = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
    b' xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" GCamera:MicroVideo="1"/>'
    b"</rdf:RDF>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
    b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&b;</dc:title>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/">&e;</x:xmpmeta>',
)


def _pixels(w: int, h: int, seed: int = 0) -> Any:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 // max(1, w - 1), yy * 255 // max(1, h - 1),
                     (xx + yy) * 127 // max(1, w + h - 2)], axis=-1)
    noise = rng.integers(-20, 21, (h, w, 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def _exif(*, thumbnail: bool = True) -> bytes:
    import piexif

    thumb = io.BytesIO()
    _pixels(8, 6, 1).save(thumb, "JPEG", quality=70)
    exif = {
        "0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS 90D",
                piexif.ImageIFD.Software: b"Adobe Photoshop 25.0 (Windows)",
                piexif.ImageIFD.DateTime: b"2025:12:31 10:02:03",
                piexif.ImageIFD.Orientation: 6, piexif.ImageIFD.XResolution: (300, 1),
                piexif.ImageIFD.ImageDescription: b"<script>alert(1)</script>",
                piexif.ImageIFD.Artist: b"Press service", piexif.ImageIFD.Copyright: b"(c)"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2025:12:29 23:47:12",
                 piexif.ExifIFD.DateTimeDigitized: b"2025:12:29 23:47:12",
                 piexif.ExifIFD.OffsetTimeOriginal: b"+03:00",
                 piexif.ExifIFD.SubSecTimeOriginal: b"42",
                 piexif.ExifIFD.ExposureTime: (1, 60), piexif.ExifIFD.FNumber: (28, 10),
                 piexif.ExifIFD.ISOSpeedRatings: 3200,
                 piexif.ExifIFD.UserComment: b"ASCII\x00\x00\x00released by the ministry",
                 piexif.ExifIFD.MakerNote: b"Nikon\x00\x02\x10\x00\x00MM\x00*\x00\x00\x00\x08"
                                           + b"\x00" * 24,
                 piexif.ExifIFD.PixelXDimension: 16, piexif.ExifIFD.PixelYDimension: 12},
        "GPS": {piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((61, 1), (31, 1), (1919, 100)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((34, 1), (11, 1), (260, 100)),
                piexif.GPSIFD.GPSAltitudeRef: 0, piexif.GPSIFD.GPSAltitude: (147900, 1000),
                piexif.GPSIFD.GPSTimeStamp: ((20, 1), (47, 1), (12, 1)),
                piexif.GPSIFD.GPSDateStamp: b"2025:12:29"},
        "Interop": {piexif.InteropIFD.InteroperabilityIndex: b"R98"},
        "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0,
                piexif.ImageIFD.JPEGInterchangeFormatLength: 0} if thumbnail else {},
        "thumbnail": thumb.getvalue() if thumbnail else None,
    }
    return piexif.dump(exif)


def _iptc_app13() -> bytes:
    def ds(num: int, value: bytes) -> bytes:
        return b"\x1c\x02" + bytes([num]) + len(value).to_bytes(2, "big") + value

    iim = (ds(0, b"\x00\x04") + ds(120, b"Wreckage near the residence <img src=x>")
           + ds(80, b"Ministry photographer") + ds(55, b"20251229") + ds(60, b"234712+0300")
           + ds(25, b"drone") + ds(25, b"strike") + ds(65, b"Photoshop"))
    if len(iim) % 2:
        iim += b"\x00"
    block = b"8BIM\x04\x04\x00\x00" + len(iim).to_bytes(4, "big") + iim
    body = b"Photoshop 3.0\x00" + block
    return b"\xff\xed" + (len(body) + 2).to_bytes(2, "big") + body


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body


def _icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _synth_images() -> dict[str, bytes]:
    """Small files carrying every metadata block the readers know, in every format."""
    from PIL import Image, PngImagePlugin

    out: dict[str, bytes] = {}
    im = _pixels(16, 12)
    exif, icc = _exif(), _icc()

    def save(fmt: str, image: Any = im, **kw: Any) -> bytes:
        buf = io.BytesIO()
        image.save(buf, fmt, **kw)
        return buf.getvalue()

    # JPEG: EXIF + thumbnail, ICC, XMP, extended XMP, IPTC, COM, DRI.
    base = save("JPEG", quality=90, exif=exif, icc_profile=icc)
    guid = hashlib.md5(XMP_PACKET, usedforsecurity=False).hexdigest().upper().encode()
    ext_id = b"http://ns.adobe.com/xmp/extension/\x00"
    half = len(XMP_PACKET) // 2
    ext = b"".join(_segment(0xE1, ext_id + guid + len(XMP_PACKET).to_bytes(4, "big")
                            + off.to_bytes(4, "big") + chunk)
                   for off, chunk in ((half, XMP_PACKET[half:]), (0, XMP_PACKET[:half])))
    extra = (_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP_PACKET) + ext
             + _iptc_app13() + _segment(0xFE, "caption: <b>wreck</b> é".encode())
             + _segment(0xDD, b"\x00\x04"))
    out["full.jpg"] = base[:2] + extra + base[2:]
    out["progressive_gray.jpg"] = save("JPEG", image=im.convert("L"), progressive=True,
                                       quality=75, exif=_exif(thumbnail=False))
    out["444_q100.jpg"] = save("JPEG", quality=100, subsampling=0, comment=b"hello")
    out["422.jpg"] = save("JPEG", quality=50, subsampling=1, exif=exif)
    out["polyglot.jpg"] = out["444_q100.jpg"] + b"PK\x03\x04" + b"\x00" * 26
    out["cmyk.jpg"] = save("JPEG", image=im.convert("CMYK"), quality=80)
    # PNG: text chunks (generator parameters), iTXt XMP, eXIf, iCCP; 16-bit; palette; APNG.
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a drone, snow; Steps: 30, Sampler: Euler a, Model: sdxl")
    info.add_text("Software", "GIMP 2.10")
    info.add_text("Comment", "zipped " * 20, zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode("utf-8"))
    info.add_itxt("Description", "desc <script>", lang="en", tkey="Description")
    out["text.png"] = save("PNG", pnginfo=info, exif=exif, icc_profile=icc)
    out["gray16.png"] = save("PNG", image=im.convert("L").point(lambda v: v * 256, "I")
                             .convert("I;16"))
    pal = im.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    out["palette.png"] = save("PNG", image=pal, transparency=0)
    out["anim.png"] = save("PNG", save_all=True, append_images=[_pixels(16, 12, 2)],
                           duration=100)
    # TIFF: EXIF tags, XMP (700), IPTC (33723), ICC; LZW; multi-page.
    out["tags.tif"] = save("TIFF", exif=exif, icc_profile=icc,
                           tiffinfo={700: XMP_PACKET, 305: "GIMP 2.10"})
    out["lzw.tif"] = save("TIFF", compression="tiff_lzw", save_all=True,
                          append_images=[_pixels(16, 12, 3)])
    # WebP (lossy with EXIF/XMP/ICC, lossless, animated), GIF, BMP.
    out["meta.webp"] = save("WEBP", exif=exif, xmp=XMP_PACKET, icc_profile=icc, quality=60)
    out["lossless.webp"] = save("WEBP", lossless=True)
    out["anim.webp"] = save("WEBP", save_all=True, append_images=[_pixels(16, 12, 4)])
    out["anim.gif"] = save("GIF", save_all=True, append_images=[_pixels(16, 12, 5)],
                           comment=b"gif comment", loop=0)
    out["tiny.bmp"] = save("BMP")
    try:  # HEIF / AVIF through pillow-heif, when its encoders are present
        import pillow_heif

        pillow_heif.register_heif_opener()
        out["meta.heic"] = save("HEIF", exif=exif, xmp=XMP_PACKET, quality=50)
        out["tiny.avif"] = save("AVIF", quality=50)
    except Exception:  # noqa: BLE001 - optional encoders
        pass
    # A PNG whose header claims a huge size (decompression bomb) and a truncated JPEG.
    ihdr = (40000).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    chunk = b"IHDR" + ihdr
    out["bomb.png"] = (b"\x89PNG\r\n\x1a\n" + len(ihdr).to_bytes(4, "big") + chunk
                       + zlib.crc32(chunk).to_bytes(4, "big") + out["palette.png"][33:])
    out["cut.jpg"] = out["full.jpg"][: len(out["full.jpg"]) * 2 // 3]
    return out


_NON_IMAGES = {
    "doc.pdf": b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "arch.zip": b"PK\x03\x04\x14\x00" + b"\x00" * 24 + b"PK\x05\x06" + b"\x00" * 18,
    "clip.mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 16,
    "pic.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "page.html": b"<!doctype html><html><body onload=alert(1)></body></html>",
    "note.txt": "\ufeffplain text, with a comma\nand two lines é".encode(),
    "data.json": b'{"type": "FeatureCollection", "features": []}',
    "jxl.jxl": b"\xff\x0a" + b"\x00" * 30,
}


def _tracks() -> dict[str, bytes]:
    kml = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>Flight</name>
<Placemark><TimeStamp><when>2025-12-29T22:10:00+03:00</when></TimeStamp>
<Point><coordinates>33.86,61.27,150</coordinates></Point></Placemark>
<Placemark><LineString><coordinates>34.0,61.4,100 33.95,61.35 33.86,61.27,120
</coordinates></LineString></Placemark>
<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>33.8,61.2 33.9,61.2 33.9,61.3
 33.8,61.2</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><gx:Track><when>2025-12-29T21:00:00Z</when><when>2025-12-29T21:05:00Z</when>
<gx:coord>34.1 61.5 200</gx:coord><gx:coord>34.0 61.45 190</gx:coord></gx:Track></Placemark>
</Document></kml>"""
    geo = {"type": "FeatureCollection", "name": "nav", "features": [
        {"type": "Feature", "properties": {"coordTimes": [
            "2025-12-29T21:00:00+03:00", "2025-12-29T21:30:00+03:00", "2025-12-29 22:00:00"]},
         "geometry": {"type": "LineString", "coordinates": [
             [34.19, 61.52, 100], [34.0, 61.4, 120], [33.86, 61.27, 150]]}},
        {"type": "Feature", "properties": {"time": "2025:12:29 23:00:00"},
         "geometry": {"type": "Point", "coordinates": [33.9, 61.3]}},
        {"type": "Feature", "properties": {"times": [["2025-12-30T01:00:00Z"]]},
         "geometry": {"type": "MultiLineString", "coordinates": [[[33.9, 61.3, 1, "t"]]]}},
        {"type": "Feature", "properties": None, "geometry": {
            "type": "GeometryCollection", "geometries": [
                {"type": "MultiPoint", "coordinates": [[33.1, 61.1]]},
                {"type": "Polygon", "coordinates": []}]}}]}
    kmz = io.BytesIO()
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
        zf.writestr("files/icon.png", b"\x89PNG\r\n\x1a\n")
    return {
        "flight.kml": kml,
        "flight.kmz": kmz.getvalue(),
        "nav.geojson": json.dumps(geo).encode(),
        "point.geojson": b'{"type": "Point", "coordinates": [33.86, 61.27, 5, "2025-12-29"]}',
        "header.csv": (b"time,lat,lon,ele\n2025-12-29T21:00:00+03:00,61.52,34.19,100\n"
                       b"2025-12-29T21:30:00+03:00,61.40,34.00,\n,bad,row,\n"
                       b"2025-12-30,61.27,33.86,150\n"),
        "semi.csv": b"Latitude;Longitude;Timestamp\n61,5;34,1;x\n61.27;33.86;2025-12-29 23:00\n",
        "bare.csv": b"61.52,34.19,2025-12-29T21:00:00Z\n61.27,33.86,2025-12-29T22:00:00Z\n",
    }


_CASES = {
    "minimal.yaml": b"""version: 1
claim:
  text: "Drones were aimed at the residence"
  author: "Ministry (invented)"
evidence:
  - file: photo.jpg
""",
    "typed.yaml": b"""version: 1
title: A case with YAML dates, aliases and odd values
claim:
  text: &t Drones hit the residence
  author: Ministry
  author_type: Person
  date: 2025-12-30
  appearance:
    - https://example.org/a
    - {url: "javascript:alert(1)", published: 2025-12-30T09:30:00+03:00, title: t}
asserts:
  event: {start: 2025-12-29T21:00:00+03:00, end: "2025-12-30T03:00:00Z"}
  place: {name: *t, lat: 61.5, lon: 34.19, radius_km: 2}
  target: {name: R, lat: -90, lon: 180}
sites: [{name: Airfield, lat: 61.27, lon: 33.86, note: "other services"}]
known_imagery: {index: known.sqlite}
trust_anchors: anchors.pem
evidence:
  - {id: E1, file: photo.jpg, kind: image, obtained_at: 2025-12-30, purports: x}
  - {id: E2, file: track.gpx, kind: track, obtained_from: https://t.me/x}
review:
  reviewer: R
  rating: "false"
  published: 2026-01-05T10:00:00+03:00
  media: {E1: EditedOrCroppedContent}
""",
}


_IMAGE_TOKENS = (
    b"\xff\xd8\xff", b"\xff\xe0", b"\xff\xe1", b"\xff\xe2", b"\xff\xed", b"\xff\xee",
    b"\xff\xdb", b"\xff\xc0", b"\xff\xc2", b"\xff\xc4", b"\xff\xda", b"\xff\xd9", b"\xff\xfe",
    b"\xff\xdd", b"Exif\x00\x00", b"JFIF\x00", b"Adobe", b"MPF\x00", b"ICC_PROFILE\x00",
    b"Photoshop 3.0\x00", b"8BIM", b"\x04\x04", b"\x1c\x02", b"II*\x00", b"MM\x00*",
    b"\x69\x87", b"\x25\x88", b"\x7c\x92", b"\x01\x02", b"\x0f\x01", b"\x32\x01",
    b"\x03\x90", b"\x11\x90", b"Nikon\x00", b"OLYMP\x00", b"Apple iOS\x00",
    b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00",
    b"<x:xmpmeta ", b"</x:xmpmeta>", b"<rdf:RDF ", b"</rdf:RDF>",
    b"\x89PNG\r\n\x1a\n", b"IHDR", b"IDAT", b"IEND", b"tEXt", b"zTXt", b"iTXt", b"eXIf",
    b"iCCP", b"acTL", b"fcTL", b"fdAT", b"caBX", b"parameters", b"XML:com.adobe.xmp",
    b"Raw profile type exif", b"RIFF", b"WEBP", b"VP8 ", b"VP8L", b"VP8X", b"EXIF", b"XMP ",
    b"ICCP", b"ANIM", b"ANMF", b"GIF89a", b"!\xf9\x04", b"!\xfe", b"BM", b"ftyp", b"heic",
    b"avif", b"mif1", b"meta", b"iinf", b"iloc", b"iprp", b"ispe", b"mdat", b"jumb", b"c2pa",
    b"0001:01:01 00:00:00", b"9999:12:31 23:59:59", b"+14:00",
)
_TIME_TOKENS = (b"0001-01-01T00:00:00", b"9999-12-31T23:59:59", b"0000-00-00", b"+14:00",
                b"-12:00", b"+99:99", b"Z", b"2025-02-30", b"T25:61:61", b".999999999")
DICTIONARIES: dict[str, tuple[bytes, ...]] = {
    "files": _IMAGE_TOKENS,
    "images": _IMAGE_TOKENS,
    "jpeg": tuple(t for t in _IMAGE_TOKENS if t.startswith(b"\xff")) + (
        b"\x00\x43\x00", b"\x10", b"\x11\x22\x11", b"http://ns.adobe.com/xap/1.0/\x00",
        b"http://ns.adobe.com/xmp/extension/\x00"),
    "xmp": (b"<!DOCTYPE x [", b"<!ENTITY a ", b"SYSTEM ", b"&a;", b"<?xml version=\"1.0\"?>",
            b"<rdf:li>", b"</rdf:li>", b"<rdf:Seq>", b"<rdf:Bag>", b"<rdf:Alt>",
            b"<rdf:Description ", b'rdf:parseType="Resource"', b'rdf:resource="', b'xml:lang="',
            b"xmlns:", b"xmpMM:History", b"stEvt:action", b"stEvt:when", b"exif:GPSLatitude",
            b"exif:GPSLongitude", b"exif:GPSAltitude", b"exif:DateTimeOriginal",
            b"photoshop:DateCreated", b"tiff:Orientation", b"tiff:Make",
            b"Iptc4xmpExt:DigitalSourceType", b"plus:DigitalSourceType", b"<x:xmpmeta ",
            b"</x:xmpmeta>", b"<rdf:RDF ", b"</rdf:RDF>", b"/0", b"NaN", b"1e999",
            *_TIME_TOKENS),
    "case": (b"&a ", b"*a", b"<<: ", b"!!binary ", b"!!timestamp ", b"!!python/object:os.system",
             b"? ", b"- ", b"~", b".nan", b".inf", b"\"\\0\"", b"version: ", b"claim:",
             b"asserts:", b"event:", b"start: ", b"end: ", b"place:", b"target:", b"lat: ",
             b"lon: ", b"radius_km: ", b"sites:", b"evidence:", b"file: ", b"kind: ", b"id: ",
             b"review:", b"media:", b"rating: ", b"known_imagery:", b"index: ",
             b"trust_anchors: ", b"appearance:", b"published: ", b"obtained_at: ", b"url: ",
             *_TIME_TOKENS),
    "track": (b"<gpx ", b"<trkpt ", b'lat="', b'lon="', b"<time>", b"<ele>", b"<wpt ", b"<rtept ",
              b"<kml ", b"<Placemark>", b"<coordinates>", b"<gx:Track>", b"<gx:coord>",
              b"<when>", b"<LineString>", b"<Point>", b"<LinearRing>", b'{"type": ',
              b'"FeatureCollection"', b'"Feature"', b'"LineString"', b'"MultiLineString"',
              b'"MultiPoint"', b'"GeometryCollection"', b'"geometries"', b'"coordinates"',
              b'"coordTimes"', b'"properties"', b'"features"', b"NaN", b"Infinity", b"1e999",
              b"-0", b"lat,lon,time", b"latitude;longitude", b"<!DOCTYPE x [",
              b"<!ENTITY a ", *_TIME_TOKENS),
    "navlog": (b"\xa3\x95\x80", b"\xa3\x95", b"FMT", b"GPS", b"BARO", b"CMD", b"TimeUS",
               b"QBIHBcLLefffB", b"\xfe", b"\xfd", b"ULog\x01\x12\x35", b"vehicle_gps_position",
               b"vehicle_air_data", b"$GPGGA,", b"$GPRMC,", b"*47", b"QGC WPL 110",
               b'"fileType": "Plan"', b"FrameCnt", b"[latitude", *_TIME_TOKENS),
}
"""libFuzzer dictionaries: tokens the mutator splices in (markers, chunk names, field names,
calendar-edge dates), so structure is reached in seconds rather than hours."""


def _navlogs() -> dict[str, bytes]:
    """Heads of the corpus's flight logs (when present) and of the generated ones."""
    from provenancekit.samples.navunit import dataflash_log, navunit_tlog

    out = {"navunit.tlog": navunit_tlog((61.52, 34.18), (61.27, 33.86))[:65536],
           "arduplane.bin": dataflash_log(seconds=60)[:65536]}
    navlog = ROOT.parent / "shared" / "corpus" / "navlog"
    if navlog.is_dir():
        for f in sorted(navlog.rglob("*")):
            if f.is_file() and "_meta" not in f.parts:
                with f.open("rb") as fh:
                    out[f"shared-{f.parent.name}-{f.name}"] = fh.read(MAX_LEN["navlog"])
    return out


def write_dictionary(path: Path, tokens: tuple[bytes, ...]) -> None:
    """A libFuzzer ``-dict`` file: one ``"token"`` per line, bytes escaped as ``\\xNN``."""
    def esc(token: bytes) -> str:
        return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\x{b:02x}"
                       for b in token)

    path.write_text("".join(f'"{esc(t)}"\n' for t in tokens), encoding="ascii")


def _write(folder: Path, name: str, data: bytes, limit: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data[:limit])


def build_seeds(root: Path, *, shared: bool = True) -> dict[str, Path]:
    """Write the seed corpus of every target group under ``root``; returns group -> folder."""
    from provenancekit.samples.demo import write_case_file
    from provenancekit.samples.generate import build_samples

    groups = {g: root / g for g in set(SEED_GROUP.values())}
    samples_dir = root / "_samples"
    sample_set = build_samples(samples_dir)
    synth = _synth_images()
    image_limit = MAX_LEN["metadata"]
    for sf in sample_set.files:
        data = Path(sf.path).read_bytes()
        if not data:
            continue
        if sf.name.endswith(".gpx"):
            _write(groups["track"], sf.name, data, MAX_LEN["track"])
        else:
            _write(groups["images"], sf.name, data, image_limit)
            if data.startswith(b"\xff\xd8"):
                _write(groups["jpeg"], sf.name, data, MAX_LEN["jpeg"])
        _write(groups["files"], sf.name, data, MAX_LEN["intake"])
    for name, data in synth.items():
        _write(groups["images"], name, data, image_limit)
        _write(groups["files"], name, data, MAX_LEN["intake"])
        if data.startswith(b"\xff\xd8"):
            _write(groups["jpeg"], name, data, MAX_LEN["jpeg"])
    for name, data in _NON_IMAGES.items():
        _write(groups["files"], name, data, MAX_LEN["intake"])
    _write(groups["files"], "one_byte", b"\xff", 1)
    # XMP: the packets of the images, the synthetic packet and its hostile variants.
    from provenancekit.forensics.metadata.xmp import find_packets

    for folder in (groups["images"],):
        for f in sorted(folder.iterdir()):
            for i, packet in enumerate(find_packets(f.read_bytes())):
                _write(groups["xmp"], f"{f.stem}-{i}.xmp", packet, MAX_LEN["xmp"])
    _write(groups["xmp"], "synthetic.xmp", XMP_PACKET, MAX_LEN["xmp"])
    for i, variant in enumerate(XMP_VARIANTS):
        _write(groups["xmp"], f"variant-{i}.xmp", variant, MAX_LEN["xmp"])
    for name, data in _tracks().items():
        _write(groups["track"], name, data, MAX_LEN["track"])
    for name, data in _navlogs().items():
        _write(groups["navlog"], name, data, MAX_LEN["navlog"])
    case_path = write_case_file(samples_dir, sample_set, None)
    _write(groups["case"], "demo.yaml", case_path.read_bytes(), MAX_LEN["case"])
    for name, data in _CASES.items():
        _write(groups["case"], name, data, MAX_LEN["case"])
    if shared and SHARED_EXIF.is_dir():
        for f in sorted(SHARED_EXIF.rglob("*")):
            if f.is_file() and "_meta" not in f.parts:
                with f.open("rb") as fh:
                    head = fh.read(image_limit)
                stem = f"shared-{f.parent.name}-{f.name}"
                _write(groups["images"], stem, head, image_limit)
                _write(groups["files"], stem, head, MAX_LEN["intake"])
                if head.startswith(b"\xff\xd8"):
                    _write(groups["jpeg"], stem, head, MAX_LEN["jpeg"])
    shutil.rmtree(samples_dir, ignore_errors=True)
    for group, tokens in DICTIONARIES.items():
        write_dictionary(root / f"{group}.dict", tokens)
    return groups


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

_STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+.*?"
                     r"exec/s: (\d+) rss: (\d+)Mb")
_FINAL = re.compile(r"^stat::(\w+):\s+(\d+)")
_ARTIFACT = re.compile(r"(?:Test unit written to|artifact_prefix='[^']*'; Test unit "
                       r"written to) (\S+)")


@dataclass
class TargetRun:
    target: str
    seconds: float = 0.0
    executions: int = 0
    cov: int = 0
    ft: int = 0
    corpus: int = 0
    peak_rss_mb: int = 0
    seeds: int = 0
    restarts: int = 0
    findings: list[tuple[str, str]] = field(default_factory=list)
    """(kind or exception signature, saved input path)."""
    known: list[tuple[str, str]] = field(default_factory=list)
    """Failures in code owned elsewhere (:data:`OWNED_ELSEWHERE`), not counted as findings."""
    slow: list[str] = field(default_factory=list)
    log_tail: str = ""

    @property
    def execs_per_s(self) -> float:
        return self.executions / self.seconds if self.seconds > 0 else 0.0


def _parse_log(text: str, run: TargetRun) -> tuple[int, list[tuple[str, str]]]:
    """Executions of one worker run and the libFuzzer artifacts (crash/timeout/oom) it wrote."""
    execs = 0
    artifacts: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _STATUS.match(line)
        if m:
            execs = max(execs, int(m[1]))
            run.cov, run.ft, run.corpus = int(m[3]), int(m[4]), int(m[5])
            run.peak_rss_mb = max(run.peak_rss_mb, int(m[7]))
            continue
        m = _FINAL.match(line)
        if m and m[1] == "number_of_executed_units":
            execs = max(execs, int(m[2]))
        elif m and m[1] == "peak_rss_mb":
            run.peak_rss_mb = max(run.peak_rss_mb, int(m[2]))
        m = _ARTIFACT.search(line)
        if m:
            path = m[1]
            kind = Path(path).name.split("-", 1)[0]
            if kind == "slow":
                run.slow.append(path)
            else:
                artifacts.append((kind, path))
        if line.startswith(("FUZZ-FINDING ", "FUZZ-KNOWN ")):
            tag, sig, path = line.split(" ", 2)
            (run.known if tag == "FUZZ-KNOWN" else run.findings).append((sig, path))
    return execs, artifacts


def run_target(target: str, seconds: int, seed_dir: Path, work_dir: Path, out_dir: Path, *,
               instrument: str = "", verbose: bool = False) -> TargetRun:
    """Fuzz one target for ``seconds`` in subprocesses (restarted after a crash or hang)."""
    run = TargetRun(target, seeds=sum(1 for _ in seed_dir.iterdir()))
    work_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    known = out_dir / ".known-signatures"
    known.write_text("")
    start = time.monotonic()
    deadline = start + seconds
    scratch = Path(tempfile.mkdtemp(prefix=f"provenance-fuzz-{target}-", dir=_ram_disk()))
    env = dict(os.environ, PYTHONWARNINGS="ignore", PROVENANCE_FUZZ_SCRATCH=str(scratch))
    try:
        _fuzz_loop(run, target, deadline, work_dir, out_dir, known, seed_dir, instrument,
                   env, verbose)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return run


def _fuzz_loop(run: TargetRun, target: str, deadline: float, work_dir: Path, out_dir: Path,
               known: Path, seed_dir: Path, instrument: str, env: dict[str, str],
               verbose: bool) -> None:
    while True:
        remaining = int(round(deadline - time.monotonic()))
        if remaining < 1 and (run.executions or run.restarts):
            break
        cmd = [sys.executable, "-m", "benchmarks.fuzz", "--worker", target,
               "--seconds", str(max(1, remaining)), "--out", str(out_dir),
               "--work-corpus", str(work_dir), "--known", str(known),
               "--instrument", instrument, "--dict", str(seed_dir.parent / f"{seed_dir.name}.dict"),
               "--seed-dirs", str(seed_dir)]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              errors="replace", timeout=max(1, remaining) + 300, check=False)
        run.seconds += time.monotonic() - t0
        log = proc.stdout + proc.stderr
        if verbose:
            sys.stderr.write(log)
        execs, artifacts = _parse_log(log, run)
        run.executions += execs
        run.findings.extend(artifacts)
        known.write_text("\n".join(sig for sig, _ in run.findings + run.known))
        run.log_tail = "\n".join(log.splitlines()[-15:])
        if proc.returncode == 0:
            break
        if not artifacts:  # died without libFuzzer saying why: report, do not loop
            run.findings.append((f"worker-exit-{proc.returncode}", "(see log below)"))
            break
        run.restarts += 1
        if run.restarts > MAX_RESTARTS:
            break


def replay(target: str, files: list[str]) -> int:
    """Run saved inputs through a target without atheris; 1 when any still fails."""
    warnings.simplefilter("ignore")
    spec = TARGET_FUNCS[target]
    expected = tuple(_resolve(q) for q in spec.expected)
    failed = 0
    scratch = Path(tempfile.mkdtemp(prefix="provenance-fuzz-replay-", dir=_ram_disk()))
    os.environ["PROVENANCE_FUZZ_SCRATCH"] = str(scratch)
    try:
        failed = _replay_files(spec, expected, files)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


def _replay_files(spec: Target, expected: tuple[type[BaseException], ...],
                  files: list[str]) -> int:
    failed = 0
    for name in files:
        data = Path(name).read_bytes()
        t0 = time.perf_counter()
        exc = _run_one(spec, expected, data)
        dt = time.perf_counter() - t0
        if exc is None:
            print(f"ok    {name} ({len(data)} bytes, {dt:.3f} s)")
        else:
            failed += 1
            note = owned_elsewhere(exc)
            print(f"FAIL  {name} ({len(data)} bytes, {dt:.3f} s): {_signature(exc)}"
                  + (f" (known, owned elsewhere: {note})" if note else ""))
            traceback.print_exception(exc)
    return failed


def _print_summary(runs: list[TargetRun]) -> None:
    print()
    print(f"{'target':<9} {'seconds':>7} {'executions':>11} {'exec/s':>8} {'cov':>6} {'ft':>7} "
          f"{'corpus':>7} {'rss MB':>7} {'restarts':>8} {'findings':>8}")
    for r in runs:
        print(f"{r.target:<9} {r.seconds:>7.1f} {r.executions:>11} {r.execs_per_s:>8.1f} "
              f"{r.cov:>6} {r.ft:>7} {r.corpus:>7} {r.peak_rss_mb:>7} {r.restarts:>8} "
              f"{len(r.findings):>8}")
    for r in runs:
        print(f"RESULT target={r.target} seconds={r.seconds:.1f} executions={r.executions} "
              f"execs_per_s={r.execs_per_s:.1f} cov={r.cov} ft={r.ft} seeds={r.seeds} "
              f"corpus={r.corpus} peak_rss_mb={r.peak_rss_mb} restarts={r.restarts} "
              f"slow={len(r.slow)} known={len(r.known)} findings={len(r.findings)}")
        for sig, path in r.findings:
            print(f"  finding [{r.target}] {sig}: {path}")
        for sig, path in r.known:
            print(f"  known, owned elsewhere [{r.target}] {sig}: {path}")
        for path in r.slow:
            print(f"  slow input (> {SLOW_INPUT_S} s) [{r.target}]: {path}")
        if r.findings and r.findings[-1][0].startswith("worker-exit"):
            print("  last worker output:\n    " + r.log_tail.replace("\n", "\n    "))
    total = sum(len(r.findings) for r in runs)
    print(f"TOTAL executions={sum(r.executions for r in runs)} findings={total}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=60, help="fuzzing time per target")
    ap.add_argument("--target", default="all", choices=(*TARGETS, "all"))
    ap.add_argument("--corpus", help="keep each target's working corpus in DIR/<target> "
                                     "(reused and grown by later runs); default: a temp dir")
    ap.add_argument("--out", help="folder for findings (crashing inputs and tracebacks); "
                                  "default: a new temp dir")
    ap.add_argument("--jobs", type=int, default=1, help="targets fuzzed at once")
    ap.add_argument("--instrument", default="",
                    help="comma-separated extra packages to instrument (e.g. exifread)")
    ap.add_argument("--no-shared-corpus", action="store_true",
                    help="do not seed from ../shared/corpus/exif")
    ap.add_argument("--replay", nargs="+", metavar="FILE",
                    help="run these saved inputs through --target (no atheris needed)")
    ap.add_argument("--verbose", action="store_true", help="echo libFuzzer's output")
    # worker-only options
    ap.add_argument("--worker", choices=TARGETS, help=argparse.SUPPRESS)
    ap.add_argument("--work-corpus", help=argparse.SUPPRESS)
    ap.add_argument("--seed-dirs", nargs="*", default=[], help=argparse.SUPPRESS)
    ap.add_argument("--known", help=argparse.SUPPRESS)
    ap.add_argument("--dict", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.replay:
        if args.target == "all":
            ap.error("--replay needs one --target")
        return replay(args.target, args.replay)
    if importlib.util.find_spec("atheris") is None:
        print("benchmarks.fuzz: the 'atheris' package is not installed; install it with "
              "`pip install atheris` (Linux x86-64 wheels for CPython 3.11-3.13, also in the "
              "'dev' extra) and run again.", file=sys.stderr)
        return 2
    if args.worker:
        _worker(args)
        return 0
    if args.seconds < 1:
        ap.error("--seconds must be at least 1")

    targets = list(TARGETS) if args.target == "all" else [args.target]
    tmp = Path(tempfile.mkdtemp(prefix="provenance-fuzz-"))
    out_root = Path(args.out) if args.out else tmp / "findings"
    corpus_root = Path(args.corpus) if args.corpus else tmp / "corpus"
    try:
        t0 = time.monotonic()
        groups = build_seeds(tmp / "seeds", shared=not args.no_shared_corpus)
        print(f"seeds built in {time.monotonic() - t0:.1f} s: " + ", ".join(
            f"{g} {sum(1 for _ in p.iterdir())}" for g, p in sorted(groups.items())))
        print(f"fuzzing {', '.join(targets)} for {args.seconds} s each "
              f"(findings go to {out_root})", flush=True)

        def one(target: str) -> TargetRun:
            run = run_target(target, args.seconds, groups[SEED_GROUP[target]],
                             corpus_root / target, out_root / target,
                             instrument=args.instrument, verbose=args.verbose)
            print(f"  {target}: {run.executions} executions in {run.seconds:.1f} s, "
                  f"{len(run.findings)} findings", flush=True)
            return run

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            runs = list(pool.map(one, targets))
    finally:
        shutil.rmtree(tmp / "seeds", ignore_errors=True)
        if not args.corpus:
            shutil.rmtree(tmp / "corpus", ignore_errors=True)
        saved = [p for p in out_root.rglob("*") if p.is_file() and not p.name.startswith(".")]
        if not args.out and not saved:
            shutil.rmtree(tmp, ignore_errors=True)  # nothing worth keeping
    _print_summary(runs)
    return 1 if any(r.findings for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
