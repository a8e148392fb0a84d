"""Global perceptual hashes of one image: pHash, dHash (imagehash) and PDQ (Meta, ``pdqhash``).

Pure functions on RGB ``uint8`` arrays (``H x W x 3``), one per algorithm, like imagehash.
Every hash is computed on the *working image*: the picture decoded at a bounded size
(:data:`WORKING_SIDE` pixels on the longest side, JPEG draft / DCT-domain scaling), never on
a full 12-megapixel decode. The index stores the hashes of the image as it is (identity
orientation); a query computes the 8 dihedral variants (rotations by 90 degrees and mirror
flips), so a flipped or rotated copy is found without storing 8 hashes per indexed image.

* pHash: Zauner, *Implementation and Benchmarking of Perceptual Image Hash Functions*
  (2010); the imagehash implementation (DCT of a 32 x 32 grey image, 8 x 8 low frequencies
  compared with their median). 64 bits.
* dHash: Krawetz, *Kind of Like That* (2013), the imagehash implementation (signs of
  horizontal differences of a 9 x 8 grey image). 64 bits.
* PDQ: Meta, *The TMK+PDQF and PDQ hashing algorithms* (ThreatExchange, 2019), through the
  ``pdqhash`` bindings. 256 bits plus a quality score 0..100 (gradient energy); Meta advises
  not to trust hashes of quality below 50. PDQ downsamples every image to 64 x 64 before its
  DCT; here that reduction is done once with an area average (OpenCV ``INTER_AREA``), which
  makes its 8 dihedral hashes exact. The hashes are therefore this project's own (scheme
  :data:`HASH_SCHEME`), not byte-comparable with reference PDQ hashes of full images.

Distances are Hamming distances in bits. Hashes are carried as Python ``int`` (64-bit) and
``bytes`` (PDQ, 32 bytes, most significant bit first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import cv2
import imagehash
import numpy as np
import pdqhash
import scipy.fftpack
from PIL import Image

HASH_SCHEME = "provenance-known-image/2"
"""Changes whenever the hash computation changes; indexes of another scheme are refused."""

WORKING_SIDE = 480
"""Longest side, in pixels, of the decoded image every hash and local feature is taken from.

The same size as the scan's shared preview (``ScanOptions.preview_max_side``), so matching
costs no second decode; a 12 MP JPEG reaches it by DCT-domain scaling at 1/8."""

PDQ_SIDE = 64
"""PDQ's own downsampled buffer size, in pixels (square)."""

PDQ_QUALITY_MIN = 50
"""PDQ quality below which Meta advises not to trust a hash (flagged, never trusted alone)."""

DIHEDRAL: tuple[str, ...] = (
    "identity", "rotate_90", "rotate_180", "rotate_270",
    "flip_vertical", "flip_horizontal", "transpose", "transverse",
)
"""Names of the 8 dihedral variants, in ``pdqhash.compute_dihedral`` order. ``rotate_90`` is
a quarter turn counter-clockwise; ``transpose`` mirrors about the main diagonal and
``transverse`` about the anti-diagonal."""

DIHEDRAL_INVERSE: tuple[int, ...] = (0, 3, 2, 1, 4, 5, 6, 7)
"""``DIHEDRAL_INVERSE[k]`` undoes variant ``k`` (only the quarter turns are not their own
inverse)."""


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, 0, 1)


DIHEDRAL_OPS: tuple[Callable[[np.ndarray], np.ndarray], ...] = (
    lambda a: a,
    lambda a: np.rot90(a, 1),
    lambda a: np.rot90(a, 2),
    lambda a: np.rot90(a, 3),
    lambda a: a[::-1],
    lambda a: a[:, ::-1],
    _t,
    lambda a: _t(np.rot90(a, 2)),
)
"""Array operations (on the first two axes) producing each dihedral variant."""


def _bits_to_int(bits: np.ndarray) -> int:
    return int.from_bytes(np.packbits(np.asarray(bits, dtype=bool).ravel()).tobytes(), "big")


def _grey(rgb: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(rgb)).convert("L")


def phash(rgb: np.ndarray) -> int:
    """imagehash pHash (64 bits) of an RGB ``uint8`` image, as an unsigned int."""
    return _bits_to_int(imagehash.phash(_grey(rgb)).hash)


def _phash_bits(small: np.ndarray) -> int:
    """pHash of an already reduced 32 x 32 grey array: imagehash's computation (2-D DCT-II,
    the 8 x 8 lowest frequencies compared with their median), without its image round trip.
    """
    pixels = np.asarray(small, dtype=np.float64)
    coeffs = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]
    return _bits_to_int(coeffs > np.median(coeffs))


def phash_dihedral(rgb: np.ndarray) -> list[int]:
    """pHash of the 8 dihedral variants (order :data:`DIHEDRAL`).

    The 32 x 32 reduction imagehash makes is done once and then turned, which equals hashing
    each turned image (the Lanczos filter is symmetric) up to rounding; the identity variant
    equals :func:`phash` bit for bit.
    """
    small = np.asarray(_grey(rgb).resize((32, 32), Image.Resampling.LANCZOS))
    return [_phash_bits(op(small)) for op in DIHEDRAL_OPS]


def _dhash_bits(small: np.ndarray) -> int:
    """dHash of an already reduced 8-row x 9-column grey array (imagehash's comparison)."""
    return _bits_to_int(small[:, 1:] > small[:, :-1])


def dhash(rgb: np.ndarray) -> int:
    """imagehash dHash (64 bits, horizontal gradients) of an RGB ``uint8`` image.

    The grey image is reduced to 9 x 8 with Lanczos, as imagehash does.
    """
    return _dhash_bits(np.asarray(_grey(rgb).resize((9, 8), Image.Resampling.LANCZOS)))


def dhash_dihedral(rgb: np.ndarray) -> list[int]:
    """dHash of the 8 dihedral variants (order :data:`DIHEDRAL`).

    Two reductions serve all eight: 9 x 8 for the variants that keep the axes and 8 x 9 for
    those that swap them, each then turned (the separable Lanczos reduction commutes with
    the turn up to rounding), instead of reducing eight turned copies of the image.
    """
    grey = _grey(rgb)
    keep = np.asarray(grey.resize((9, 8), Image.Resampling.LANCZOS))
    swap = np.asarray(grey.resize((8, 9), Image.Resampling.LANCZOS))
    return [_dhash_bits(op(swap if k in (1, 3, 6, 7) else keep))
            for k, op in enumerate(DIHEDRAL_OPS)]


def _pdq_input(rgb: np.ndarray) -> np.ndarray:
    rgb = np.ascontiguousarray(rgb)
    if rgb.shape[:2] != (PDQ_SIDE, PDQ_SIDE):
        rgb = cv2.resize(rgb, (PDQ_SIDE, PDQ_SIDE), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def pdq(rgb: np.ndarray) -> tuple[bytes, int]:
    """PDQ hash (32 bytes) and quality (0..100) of an RGB ``uint8`` image."""
    bits, quality = pdqhash.compute(_pdq_input(rgb))
    return np.packbits(bits.astype(bool)).tobytes(), int(quality)


def pdq_dihedral(rgb: np.ndarray) -> tuple[list[bytes], int]:
    """PDQ hashes of the 8 dihedral variants (order :data:`DIHEDRAL`) and the quality."""
    hashes, quality = pdqhash.compute_dihedral(_pdq_input(rgb))
    return [np.packbits(h.astype(bool)).tobytes() for h in hashes], int(quality)


def information(rgb: np.ndarray) -> float:
    """Standard deviation of the grey levels (0..255) of the 64 x 64 reduction.

    Below a few grey levels the picture is (nearly) flat and no hash says anything about it.
    """
    grey = cv2.cvtColor(_pdq_input(rgb), cv2.COLOR_RGB2GRAY)
    return float(grey.std())


def trim_uniform_border(rgb: np.ndarray, *, tolerance: int = 10, min_band: int = 2,
                        min_keep: float = 0.3) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Remove letterbox / pillarbox bands and flat frames of one colour around a picture.

    A band is a run of whole rows (columns) at an edge whose pixels lie within ``tolerance``
    grey levels (per channel) of that edge's median colour (90 % of each line; none further
    than 3 x ``tolerance``, which lets JPEG ringing pass), at least ``min_band`` pixels
    wide. Returns the trimmed image and the kept box
    ``(left, top, right, bottom)`` in pixels; the image is returned unchanged when no band is
    found or when less than ``min_keep`` of either side would remain.
    """
    h, w = rgb.shape[:2]
    if h < 8 or w < 8:
        return rgb, (0, 0, w, h)

    def run(lines: np.ndarray) -> int:
        # lines: (n, m, 3) uint8, outermost first. Judged a few lines at a time: most pictures
        # have no border, and their first line already ends the run.
        ref = np.median(lines[0], axis=0)
        total = len(lines)

        def dev(start: int, stop: int) -> np.ndarray:  # (k, m) per-pixel deviation
            return np.abs(lines[start:stop].astype(np.int16) - ref).max(axis=2)

        n, step = 0, 4
        while n < total:
            d = dev(n, min(total, n + step))
            # JPEG ringing spreads one 8x8 block into the band: judge the bulk of each line
            ok = (np.percentile(d, 90, axis=1) <= tolerance) & (d.max(axis=1) <= 3 * tolerance)
            if not ok.all():
                n += int(np.argmin(ok))
                break
            n += len(ok)
            step *= 2
        if n < min_band:
            return 0
        # refine across the JPEG block the ringing smeared: lines still close on average
        if n < total:
            mean_dev = dev(n, min(total, n + 8)).mean(axis=1)
            k = 0
            while k < len(mean_dev) and mean_dev[k] <= tolerance:
                k += 1
            n += k
        return n

    top = run(rgb)
    bottom = run(rgb[::-1])
    left = run(np.swapaxes(rgb, 0, 1))
    right = run(np.swapaxes(rgb, 0, 1)[::-1])
    box = (left, top, w - right, h - bottom)
    if (box[2] - box[0]) < min_keep * w or (box[3] - box[1]) < min_keep * h:
        return rgb, (0, 0, w, h)
    if box == (0, 0, w, h):
        return rgb, box
    return rgb[box[1]:box[3], box[0]:box[2]], box


@dataclass(frozen=True)
class GlobalHashes:
    """The global hashes of one image in its stored orientation."""

    phash: int
    dhash: int
    pdq: bytes
    pdq_quality: int
    information: float
    """Grey-level standard deviation of the 64 x 64 reduction (see :func:`information`)."""


@dataclass(frozen=True)
class DihedralHashes:
    """The global hashes of the 8 dihedral variants of one image (order :data:`DIHEDRAL`)."""

    phash: tuple[int, ...]
    dhash: tuple[int, ...]
    pdq: tuple[bytes, ...]
    pdq_quality: int
    information: float

    @property
    def identity(self) -> GlobalHashes:
        return GlobalHashes(self.phash[0], self.dhash[0], self.pdq[0], self.pdq_quality,
                            self.information)


def global_hashes(rgb: np.ndarray) -> GlobalHashes:
    """pHash, dHash, PDQ (+ quality) and the information measure of one working image."""
    code, quality = pdq(rgb)
    return GlobalHashes(phash(rgb), dhash(rgb), code, quality, information(rgb))


def dihedral_hashes(rgb: np.ndarray) -> DihedralHashes:
    """The three hashes of all 8 dihedral variants of one working image."""
    codes, quality = pdq_dihedral(rgb)
    return DihedralHashes(tuple(phash_dihedral(rgb)), tuple(dhash_dihedral(rgb)),
                          tuple(codes), quality, information(rgb))


def hash_versions() -> dict[str, str]:
    """What the hashes depend on: the scheme and the hashing libraries' versions."""
    out = {"scheme": HASH_SCHEME, "working_side": str(WORKING_SIDE)}
    for dist in ("imagehash", "pdqhash", "opencv-python-headless", "pillow"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:  # pragma: no cover - declared dependencies
            out[dist] = "unknown"
    return out


COMPATIBILITY_KEYS = ("scheme", "working_side", "imagehash", "pdqhash")
"""Version fields that must agree (``major.minor`` for libraries) to mix hashes."""


def incompatibilities(stored: dict[str, str], current: dict[str, str]) -> list[str]:
    """Why hashes made with ``stored`` versions cannot be compared with ``current`` ones."""
    problems = []
    for key in COMPATIBILITY_KEYS:
        a, b = stored.get(key), current.get(key)
        if key in ("imagehash", "pdqhash"):
            a = ".".join((a or "").split(".")[:2])
            b = ".".join((b or "").split(".")[:2])
        if a != b:
            problems.append(f"{key}: index has {stored.get(key)!r}, this installation "
                            f"{current.get(key)!r}")
    return problems


def hamming64(a: int, b: int) -> int:
    """Hamming distance of two 64-bit hashes."""
    return (a ^ b).bit_count() if hasattr(int, "bit_count") else bin(a ^ b).count("1")


def hamming_bytes(a: bytes, b: bytes) -> int:
    """Hamming distance of two equally long byte strings (PDQ)."""
    return int(np.unpackbits(np.frombuffer(a, np.uint8) ^ np.frombuffer(b, np.uint8)).sum())
