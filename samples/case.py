"""The demo case: the claim, and the script that writes its evidence files.

The story
=========

A government says a drone swarm tried to strike its leader's residence. It releases photos
of wreckage in the snow and a "recovered navigation unit" whose data "point to the
residence". Other services say the drones were aimed at a military site. Every name and
coordinate below is invented; the points sit in empty forest and are not meant to match any
real residence or base.

* :data:`CLAIMED_PLACE` / :data:`CLAIMED_TARGET`: the "Residence at Lake Verkhneye", the
  place where the claim puts both the target and the wreckage.
* :data:`MILITARY_SITE`: "Kamenny Bor airfield", about 33 km south-west of the residence.
* :data:`EVENT_WINDOW`: the night of the alleged attack, 2025-12-29 21:00 to 2025-12-30
  03:00 local time (+03:00). At 61.5 deg N in late December this is full darkness, so the
  photos that claim to be from that night are flash-lit night shots.

The files
=========

``build_samples(out_dir)`` writes these into ``out_dir/evidence/``; each
:class:`SampleFile` carries the finding codes (or item error codes) a scanner should raise.

1. ``IMG_0412.jpg``: the camera original that fits the claim. Canon EOS 90D EXIF (no JFIF
   segment, as cameras write it), DateTimeOriginal 2025-12-29 23:47:12 +03:00, GPS about
   0.3 km from the residence with a UTC GPS time stamp three hours earlier, MakerNote, and
   an IFD1 thumbnail made from the same pixels. Quality 92, 4:2:0. Expected: nothing.
2. ``wreckage_edited.jpg``: the same scene family, first saved by the camera, then
   re-opened, given an extra pasted fuselage section with a stencil marking, and re-saved at
   quality 85 by "Adobe Photoshop 25.0 (Windows)". EXIF DateTime is two days after
   DateTimeOriginal, an XMP packet carries CreatorTool, ModifyDate, DocumentID and an
   ``xmpMM:History`` sequence, and the EXIF thumbnail still shows the unedited picture.
   Expected: ``metadata.software_edited``, ``metadata.date_inconsistent``,
   ``metadata.thumbnail_mismatch``.
3. ``far_away.jpg``: a Samsung SM-S918B phone photo taken inside the event window whose GPS
   is about 830 km from the claimed place (gps_far_from_claim: the place comparison is a
   later issue, so nothing is expected yet).
4. ``recycled_2019.jpg``: a daylight Nikon D7500 photo of wreckage whose DateTimeOriginal
   is 2019-02-14, years before the event (the timeline check is a later issue, so nothing
   is expected yet).
5. ``ai_render.png``: a clean 1024x1024 render with a Stable-Diffusion style
   ``parameters`` text chunk and an XMP packet declaring IPTC DigitalSourceType
   ``trainedAlgorithmicMedia``. Expected: ``metadata.ai_generated``.
6. ``statement_photo.png``: the "recovered navigation unit" photo. Its bytes are a JPEG
   (with Sony camera EXIF) although the name says PNG. Expected:
   ``metadata.extension_mismatch``.
7. ``stripped.jpg``: a wreckage photo as a social network re-serves it: resized to 1080 px,
   quality 78, JFIF header, no EXIF at all. Expected: ``metadata.exif_absent``.
8. ``nav_unit_track.gpx``: the navigation unit's exported GPX 1.1 track (creator
   "NavUnit-7 export", 30 points inside the event window) flying in from the south-west;
   its last point lies within 1 km of the military site and about 33 km from the residence,
   which the track never approaches. Expected: ``track.summary`` from a plain scan (the
   case report's navigation assessment places it against the claim).
9. ``empty_upload.jpg``: zero bytes, a failed upload. Expected: ``empty_file``.
11. ``nav_unit.tlog``: the unit's own MAVLink 2 telemetry log (what a ground station records:
   mission upload, GPS with a receiver's noise, barometer, system time): the mission it was
   sent is programmed to the military site, and its flown track ends there. Expected:
   ``track.summary``, ``track.mission``; the case report says where it was sent and where
   it went, each in km from the residence and the airfield.

Determinism
===========

Each file draws from its own ``numpy`` generator seeded with ``(seed, file number)``, every
timestamp and identifier is fixed or derived from the seed, and nothing reads the clock or
the file system outside ``out_dir``. Two builds with the same seed in the same environment
give byte-identical files; other Pillow/libjpeg/OpenCV builds may encode slightly different
bytes.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from provenancekit.forensics.tracks.geo import destination, haversine_km

from .camera import (
    CANON_TABLES,
    NIKON_TABLES,
    PHOTOSHOP_Q8_TABLES,
    SAMSUNG_TABLES,
    SONY_TABLES,
    ai_xmp,
    camera_exif,
    gps_ifd,
    jpeg_bytes,
    photoshop_xmp,
    thumbnail,
)
from .edits import paste_fuselage, plant_clone
from .navunit import navunit_geometry, navunit_tlog
from .scene import nav_unit_scene, snowfield
from .tracks import gpx_track

# --------------------------------------------------------------------------------------------
# The claim (all names and places invented)
# --------------------------------------------------------------------------------------------

CLAIMED_PLACE_NAME = "Residence at Lake Verkhneye"
CLAIMED_PLACE: tuple[float, float] = (61.52, 34.18)
"""(lat, lon) of the place the released photos are said to show."""

CLAIMED_TARGET_NAME = CLAIMED_PLACE_NAME
CLAIMED_TARGET: tuple[float, float] = CLAIMED_PLACE
"""(lat, lon) of what the claim says the drones were aimed at: the residence itself."""

MILITARY_SITE_NAME = "Kamenny Bor airfield"
MILITARY_SITE: tuple[float, float] = (61.27, 33.86)
"""(lat, lon) of the alternative target named by other services, ~33 km from the residence."""

EVENT_WINDOW: tuple[str, str] = ("2025-12-29T21:00:00+03:00", "2025-12-30T03:00:00+03:00")
"""ISO 8601 start and end of the alleged attack, local time (+03:00)."""

CLAIM_TEXT = (
    "On the night of 29-30 December 2025 a drone swarm attempted to strike the "
    f"{CLAIMED_PLACE_NAME}. Photos show the wreckage in the snow by the residence, and data "
    "from a recovered navigation unit point to the residence as the target."
)

_LOCAL = timezone(timedelta(hours=3))


# --------------------------------------------------------------------------------------------
# Public data model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleFile:
    """One generated evidence file and what a scanner is expected to say about it."""

    name: str
    path: Path
    purpose: str
    expect: tuple[str, ...]
    """Stable finding codes (or item error codes) a scanner should raise for this file."""
    pending: tuple[str, ...] = ()
    """Finding-code prefixes that checks of concurrent issues (known imagery, editing) should
    raise once they are registered, e.g. ``copy_move.`` for the planted clone."""
    truth: dict[str, object] = field(default_factory=dict)
    """Ground truth of what was planted (e.g. clone source/target boxes in pixels)."""


@dataclass(frozen=True)
class SampleSet:
    """The generated evidence folder."""

    evidence_dir: Path
    files: tuple[SampleFile, ...]

    def get(self, name: str) -> SampleFile:
        """The sample called ``name`` (``KeyError`` if there is none)."""
        for sample in self.files:
            if sample.name == name:
                return sample
        raise KeyError(name)


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


def file_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of file number ``index``: each file draws from its own."""
    return np.random.default_rng([seed, index])


def recycled_scene(rng: np.random.Generator) -> np.ndarray:
    """The daylight 2019 scene of sample 4, also the archive's earlier publication of it."""
    return snowfield(rng, 1200, 800, night=False, wrecks=2, noise=2.0)


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=_LOCAL)


def build_samples(out_dir: str | os.PathLike[str], *, seed: int = 7) -> SampleSet:
    """Write the demo evidence into ``out_dir/evidence/`` and describe it.

    Deterministic: the same ``seed`` in the same environment gives byte-identical files.
    Nothing is written outside ``out_dir``; existing files of the same names are replaced.
    """
    evidence = Path(out_dir) / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    files: list[SampleFile] = []

    def emit(name: str, data: bytes, purpose: str, expect: tuple[str, ...] = (), *,
             pending: tuple[str, ...] = (), truth: dict[str, object] | None = None) -> None:
        path = evidence / name
        path.write_bytes(data)
        files.append(SampleFile(name=name, path=path, purpose=purpose, expect=expect,
                                pending=pending, truth=dict(truth or {})))

    near = destination(CLAIMED_PLACE, 35.0, 0.3)

    # 1. camera original consistent with the claim
    rng = file_rng(seed, 1)
    rgb = snowfield(rng, 1600, 1200, night=True, wrecks=2)
    taken = _local(2025, 12, 29, 23, 47, 12)
    exif = camera_exif(
        rgb=rgb, rng=rng, make="Canon", model="Canon EOS 90D", taken=taken, subsec="38",
        exposure=(1, 60), fnumber=(56, 10), iso=3200, focal=(35, 1), flash=9,
        lens="EF-S18-135mm f/3.5-5.6 IS USM", gps=gps_ifd(*near, 148.6, taken),
        thumb=thumbnail(rgb))
    original_rgb = rgb
    emit("IMG_0412.jpg", jpeg_bytes(rgb, exif=exif, camera=True, tables=CANON_TABLES),
         "Camera original that fits the claim: Canon EOS 90D, taken 2025-12-29 23:47 +03:00 "
         f"inside the event window, GPS ~0.3 km from the {CLAIMED_PLACE_NAME}, thumbnail "
         "matches. A clean control: nothing alarming.")

    # 2. edited in Photoshop, stale thumbnail, re-saved at another quality
    rng = file_rng(seed, 2)
    original = snowfield(rng, 1600, 1200, night=True, wrecks=1)
    thumb = thumbnail(original)
    first_save = np.asarray(Image.open(io.BytesIO(jpeg_bytes(original,
                                                               tables=CANON_TABLES))))
    edited = paste_fuselage(first_save, rng)
    taken = _local(2025, 12, 29, 23, 52, 40)
    modified = _local(2025, 12, 31, 23, 58, 3)
    exif = camera_exif(
        rgb=edited, rng=rng, make="Canon", model="Canon EOS 90D", taken=taken, subsec="21",
        exposure=(1, 60), fnumber=(56, 10), iso=3200, focal=(24, 1), flash=9,
        lens="EF-S18-135mm f/3.5-5.6 IS USM", software="Adobe Photoshop 25.0 (Windows)",
        modified=modified, gps=gps_ifd(*destination(near, 120.0, 0.05), 147.9, taken),
        thumb=thumb)
    emit("wreckage_edited.jpg",
         jpeg_bytes(edited, exif=exif, xmp=photoshop_xmp(rng, taken, modified),
                     tables=PHOTOSHOP_Q8_TABLES, subsampling=0, one_dqt=True),
         "Same scene family, edited: a fuselage section with a stencil marking was pasted in and "
         "the file re-saved by Adobe Photoshop 25.0 (its 'Save As' quality 8 quantization "
         "tables, 4:4:4) two days after it was taken (EXIF Software and DateTime, XMP "
         "CreatorTool and xmpMM:History). The EXIF thumbnail still shows the unedited picture.",
         ("metadata.software_edited", "metadata.date_inconsistent",
          "metadata.thumbnail_mismatch"), pending=("jpeg.editor_tables_with_camera_exif",))

    # 3. phone photo inside the window but ~830 km away
    rng = file_rng(seed, 3)
    rgb = snowfield(rng, 1200, 900, night=True, wrecks=1)
    taken = _local(2025, 12, 30, 0, 18, 55)
    far = (57.80, 47.00)
    exif = camera_exif(
        rgb=rgb, rng=rng, make="samsung", model="SM-S918B", taken=taken, subsec="412",
        exposure=(1, 25), fnumber=(17, 10), iso=1600, focal=(63, 10), flash=25,
        software="S918BXXU3BWK5", gps=gps_ifd(*far, 163.0, taken), thumb=thumbnail(rgb))
    dist = haversine_km(far, CLAIMED_PLACE)
    emit("far_away.jpg", jpeg_bytes(rgb, exif=exif, camera=True, tables=SAMSUNG_TABLES),
         "Phone photo (samsung SM-S918B) taken inside the event window, but its GPS is "
         f"{dist:.0f} km from the {CLAIMED_PLACE_NAME}: the case report's place assessment "
         "(case.place_far_from_claim) says so; a plain scan has nothing to compare it with.",
         truth={"distance_km": round(dist, 1)})

    # 4. recycled daylight photo from 2019
    rng = file_rng(seed, 4)
    rgb = recycled_scene(rng)
    taken = _local(2019, 2, 14, 13, 22, 5)
    exif = camera_exif(
        rgb=rgb, rng=rng, make="NIKON CORPORATION", model="NIKON D7500", taken=taken,
        subsec="60", exposure=(1, 500), fnumber=(80, 10), iso=200, focal=(50, 1), flash=16,
        lens="18.0-140.0 mm f/3.5-5.6", thumb=thumbnail(rgb))
    emit("recycled_2019.jpg", jpeg_bytes(rgb, exif=exif, camera=True, tables=NIKON_TABLES),
         "Recycled daylight photo: Nikon D7500 EXIF dates it 2019-02-14, years before the "
         "event, and the sample known-imagery index (build_archive) holds the same picture "
         "as published on 2019-02-15. The case report's timeline says it cannot show the "
         "event (case.first_seen_before_event / case.time_before_event).",
         pending=("known_image.match",))

    # 5. AI render with generator parameters and IPTC digital source type
    rng = file_rng(seed, 5)
    rgb = snowfield(rng, 1024, 1024, night=False, wrecks=1, noise=0.0, blur=1.4, footprints=False)
    rgb = np.clip(rgb.astype(np.float32) * 1.04 - 4, 0, 255).astype(np.uint8)  # glossy contrast
    info = PngInfo()
    info.add_text("parameters",
                  "drone wreckage in snow, photorealistic\n"
                  "Negative prompt: blurry, lowres, text, watermark\n"
                  "Steps: 30, Sampler: Euler a, CFG scale: 7, Seed: 12345, Size: 1024x1024, "
                  "Model: sdxl")
    info.add_itxt("XML:com.adobe.xmp", ai_xmp())
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG", pnginfo=info)
    emit("ai_render.png", buf.getvalue(),
         "AI render: PNG with a Stable-Diffusion 'parameters' text chunk (prompt, sampler, "
         "seed, model sdxl) and XMP IPTC DigitalSourceType trainedAlgorithmicMedia.",
         ("metadata.ai_generated",))

    # 6. JPEG bytes behind a .png name
    rng = file_rng(seed, 6)
    rgb = nav_unit_scene(rng, 1200, 900)
    taken = _local(2025, 12, 30, 2, 41, 30)
    exif = camera_exif(
        rgb=rgb, rng=rng, make="SONY", model="ILCE-7M3", taken=taken, subsec="705",
        exposure=(1, 125), fnumber=(80, 10), iso=800, focal=(55, 1), flash=9,
        lens="FE 24-105mm F4 G OSS", thumb=thumbnail(rgb))
    emit("statement_photo.png", jpeg_bytes(rgb, exif=exif, camera=True, tables=SONY_TABLES),
         "The 'recovered navigation unit' statement photo: the bytes are a JPEG (Sony ILCE-7M3 "
         "EXIF) although the name says .png.",
         ("metadata.extension_mismatch",))

    # 7. social-network copy of IMG_0412: resized, recompressed, EXIF stripped
    small = cv2.resize(original_rgb, (1080, 810), interpolation=cv2.INTER_AREA)
    emit("stripped.jpg", jpeg_bytes(small, quality=78),
         "IMG_0412.jpg as a social network re-serves it: resized to 1080 px, quality 78, "
         "JFIF header and no EXIF at all. Released as a separate photo, it is the same "
         "picture (known_image.duplicate_in_release once the index check runs).",
         ("metadata.exif_absent",), pending=("known_image.duplicate_in_release",))

    # 8. the navigation unit's track
    rng = file_rng(seed, 8)
    track, last = gpx_track(rng, MILITARY_SITE)
    to_site, to_target = haversine_km(last, MILITARY_SITE), haversine_km(last, CLAIMED_TARGET)
    emit("nav_unit_track.gpx", track,
         "GPX 1.1 track exported from the 'recovered navigation unit' (creator NavUnit-7 "
         f"export): 30 fixes inside the event window ending {to_site:.1f} km from the "
         f"{MILITARY_SITE_NAME} and {to_target:.0f} km from the residence it supposedly points "
         "to. A plain scan summarises it (track.summary: points, times, km, end point); the "
         "case report's navigation assessment places it against the claim "
         "(track.ends_near_site, track.misses_target).",
         ("track.summary",), truth={"end": list(last), "end_to_site_km": round(to_site, 2),
                                         "end_to_target_km": round(to_target, 1)})

    # 9. failed upload
    emit("empty_upload.jpg", b"", "Zero-byte file from a failed upload.", ("empty_file",))

    # 10. a wreck cloned within the picture; camera-like metadata, Canon tables
    rng = file_rng(seed, 10)
    rgb = snowfield(rng, 1600, 1200, night=True, wrecks=1)
    cloned, src_box, dst_box = plant_clone(rgb, rng)
    taken = _local(2025, 12, 30, 0, 4, 51)
    exif = camera_exif(
        rgb=cloned, rng=rng, make="Canon", model="Canon EOS 90D", taken=taken, subsec="66",
        exposure=(1, 60), fnumber=(56, 10), iso=3200, focal=(28, 1), flash=9,
        lens="EF-S18-135mm f/3.5-5.6 IS USM",
        gps=gps_ifd(*destination(near, 300.0, 0.08), 148.1, taken), thumb=thumbnail(cloned))
    emit("wreckage_cloned.jpg", jpeg_bytes(cloned, exif=exif, camera=True, tables=CANON_TABLES),
         "A second wreck that is a copy of the first: a wreckage region was cloned to another "
         "place in the same picture (feathered edge), then the file was written with camera "
         "metadata and Canon tables, so only a pixel check (copy-move) can tell.",
         pending=("copy_move.",), truth={"clone_source": src_box, "clone_target": dst_box})

    # 11. the navigation unit's own telemetry log (MAVLink 2, as a ground station records it)
    geo = navunit_geometry(MILITARY_SITE, MILITARY_SITE, seed)
    tlog_end = geo["end"]
    assert isinstance(tlog_end, tuple)
    emit("nav_unit.tlog", navunit_tlog(MILITARY_SITE, MILITARY_SITE, seed=seed),
         "MAVLink 2 telemetry log of the 'recovered navigation unit' (pymavlink encoding, a "
         "receiver's noise, barometer, mission upload handshake): its programmed mission's "
         f"destination is the {MILITARY_SITE_NAME}, "
         f"{haversine_km(MILITARY_SITE, CLAIMED_TARGET):.0f} km from the residence, and the "
         f"flown track ends {haversine_km(tlog_end, MILITARY_SITE):.1f} km from it. The case "
         "report states both (track.mission_to_site, track.mission_misses_target).",
         ("track.summary", "track.mission"),
         truth={"mission_destination": list(MILITARY_SITE), "end": list(tlog_end)})

    return SampleSet(evidence_dir=evidence, files=tuple(files))
