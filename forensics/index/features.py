"""The second stage: local features (ORB) and geometric verification (OpenCV RANSAC).

Global hashes change completely when a third of a picture is cropped away or a large logo is
laid over it. Local features do not: the keypoints inside the remaining region still match
and still obey one geometric transform. This module holds pure functions for

* extracting ORB keypoints (Rublee et al., *ORB: an efficient alternative to SIFT or SURF*,
  ICCV 2011) spread over an 8 x 8 grid, from the same bounded working image as the hashes;
* packing them compactly (normalised coordinates as ``uint16`` plus 32-byte descriptors:
  36 bytes per keypoint);
* turning descriptors into *words*: fixed random subsets of descriptor bits (locality-
  sensitive hashing of Hamming space, Indyk & Motwani 1998; Gionis et al. 1999), which an
  index posts so that a crop can be retrieved by voting without any global hash agreeing;
* verifying a candidate: ratio-test matching (Lowe 2004) and a RANSAC similarity transform
  (``cv2.estimateAffinePartial2D``; Fischler & Bolles 1981), with sanity limits on scale and
  on how much of the query the inliers span.

ORB descriptors are not mirror-invariant: a mirrored copy is verified with the features of
the mirrored query (see :func:`extract` with ``mirror=True``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

FEATURE_SCHEME = "orb256-grid8-lsh3x24/2"
"""Changes whenever extraction, packing or the word functions change."""


@dataclass(frozen=True)
class LocalFeatures:
    """Keypoints of one working image: positions normalised to [0, 1] and descriptors."""

    points: np.ndarray
    """``(n, 2)`` float32, x / width and y / height of the working image."""
    descriptors: np.ndarray
    """``(n, 32)`` uint8 ORB descriptors."""
    size: tuple[int, int]
    """(width, height) in pixels of the working image they were taken from."""

    def __len__(self) -> int:
        return len(self.descriptors)


def empty(size: tuple[int, int]) -> LocalFeatures:
    """No keypoints (an image too small or too flat, or features not computed)."""
    return LocalFeatures(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), size)


def _orb(detect: int) -> cv2.ORB:
    return cv2.ORB_create(nfeatures=detect, fastThreshold=12)


def _grey_for_orb(rgb: np.ndarray, min_side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    if min(h, w) < min_side:
        scale = min_side / min(h, w)
        grey = cv2.resize(grey, (round(w * scale), round(h * scale)),
                          interpolation=cv2.INTER_LINEAR)
    return grey


def _spread(keypoints: list[cv2.KeyPoint], shape: tuple[int, ...], grid: int,
            max_keypoints: int) -> np.ndarray:
    """Indices of at most ``max_keypoints`` keypoints, the strongest of every grid cell in
    turns."""
    pts = np.array([k.pt for k in keypoints], np.float32)
    resp = np.array([k.response for k in keypoints], np.float32)
    gh, gw = shape[:2]
    cx = np.minimum((pts[:, 0] / gw * grid).astype(int), grid - 1)
    cy = np.minimum((pts[:, 1] / gh * grid).astype(int), grid - 1)
    cell = cy * grid + cx
    order = np.lexsort((-resp, cell))
    cells = cell[order]
    starts = np.r_[0, np.flatnonzero(np.diff(cells)) + 1]
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return np.lexsort((-resp, rank))[:max_keypoints]


def _features(keypoints: list[cv2.KeyPoint], desc: np.ndarray, shape: tuple[int, ...],
              size: tuple[int, int]) -> LocalFeatures:
    gh, gw = shape[:2]
    pts = np.array([k.pt for k in keypoints], np.float32).reshape(-1, 2)
    norm = pts / np.array([gw, gh], np.float32)
    return LocalFeatures(np.clip(norm, 0, 1).astype(np.float32),
                         np.ascontiguousarray(desc, np.uint8).reshape(-1, 32), size)


def extract(rgb: np.ndarray, *, max_keypoints: int = 256, grid: int = 8, min_side: int = 256,
            detect: int = 2000, mirror: bool = False) -> LocalFeatures:
    """ORB keypoints of an RGB ``uint8`` working image, at most ``max_keypoints``.

    ``detect`` keypoints are detected (FAST threshold 12); the kept ones are spread over a
    ``grid`` x ``grid`` layout by taking the strongest of every cell in turns, so text or one
    textured corner cannot take them all. Images whose short side is below ``min_side``
    pixels are enlarged first (ORB needs a 31-pixel patch). With ``mirror=True`` the image
    is flipped left-right first and the positions are those in the flipped frame, so a mirrored
    copy relates to its original by a similarity transform again.
    """
    h, w = rgb.shape[:2]
    size = (int(w), int(h))
    if h < 16 or w < 16:
        return empty(size)
    grey = _grey_for_orb(rgb, min_side)
    if mirror:
        grey = np.ascontiguousarray(grey[:, ::-1])
    return _detect(grey, size, detect=detect, grid=grid, max_keypoints=max_keypoints)[0]


def _detect(grey: np.ndarray, size: tuple[int, int], *, detect: int, grid: int,
            max_keypoints: int, mirrored: bool = False) -> tuple[LocalFeatures, LocalFeatures]:
    """Detect, keep the spread-out strongest, describe only those (and, with ``mirrored``,
    the same keypoints on the left-right flipped image)."""
    orb = _orb(detect)
    keypoints = orb.detect(grey, None)
    if not keypoints:
        return empty(size), empty(size)
    keep = _spread(keypoints, grey.shape, grid, max_keypoints)
    kps, desc = orb.compute(grey, [keypoints[i] for i in keep])
    if desc is None or not kps:
        return empty(size), empty(size)
    plain = _features(list(kps), desc, grey.shape, size)
    if not mirrored:
        return plain, empty(size)
    gw = grey.shape[1]
    flipped = [cv2.KeyPoint(gw - 1 - k.pt[0], k.pt[1], k.size, (180.0 - k.angle) % 360.0,
                            k.response, k.octave, k.class_id) for k in kps]
    mkps, mdesc = orb.compute(np.ascontiguousarray(grey[:, ::-1]), flipped)
    if mdesc is None or not mkps:
        return plain, empty(size)
    return plain, _features(list(mkps), mdesc, grey.shape, size)


def extract_pair(rgb: np.ndarray, *, max_keypoints: int = 256, grid: int = 8,
                 min_side: int = 256, detect: int = 2000) -> tuple[LocalFeatures, LocalFeatures]:
    """:func:`extract` of the image and of its left-right mirror image, in one detection.

    The mirrored set describes the *same* keypoints, mirrored (x -> width - 1 - x, angle ->
    180 - angle), on the flipped image: ORB's detector and orientation are mirror-symmetric,
    only the descriptor's sampling pattern is not, so this equals detecting on the flipped
    image while saving the second detection (about half of ORB's time).
    """
    h, w = rgb.shape[:2]
    size = (int(w), int(h))
    if h < 16 or w < 16:
        return empty(size), empty(size)
    return _detect(_grey_for_orb(rgb, min_side), size, detect=detect, grid=grid,
                   max_keypoints=max_keypoints, mirrored=True)


def pack(features: LocalFeatures) -> bytes:
    """Compact bytes: width, height, n (uint16 x 3), n x (x, y) uint16, n x 32 descriptors."""
    n = len(features)
    head = np.array([features.size[0], features.size[1], n], np.uint16).tobytes()
    pts = np.round(features.points * 65535).astype("<u2").tobytes()
    return head + pts + features.descriptors.astype(np.uint8).tobytes()


def unpack(data: bytes) -> LocalFeatures:
    """Inverse of :func:`pack`. Raises ``ValueError`` on malformed bytes."""
    if len(data) < 6:
        raise ValueError("feature record too short")
    w, h, n = (int(v) for v in np.frombuffer(data[:6], "<u2"))
    if len(data) != 6 + n * 36:
        raise ValueError("feature record length does not match its keypoint count")
    pts = np.frombuffer(data[6:6 + 4 * n], "<u2").reshape(n, 2).astype(np.float32) / 65535
    desc = np.frombuffer(data[6 + 4 * n:], np.uint8).reshape(n, 32)
    return LocalFeatures(pts, desc, (w, h))


_RNG = np.random.default_rng(20240601)
WORD_TABLES = 3
WORD_BITS = 24
_WORD_BIT_POSITIONS = np.stack([_RNG.permutation(256)[:WORD_BITS] for _ in range(WORD_TABLES)])
"""Fixed (seeded) descriptor bit positions forming each table's 24-bit word."""


def words(descriptors: np.ndarray) -> np.ndarray:
    """LSH words of ORB descriptors: ``table << 24 | 24 sampled bits``, unique, int64.

    Locality-sensitive hashing by bit sampling (P. Indyk, R. Motwani, "Approximate nearest
    neighbors: towards removing the curse of dimensionality", STOC 1998): two descriptors of
    the same physical point (Hamming distance ~30 of 256) share a table's word with
    probability ~(1 - 30/256)^24 ~ 0.05, unrelated ones with ~2^-24 (more for the biased
    ORB bits). Three tables of 24 bits were chosen over the earlier two of 16 on the corpus
    (``benchmarks/index_speed.py`` documents the measurement): a cropped or captioned copy
    still shares a median of 58 words with its original (16 bits: 80), while two distinct
    photos share 0.6 on average instead of 12.5, so the original still ranks first among
    ~10^6 images, and each word's posting list is ~200 times shorter.
    """
    if len(descriptors) == 0:
        return np.zeros(0, np.int64)
    bits = np.unpackbits(np.asarray(descriptors, np.uint8), axis=1)  # (n, 256)
    weights = (1 << np.arange(WORD_BITS - 1, -1, -1)).astype(np.int64)
    out = [(bits[:, pos].astype(np.int64) @ weights) | (t << WORD_BITS)
           for t, pos in enumerate(_WORD_BIT_POSITIONS)]
    return np.unique(np.concatenate(out))


@dataclass(frozen=True)
class Verification:
    """The result of geometric verification of a query against one indexed image."""

    inliers: int
    matches: int
    """Descriptor matches that passed the ratio test (RANSAC input)."""
    transform: tuple[tuple[float, ...], ...] | None
    """2 x 3 similarity mapping query working pixels to indexed working pixels."""
    scale: float | None
    """Linear scale of the query relative to the indexed image (both at full stored size)."""
    rotation_deg: float | None
    """Rotation of the query relative to the indexed image, degrees counter-clockwise."""
    mirrored: bool
    region: tuple[float, float, float, float] | None
    """Where the query's frame lies in the indexed image: (x0, y0, x1, y1), fractions of
    the indexed image (may exceed [0, 1] when borders were added)."""
    spread: float
    """Smaller of the x and y extents of the inliers, as a fraction of the query."""
    reason: str
    """Why the candidate was accepted or rejected (plain words)."""

    @property
    def visible_fraction(self) -> float | None:
        """Fraction of the indexed image's area the query shows."""
        if self.region is None:
            return None
        x0, y0, x1, y1 = self.region
        return max(0.0, min(1.0, x1) - max(0.0, x0)) * max(0.0, min(1.0, y1) - max(0.0, y0))


_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING)


def verify(query: LocalFeatures, ref: LocalFeatures, *, ratio: float = 0.8,
           max_descriptor_distance: int = 64, reprojection: float = 0.015,
           min_spread: float = 0.2, scale_range: tuple[float, float] = (0.1, 10.0),
           query_full_size: tuple[int, int] | None = None,
           ref_full_size: tuple[int, int] | None = None, mirrored: bool = False,
           min_inliers: int = 20) -> Verification:
    """Match ``query`` against ``ref`` and fit one similarity transform with RANSAC.

    ``reprojection`` is the RANSAC inlier tolerance as a fraction of the indexed image's
    longest working side. The transform is rejected (``inliers`` reported as found, but
    ``reason`` says why) when its scale is outside ``scale_range`` or when the inliers span
    less than ``min_spread`` of the query in x or y (a degenerate fit on one small patch).
    ``query_full_size`` / ``ref_full_size`` (stored pixel sizes) turn the working-size scale
    into the scale between the files.
    """
    def rejected(reason: str, inliers: int = 0, matches: int = 0,
                 spread: float = 0.0) -> Verification:
        return Verification(inliers, matches, None, None, None, mirrored, None, spread, reason)

    if len(query) < 8 or len(ref) < 8:
        return rejected("too few keypoints to verify")
    pairs = _MATCHER.knnMatch(query.descriptors, ref.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < ratio * p[1].distance
            and p[0].distance <= max_descriptor_distance]
    if len(good) < max(6, min_inliers):  # RANSAC cannot find more inliers than matches
        return rejected("too few descriptor matches", matches=len(good))
    qsize = np.array(query.size, np.float32)
    rsize = np.array(ref.size, np.float32)
    src = query.points[[m.queryIdx for m in good]] * qsize
    dst = ref.points[[m.trainIdx for m in good]] * rsize
    model, mask = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=float(reprojection * rsize.max()),
        maxIters=2000, confidence=0.995)
    if model is None or mask is None:
        return rejected("no consistent transform", matches=len(good))
    inl = mask.ravel().astype(bool)
    n_in = int(inl.sum())
    spread = float(min(np.ptp(src[inl, 0]) / qsize[0], np.ptp(src[inl, 1]) / qsize[1])) \
        if n_in >= 2 else 0.0
    lin = model[:, :2]
    s_work = math.sqrt(abs(float(np.linalg.det(lin))))
    if s_work <= 0:
        return rejected("degenerate transform", n_in, len(good), spread)
    # scale of the query relative to the reference, in full-size pixels
    qf = np.array(query_full_size or query.size, np.float64) / qsize
    rf = np.array(ref_full_size or ref.size, np.float64) / rsize
    scale = float((1.0 / s_work) * (qf.mean() / rf.mean()))
    rotation = float(math.degrees(math.atan2(-lin[0, 1], lin[0, 0])))
    # the query frame's corners mapped into the reference, as fractions
    qw, qh = float(qsize[0]), float(qsize[1])
    corners = np.array([[0, 0, 1], [qw, 0, 1], [0, qh, 1], [qw, qh, 1]], np.float64)
    mapped = corners @ model.T.astype(np.float64)
    x0, y0 = mapped.min(axis=0) / rsize
    x1, y1 = mapped.max(axis=0) / rsize
    region = (round(float(x0), 4), round(float(y0), 4), round(float(x1), 4), round(float(y1), 4))
    transform = tuple(tuple(round(float(v), 6) for v in row) for row in model)
    s_rel = s_work * float(qsize.max()) / float(rsize.max())
    if not scale_range[0] <= 1.0 / s_rel <= scale_range[1]:
        reason = f"implausible scale ({1.0 / s_rel:.3g} of the indexed image)"
    elif spread < min_spread:
        reason = f"inliers cover only {spread:.0%} of the query in one direction"
    elif n_in < min_inliers:
        reason = f"{n_in} inliers, fewer than the {min_inliers} required"
    else:
        reason = "verified"
    return Verification(n_in, len(good), transform, round(scale, 4), round(rotation, 2),
                        mirrored, region, round(spread, 3), reason)
