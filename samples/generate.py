"""Generate the demo evidence folder for the ``provenance`` walkthrough.

The demo case
=============

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

Determinism
===========

Each file draws from its own ``numpy`` generator seeded with ``(seed, file number)``, every
timestamp and identifier is fixed or derived from the seed, and nothing reads the clock or
the file system outside ``out_dir``. Two builds with the same seed in the same environment
give byte-identical files; other Pillow/libjpeg/OpenCV builds may encode slightly different
bytes.

Run ``python -m samples.generate OUT_DIR [--seed N]`` to build the folder from a shell.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import struct
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import piexif
from PIL import Image
from PIL.PngImagePlugin import PngInfo

__all__ = [
    "CLAIMED_PLACE",
    "CLAIMED_PLACE_NAME",
    "CLAIMED_TARGET",
    "CLAIMED_TARGET_NAME",
    "CLAIM_TEXT",
    "EVENT_WINDOW",
    "MILITARY_SITE",
    "MILITARY_SITE_NAME",
    "SampleFile",
    "SampleSet",
    "ArchiveImage",
    "build_archive",
    "build_samples",
    "main",
]

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

# Quantization tables (natural order, luminance then chrominance) as real devices and editors
# write them, read from public sample files: cameras write tables of their own, editors
# theirs, so a forensic table check can tell a camera original from a re-save.
CANON_TABLES = (  # Canon EOS "Fine" (read from a Canon EOS 7D JPEG)
    [1] * 23 + [2, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 2, 2, 3, 1, 1, 1, 1, 2, 2, 3, 3,
                1, 1, 1, 2, 2, 3, 3, 3, 1, 1, 2, 2, 3, 3, 3, 3],
    [1, 1, 1, 1, 2, 3, 3, 3, 1, 1, 1, 2, 3, 3, 3, 3, 1, 1, 1, 3, 3, 3, 3, 3, 1, 2, 3, 3, 3, 3,
     3, 3, 2] + [3] * 31,
)
NIKON_TABLES = (  # Nikon (read from a Nikon D5000 JPEG; IJG-shaped, as Nikon writes them)
    [2, 1, 1, 2, 3, 5, 6, 7, 1, 1, 2, 2, 3, 7, 7, 7, 2, 2, 2, 3, 5, 7, 8, 7, 2, 2, 3, 3, 6, 10,
     10, 7, 2, 3, 4, 7, 8, 13, 12, 9, 3, 4, 7, 8, 10, 12, 14, 11, 6, 8, 9, 10, 12, 15, 14, 12,
     9, 11, 11, 12, 13, 12, 12, 12],
    [2, 2, 3, 6, 12, 12, 12, 12, 2, 3, 3, 8, 12, 12, 12, 12, 3, 3, 7, 12, 12, 12, 12, 12, 6, 8,
     12] + [12] * 37,
)
SONY_TABLES = (  # Sony (read from a Sony DSLR-A200 JPEG)
    [3, 2, 2, 3, 4, 6, 8, 10, 2, 2, 2, 3, 4, 9, 10, 9, 2, 2, 3, 4, 6, 9, 11, 9, 2, 3, 4, 5, 8,
     14, 13, 10, 3, 4, 6, 9, 11, 17, 16, 12, 4, 6, 9, 10, 13, 17, 18, 15, 8, 10, 12, 14, 16,
     19, 19, 16, 12, 15, 15, 16, 18, 16, 16, 16],
    [3, 3, 4, 8, 16, 16, 16, 16, 3, 3, 4, 11, 16, 16, 16, 16, 4, 4, 9, 16, 16, 16, 16, 16, 8,
     11] + [16] * 38,
)
SAMSUNG_TABLES = (  # Samsung phone (read from a Samsung SM-J327T1 JPEG)
    [5, 3, 8, 8, 8, 8, 8, 9, 4, 8, 8, 8, 8, 8, 9, 8, 8, 8, 8, 8, 9, 8, 9, 8, 8, 8, 8, 9, 8, 26,
     24, 9, 8, 8, 9, 8, 9, 33, 31, 23, 8, 9, 8, 9, 24, 31, 34, 28, 8, 9, 23, 26, 31, 36, 36,
     30, 10, 28, 29, 29, 34, 30, 31, 30],
    [5, 5, 8, 13, 18, 18, 18, 18, 5, 7, 8, 13, 18, 18, 18, 18, 8, 8, 13, 18, 30, 18, 18, 18,
     13, 13, 18, 18, 18, 18, 18, 18, 18, 18, 18, 30, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18,
     18, 18, 18, 18, 30] + [18] * 13,
)
PHOTOSHOP_Q8_TABLES = (  # Adobe Photoshop "Save As" quality 8 (4:4:4, one DQT segment)
    [6, 4, 4, 6, 9, 11, 12, 16, 4, 5, 5, 6, 8, 10, 12, 12, 4, 5, 5, 6, 10, 12, 12, 12, 6, 6, 6,
     11] + [12] * 4 + [9, 8, 10] + [12] * 5 + [11, 10] + [12] * 14 + [16] + [12] * 7,
    [7, 7, 13, 24, 20, 20, 17, 17, 7, 12, 16, 14, 14, 12, 12, 12, 13, 16, 14, 14, 12, 12, 12,
     12, 24, 14, 14, 12, 12, 12, 12, 12, 20, 14] + [12] * 6 + [20] + [12] * 7 + [17]
    + [12] * 7 + [17] + [12] * 7,
)


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
# Geography and time helpers
# --------------------------------------------------------------------------------------------

_EARTH_RADIUS_KM = 6371.0088


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _destination(start: tuple[float, float], bearing_deg: float, km: float) -> tuple[float, float]:
    lat1, lon1 = math.radians(start[0]), math.radians(start[1])
    brg, d = math.radians(bearing_deg), km / _EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(brg))
    lon2 = lon1 + math.atan2(math.sin(brg) * math.sin(d) * math.cos(lat1),
                             math.cos(d) - math.sin(lat1) * math.sin(lat2))
    return math.degrees(lat2), math.degrees(lon2)


def _exif_time(dt: datetime) -> bytes:
    return dt.strftime("%Y:%m:%d %H:%M:%S").encode("ascii")


def _dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    value = abs(value)
    deg = int(value)
    minutes_f = (value - deg) * 60
    minutes = int(minutes_f)
    centi_sec = round((minutes_f - minutes) * 60 * 100)
    if centi_sec >= 6000:  # rounding carried into the next minute
        centi_sec -= 6000
        minutes += 1
    return (deg, 1), (minutes, 1), (centi_sec, 100)


def _gps_ifd(lat: float, lon: float, alt_m: float, when_local: datetime) -> dict[int, object]:
    utc = when_local.astimezone(timezone.utc)
    return {
        piexif.GPSIFD.GPSVersionID: (2, 3, 0, 0),
        piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: _dms(lat),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: _dms(lon),
        piexif.GPSIFD.GPSAltitudeRef: 0,
        piexif.GPSIFD.GPSAltitude: (round(alt_m * 100), 100),
        piexif.GPSIFD.GPSTimeStamp: ((utc.hour, 1), (utc.minute, 1), (utc.second, 1)),
        piexif.GPSIFD.GPSMapDatum: b"WGS-84",
        piexif.GPSIFD.GPSDateStamp: utc.strftime("%Y:%m:%d").encode("ascii"),
    }


# --------------------------------------------------------------------------------------------
# Procedural scene rendering (float32 RGB in 0..255 until the final quantisation)
# --------------------------------------------------------------------------------------------


def _fbm(rng: np.random.Generator, h: int, w: int, *, cells: float = 3.0, octaves: int = 5,
         persistence: float = 0.55, stretch: float = 1.0) -> np.ndarray:
    """Multi-octave value noise in 0..1 (``stretch`` > 1 elongates features horizontally)."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for octave in range(octaves):
        gh = max(2, int(round(cells * 2**octave)))
        gw = max(2, int(round(cells * 2**octave * w / h / stretch)))
        grid = rng.random((gh, gw), dtype=np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= persistence
    lo, hi = float(out.min()), float(out.max())
    return (out - lo) / max(hi - lo, 1e-6)


def _box(h: int, w: int, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    """Clip a float box to the frame: (x0, y0, x1, y1) as ints, possibly empty."""
    return (int(max(0, math.floor(x0))), int(max(0, math.floor(y0))),
            int(min(w, math.ceil(x1))), int(min(h, math.ceil(y1))))


def _sky(rng: np.random.Generator, h: int, w: int, horizon: int, night: bool) -> np.ndarray:
    if night:  # overcast night sky faintly lit from below
        top, bottom = np.array([16, 19, 28], np.float32), np.array([50, 53, 64], np.float32)
    else:  # flat winter overcast
        top, bottom = np.array([142, 148, 160], np.float32), np.array([204, 207, 213], np.float32)
    t = (np.arange(h, dtype=np.float32) / max(horizon, 1)).clip(0, 1) ** 1.4
    sky = top[None, None, :] * (1 - t)[:, None, None] + bottom[None, None, :] * t[:, None, None]
    sky = np.broadcast_to(sky, (h, w, 3)).copy()
    clouds = _fbm(rng, h, w, cells=2.0, octaves=4, stretch=3.0) - 0.5
    sky += clouds[..., None] * (7.0 if night else 16.0)
    return sky


def _conifer(x: float, foot: float, height: float, half: float, rng: np.random.Generator
             ) -> np.ndarray:
    """A spruce silhouette: a narrow spire with ragged tiers of branches."""
    tiers = int(rng.integers(5, 9))
    right, left = [], []
    for k in range(1, tiers + 1):
        y = foot - height + height * k / tiers
        out = half * (k / tiers) ** 0.8 * rng.uniform(0.75, 1.25)
        inner = out * rng.uniform(0.35, 0.6)
        y_in = y - height / tiers * rng.uniform(0.25, 0.5)
        right += [(x + inner, y_in), (x + out, y)]
        out_l = half * (k / tiers) ** 0.8 * rng.uniform(0.75, 1.25)
        left += [(x - out_l, y), (x - inner * rng.uniform(0.8, 1.2), y_in)]
    pts = [(x, foot - height), *right, (x + half * 0.15, foot), (x - half * 0.15, foot),
           *reversed(left)]
    return np.round(np.array(pts)).astype(np.int32)


def _treeline(img: np.ndarray, rng: np.random.Generator, horizon: int, night: bool) -> None:
    """Two rows of forest on the horizon: a hazy far row, then a darker near row."""
    h, w = img.shape[:2]
    rows = ((18, 21, 26), (11, 12, 14)) if night else ((112, 120, 126), (46, 54, 52))
    for row, color in enumerate(rows):
        scale = 0.55 if row == 0 else 1.0
        band = np.zeros((h, w), np.uint8)
        density = _fbm(rng, 1, w, cells=1, octaves=3)[0]
        lift = 4 + (_fbm(rng, 1, w, cells=1, octaves=2)[0] * h * 0.012).astype(int)
        foot_line = horizon - (lift if row == 0 else np.zeros_like(lift))
        cv2.rectangle(band, (0, int(foot_line.min()) - 2), (w, horizon + 1), 255, -1)
        x = float(rng.uniform(-10, 0))
        while x < w + 10:
            xi = int(min(max(x, 0), w - 1))
            if density[xi] < 0.18 and row == 1:  # a clearing
                x += rng.uniform(6, 20)
                continue
            tree_h = h * scale * rng.uniform(0.025, 0.05) * (0.6 + 0.9 * density[xi])
            half = tree_h * rng.uniform(0.17, 0.26)
            cv2.fillPoly(band, [_conifer(x, float(foot_line[xi]) + 2, tree_h, half, rng)], 255,
                         cv2.LINE_AA)
            x += half * rng.uniform(0.5, 1.3)
        y0 = max(0, horizon - int(h * 0.12))
        alpha = (band[y0:horizon + 2].astype(np.float32) / 255.0)[..., None]
        shade = (_fbm(rng, horizon + 2 - y0, w, cells=3, octaves=3)[..., None] - 0.5)
        col = np.array(color, np.float32) + shade * (6 if night else 16)
        roi = img[y0:horizon + 2]
        roi[:] = roi * (1 - alpha) + col * alpha


def _snow_ground(rng: np.random.Generator, h: int, w: int, horizon: int,
                 *, top_down: bool = False) -> np.ndarray:
    """Snow with drifts, wind ripples and bluish shadows, warped into ground perspective."""
    if top_down:  # trampled snow seen from above: lumps and boot dents, no drifts
        th, tw = h, w
        height = (0.35 * _fbm(rng, th, tw, cells=3, octaves=3)
                  + 0.45 * _fbm(rng, th, tw, cells=12, octaves=3)
                  + 0.2 * _fbm(rng, th, tw, cells=40, octaves=2))
    else:  # open field: long wind-blown drifts and ripples (sastrugi)
        th, tw = h, int(w * 1.2)
        height = (0.6 * _fbm(rng, th, tw, cells=2.0, octaves=4, stretch=2.5)
                  + 0.3 * _fbm(rng, th, tw, cells=7, octaves=3, stretch=2.0)
                  + 0.1 * _fbm(rng, th, tw, cells=28, octaves=2))
        yy = np.arange(th, dtype=np.float32)[:, None]
        warp = _fbm(rng, th, tw, cells=3, octaves=2)
        height += 0.04 * np.sin(yy / th * 55.0 + warp * 9.0)
    light = np.gradient(height, axis=1) * 0.45 + np.gradient(height, axis=0) * 0.55
    shade = np.clip(0.66 + light * (60.0 if top_down else 120.0) + (height - 0.5) * 0.5, 0, 1)
    lit = np.array([240, 241, 245], np.float32)
    shadow = np.array([168, 184, 214], np.float32)  # bluish shade of snow
    tex = shadow + (lit - shadow) * shade[..., None]
    sparkle = rng.random((th, tw), dtype=np.float32) > 0.998
    tex += sparkle[..., None] * 12.0  # ice crystals catching the light
    src = np.float32([[0, 0], [tw, 0], [tw, th], [0, th]])
    if top_down:
        dst = np.float32([[-0.1 * w, -0.08 * h], [1.1 * w, -0.08 * h], [1.04 * w, h],
                          [-0.04 * w, h]])
    else:
        top = max(horizon, 0) + 1
        dst = np.float32([[-0.3 * w, top], [1.3 * w, top], [2.4 * w, h * 1.04],
                          [-1.4 * w, h * 1.04]])
    mat = cv2.getPerspectiveTransform(src, dst)
    ground = cv2.warpPerspective(tex, mat, (w, h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    # fine grain in image space, stronger close to the camera
    rows = np.clip((np.arange(h, dtype=np.float32) - horizon) / max(h - horizon, 1), 0, 1)
    relief = _fbm(rng, h, w, cells=18, octaves=3, stretch=1.6) - 0.5
    grain = _fbm(rng, h, w, cells=80, octaves=2) - 0.5
    detail = relief * (2.0 + 14.0 * rows[:, None]) + grain * (2.0 + 6.0 * rows[:, None])
    ground += detail[..., None] * np.array([0.9, 0.95, 1.0], np.float32)
    return ground


def _blend_mask(img: np.ndarray, mask: np.ndarray, color: np.ndarray | Sequence[float] | float,
                opacity: float = 1.0) -> None:
    """Alpha-blend ``color`` (a colour, or an image the size of ``img``) where ``mask`` is set."""
    x, y, bw, bh = cv2.boundingRect(mask)
    if bw == 0 or bh == 0:
        return
    alpha = (mask[y:y + bh, x:x + bw].astype(np.float32) / 255.0 * opacity)[..., None]
    if isinstance(color, np.ndarray) and color.ndim == 3:
        color = color[y:y + bh, x:x + bw]
    roi = img[y:y + bh, x:x + bw]
    roi[:] = roi * (1 - alpha) + np.asarray(color, np.float32) * alpha


def _text(img: np.ndarray, text: str, org: tuple[int, int], font: int, scale: float,
          color: Sequence[float], thickness: int) -> None:
    """Anti-aliased text on a float image (OpenCV draws text on 8-bit images only)."""
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.putText(mask, text, org, font, scale, 255, thickness, cv2.LINE_AA)
    _blend_mask(img, mask, color)


def _shadow(img: np.ndarray, center: tuple[float, float], axes: tuple[float, float],
            angle: float, strength: float) -> None:
    """A soft contact shadow; on snow it is blue, so red drops most."""
    h, w = img.shape[:2]
    sigma = max(1.0, axes[1] * 0.5)
    reach = max(axes) + 3 * sigma
    x0, y0, x1, y1 = _box(h, w, center[0] - reach, center[1] - reach, center[0] + reach,
                          center[1] + reach)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    cv2.ellipse(mask, (int(center[0]) - x0, int(center[1]) - y0),
                (max(1, int(axes[0])), max(1, int(axes[1]))), angle, 0, 360, 1.0, -1,
                cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), sigma)
    tint = np.array([0.42, 0.37, 0.26], np.float32) * strength
    img[y0:y1, x0:x1] *= 1 - mask[..., None] * tint


def _jagged_polygon(rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float,
                    angle: float, n: int, spike: float) -> np.ndarray:
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = rng.uniform(0.55, 1.0, n)
    spikes = rng.random(n) < spike
    radii[spikes] *= rng.uniform(1.2, 1.7, int(spikes.sum()))
    radii[~spikes & (rng.random(n) < 0.3)] *= 0.6  # torn notches
    x, y = np.cos(angles) * rx * radii, np.sin(angles) * ry * radii
    ca, sa = math.cos(angle), math.sin(angle)
    pts = np.stack([cx + x * ca - y * sa, cy + x * sa + y * ca], axis=1)
    return np.round(pts).astype(np.int32)


_METALS = (
    (92, 95, 97),  # bare grey alloy
    (80, 86, 62),  # olive paint
    (70, 74, 70),  # dark grey composite
    (104, 100, 88),  # weathered khaki
)


def _metal_part(img: np.ndarray, rng: np.random.Generator, poly: np.ndarray,
                base: Sequence[float]) -> None:
    """Fill ``poly`` with textured metal: shading gradient, grime, scratches, lit edges."""
    h, w = img.shape[:2]
    x0, y0 = np.maximum(poly.min(axis=0) - 4, 0)
    x1, y1 = np.minimum(poly.max(axis=0) + 5, (w, h))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    local = poly - np.array([x0, y0], np.int32)
    rh, rw = int(y1 - y0), int(x1 - x0)
    mask = np.zeros((rh, rw), np.uint8)
    cv2.fillPoly(mask, [local], 255, cv2.LINE_AA)
    grime = _fbm(rng, rh, rw, cells=3, octaves=4)
    gx = np.linspace(1.12, 0.78, rw, dtype=np.float32)[None, :]
    gy = np.linspace(1.1, 0.8, rh, dtype=np.float32)[:, None]
    layer = np.asarray(base, np.float32) * ((0.7 + 0.55 * grime) * gx * gy)[..., None]
    for _ in range(int(rng.integers(3, 9))):  # scratches and creases
        p0 = (int(rng.integers(0, rw)), int(rng.integers(0, rh)))
        p1 = (int(p0[0] + rng.normal(0, rw * 0.3)), int(p0[1] + rng.normal(0, rh * 0.2)))
        shade = float(rng.choice([0.45, 1.5]))
        col = tuple(float(c * shade) for c in base)
        cv2.line(layer, p0, p1, col, int(rng.integers(1, 3)), cv2.LINE_AA)
    edge = tuple(min(255.0, c * 1.9 + 30) for c in base)
    upper = local[local[:, 1] <= np.median(local[:, 1])]
    if len(upper) > 1:
        cv2.polylines(layer, [upper[np.argsort(upper[:, 0])]], False, edge, 1, cv2.LINE_AA)
    roi = img[y0:y1, x0:x1]
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    roi[:] = roi * (1 - alpha) + layer * alpha


def _scorch(img: np.ndarray, rng: np.random.Generator, cx: float, cy: float, rx: float,
            ry: float) -> None:
    """Soot and melt on the snow around an impact."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = _box(h, w, cx - rx * 1.6, cy - ry * 1.6, cx + rx * 1.6, cy + ry * 1.6)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    blot = _fbm(rng, y1 - y0, x1 - x0, cells=4, octaves=4)
    alpha = np.clip((1.2 - d) * 0.9, 0, 1) * np.clip(blot * 1.6 - 0.35, 0, 1)
    soot = np.array([62, 58, 54], np.float32)
    roi = img[y0:y1, x0:x1]
    roi[:] = roi * (1 - 0.75 * alpha[..., None]) + soot * 0.75 * alpha[..., None]


def _debris(img: np.ndarray, rng: np.random.Generator, cx: float, cy: float, spread: float,
            count: int, scale: float) -> None:
    """Fragments thrown around: dark bits, painted bits and a few bright torn shards."""
    h, w = img.shape[:2]
    for _ in range(count):
        px = cx + rng.normal(0, spread)
        py = cy + rng.normal(0, spread * 0.3)
        if not (0 <= px < w and 0 <= py < h):
            continue
        r = max(1.0, rng.uniform(1.2, 5.5) * scale)
        pts = _jagged_polygon(rng, px, py, r, r * rng.uniform(0.4, 1.0), rng.uniform(0, 6.3),
                              int(rng.integers(3, 6)), 0.0)
        kind = rng.random()
        if kind < 0.22:  # bright shards: torn aluminium, glinting
            v = rng.uniform(200, 250)
            col = (v, v * rng.uniform(0.97, 1.0), v * rng.uniform(0.95, 1.02))
        elif kind < 0.45:
            col = tuple(float(c) for c in _METALS[int(rng.integers(0, len(_METALS)))])
        else:
            v = rng.uniform(25, 60)
            col = (v, v * 0.98, v * 0.95)
        cv2.fillPoly(img, [pts], col, cv2.LINE_AA)


def _wire(img: np.ndarray, rng: np.random.Generator, cx: float, cy: float, length: float,
          color: Sequence[float], thickness: int) -> None:
    pts = [(cx, cy)]
    heading = rng.uniform(0, 2 * np.pi)
    for _ in range(int(rng.integers(5, 12))):
        heading += rng.normal(0, 0.7)
        step = length / 8
        pts.append((pts[-1][0] + math.cos(heading) * step,
                    pts[-1][1] + math.sin(heading) * step * 0.5))
    arr = np.round(np.array(pts)).astype(np.int32)
    cv2.polylines(img, [arr], False, tuple(float(c) for c in color), thickness, cv2.LINE_AA)


def _snow_cover(img: np.ndarray, snow: np.ndarray, rng: np.random.Generator, cx: float,
                cy: float, rx: float, ry: float) -> None:
    """Drifted snow over the lower part of a wreck: it lies half buried."""
    h, w = img.shape[:2]
    ey, ery = cy + ry * 0.55, ry * 0.65  # an elliptic drift over the lower half
    x0, y0, x1, y1 = _box(h, w, cx - rx, ey - ery, cx + rx, ey + ery)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    inside = np.clip(1.0 - ((xx - cx) / rx) ** 2 - ((yy - ey) / ery) ** 2, 0, 1)
    lumps = _fbm(rng, y1 - y0, x1 - x0, cells=3, octaves=4)
    alpha = np.clip((np.sqrt(inside) + lumps * 0.9 - 1.2) * 3.0, 0, 0.9)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.5)[..., None]
    shaded = snow[y0:y1, x0:x1] * np.array([0.9, 0.93, 0.98], np.float32)  # in the wreck's lee
    roi = img[y0:y1, x0:x1]
    roi[:] = roi * (1 - alpha) + shaded * alpha


def _wreck(img: np.ndarray, snow: np.ndarray, rng: np.random.Generator, cx: float, cy: float,
           size: float) -> None:
    """One crashed drone: scorch, shadow, torn body, wing, wires, propeller, debris."""
    _scorch(img, rng, cx + rng.normal(0, size * 0.1), cy + size * 0.1, size * 1.3, size * 0.45)
    angle = rng.uniform(-0.5, 0.5)
    _shadow(img, (cx + size * 0.12, cy + size * 0.22), (size * 0.95, size * 0.22),
            math.degrees(angle), 0.55)
    base = _METALS[int(rng.integers(0, len(_METALS)))]
    # wing fragment: long plate with a torn end
    wa = angle + rng.uniform(-1.0, 1.0)
    length, width = size * rng.uniform(1.2, 1.8), size * rng.uniform(0.22, 0.34)
    ca, sa = math.cos(wa), math.sin(wa) * 0.55
    root = np.array([cx, cy])
    tip = root + np.array([ca, sa]) * length
    normal = np.array([-sa, ca]) / max(math.hypot(ca, sa), 1e-6) * width / 2
    torn = [tip + normal * t + np.array([ca, sa]) * rng.uniform(-0.15, 0.05) * length
            for t in np.linspace(1, -1, 6)]
    wing = np.array([root + normal, *torn, root - normal]).round().astype(np.int32)
    _metal_part(img, rng, wing, _METALS[int(rng.integers(0, len(_METALS)))])
    # main body: twisted irregular hull
    body = _jagged_polygon(rng, cx, cy, size * 0.75, size * 0.38, angle,
                           int(rng.integers(14, 24)), 0.25)
    _metal_part(img, rng, body, base)
    # a buckled second panel on top
    panel = _jagged_polygon(rng, cx + rng.normal(0, size * 0.15), cy - size * 0.1, size * 0.35,
                            size * 0.18, angle + rng.uniform(-0.6, 0.6), 9, 0.3)
    _metal_part(img, rng, panel, tuple(c * 1.15 for c in base))
    # propeller: two thin black blades around a hub
    px, py = cx + rng.normal(0, size * 0.4), cy + rng.normal(0, size * 0.1)
    cv2.ellipse(img, (int(px), int(py)), (int(size * 0.42), max(2, int(size * 0.05))),
                rng.uniform(0, 180), 0, 360, (24, 24, 27), -1, cv2.LINE_AA)
    cv2.ellipse(img, (int(px), int(py)), (int(size * 0.08), int(size * 0.08)), 0, 0, 360,
                (40, 40, 42), -1, cv2.LINE_AA)
    for _ in range(int(rng.integers(3, 7))):  # wires and rods
        copper = rng.random() < 0.3
        _wire(img, rng, cx + rng.normal(0, size * 0.3), cy + rng.normal(0, size * 0.1),
              size * rng.uniform(0.5, 1.2), (168, 104, 58) if copper else (30, 30, 32),
              1 if copper else int(rng.integers(2, 4)))
    _snow_cover(img, snow, rng, cx, cy, size * 0.8, size * 0.35)
    _debris(img, rng, cx, cy + size * 0.15, size * 0.9, int(rng.integers(40, 90)), size / 60)


def _footprints(img: np.ndarray, rng: np.random.Generator, start: tuple[float, float],
                end: tuple[float, float], horizon: int) -> None:
    """A trail of boot prints leading to the wreck: small bluish dents in the snow."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = _box(h, w, min(start[0], end[0]) - 40, min(start[1], end[1]) - 40,
                          max(start[0], end[0]) + 40, max(start[1], end[1]) + 40)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    steps = 18
    for i in range(steps):
        t = i / (steps - 1)
        x = start[0] + (end[0] - start[0]) * t
        y = start[1] + (end[1] - start[1]) * t
        depth = max((y - horizon) / max(h - horizon, 1), 0.05)
        side = (-1) ** i * 9 * depth
        cv2.ellipse(mask, (int(x + side) - x0, int(y) - y0),
                    (max(1, int(9 * depth)), max(1, int(5 * depth))), rng.uniform(-15, 15), 0,
                    360, 255, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)
    tint = np.array([0.2, 0.16, 0.08], np.float32)
    img[y0:y1, x0:x1] *= 1 - (mask.astype(np.float32) / 255.0)[..., None] * tint


def _flash_falloff(img: np.ndarray, horizon: int) -> None:
    """Night shot lit by an on-camera flash: bright foreground, dim distance and edges."""
    h, w = img.shape[:2]
    yy = np.arange(h, dtype=np.float32)
    depth = np.clip((yy - horizon) / max(h - horizon, 1), 0, 1) ** 0.6
    xs = (np.arange(w, dtype=np.float32) - w / 2) / (w * 0.95)
    radial = np.exp(-(xs**2))[None, :]
    gain = 0.3 + 0.76 * depth[:, None] * radial
    gain = np.where((yy >= horizon)[:, None], gain, 1.0).astype(np.float32)
    img *= gain[..., None]


def _finish(img: np.ndarray, rng: np.random.Generator, *, blur: float, noise: float) -> np.ndarray:
    """Lens vignetting, optical softness and sensor noise, then 8-bit quantisation."""
    h, w = img.shape[:2]
    vx = ((np.arange(w, dtype=np.float32) - w / 2) / (w / 2)) ** 2
    vy = ((np.arange(h, dtype=np.float32) - h / 2) / (h / 2)) ** 2
    img *= (1 - 0.07 * (vy[:, None] + vx[None, :]))[..., None]
    img = cv2.GaussianBlur(img, (0, 0), blur)
    if noise > 0:
        img += rng.standard_normal((h, w, 1), dtype=np.float32) * noise
        img += rng.standard_normal((h, w, 3), dtype=np.float32) * (noise * 0.35)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def _scene(rng: np.random.Generator, w: int, h: int, *, night: bool, wrecks: int,
           noise: float = 2.5, blur: float = 0.9, footprints: bool = True) -> np.ndarray:
    """A snowy field with crashed-drone wreckage; returns uint8 RGB (h, w, 3)."""
    horizon = int(h * rng.uniform(0.28, 0.40))
    img = _sky(rng, h, w, horizon, night)
    snow = _snow_ground(rng, h, w, horizon)
    img[horizon:] = snow[horizon:]
    _treeline(img, rng, horizon, night)
    spots = []
    for i in range(wrecks):
        depth = rng.uniform(0.45, 0.85) if i == 0 else rng.uniform(0.2, 0.6)
        cy = horizon + depth * (h - horizon)
        cx = w * (rng.uniform(0.35, 0.65) if i == 0 else rng.uniform(0.1, 0.9))
        spots.append((cx, cy, depth))
    if footprints and spots:
        cx, cy, _ = spots[0]
        _footprints(img, rng, (w * rng.uniform(0.2, 0.8), h * 1.02), (cx, cy), horizon)
    for cx, cy, depth in sorted(spots, key=lambda s: s[1]):  # far ones first
        _wreck(img, snow, rng, cx, cy, size=w * 0.13 * (0.35 + depth))
    if night:
        _flash_falloff(img, horizon)
    return _finish(img, rng, blur=blur, noise=noise)


def _paste_fuselage(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The edit: a large fuselage section with a stencil marking pasted beside the wreck."""
    img = rgb.astype(np.float32)
    snow = cv2.GaussianBlur(img, (0, 0), 6.0)
    h, w = img.shape[:2]
    side = 1 if rng.random() < 0.5 else -1
    cx, cy = w * (0.5 + side * rng.uniform(0.2, 0.23)), h * rng.uniform(0.60, 0.66)
    length, radius = w * 0.4, h * 0.095
    angle = rng.uniform(-0.2, 0.2)
    _shadow(img, (cx + w * 0.02, cy + radius * 1.1), (length * 0.55, radius * 0.7),
            math.degrees(angle), 0.7)
    ca, sa = math.cos(angle), math.sin(angle)
    axis, normal = np.array([ca, sa]), np.array([-sa, ca])
    c = np.array([cx, cy])
    nose = [c + axis * length / 2 + normal * radius * t * (1 - 0.35 * abs(t))
            for t in np.linspace(-1, 1, 9)]
    torn = [c - axis * length / 2 + normal * radius * t
            - axis * rng.uniform(0, 0.12) * length for t in np.linspace(1, -1, 9)]
    hull = np.array([*nose, *torn]).round().astype(np.int32)
    _metal_part(img, rng, hull, (86, 92, 66))
    # cylindrical shading across the body: lit from above, dark underside
    x0, y0, x1, y1 = _box(h, w, *(hull.min(axis=0) - 2), *(hull.max(axis=0) + 3))
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [hull], 255, cv2.LINE_AA)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    t = np.clip(((xx - cx) * normal[0] + (yy - cy) * normal[1]) / radius, -1, 1)
    profile = 0.55 + 0.75 * np.cos((t + 0.45) * np.pi / 2.3).clip(0, 1)
    alpha = mask[y0:y1, x0:x1].astype(np.float32) / 255.0
    img[y0:y1, x0:x1] *= (1 + (profile - 1) * alpha)[..., None]
    text_org = c - axis * length * 0.22 + normal * radius * 0.2
    _text(img, "N7-0413", (int(text_org[0]), int(text_org[1])), cv2.FONT_HERSHEY_SIMPLEX,
          h / 900 * 1.3, (226, 224, 212), max(2, int(h / 300)))
    _snow_cover(img, snow, rng, cx, cy, length * 0.45, radius * 1.1)
    _debris(img, rng, cx, cy + radius, length * 0.4, 40, h / 900)
    out = cv2.GaussianBlur(img, (0, 0), 0.7)
    out += rng.standard_normal(out.shape, dtype=np.float32) * 1.2  # not the camera's noise
    out = (out - 128.0) * 1.1 + 131.0  # and a Curves/contrast adjustment over the whole frame
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def plant_clone(rgb: np.ndarray, rng: np.random.Generator, *, patch: tuple[int, int] = (240, 170)
                ) -> tuple[np.ndarray, list[int], list[int]]:
    """Copy the wreckage in the most textured ``patch`` (w, h pixels) of the ground onto the
    flattest ground area at least one patch away: the object's pixels (those far from the
    local background), grown by 7 px and feathered, as a clone-stamp user would paint it.

    Returns the new picture and the source and target boxes ``[x0, y0, x1, y1]``.
    """
    h, w = rgb.shape[:2]
    pw, ph = patch
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.boxFilter(gray, -1, (pw, ph), normalize=True)
    sq = cv2.boxFilter(gray * gray, -1, (pw, ph), normalize=True)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    top = int(h * 0.45)  # ground only, away from the frame edges
    ys = np.arange(top + ph // 2, h - ph // 2 - 8, 8)
    xs = np.arange(pw // 2 + 8, w - pw // 2 - 8, 8)
    grid = std[np.ix_(ys, xs)]
    sy, sx = np.unravel_index(int(np.argmax(grid)), grid.shape)
    src = (int(xs[sx]) - pw // 2, int(ys[sy]) - ph // 2)
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    far = (np.abs(xx - xs[sx]) > pw * 1.3) | (np.abs(yy - ys[sy]) > ph * 1.3)
    flat = np.where(far, grid, np.inf) + rng.uniform(0, 0.5, grid.shape)
    ty, tx = np.unravel_index(int(np.argmin(flat)), grid.shape)
    dst = (int(xs[tx]) - pw // 2, int(ys[ty]) - ph // 2)
    out = rgb.astype(np.float32)
    piece = out[src[1]:src[1] + ph, src[0]:src[0] + pw].copy()
    # The object, not the snow around it: pixels far from the local background, grown a
    # little and feathered, inside a margin of the patch.
    patch_u8 = rgb[src[1]:src[1] + ph, src[0]:src[0] + pw]
    background = cv2.medianBlur(patch_u8, 31).astype(np.float32)
    obj = (np.abs(piece - background).sum(axis=2) > 30).astype(np.uint8)
    obj = cv2.dilate(obj, np.ones((15, 15), np.uint8))
    frame = np.zeros((ph, pw), np.uint8)
    cv2.rectangle(frame, (10, 10), (pw - 11, ph - 11), 1, -1)
    mask = cv2.GaussianBlur((obj & frame).astype(np.float32), (0, 0), 3.0)[..., None]
    region = out[dst[1]:dst[1] + ph, dst[0]:dst[0] + pw]
    region[:] = region * (1 - mask) + piece * mask
    return (np.clip(out + 0.5, 0, 255).astype(np.uint8),
            [src[0], src[1], src[0] + pw, src[1] + ph], [dst[0], dst[1], dst[0] + pw, dst[1] + ph])


def _nav_unit_scene(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Close-up of the 'recovered navigation unit' lying on trampled snow, flash-lit."""
    img = _snow_ground(rng, h, w, 0, top_down=True)
    snow = img.copy()
    cx, cy = w * rng.uniform(0.45, 0.55), h * rng.uniform(0.45, 0.52)
    bw, bh, depth = w * 0.40, h * 0.30, h * 0.07
    angle = rng.uniform(-0.25, 0.25)
    ca, sa = math.cos(angle), math.sin(angle)

    def at(u: float, v: float, lift: float = 0.0) -> np.ndarray:
        return np.array([cx + u * bw / 2 * ca - v * bh / 2 * sa,
                         cy + u * bw / 2 * sa + v * bh / 2 * ca - lift])

    def quad(*corners: np.ndarray) -> np.ndarray:
        return np.array(corners).round().astype(np.int32)

    _scorch(img, rng, cx + bw * 0.1, cy + bh * 0.2, bw * 0.8, bh * 0.6)
    _shadow(img, (cx + w * 0.03, cy + bh * 0.4), (bw * 0.6, bh * 0.45), math.degrees(angle),
            0.8)
    _metal_part(img, rng, quad(at(1, -1, depth), at(1, 1, depth), at(1, 1), at(1, -1)),
                (40, 42, 44))
    _metal_part(img, rng, quad(at(-1, 1, depth), at(1, 1, depth), at(1, 1), at(-1, 1)),
                (34, 36, 38))
    _metal_part(img, rng, quad(at(-1, -1, depth), at(1, -1, depth), at(1, 1, depth),
                               at(-1, 1, depth)), (64, 67, 68))
    screen = quad(at(-0.82, -0.72, depth), at(0.08, -0.72, depth), at(0.08, 0.15, depth),
                  at(-0.82, 0.15, depth))
    cv2.fillPoly(img, [screen], (26, 36, 33), cv2.LINE_AA)
    cv2.line(img, tuple(int(v) for v in at(-0.75, -0.45, depth)),
             tuple(int(v) for v in at(-0.2, -0.62, depth)), (80, 98, 90), 2, cv2.LINE_AA)
    label = quad(at(0.22, -0.78, depth), at(0.9, -0.78, depth), at(0.9, -0.05, depth),
                 at(0.22, -0.05, depth))
    cv2.fillPoly(img, [label], (212, 206, 188), cv2.LINE_AA)
    lx, ly = at(0.27, -0.55, depth)
    for i, line in enumerate(("NAV-7", "S/N 0413", "GNSS/INS")):
        _text(img, line, (int(lx), int(ly + i * h * 0.028)), cv2.FONT_HERSHEY_PLAIN,
              h / 900 * 1.15, (40, 38, 36), 1)
    for u in (-0.6, -0.2, 0.2, 0.6):  # connectors on the front face
        px, py = at(u, 1, depth * 0.5)
        cv2.circle(img, (int(px), int(py)), max(3, int(h * 0.013)), (120, 118, 110), -1,
                   cv2.LINE_AA)
        cv2.circle(img, (int(px), int(py)), max(1, int(h * 0.006)), (20, 20, 20), -1,
                   cv2.LINE_AA)
    start = at(0.6, 1, depth * 0.5)
    _wire(img, rng, float(start[0]), float(start[1]), w * 0.3, (22, 22, 24), max(3, h // 150))
    _snow_cover(img, snow, rng, cx, cy + bh * 0.3, bw * 0.5, bh * 0.4)
    _debris(img, rng, cx, cy + bh * 0.6, bw * 0.7, 50, h / 700)
    _flash_falloff(img, -h // 3)
    return _finish(img, rng, blur=0.8, noise=2.5)


# --------------------------------------------------------------------------------------------
# Encoding helpers
# --------------------------------------------------------------------------------------------


def _strip_app0(data: bytes) -> bytes:
    """Drop a leading JFIF APP0 segment: camera originals start with the Exif APP1."""
    if data[2:4] == b"\xff\xe0" and data[6:11] == b"JFIF\x00":
        seg_len = struct.unpack(">H", data[4:6])[0]
        return data[:2] + data[4 + seg_len:]
    return data


def _merge_dqt(data: bytes) -> bytes:
    """Put every quantization table in one DQT segment, as Photoshop writes them (libjpeg
    writes one segment per table; ExifTool's JPEGDigest hashes the segment layout)."""
    out, i, tables, first = bytearray(data[:2]), 2, b"", None
    while i + 4 <= len(data) and data[i] == 0xFF and data[i + 1] != 0xDA:
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if data[i + 1] == 0xDB:
            first = len(out) if first is None else first
            tables += data[i + 4:i + 2 + length]
        else:
            out += data[i:i + 2 + length]
        i += 2 + length
    if first is None:
        return data
    out[first:first] = b"\xff\xdb" + struct.pack(">H", len(tables) + 2) + tables
    return bytes(out + data[i:])


def _jpeg_bytes(rgb: np.ndarray, *, quality: int = 90, exif: bytes | None = None,
                xmp: bytes | None = None, camera: bool = False,
                tables: tuple[list[int], list[int]] | None = None, subsampling: int = 2,
                one_dqt: bool = False) -> bytes:
    buf = io.BytesIO()
    params: dict[str, object] = {"subsampling": subsampling, "optimize": False}
    if tables is not None:
        params["qtables"] = [list(tables[0]), list(tables[1])]
    else:
        params["quality"] = quality
    if exif is not None:
        params["exif"] = exif
    if xmp is not None:
        params["xmp"] = xmp
    Image.fromarray(rgb).save(buf, "JPEG", **params)
    data = buf.getvalue()
    if one_dqt:
        data = _merge_dqt(data)
    return _strip_app0(data) if camera else data


def _thumbnail(rgb: np.ndarray) -> bytes:
    """EXIF thumbnail, 160 px wide with the image's aspect (160x120 for 4:3)."""
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (160, round(160 * h / w)), interpolation=cv2.INTER_AREA)
    return _jpeg_bytes(small, quality=80, camera=True)


def _maker_note(rng: np.random.Generator, make: str) -> bytes:
    """A ~200-byte opaque maker note shaped like a small TIFF IFD."""
    entries = 16
    blob = struct.pack(">H", entries)
    for i in range(entries):
        blob += struct.pack(">HHIHH", 0x0001 + i, 3, 1, int(rng.integers(0, 65536)), 0)
    blob += struct.pack(">I", 0)
    return blob + make.encode("ascii")[:6].ljust(6, b"\x00")


def _camera_exif(*, rgb: np.ndarray, rng: np.random.Generator, make: str, model: str,
                 taken: datetime, subsec: str, exposure: tuple[int, int],
                 fnumber: tuple[int, int], iso: int, focal: tuple[int, int], flash: int,
                 lens: str | None = None, software: str | None = None,
                 modified: datetime | None = None, gps: dict[int, object] | None = None,
                 thumb: bytes | None = None) -> bytes:
    h, w = rgb.shape[:2]
    offset = taken.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}".encode("ascii")
    zeroth: dict[int, object] = {
        piexif.ImageIFD.Make: make.encode("ascii"),
        piexif.ImageIFD.Model: model.encode("ascii"),
        piexif.ImageIFD.Orientation: 1,
        piexif.ImageIFD.XResolution: (72, 1),
        piexif.ImageIFD.YResolution: (72, 1),
        piexif.ImageIFD.ResolutionUnit: 2,
        piexif.ImageIFD.DateTime: _exif_time(modified or taken),
        piexif.ImageIFD.YCbCrPositioning: 2,
    }
    if software:
        zeroth[piexif.ImageIFD.Software] = software.encode("ascii")
    exif_ifd: dict[int, object] = {
        piexif.ExifIFD.ExposureTime: exposure,
        piexif.ExifIFD.FNumber: fnumber,
        piexif.ExifIFD.ExposureProgram: 3,
        piexif.ExifIFD.ISOSpeedRatings: iso,
        piexif.ExifIFD.ExifVersion: b"0231",
        piexif.ExifIFD.DateTimeOriginal: _exif_time(taken),
        piexif.ExifIFD.DateTimeDigitized: _exif_time(taken),
        piexif.ExifIFD.OffsetTime: offset,
        piexif.ExifIFD.OffsetTimeOriginal: offset,
        piexif.ExifIFD.OffsetTimeDigitized: offset,
        piexif.ExifIFD.ComponentsConfiguration: b"\x01\x02\x03\x00",
        piexif.ExifIFD.MeteringMode: 5,
        piexif.ExifIFD.Flash: flash,
        piexif.ExifIFD.FocalLength: focal,
        piexif.ExifIFD.MakerNote: _maker_note(rng, make),
        piexif.ExifIFD.SubSecTime: subsec.encode("ascii"),
        piexif.ExifIFD.SubSecTimeOriginal: subsec.encode("ascii"),
        piexif.ExifIFD.SubSecTimeDigitized: subsec.encode("ascii"),
        piexif.ExifIFD.FlashpixVersion: b"0100",
        piexif.ExifIFD.ColorSpace: 1,
        piexif.ExifIFD.PixelXDimension: w,
        piexif.ExifIFD.PixelYDimension: h,
        piexif.ExifIFD.ExposureMode: 0,
        piexif.ExifIFD.WhiteBalance: 0,
        piexif.ExifIFD.SceneCaptureType: 0,
    }
    if lens:
        exif_ifd[piexif.ExifIFD.LensModel] = lens.encode("ascii")
    exif_dict: dict[str, object] = {"0th": zeroth, "Exif": exif_ifd, "GPS": gps or {},
                                    "1st": {}, "thumbnail": None}
    if thumb is not None:
        exif_dict["1st"] = {
            piexif.ImageIFD.Compression: 6,
            piexif.ImageIFD.XResolution: (72, 1),
            piexif.ImageIFD.YResolution: (72, 1),
            piexif.ImageIFD.ResolutionUnit: 2,
        }
        exif_dict["thumbnail"] = thumb
    return piexif.dump(exif_dict)


def _xmp_packet(inner: str) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1-c002 79.a1cd12f, '
        '2024/11/11-13:19:17">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f"{inner}"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _photoshop_xmp(seed_rng: np.random.Generator, taken: datetime, modified: datetime) -> bytes:
    def ident() -> str:
        return str(uuid.UUID(bytes=seed_rng.bytes(16), version=4))

    doc, orig, iid1, iid2 = ident(), ident(), ident(), ident()
    created = taken.isoformat(timespec="seconds")
    saved_mid = (modified - timedelta(minutes=14)).isoformat(timespec="seconds")
    saved = modified.isoformat(timespec="seconds")
    tool = "Adobe Photoshop 25.0 (Windows)"
    inner = f"""  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
   xmp:CreatorTool="{tool}"
   xmp:CreateDate="{created}"
   xmp:ModifyDate="{saved}"
   xmp:MetadataDate="{saved}"
   dc:format="image/jpeg"
   photoshop:ColorMode="3"
   photoshop:DateCreated="{created}"
   xmpMM:DocumentID="adobe:docid:photoshop:{doc}"
   xmpMM:InstanceID="xmp.iid:{iid2}"
   xmpMM:OriginalDocumentID="xmp.did:{orig}">
   <xmpMM:History>
    <rdf:Seq>
     <rdf:li
      stEvt:action="created"
      stEvt:instanceID="xmp.iid:{orig}"
      stEvt:when="{created}"
      stEvt:softwareAgent="{tool}"/>
     <rdf:li
      stEvt:action="saved"
      stEvt:instanceID="xmp.iid:{iid1}"
      stEvt:when="{saved_mid}"
      stEvt:softwareAgent="{tool}"
      stEvt:changed="/"/>
     <rdf:li
      stEvt:action="saved"
      stEvt:instanceID="xmp.iid:{iid2}"
      stEvt:when="{saved}"
      stEvt:softwareAgent="{tool}"
      stEvt:changed="/"/>
    </rdf:Seq>
   </xmpMM:History>
  </rdf:Description>
"""
    return _xmp_packet(inner)


def _ai_xmp() -> str:
    inner = """  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
   xmp:CreatorTool="ComfyUI"
   Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>
"""
    return _xmp_packet(inner).decode("utf-8")


def _gpx(rng: np.random.Generator) -> tuple[bytes, tuple[float, float]]:
    """NavUnit-7 track flying in from the south-west to the military site; also its end."""
    n = 30
    end = _destination(MILITARY_SITE, rng.uniform(0, 360), rng.uniform(0.2, 0.6))
    start = _destination(end, 232.0 + rng.uniform(-6, 6), 180.0 + rng.uniform(-10, 10))
    t0 = datetime(2025, 12, 29, 19, 8, 30, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        f = i / (n - 1)
        lat = start[0] + (end[0] - start[0]) * f
        lon = start[1] + (end[1] - start[1]) * f
        if 0 < i < n - 1:  # weaving a little, as a low-flying drone does
            lat += rng.normal(0, 0.004)
            lon += rng.normal(0, 0.008)
        ele = 118.0 + (1.0 - f**6) * (180.0 + 40.0 * math.sin(f * 7.0)) + rng.normal(0, 3)
        when = t0 + timedelta(seconds=round(i * 182 + (rng.uniform(-4, 4) if i else 0)))
        rows.append(
            f'      <trkpt lat="{lat:.6f}" lon="{lon:.6f}">'
            f"<ele>{ele:.1f}</ele><time>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        )
    body = "\n".join(rows)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="NavUnit-7 export" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1'
        ' http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
        "  <metadata>\n"
        "    <name>NAV-7 S/N 0413 flight log</name>\n"
        f"    <time>{t0.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>\n"
        "  </metadata>\n"
        "  <trk>\n"
        "    <name>LOG 0007</name>\n"
        "    <trkseg>\n"
        f"{body}\n"
        "    </trkseg>\n"
        "  </trk>\n"
        "</gpx>\n"
    ).encode()
    return text, (round(end[0], 6), round(end[1], 6))


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, index])


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

    near = _destination(CLAIMED_PLACE, 35.0, 0.3)

    # 1. camera original consistent with the claim
    rng = _rng(seed, 1)
    rgb = _scene(rng, 1600, 1200, night=True, wrecks=2)
    taken = _local(2025, 12, 29, 23, 47, 12)
    exif = _camera_exif(
        rgb=rgb, rng=rng, make="Canon", model="Canon EOS 90D", taken=taken, subsec="38",
        exposure=(1, 60), fnumber=(56, 10), iso=3200, focal=(35, 1), flash=9,
        lens="EF-S18-135mm f/3.5-5.6 IS USM", gps=_gps_ifd(*near, 148.6, taken),
        thumb=_thumbnail(rgb))
    original_rgb = rgb
    emit("IMG_0412.jpg", _jpeg_bytes(rgb, exif=exif, camera=True, tables=CANON_TABLES),
         "Camera original that fits the claim: Canon EOS 90D, taken 2025-12-29 23:47 +03:00 "
         f"inside the event window, GPS ~0.3 km from the {CLAIMED_PLACE_NAME}, thumbnail "
         "matches. A clean control: nothing alarming.")

    # 2. edited in Photoshop, stale thumbnail, re-saved at another quality
    rng = _rng(seed, 2)
    original = _scene(rng, 1600, 1200, night=True, wrecks=1)
    thumb = _thumbnail(original)
    first_save = np.asarray(Image.open(io.BytesIO(_jpeg_bytes(original,
                                                               tables=CANON_TABLES))))
    edited = _paste_fuselage(first_save, rng)
    taken = _local(2025, 12, 29, 23, 52, 40)
    modified = _local(2025, 12, 31, 23, 58, 3)
    exif = _camera_exif(
        rgb=edited, rng=rng, make="Canon", model="Canon EOS 90D", taken=taken, subsec="21",
        exposure=(1, 60), fnumber=(56, 10), iso=3200, focal=(24, 1), flash=9,
        lens="EF-S18-135mm f/3.5-5.6 IS USM", software="Adobe Photoshop 25.0 (Windows)",
        modified=modified, gps=_gps_ifd(*_destination(near, 120.0, 0.05), 147.9, taken),
        thumb=thumb)
    emit("wreckage_edited.jpg",
         _jpeg_bytes(edited, exif=exif, xmp=_photoshop_xmp(rng, taken, modified),
                     tables=PHOTOSHOP_Q8_TABLES, subsampling=0, one_dqt=True),
         "Same scene family, edited: a fuselage section with a stencil marking was pasted in and "
         "the file re-saved by Adobe Photoshop 25.0 (its 'Save As' quality 8 quantization "
         "tables, 4:4:4) two days after it was taken (EXIF Software and DateTime, XMP "
         "CreatorTool and xmpMM:History). The EXIF thumbnail still shows the unedited picture.",
         ("metadata.software_edited", "metadata.date_inconsistent",
          "metadata.thumbnail_mismatch"), pending=("jpeg.editor_tables_with_camera_exif",))

    # 3. phone photo inside the window but ~830 km away
    rng = _rng(seed, 3)
    rgb = _scene(rng, 1200, 900, night=True, wrecks=1)
    taken = _local(2025, 12, 30, 0, 18, 55)
    far = (57.80, 47.00)
    exif = _camera_exif(
        rgb=rgb, rng=rng, make="samsung", model="SM-S918B", taken=taken, subsec="412",
        exposure=(1, 25), fnumber=(17, 10), iso=1600, focal=(63, 10), flash=25,
        software="S918BXXU3BWK5", gps=_gps_ifd(*far, 163.0, taken), thumb=_thumbnail(rgb))
    dist = _haversine_km(far, CLAIMED_PLACE)
    emit("far_away.jpg", _jpeg_bytes(rgb, exif=exif, camera=True, tables=SAMSUNG_TABLES),
         "Phone photo (samsung SM-S918B) taken inside the event window, but its GPS is "
         f"{dist:.0f} km from the {CLAIMED_PLACE_NAME}: the case report's place assessment "
         "(case.place_far_from_claim) says so; a plain scan has nothing to compare it with.",
         truth={"distance_km": round(dist, 1)})

    # 4. recycled daylight photo from 2019
    rng = _rng(seed, 4)
    rgb = _scene(rng, 1200, 800, night=False, wrecks=2, noise=2.0)
    taken = _local(2019, 2, 14, 13, 22, 5)
    exif = _camera_exif(
        rgb=rgb, rng=rng, make="NIKON CORPORATION", model="NIKON D7500", taken=taken,
        subsec="60", exposure=(1, 500), fnumber=(80, 10), iso=200, focal=(50, 1), flash=16,
        lens="18.0-140.0 mm f/3.5-5.6", thumb=_thumbnail(rgb))
    emit("recycled_2019.jpg", _jpeg_bytes(rgb, exif=exif, camera=True, tables=NIKON_TABLES),
         "Recycled daylight photo: Nikon D7500 EXIF dates it 2019-02-14, years before the "
         "event, and the sample known-imagery index (build_archive) holds the same picture "
         "as published on 2019-02-15. The case report's timeline says it cannot show the "
         "event (case.first_seen_before_event / case.time_before_event).",
         pending=("known_image.match",))

    # 5. AI render with generator parameters and IPTC digital source type
    rng = _rng(seed, 5)
    rgb = _scene(rng, 1024, 1024, night=False, wrecks=1, noise=0.0, blur=1.4, footprints=False)
    rgb = np.clip(rgb.astype(np.float32) * 1.04 - 4, 0, 255).astype(np.uint8)  # glossy contrast
    info = PngInfo()
    info.add_text("parameters",
                  "drone wreckage in snow, photorealistic\n"
                  "Negative prompt: blurry, lowres, text, watermark\n"
                  "Steps: 30, Sampler: Euler a, CFG scale: 7, Seed: 12345, Size: 1024x1024, "
                  "Model: sdxl")
    info.add_itxt("XML:com.adobe.xmp", _ai_xmp())
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG", pnginfo=info)
    emit("ai_render.png", buf.getvalue(),
         "AI render: PNG with a Stable-Diffusion 'parameters' text chunk (prompt, sampler, "
         "seed, model sdxl) and XMP IPTC DigitalSourceType trainedAlgorithmicMedia.",
         ("metadata.ai_generated",))

    # 6. JPEG bytes behind a .png name
    rng = _rng(seed, 6)
    rgb = _nav_unit_scene(rng, 1200, 900)
    taken = _local(2025, 12, 30, 2, 41, 30)
    exif = _camera_exif(
        rgb=rgb, rng=rng, make="SONY", model="ILCE-7M3", taken=taken, subsec="705",
        exposure=(1, 125), fnumber=(80, 10), iso=800, focal=(55, 1), flash=9,
        lens="FE 24-105mm F4 G OSS", thumb=_thumbnail(rgb))
    emit("statement_photo.png", _jpeg_bytes(rgb, exif=exif, camera=True, tables=SONY_TABLES),
         "The 'recovered navigation unit' statement photo: the bytes are a JPEG (Sony ILCE-7M3 "
         "EXIF) although the name says .png.",
         ("metadata.extension_mismatch",))

    # 7. social-network copy of IMG_0412: resized, recompressed, EXIF stripped
    small = cv2.resize(original_rgb, (1080, 810), interpolation=cv2.INTER_AREA)
    emit("stripped.jpg", _jpeg_bytes(small, quality=78),
         "IMG_0412.jpg as a social network re-serves it: resized to 1080 px, quality 78, "
         "JFIF header and no EXIF at all. Released as a separate photo, it is the same "
         "picture (known_image.duplicate_in_release once the index check runs).",
         ("metadata.exif_absent",), pending=("known_image.duplicate_in_release",))

    # 8. the navigation unit's track
    rng = _rng(seed, 8)
    track, last = _gpx(rng)
    to_site, to_target = _haversine_km(last, MILITARY_SITE), _haversine_km(last, CLAIMED_TARGET)
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
    rng = _rng(seed, 10)
    rgb = _scene(rng, 1600, 1200, night=True, wrecks=1)
    cloned, src_box, dst_box = plant_clone(rgb, rng)
    taken = _local(2025, 12, 30, 0, 4, 51)
    exif = _camera_exif(
        rgb=cloned, rng=rng, make="Canon", model="Canon EOS 90D", taken=taken, subsec="66",
        exposure=(1, 60), fnumber=(56, 10), iso=3200, focal=(28, 1), flash=9,
        lens="EF-S18-135mm f/3.5-5.6 IS USM",
        gps=_gps_ifd(*_destination(near, 300.0, 0.08), 148.1, taken), thumb=_thumbnail(cloned))
    emit("wreckage_cloned.jpg", _jpeg_bytes(cloned, exif=exif, camera=True, tables=CANON_TABLES),
         "A second wreck that is a copy of the first: a wreckage region was cloned to another "
         "place in the same picture (feathered edge), then the file was written with camera "
         "metadata and Canon tables, so only a pixel check (copy-move) can tell.",
         pending=("copy_move.",), truth={"clone_source": src_box, "clone_target": dst_box})

    return SampleSet(evidence_dir=evidence, files=tuple(files))


@dataclass(frozen=True)
class ArchiveImage:
    """An earlier publication for the sample known-imagery index."""

    path: Path
    url: str
    first_seen: str
    caption: str
    credit: str
    source_of: str
    """The evidence file whose picture this is."""


def build_archive(out_dir: str | os.PathLike[str], *, seed: int = 7) -> tuple[ArchiveImage, ...]:
    """Write ``out_dir/archive/``: the pictures a newsroom's known-imagery index would hold.

    One is the 2019 regional-news publication of the scene in ``recycled_2019.jpg``
    (resized to 1024 px, cropped by 4 % on each side, re-encoded at quality 82, no EXIF),
    first seen 2019-02-15, the day after its EXIF date.
    """
    archive = Path(out_dir) / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    rgb = _scene(_rng(seed, 4), 1200, 800, night=False, wrecks=2, noise=2.0)  # as sample 4
    h, w = rgb.shape[:2]
    crop = rgb[int(h * 0.04):int(h * 0.96), int(w * 0.04):int(w * 0.96)]
    small = cv2.resize(crop, (1024, round(1024 * crop.shape[0] / crop.shape[1])),
                       interpolation=cv2.INTER_AREA)
    path = archive / "2019-02-15_regional-news_drone-crash.jpg"
    path.write_bytes(_jpeg_bytes(small, quality=82))
    return (ArchiveImage(
        path=path, url="https://regional-news.example/2019/02/15/drone-crash-near-lake",
        first_seen="2019-02-15", caption="Wreckage of a reconnaissance drone that crashed "
        "near the lake during an exercise, February 2019 (invented sample).",
        credit="Regional News (invented)", source_of="recycled_2019.jpg"),)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provenancekit.samples.generate",
                                     description="Generate the provenance demo evidence.")
    parser.add_argument("out_dir", help="folder to create; files go to OUT_DIR/evidence/")
    parser.add_argument("--seed", type=int, default=7, help="composition seed (default 7)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = build_samples(args.out_dir, seed=args.seed)
    elapsed = time.perf_counter() - started
    total = 0
    for sample in result.files:
        size = sample.path.stat().st_size
        total += size
        codes = ", ".join(sample.expect) or "-"
        print(f"{sample.name:22} {size:>9,} B  expect: {codes}")
    print(f"{len(result.files)} files, {total:,} bytes in {result.evidence_dir} ({elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
