"""Dense verification of a candidate transform: which pixels really match, and the region.

The localisation step of Amerini et al., Signal Processing: Image Communication 28(6), 2013
(local ZNCC of the high-passed picture with its transformed self, distinct from the same
transform moved by a few pixels), the region grown by hysteresis, rotated or scaled
transforms refined by ECC (Evangelidis & Psarakis, IEEE TPAMI 2008). See the package
docstring.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import (
    Roi,
    _bbox,
    _clean,
    _crop,
    _displacement,
    _move,
    _pad_roi,
    _zncc,
)
from .params import CopyMoveParams


@dataclass
class _Candidate:
    affine: np.ndarray  # verification-image pixels, source -> target
    method: str
    inliers: int = 0
    votes: int = 0
    exact: bool = False
    """Proposed by bit-identical blocks at the verification size (screened there too)."""


@dataclass
class _Verified:
    cand: _Candidate
    target: np.ndarray  # bool, whole verification image (grown region, shown)
    source: np.ndarray
    roi: Roi
    core: np.ndarray  # the strict matches the measurements rest on
    zncc_median: float
    residual_median: float
    exact_fraction: float
    area_fraction: float
    aperture: float = 0.5
    flat_fraction: float = 0.0
    periodic_fraction: float | None = None
    competitor_margin: float = 1.0
    noise_correlation: float | None = None
    """Pearson r of the interiors' fine residuals (None: not measurable)."""
    noise_pixels: int = 0
    noise_std: float = 0.0
    score: float = 0.0
    reason: str = ""


def _base_match(hp: np.ndarray, a: np.ndarray, roi: Roi, p: CopyMoveParams,
                min_var: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixels of ``roi`` whose neighbourhood correlates with its image under ``a``^-1.

    Returns (bool map, zncc map), both of the ROI's shape."""
    z, var, valid = _zncc(_crop(hp, roi), _move(hp, a, roi), p.zncc_window)
    far = _displacement(a, roi) >= p.min_shift
    return (z >= p.zncc_threshold) & valid & (var >= min_var) & far, z


def _distinct(hp: np.ndarray, a: np.ndarray, roi: Roi, z: np.ndarray, p: CopyMoveParams
              ) -> np.ndarray:
    """Where ``a`` beats the same transform moved by ``distinct_delta`` pixels (any way)."""
    best = np.full(z.shape, -1.0, np.float32)
    d = p.distinct_delta
    for ddx, ddy in ((d, 0), (-d, 0), (0, d), (0, -d)):
        a2 = a.copy()
        a2[0, 2] += ddx
        a2[1, 2] += ddy
        z2, _, v2 = _zncc(_crop(hp, roi), _move(hp, a2, roi), p.zncc_window)
        best = np.maximum(best, np.where(v2, z2, -1.0))
    return (z - best) >= p.distinct_margin


def _refine(hp: np.ndarray, a: np.ndarray, pts: tuple[np.ndarray, np.ndarray], radius: int
            ) -> np.ndarray:
    """Snap a near-translation to the whole-pixel shift (within ``radius``) with the least
    squared difference of the high-passed picture over the screened pixels ``pts``
    (rows, cols)."""
    h, w = hp.shape
    ys, xs = pts
    t = np.round(a[:, 2]).astype(int)
    ref = hp[ys, xs]
    best, best_e = a, np.inf
    for ddy in range(-radius, radius + 1):
        for ddx in range(-radius, radius + 1):
            dx, dy = t[0] + ddx, t[1] + ddy
            sy, sx = ys - dy, xs - dx
            ok = (sy >= 0) & (sy < h) & (sx >= 0) & (sx < w)
            if ok.sum() < 16:
                continue
            e = float(np.mean((ref[ok] - hp[sy[ok], sx[ok]]) ** 2))
            if e < best_e:
                best, best_e = np.array([[1.0, 0.0, float(dx)], [0.0, 1.0, float(dy)]]), e
    return best


def _screen(hp_b: np.ndarray, a_b: np.ndarray, p: CopyMoveParams, min_px: int
            ) -> tuple[Roi, np.ndarray] | None:
    """Cheap first look at the block-vote size: the box of the matching pixels and their
    mask (block-size pixels), or None."""
    h, w = hp_b.shape
    m, _ = _base_match(hp_b, a_b, (0, 0, w, h), p, p.min_local_var * 0.5)
    if int(m.sum()) < min_px:
        return None
    # keep only clusters big enough to matter, so one stray pixel does not widen the box
    n, lab, stats, _ = cv2.connectedComponentsWithStats(_clean(m, 2).astype(np.uint8), 8)
    big = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= max(4, min_px // 4)]
    if not big:
        return None
    x0 = min(stats[i, cv2.CC_STAT_LEFT] for i in big)
    y0 = min(stats[i, cv2.CC_STAT_TOP] for i in big)
    x1 = max(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] for i in big)
    y1 = max(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] for i in big)
    keep = np.zeros(n, bool)
    keep[big] = True
    return (int(x0), int(y0), int(x1), int(y1)), keep[lab] & m


def _region(match: np.ndarray, p: CopyMoveParams, min_px: int) -> np.ndarray:
    """Cleaned target region: closed, holes filled, small pieces dropped."""
    m = _clean(match, p.close_radius)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(m.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_px
    return keep[lab]


def _verify(hp: np.ndarray, rgb_s: np.ndarray, rgb_raw: np.ndarray, cand: _Candidate,
            roi: Roi, p: CopyMoveParams, min_px: int) -> _Verified | None:
    """Dense verification of one candidate inside ``roi`` (verification pixels)."""
    h, w = hp.shape
    a = cand.affine
    base, z = _base_match(hp, a, roi, p, p.min_local_var)
    if int(base.sum()) < min_px // 2:
        return None
    match = base & _distinct(hp, a, roi, z, p)
    if int(match.sum()) < min_px // 2:
        return None
    core_roi = _region(match, p, min_px)
    if not core_roi.any():
        return None
    x0, y0, x1, y1 = roi
    core = np.zeros((h, w), bool)
    core[y0:y1, x0:x1] = core_roi
    # measurements on the core (strict matches); the region shown grows from it
    tb = _bbox(core)
    assert tb is not None
    moved = _move(rgb_s, a, tb)
    diff = np.abs(_crop(rgb_s, tb) - moved).max(-1)
    tmask = _crop(core, tb) & np.isfinite(diff)
    if not tmask.any():
        return None
    dd = diff[tmask]
    zz = z[core_roi & np.isfinite(z)]
    sub = _crop(rgb_raw, tb)
    rng_ = cv2.dilate(sub, np.ones((3, 3), np.uint8)) - cv2.erode(sub, np.ones((3, 3), np.uint8))
    clipped = (sub.max(-1) <= 12) | (sub.min(-1) >= 243)
    flat = ((rng_.max(-1) <= 1) | clipped)[_crop(core, tb)]
    target = _grow(core, z, rgb_s, a, roi, p)
    inv = cv2.invertAffineTransform(a)
    source = np.nan_to_num(_move(target.astype(np.float32), inv), nan=0.0) >= 0.5
    return _Verified(cand=cand, target=target, source=source, roi=roi, core=core,
                     zncc_median=float(np.median(zz)) if zz.size else 0.0,
                     residual_median=float(np.median(dd)),
                     exact_fraction=float(np.mean(dd < p.exact_residual)),
                     area_fraction=float(core.sum()) / (h * w),
                     aperture=_aperture(hp, core, a),
                     flat_fraction=float(flat.mean()) if flat.size else 0.0)


def _grow(core: np.ndarray, z: np.ndarray, rgb_s: np.ndarray, a: np.ndarray, roi: Roi,
          p: CopyMoveParams) -> np.ndarray:
    """The region shown for a match: the strict core grown (hysteresis) into connected
    pixels that still correlate (ZNCC >= ``grow_threshold``) or, within ``grow_radius``
    pixels of the core, whose colour matches within ``exact_residual`` (flat parts of a
    copied object)."""
    h, w = core.shape
    x0, y0, x1, y1 = roi
    c = core[y0:y1, x0:x1]
    weak = np.nan_to_num(z, nan=-1.0) >= p.grow_threshold
    diff = np.abs(_crop(rgb_s, roi) - _move(rgb_s, a, roi)).max(-1)
    near = cv2.dilate(c.astype(np.uint8), np.ones((2 * p.grow_radius + 1,) * 2, np.uint8)) > 0
    weak |= near & (np.nan_to_num(diff, nan=255.0) < p.exact_residual)
    weak &= _displacement(a, roi) >= p.min_shift
    n, lab = cv2.connectedComponents((weak | c).astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[np.unique(lab[c])] = True
    keep[0] = False
    grown = _clean(keep[lab], p.close_radius)
    out = np.zeros((h, w), bool)
    out[y0:y1, x0:x1] = grown | c
    return out


def _ecc_refine(gray: np.ndarray, v: _Verified) -> np.ndarray | None:
    """Refine a verified affine by dense alignment of the target onto its source.

    Enhanced correlation coefficient maximisation (G. Evangelidis, E. Psarakis, "Parametric
    image alignment using enhanced correlation coefficient maximization", IEEE TPAMI 30(10),
    2008; ``cv2.findTransformECC``) starting from the keypoint estimate. Returns the refined
    source -> target affine, or None when it does not converge."""
    h, w = gray.shape
    tb = _bbox(v.core)
    if tb is None:
        return None
    x0, y0, x1, y1 = _pad_roi(tb, 2, w, h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    inv = cv2.invertAffineTransform(v.cand.affine)
    warp = inv.copy()
    warp[:, 2] = inv[:, :2] @ np.array([x0, y0], np.float64) + inv[:, 2]
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 1e-4)
    try:
        _, w2 = cv2.findTransformECC(np.ascontiguousarray(gray[y0:y1, x0:x1]), gray,
                                     warp.astype(np.float32), cv2.MOTION_AFFINE, crit, None, 3)
    except cv2.error:
        return None
    inv2 = w2.astype(np.float64)
    inv2[:, 2] = inv2[:, 2] - inv2[:, :2] @ np.array([x0, y0], np.float64)
    if not np.all(np.isfinite(inv2)):
        return None
    return cv2.invertAffineTransform(inv2)


def _aperture(hp: np.ndarray, target: np.ndarray, a: np.ndarray) -> float:
    """Share of the region's gradient energy along the displacement (0..1).

    Content that does not change along the displacement (a straight edge, a stripe running
    the same way as the shift) matches itself under any shift along it: the aperture
    problem. An isotropic texture gives about 0.5, an edge parallel to the shift about 0."""
    tb = _bbox(target)
    if tb is None:
        return 0.0
    x0, y0, x1, y1 = _pad_roi(tb, 1, hp.shape[1], hp.shape[0])
    sub = hp[y0:y1, x0:x1]
    gx = cv2.Sobel(sub, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(sub, cv2.CV_32F, 0, 1, ksize=3)
    ys, xs = np.nonzero(target[y0:y1, x0:x1])
    inv = cv2.invertAffineTransform(a)
    xa, ya = xs + x0, ys + y0
    dx = xa - (inv[0, 0] * xa + inv[0, 1] * ya + inv[0, 2])
    dy = ya - (inv[1, 0] * xa + inv[1, 1] * ya + inv[1, 2])
    norm = np.hypot(dx, dy) + 1e-9
    gxs, gys = gx[ys, xs], gy[ys, xs]
    along = ((gxs * dx + gys * dy) / norm) ** 2
    total = float((gxs * gxs + gys * gys).sum())
    return float(along.sum() / total) if total > 0 else 0.0
