"""Copy-move (cloned region) detection: keypoint matching plus a dense block fallback.

Two ways of proposing "this part of the picture is a copy of that part", one way of checking:

1. **Keypoints** (rotation and scale invariant), after I. Amerini, L. Ballan, R. Caldelli,
   A. Del Bimbo, G. Serra, "A SIFT-based forensic method for copy-move attack detection and
   transformation recovery", IEEE Trans. Information Forensics and Security 6(3):1099-1110,
   2011: SIFT keypoints matched against the *same* picture with the generalised 2NN ratio
   test (g2NN), the matched points clustered (agglomerative, single linkage), and an affine
   transform fitted by RANSAC between every pair of clusters joined by enough matches.
   SIFT is not mirror invariant, so descriptors of the mirrored keypoints are matched too
   (mirrored copies). Small pictures are enlarged for this step only.
2. **Blocks** (for flat or fine-textured areas where keypoints are few), after J. Fridrich,
   D. Soukal, J. Lukas, "Detection of copy-move forgery in digital images", Digital Forensic
   Research Workshop 2003: quantised low-frequency DCT coefficients of every overlapping 8x8
   block, sorted so that equal blocks become neighbours, and the shift vectors of equal
   blocks counted; the most frequent shifts are candidate translations. Bit-identical
   blocks (lossless files) vote the same way at full resolution, and the peaks of the
   high-passed picture's autocorrelation (the same vote, taken in the Fourier domain) add a
   few more.
3. **Dense verification** of every candidate transform, as in the localisation step of
   I. Amerini et al., "Copy-move forgery detection and localization by means of robust
   clustering with J-Linkage", Signal Processing: Image Communication 28(6), 2013: the
   picture is warped by the transform and compared with itself through a local zero-mean
   normalised cross-correlation (ZNCC) of its high-passed grey levels; pixels that correlate
   strongly, *and* more strongly than under the transform moved by a few pixels, form the
   target region (grown by hysteresis for display), its image under the inverse transform
   the source region. Rotated or scaled transforms are first refined by dense alignment
   (ECC, Evangelidis & Psarakis, IEEE TPAMI 2008).

Repeated structure (windows, fences, tiles, printed fabric) is what fools naive matchers, so a
verified region must also (a) match nearly exactly in colour, not just in pattern (natural
repeats differ in light and shading, a clone carries its pixels along), (b) not continue the
repetition one step further (a lattice: the same content again at twice the shift), (c)
stand out against the other candidate shifts found in the same picture, (d) change along
the shift (an edge or stripe parallel to the shift matches itself: the aperture problem) and
(e) not lie on perfectly flat or clipped colour (captions and logo overlays repeat exactly).
(a) and (c) enter a logistic score fitted on CASIA v1 (see :class:`CopyMoveParams`); (b),
(d) and (e) are rules. Each is measured and reported with the match, so a reader can see
why a region was kept or set aside.

When a match is a plain translation at the stored resolution of a picture that had been JPEG
compressed before the copy, the pasted copy carries the earlier 8x8 block grid moved by the
shift, while its source keeps it aligned: a significance test on the blocking at the moved
grid phase in both regions names the pasted copy (the *target*) when one region shows it
clearly and the other does not. Otherwise the roles are reported as undetermined and both
regions are marked.

Nothing here knows about files or the scan: functions take ``uint8`` RGB arrays and
keyword-only parameters. The thin check is :mod:`forensics.checks.copy_move`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class CopyMoveParams:
    """Parameters of copy-move detection (the one place they live).

    Sizes are in pixels of the named working image; the three working sizes are bounded, so
    the cost does not grow with the stored picture.
    """

    # --- working sizes
    keypoint_max_side: int = 1152
    """Keypoints are found on the picture reduced to at most this long side (~1 MP at 4:3)."""
    keypoint_min_side: int = 768
    """Smaller pictures are enlarged (bicubic) to this long side for keypoints only, so that
    small clones still yield enough of them (CASIA's 384x256 pictures are doubled)."""
    dense_max_side: int = 1024
    """Verification and localisation run at the stored size up to this long side."""
    block_max_side: int = 512
    """The block-matching vote runs at most at this long side (its shifts are refined at the
    verification size)."""

    # --- keypoints (Amerini et al. 2011)
    max_keypoints: int = 4000
    sift_contrast: float = 0.02
    """SIFT contrast threshold (OpenCV's default is 0.04; lower finds more in flat areas)."""
    g2nn_ratio: float = 0.5
    """Generalised 2NN test: keep neighbour i while d_i / d_(i+1) < this."""
    g2nn_neighbours: int = 8
    max_matches: int = 3000
    cluster_distance: float = 0.06
    """Single-linkage cut, as a fraction of the keypoint image's diagonal."""
    min_inliers: int = 5
    """RANSAC inliers (matched keypoint pairs) needed for an affine hypothesis."""
    ransac_threshold: float = 3.0
    """RANSAC reprojection tolerance, keypoint-image pixels."""
    max_scale_change: float = 3.0
    """Affine hypotheses scaling by more than this (or less than its inverse) are dropped."""
    mirror: bool = True
    """Also match keypoints against their mirror images (SIFT is not mirror invariant)."""

    # --- blocks (Fridrich et al. 2003)
    block: int = 8
    block_min_std: float = 1.0
    """Blocks with less detail than this (standard deviation of the high-passed grey levels)
    do not vote: a smooth block resembles all its neighbours."""
    block_q_dc: float = 12.0
    block_q_ac: float = 9.0
    """Quantisation steps of the orthonormal DCT coefficients (DC, then AC with u+v <= 2)."""
    block_sort_window: int = 4
    max_block_candidates: int = 6
    min_block_votes: int = 6
    autocorr_peaks: int = 5
    exact_votes: bool = True
    """Also vote with bit-identical blocks at the stored size (lossless copies in PNG etc.)."""
    exact_min_std: float = 1.0
    min_exact_votes: int = 20

    # --- verification
    min_shift: float = 12.0
    """Source and target must be at least this far apart (verification pixels)."""
    highpass_sigma: float = 2.0
    zncc_window: int = 7
    zncc_threshold: float = 0.85
    min_local_var: float = 1.0
    """High-passed grey-level variance below which a pixel cannot be matched (flat)."""
    distinct_delta: int = 3
    distinct_margin: float = 0.25
    """A pixel matches only if its ZNCC beats the transform moved by ``distinct_delta`` px by
    this much (straight edges and stripes match along themselves; clones do not)."""
    min_region_fraction: float = 0.0004
    """Verified regions smaller than this fraction of the picture are dropped ..."""
    min_region_pixels: int = 120
    """... and so are those under this many verification pixels."""
    close_radius: int = 3
    grow_threshold: float = 0.5
    """The shown region grows from the strict matches into connected pixels whose ZNCC is at
    least this (localisation only; the score is measured on the strict matches) ..."""
    grow_radius: int = 6
    """... and, within this many pixels of them, into pixels whose colour matches."""
    exact_residual: float = 4.0
    """Grey levels: a colour residual under this counts as an exact copy."""
    periodic_threshold: float = 0.3
    """A region whose content repeats again one more shift away on more than this fraction
    of its pixels is repeated structure (a lattice), not a clone."""
    max_flat_fraction: float = 0.3
    """Matches with more than this share of perfectly flat (3x3 colour range <= 1, which
    camera noise never gives) or clipped (near-black or near-white) pixels are refused:
    overlays, captions and graphics repeat exactly, and clipped areas carry no detail."""
    min_aperture: float = 0.08
    """Matches whose gradient energy along the displacement is under this share are refused
    (aperture problem: edges and stripes parallel to the shift)."""
    max_candidates: int = 24

    # --- calibrated score: logistic regression on the match features (see the benchmark)
    score_weights: tuple[float, ...] = (2.679, 0.147, -2.447, 1.279, 0.619, 0.746, 0.049)
    """Logistic score of a verified match: intercept, then the weights of (see
    :func:`match_features`) median ZNCC, ln(1 + median colour residual), exact-copy
    fraction, min(ln(region fraction x 1000), 2.5), competitor margin and aperture share.
    Fitted by ``python -m benchmarks.copymove_accuracy --fit``: L2-regularised (lambda 1)
    logistic regression on the verified, non-periodic candidate regions of the *even*
    numbered CASIA v1 copy-move and authentic images (true = lies on the ground-truth
    mask); the benchmark reports the odd (held-out) half separately."""
    report_score: float = 0.5
    """A match is reported as a clone when its score reaches this: the logistic's own
    decision boundary (on the fit half of CASIA v1 it raises no false positive)."""
    confident_score: float = 0.9
    """Reported matches scoring this much get *high* confidence (0.7 and up: medium)."""
    role_z: float = 5.0
    """The pasted copy is named when its moved-JPEG-grid z-score reaches this ..."""
    role_z_other: float = 2.0
    """... and the other region's stays under this (else the roles stay undetermined)."""


@dataclass(frozen=True)
class CloneMatch:
    """One verified copy: where from, where to, how it was transformed, how sure."""

    source_bbox: tuple[int, int, int, int]
    """x0, y0, x1, y1 in stored-picture pixels."""
    target_bbox: tuple[int, int, int, int]
    transform: tuple[tuple[float, float, float], tuple[float, float, float]]
    """2x3 affine, source -> target, stored-picture pixels."""
    rotation_deg: float
    scale: float
    reflected: bool
    translation: tuple[float, float]
    area_fraction: float
    """Fraction of the picture covered by the target region."""
    method: str
    """``keypoints``, ``blocks`` or ``keypoints+blocks`` (what proposed the transform)."""
    inliers: int
    """Matched keypoint pairs consistent with the transform (0 for block candidates)."""
    zncc_median: float
    residual_median: float
    """Median colour difference between the two regions, grey levels."""
    exact_fraction: float
    periodic_fraction: float | None
    """Fraction of the region whose content repeats once more (``None``: not measurable)."""
    competitor_margin: float
    score: float
    roles: str
    """``determined`` (source and target told apart by the JPEG grid) or ``undetermined``."""
    role_evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_bbox": list(self.source_bbox), "target_bbox": list(self.target_bbox),
            "transform": [list(r) for r in self.transform],
            "rotation_deg": round(self.rotation_deg, 2), "scale": round(self.scale, 4),
            "reflected": self.reflected,
            "translation": [round(self.translation[0], 2), round(self.translation[1], 2)],
            "area_fraction": round(self.area_fraction, 5), "method": self.method,
            "inliers": self.inliers, "zncc_median": round(self.zncc_median, 4),
            "residual_median": round(self.residual_median, 3),
            "exact_fraction": round(self.exact_fraction, 4),
            "periodic_fraction": None if self.periodic_fraction is None
            else round(self.periodic_fraction, 4),
            "competitor_margin": round(self.competitor_margin, 4),
            "score": round(self.score, 4), "roles": self.roles,
            "role_evidence": self.role_evidence,
        }


@dataclass(frozen=True)
class CopyMoveResult:
    """Everything one detection run measured."""

    matches: tuple[CloneMatch, ...]
    score: float
    """Highest match score (0 when no candidate verified)."""
    label_map: np.ndarray
    """uint8 map at ``working_size``: 0 nothing, 1 source, 2 target, 3 undetermined role."""
    working_size: tuple[int, int]
    """(width, height) of the verification/localisation image."""
    keypoint_size: tuple[int, int]
    block_size: tuple[int, int]
    stored_size: tuple[int, int]
    keypoints: int
    keypoint_matches: int
    candidates: int
    rejected: tuple[dict[str, Any], ...]
    """Verified-looking candidates that were refused, with the reason (e.g. periodic)."""
    notes: tuple[str, ...]

    def tampered_mask(self, size: tuple[int, int] | None = None) -> np.ndarray:
        """Boolean mask of the pasted copies (targets, or both regions when the roles are
        undetermined), at ``size`` = (width, height) (default: the working size)."""
        m = (self.label_map >= 2).astype(np.uint8)
        if size is not None and size != self.working_size:
            m = cv2.resize(m, size, interpolation=cv2.INTER_NEAREST)
        return m.astype(bool)

    def region_mask(self, size: tuple[int, int] | None = None) -> np.ndarray:
        """Both regions of every match (source and target)."""
        m = (self.label_map > 0).astype(np.uint8)
        if size is not None and size != self.working_size:
            m = cv2.resize(m, size, interpolation=cv2.INTER_NEAREST)
        return m.astype(bool)


# ----------------------------------------------------------------------------- helpers


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY).astype(np.float32)


def _resize(img: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 1e-9:
        return img
    h, w = img.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(img, size, interpolation=interp)


def _is_translation(a: np.ndarray, tol: float = 0.02) -> bool:
    return bool(np.all(np.abs(a[:, :2] - np.eye(2)) < tol))


Roi = tuple[int, int, int, int]
"""x0, y0, x1, y1 (pixels, end exclusive)."""


def _move(img: np.ndarray, a: np.ndarray, roi: Roi | None = None) -> np.ndarray:
    """``out(y) = img(a^-1 y)`` for ``y`` in ``roi``: the picture carried by the affine ``a``
    (NaN where it comes from outside the picture). Whole-pixel translations are exact
    slices (no interpolation)."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = roi or (0, 0, w, h)
    shape = (y1 - y0, x1 - x0) + img.shape[2:]
    if _is_translation(a, 1e-6) and np.allclose(a[:, 2], np.round(a[:, 2]), atol=1e-6):
        dx, dy = int(round(a[0, 2])), int(round(a[1, 2]))
        out = np.full(shape, np.nan, np.float32)
        sy0, sx0 = y0 - dy, x0 - dx  # source rows/cols of the ROI's first pixel
        ya, yb = max(sy0, 0), min(sy0 + shape[0], h)
        xa, xb = max(sx0, 0), min(sx0 + shape[1], w)
        if yb > ya and xb > xa:
            out[ya - sy0:yb - sy0, xa - sx0:xb - sx0] = img[ya:yb, xa:xb]
        return out
    m = a.astype(np.float64).copy()
    m[0, 2] -= x0
    m[1, 2] -= y0
    return cv2.warpAffine(img.astype(np.float32), m, (shape[1], shape[0]),
                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=float("nan"))


def _crop(img: np.ndarray, roi: Roi) -> np.ndarray:
    x0, y0, x1, y1 = roi
    return img[y0:y1, x0:x1]


def _pad_roi(roi: Roi, pad: int, w: int, h: int) -> Roi:
    x0, y0, x1, y1 = roi
    return max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)


def _displacement(a: np.ndarray, roi: Roi) -> np.ndarray:
    """|y - a^-1 y| for every pixel y of ``roi`` (pixels)."""
    inv = cv2.invertAffineTransform(a)
    x0, y0, x1, y1 = roi
    if _is_translation(a, 1e-9):
        return np.full((y1 - y0, x1 - x0), float(np.hypot(*a[:, 2])), np.float32)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    sx = inv[0, 0] * xx + inv[0, 1] * yy + inv[0, 2]
    sy = inv[1, 0] * xx + inv[1, 1] * yy + inv[1, 2]
    return np.hypot(sx - xx, sy - yy)


def _zncc(a: np.ndarray, b: np.ndarray, win: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local ZNCC of two aligned maps over ``win`` x ``win`` windows.

    Returns (zncc, the smaller of the two local variances, valid) where valid means the
    whole window had data in both (NaN marks missing data)."""
    inside = np.isfinite(a) & np.isfinite(b)
    a0 = np.where(inside, a, 0).astype(np.float32)
    b0 = np.where(inside, b, 0).astype(np.float32)
    k = (win, win)
    ma, mb = cv2.blur(a0, k), cv2.blur(b0, k)
    va = np.maximum(cv2.blur(a0 * a0, k) - ma * ma, 0)
    vb = np.maximum(cv2.blur(b0 * b0, k) - mb * mb, 0)
    cov = cv2.blur(a0 * b0, k) - ma * mb
    z = cov / np.sqrt(va * vb + 1e-3)
    valid = cv2.erode(inside.astype(np.uint8), np.ones(k, np.uint8),
                      borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
    return z, np.minimum(va, vb), valid


def _compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine ``a`` after ``b``."""
    a3 = np.vstack([a, [0, 0, 1]])
    b3 = np.vstack([b, [0, 0, 1]])
    return (a3 @ b3)[:2]


def _scale_affine(a: np.ndarray, s_from: float, s_to: float) -> np.ndarray:
    """An affine in one image scale expressed in another (``x_to = x_from * s_to/s_from``)."""
    out = a.astype(np.float64).copy()
    out[:, 2] *= s_to / s_from
    return out


def _decompose(a: np.ndarray) -> tuple[float, float, bool]:
    """Rotation (degrees), scale and reflection of an affine's linear part."""
    m = a[:, :2]
    det = float(np.linalg.det(m))
    reflected = det < 0
    mm = m @ np.diag([-1.0, 1.0]) if reflected else m  # mirror left-right, then rotate
    rot = math.degrees(math.atan2(mm[1, 0] - mm[0, 1], mm[0, 0] + mm[1, 1]))
    return rot, math.sqrt(abs(det)), reflected


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _clean(mask: np.ndarray, radius: int) -> np.ndarray:
    if radius > 0:
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, k) > 0
    return ndi.binary_fill_holes(mask)


# ----------------------------------------------------------------------------- keypoints


def _g2nn_pairs(des_a: np.ndarray, des_b: np.ndarray, *, ratio: float, neighbours: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """g2NN matches of every row of ``des_a`` among the rows of ``des_b`` (same length, the
    same keypoints; a keypoint never matches its own row). Returns (i, j, distance)."""
    n = len(des_a)
    k = min(neighbours + 1, n)
    knn = cv2.BFMatcher(cv2.NORM_L2).knnMatch(des_a, des_b, k=k)
    idx = np.full((n, k), -1, np.int64)
    dist = np.full((n, k), np.inf, np.float32)
    for i, ms in enumerate(knn):
        for j, m in enumerate(ms):
            idx[i, j] = m.trainIdx
            dist[i, j] = m.distance
    # drop the keypoint itself (its own row; distance 0 for the plain self-match)
    is_self = idx == np.arange(n)[:, None]
    order = np.argsort(is_self, axis=1, kind="stable")
    idx = np.take_along_axis(idx, order, 1)[:, :-1]
    dist = np.take_along_axis(dist, order, 1)[:, :-1]
    empty = np.zeros(0, np.int64)
    if idx.shape[1] < 2:
        return empty, empty, np.zeros(0, np.float32)
    ok = dist[:, :-1] < ratio * dist[:, 1:]
    last = np.where(ok.any(1), ok.shape[1] - 1 - np.argmax(ok[:, ::-1], 1), -1)
    accept = np.arange(ok.shape[1])[None, :] <= last[:, None]
    ii, jj = np.nonzero(accept)
    other = idx[ii, jj]
    good = other >= 0
    return ii[good], other[good], dist[ii[good], jj[good]]


def keypoint_matches(gray: np.ndarray, *, max_keypoints: int = 4000,
                     contrast: float = 0.02, ratio: float = 0.5, neighbours: int = 8,
                     min_distance: float = 10.0, max_matches: int = 3000, mirror: bool = True
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """SIFT keypoints of ``gray`` matched against themselves with the g2NN test.

    Amerini et al. (2011), section III-A: for each keypoint the sorted descriptor distances
    to all others d_1 <= d_2 <= ... are scanned and neighbour i is a match while
    d_i / d_(i+1) < ``ratio`` (generalised 2NN: several copies of the same content all
    match). Descriptors are RootSIFT (Hellinger-normalised). SIFT is not invariant to
    mirroring, so with ``mirror`` the descriptors are also computed on the left-right
    flipped picture at the mirrored keypoints, and matched against the plain ones (a
    mirrored copy). Pairs closer than ``min_distance`` pixels are dropped. Returns
    (P, Q, mirrored, number of keypoints): ``P[i]`` and ``Q[i]`` are the two ends of match
    ``i`` (x, y pixels of ``gray``), each unordered pair once; ``mirrored[i]`` is True for
    a mirror match.
    """
    g8 = np.clip(gray, 0, 255).astype(np.uint8)
    sift = cv2.SIFT_create(nfeatures=max_keypoints, contrastThreshold=contrast)
    kps, des = sift.detectAndCompute(g8, None)
    n = 0 if des is None else len(kps)
    empty = np.zeros((0, 2), np.float32)
    if n < 3:
        return empty, empty, np.zeros(0, bool), n
    pts = np.array([kp.pt for kp in kps], np.float32)

    def root(d: np.ndarray) -> np.ndarray:
        d = d / (np.abs(d).sum(1, keepdims=True) + 1e-7)
        return np.sqrt(d).astype(np.float32)

    des = root(des)
    sets = [(_g2nn_pairs(des, des, ratio=ratio, neighbours=neighbours), False)]
    if mirror:
        w = g8.shape[1]
        flipped = np.ascontiguousarray(g8[:, ::-1])
        kf = [cv2.KeyPoint(w - 1 - kp.pt[0], kp.pt[1], kp.size, (180.0 - kp.angle) % 360.0,
                           kp.response, kp.octave, kp.class_id) for kp in kps]
        kf2, des_f = sift.compute(flipped, kf)
        if des_f is not None and len(kf2) == n:
            sets.append((_g2nn_pairs(des, root(des_f), ratio=ratio, neighbours=neighbours),
                         True))
    ps, qs, ms, ds = [], [], [], []
    for (ii, other, dd), mirrored in sets:
        if ii.size == 0:
            continue
        lo, hi = np.minimum(ii, other), np.maximum(ii, other)
        key, first = np.unique(lo * n + hi, return_index=True)
        lo, hi, dd = lo[first], hi[first], dd[first]
        ps.append(pts[lo])
        qs.append(pts[hi])
        ms.append(np.full(len(lo), mirrored))
        ds.append(dd)
    if not ps:
        return empty, empty, np.zeros(0, bool), n
    p, q, mir, dd = (np.concatenate(ps), np.concatenate(qs), np.concatenate(ms),
                     np.concatenate(ds))
    far = np.hypot(*(p - q).T) >= min_distance
    p, q, mir, dd = p[far], q[far], mir[far], dd[far]
    if len(p) > max_matches:
        keep = np.argsort(dd, kind="stable")[:max_matches]
        p, q, mir = p[keep], q[keep], mir[keep]
    return p, q, mir, n


def affine_hypotheses(p: np.ndarray, q: np.ndarray, *, image_diagonal: float,
                      mirrored: np.ndarray | None = None,
                      cluster_distance: float = 0.06, min_inliers: int = 5,
                      ransac_threshold: float = 3.0, max_scale_change: float = 3.0,
                      max_hypotheses: int = 8) -> list[tuple[np.ndarray, int]]:
    """Affine transforms explaining groups of matches (Amerini et al. 2011, III-B and C).

    The matched points (both ends) are clustered by single linkage with a cut at
    ``cluster_distance`` x ``image_diagonal`` pixels; for every ordered pair of clusters
    joined by at least ``min_inliers`` matches an affine transform is fitted with RANSAC
    (``ransac_threshold`` pixels); plain and ``mirrored`` matches are fitted separately
    (a mirror match must give a reflecting transform). Returns (2x3 affine source ->
    target, inlier count), most inliers first; degenerate or implausible transforms are
    dropped.
    """
    m = len(p)
    if m < min_inliers:
        return []
    pts = np.vstack([p, q]).astype(np.float64)
    # single linkage cut at a distance = connected components of the "closer than the cut"
    # graph (built with a k-d tree: memory grows with the close pairs, not with n^2)
    pairs = cKDTree(pts).query_pairs(cluster_distance * image_diagonal, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                       shape=(len(pts), len(pts)))
    _, labels = connected_components(graph, directed=False)
    la, lb = labels[:m], labels[m:]
    mir = np.zeros(m, bool) if mirrored is None else np.asarray(mirrored, bool)
    groups: dict[tuple[int, int, bool], list[int]] = {}
    for i in range(m):
        a, b = int(la[i]), int(lb[i])
        groups.setdefault((min(a, b), max(a, b), bool(mir[i])), []).append(i)
    out: list[tuple[np.ndarray, int]] = []
    for (a, b, is_mirror), members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        if len(members) < min_inliers or len(out) >= max_hypotheses:
            continue
        sel = np.array(members)
        src, dst = p[sel].copy(), q[sel].copy()
        if a != b:  # orient every pair from cluster a to cluster b
            flip = la[sel] != a
            src[flip], dst[flip] = q[sel][flip], p[sel][flip]
        else:  # both ends in one cluster (an overlapping clone): try both orientations
            src, dst = np.vstack([src, dst]), np.vstack([dst, src])
        aff, inl = cv2.estimateAffine2D(src.astype(np.float32), dst.astype(np.float32),
                                        method=cv2.RANSAC,
                                        ransacReprojThreshold=ransac_threshold,
                                        maxIters=2000, confidence=0.995)
        if aff is None or inl is None:
            continue
        n_in = int(inl.sum()) if a != b else int(inl.sum()) // 2
        if n_in < min_inliers:
            continue
        if _is_translation(aff, 0.03):
            # a near-identity fit extrapolates its translation from the image origin; the
            # inliers' own median displacement is the better estimate of a plain shift
            keep = inl.ravel().astype(bool)
            t = np.median(dst[keep] - src[keep], axis=0)
            aff = np.array([[1.0, 0.0, t[0]], [0.0, 1.0, t[1]]])
        rot, scale, reflects = _decompose(aff)
        if not (1.0 / max_scale_change <= scale <= max_scale_change) or \
                not np.all(np.isfinite(aff)) or reflects != is_mirror:
            continue
        sv = np.linalg.svd(aff[:, :2], compute_uv=False)
        if sv[1] <= 0 or sv[0] / sv[1] > 2.0:  # strong shear: not a copy
            continue
        out.append((aff, n_in))
    out.sort(key=lambda h: -h[1])
    return out


# ----------------------------------------------------------------------------- blocks


def _dct_basis(b: int, uv: list[tuple[int, int]]) -> list[np.ndarray]:
    n = np.arange(b)
    out = []
    for u, v in uv:
        cu = math.sqrt((1 if u == 0 else 2) / b)
        cv_ = math.sqrt((1 if v == 0 else 2) / b)
        bu = cu * np.cos(np.pi * (2 * n + 1) * u / (2 * b))
        bv = cv_ * np.cos(np.pi * (2 * n + 1) * v / (2 * b))
        out.append(np.outer(bu, bv).astype(np.float32))
    return out


def block_shift_votes(gray: np.ndarray, *, block: int = 8, q_dc: float = 12.0,
                      q_ac: float = 9.0, min_std: float = 1.5, window: int = 4,
                      min_shift: float = 12.0) -> list[tuple[int, int, int]]:
    """Shift vectors shared by many pairs of equal blocks (Fridrich et al. 2003).

    Every overlapping ``block`` x ``block`` block of ``gray`` is described by its orthonormal
    DCT coefficients with u + v <= 2, quantised with steps ``q_dc`` (DC) and ``q_ac`` (AC,
    grey-level units of the transform); the quantised vectors are sorted (two quantiser
    phases, half a step apart, so that values on a bin edge still meet) and blocks equal to
    one of their next ``window`` neighbours vote for their shift. Blocks whose high-passed
    (detail) standard deviation is under ``min_std`` grey levels do not vote: smooth blocks
    resemble all their neighbours. Returns (dx, dy, votes) with dy > 0 (or dy == 0 and
    dx > 0), most votes first.
    """
    h, w = gray.shape
    if h < block + 1 or w < block + 1:
        return []
    uv = [(0, 0), (0, 1), (1, 0), (0, 2), (1, 1), (2, 0)]
    h2, w2 = h - block + 1, w - block + 1
    g = gray.astype(np.float32)
    feats = [cv2.filter2D(g, cv2.CV_32F, bas, anchor=(0, 0),
                          borderType=cv2.BORDER_CONSTANT)[:h2, :w2]
             for bas in _dct_basis(block, uv)]
    hp = g - cv2.GaussianBlur(g, (0, 0), 1.0)
    mean = cv2.blur(hp, (block, block), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)[:h2, :w2]
    sq = cv2.blur(hp * hp, (block, block), anchor=(0, 0),
                  borderType=cv2.BORDER_CONSTANT)[:h2, :w2]
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    keep = (std >= min_std).ravel()
    if keep.sum() < 2:
        return []
    f = np.stack([x.ravel()[keep] for x in feats], 1)
    pos = np.flatnonzero(keep)
    ys, xs = pos // w2, pos % w2
    steps = np.array([q_dc] + [q_ac] * (len(uv) - 1), np.float32)
    votes: list[np.ndarray] = []
    for phase in (0.0, 0.5):
        qv = np.floor(f / steps + phase).astype(np.int64)
        qv -= qv.min(0)
        bits = np.maximum(1, np.ceil(np.log2(qv.max(0) + 2))).astype(int)
        if bits.sum() > 62:  # keep the hash in 63 bits (clip the widest AC ranges)
            cap = max(1, (62 - int(bits[0])) // (len(bits) - 1))
            qv[:, 1:] = np.minimum(qv[:, 1:], (1 << cap) - 1)
            bits[1:] = cap
        key = np.zeros(len(qv), np.int64)
        for c in range(qv.shape[1]):
            key = (key << int(bits[c])) | qv[:, c]
        order = np.argsort(key, kind="stable")
        ks, yo, xo = key[order], ys[order], xs[order]
        for k in range(1, window + 1):
            same = ks[k:] == ks[:-k]
            dy = (yo[k:] - yo[:-k])[same]
            dx = (xo[k:] - xo[:-k])[same]
            far = dx * dx + dy * dy >= min_shift * min_shift
            dx, dy = dx[far], dy[far]
            neg = (dy < 0) | ((dy == 0) & (dx < 0))
            dx, dy = np.where(neg, -dx, dx), np.where(neg, -dy, dy)
            votes.append(dy * (4 * w) + dx + 2 * w)
    allv = np.concatenate(votes) if votes else np.zeros(0, np.int64)
    if allv.size == 0:
        return []
    uniq, counts = np.unique(allv, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    out = []
    for i in order[:64]:
        code = int(uniq[i])
        dy, rest = divmod(code, 4 * w)
        out.append((rest - 2 * w, dy, int(counts[i])))
    return out


def exact_block_votes(gray_u8: np.ndarray, *, block: int = 8, min_std: float = 1.0,
                      min_shift: float = 12.0) -> list[tuple[int, int, int]]:
    """Shift vectors of blocks that are *bit-identical* (lossless copies, e.g. in PNG).

    The exact-match variant of Fridrich et al. (2003): each overlapping ``block`` x
    ``block`` block of the 8-bit grey picture is hashed by two fixed random integer
    projections (exact in float64), equal hashes are sorted together and vote for their
    shift. Only blocks whose high-passed standard deviation reaches ``min_std`` grey levels
    take part (flat or clipped areas are identical everywhere). Returns (dx, dy, votes),
    dy > 0 (or dy == 0 and dx > 0), most votes first.
    """
    h, w = gray_u8.shape
    if h < block + 1 or w < block + 1:
        return []
    g = gray_u8.astype(np.float64)
    rng = np.random.default_rng(20110901)
    h2, w2 = h - block + 1, w - block + 1
    hashes = []
    for _ in range(2):
        k = rng.integers(1, 1 << 12, (block, block)).astype(np.float64)
        hashes.append(cv2.filter2D(g, cv2.CV_64F, k, anchor=(0, 0),
                                   borderType=cv2.BORDER_CONSTANT)[:h2, :w2])
    g32 = g.astype(np.float32)
    hp = g32 - cv2.GaussianBlur(g32, (0, 0), 1.0)
    m = cv2.blur(hp, (block, block), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    m2 = cv2.blur(hp * hp, (block, block), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    std = np.sqrt(np.maximum(m2 - m * m, 0))[:h2, :w2]
    keep = (std >= min_std).ravel()
    if keep.sum() < 2:
        return []
    h1 = hashes[0].ravel()[keep].astype(np.int64)
    h2_ = hashes[1].ravel()[keep].astype(np.int64)
    pos = np.flatnonzero(keep)
    order = np.lexsort((h2_, h1))
    a1, a2, po = h1[order], h2_[order], pos[order]
    same = (a1[1:] == a1[:-1]) & (a2[1:] == a2[:-1])
    i = np.flatnonzero(same)
    if i.size == 0:
        return []
    ya, xa = po[i] // w2, po[i] % w2
    yb, xb = po[i + 1] // w2, po[i + 1] % w2
    dx, dy = xb - xa, yb - ya
    far = dx * dx + dy * dy >= min_shift * min_shift
    dx, dy = dx[far], dy[far]
    neg = (dy < 0) | ((dy == 0) & (dx < 0))
    dx, dy = np.where(neg, -dx, dx), np.where(neg, -dy, dy)
    if dx.size == 0:
        return []
    code = dy * (4 * w) + dx + 2 * w
    uniq, counts = np.unique(code, return_counts=True)
    out = []
    for j in np.argsort(-counts, kind="stable")[:16]:
        q, r = divmod(int(uniq[j]), 4 * w)
        out.append((r - 2 * w, q, int(counts[j])))
    return out


def autocorrelation_peaks(gray: np.ndarray, *, sigma: float = 1.5, min_shift: float = 12.0,
                          peaks: int = 5) -> list[tuple[int, int, float]]:
    """Strongest peaks of the high-passed picture's autocorrelation (the block vote summed
    over all blocks, in the Fourier domain). Returns (dx, dy, robust z-score), dy >= 0."""
    g = gray.astype(np.float32)
    hp = g - cv2.GaussianBlur(g, (0, 0), sigma)
    s = float(hp.std()) or 1.0
    hp = np.clip(hp, -3 * s, 3 * s)
    h, w = hp.shape
    fh, fw = cv2.getOptimalDFTSize(2 * h), cv2.getOptimalDFTSize(2 * w)
    pad = np.zeros((fh, fw), np.float32)
    pad[:h, :w] = hp
    spec = np.fft.rfft2(pad)
    ac = np.fft.fftshift(np.fft.irfft2(spec * np.conj(spec), s=pad.shape))
    cy, cx = fh // 2, fw // 2
    yy, xx = np.mgrid[0:fh, 0:fw]
    dy, dx = yy - cy, xx - cx
    overlap = (h - np.abs(dy)) * (w - np.abs(dx))
    valid = ((dy > 0) | ((dy == 0) & (dx > 0))) & (np.hypot(dy, dx) >= min_shift) & \
        (overlap > 0.1 * h * w)
    if not valid.any():
        return []
    vals = ac[valid]
    med = float(np.median(vals))
    mad = float(np.median(np.abs(vals - med))) * 1.4826 or 1.0
    z = np.where(valid, (ac - med) / mad, -np.inf)
    out = []
    for _ in range(peaks):
        i = int(np.argmax(z))
        y, x = divmod(i, fw)
        if not np.isfinite(z[y, x]):
            break
        out.append((int(dx[y, x]), int(dy[y, x]), float(z[y, x])))
        z[max(0, y - 4):y + 5, max(0, x - 4):x + 5] = -np.inf
    return out


# ----------------------------------------------------------------------------- verification


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


def _periodic_fraction(hp: np.ndarray, v: _Verified, p: CopyMoveParams) -> float | None:
    """Fraction of the target whose content repeats one more step along the transform.

    For a clone S -> T = A(S) the content before the source, A^-1(S), and after the target,
    A(T), are unrelated to it; in a lattice (tiles, windows, fabric) they repeat it."""
    a = v.cand.affine
    inv = cv2.invertAffineTransform(a)
    a2 = _compose(a, a)
    h, w = hp.shape
    tb = _bbox(v.core)
    assert tb is not None
    roi = _pad_roi(tb, p.zncc_window, w, h)
    # source vs the step before it: hp(A^-1 y) against hp(A^-2 y), at target pixels y
    z1, _, ok1 = _zncc(_move(hp, a, roi), _move(hp, a2, roi), p.zncc_window)
    # target vs the step after it: hp(y) against hp(A y)
    z2, _, ok2 = _zncc(_crop(hp, roi), _move(hp, inv, roi), p.zncc_window)
    t = _crop(v.core, roi)
    measurable = (ok1 | ok2) & t
    if measurable.sum() < 0.3 * t.sum():
        return None
    rep = ((z1 >= p.zncc_threshold) & ok1) | ((z2 >= p.zncc_threshold) & ok2)
    return float(rep[measurable].mean())


def _competitor_margin(hp: np.ndarray, v: _Verified, others: list[_Verified],
                       p: CopyMoveParams) -> float:
    """Median, over the target, of its ZNCC minus the best ZNCC other verified transforms
    reach at the same pixels (1.0 when there are none): a clone stands out, a lattice of
    equally good shifts does not."""
    if not others:
        return 1.0
    h, w = hp.shape
    tb = _bbox(v.core)
    assert tb is not None
    roi = _pad_roi(tb, p.zncc_window, w, h)
    t = _crop(v.core, roi)
    z, _, ok = _zncc(_crop(hp, roi), _move(hp, v.cand.affine, roi), p.zncc_window)
    best = np.full(z.shape, -1.0, np.float32)
    for u in others:
        for a in (u.cand.affine, cv2.invertAffineTransform(u.cand.affine)):
            z2, _, ok2 = _zncc(_crop(hp, roi), _move(hp, a, roi), p.zncc_window)
            best = np.maximum(best, np.where(ok2, z2, -1.0))
    sel = t & ok
    if not sel.any():
        return 1.0
    return float(np.median(z[sel] - best[sel]))


def _score(v: _Verified, p: CopyMoveParams) -> float:
    w = p.score_weights
    x = (1.0,) + match_features(v)
    s = sum(wi * xi for wi, xi in zip(w, x, strict=True))
    return float(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, s)))))


AREA_FEATURE_CAP = 2.5
"""ln(area fraction x 1000) is capped here (1.2 % of the picture): beyond that a larger
region is not more convincing, and wide areas of natural repetition stop gaining score."""


def match_features(v: Any) -> tuple[float, ...]:
    """The score's input features of a verified candidate (the benchmark fits on these)."""
    return (v.zncc_median, math.log1p(v.residual_median), v.exact_fraction,
            min(math.log(max(v.area_fraction, 1e-6) * 1000.0), AREA_FEATURE_CAP),
            min(v.competitor_margin, 1.0), v.aperture)


# ----------------------------------------------------------------------------- JPEG grid roles


def _grid_z(gray: np.ndarray, mask: np.ndarray, dx: int, dy: int) -> tuple[float, float]:
    """Evidence of an 8x8 JPEG block grid moved by (``dx``, ``dy``) inside ``mask``.

    For each axis whose shift is not a multiple of 8, the absolute differences between
    neighbouring pixels that straddle the moved grid's block boundaries are compared with
    those at the other phases (the picture's own, unmoved grid excluded) by a Welch z-test.
    Returns (combined z, mean ratio of boundary to other differences); NaN when too few
    pixels."""
    g = gray.astype(np.float32)
    zs, ratios = [], []
    for axis, shift in ((1, dx), (0, dy)):
        if shift % 8 == 0:
            continue
        d = np.abs(np.diff(g, axis=axis))
        m = mask[:, :-1] & mask[:, 1:] if axis == 1 else mask[:-1, :] & mask[1:, :]
        idx = np.arange(d.shape[axis]) % 8
        idx = idx[None, :] if axis == 1 else idx[:, None]
        idx = np.broadcast_to(idx, d.shape)
        phase = (7 + shift) % 8
        on = d[m & (idx == phase)]
        off = d[m & (idx != phase) & (idx != 7)]
        if on.size < 30 or off.size < 60:
            continue
        se = math.sqrt(on.var() / on.size + off.var() / off.size) or 1e-6
        zs.append((float(on.mean()) - float(off.mean())) / se)
        ratios.append(float(on.mean()) / max(float(off.mean()), 1e-6))
    if not zs:
        return float("nan"), float("nan")
    return float(sum(zs) / math.sqrt(len(zs))), float(np.mean(ratios))


def _roles(gray: np.ndarray, v: _Verified, p: CopyMoveParams) -> tuple[str, dict[str, Any]]:
    """Tell the pasted copy from its source by the earlier JPEG grid the copy carries along.

    A picture that was JPEG compressed before the copy has its 8x8 block grid everywhere; a
    copy moved by (dx, dy) carries that grid moved by the same amount, its source does not
    (if the source were the pasted one, its grid would be moved by (-dx, -dy)). Only for
    whole-pixel translations at the stored resolution whose shift is not a multiple of 8.
    Returns ('determined' or 'undetermined', evidence); when determined the match's
    ``target``/``source`` are the right way round (swapped here if needed).
    """
    a = v.cand.affine
    if not (_is_translation(a, 1e-6) and np.allclose(a[:, 2], np.round(a[:, 2]))):
        return "undetermined", {"reason": "not a whole-pixel translation at the stored size"}
    dx, dy = int(round(a[0, 2])), int(round(a[1, 2]))
    if dx % 8 == 0 and dy % 8 == 0:
        return "undetermined", {"reason": "the shift is a multiple of the 8-pixel JPEG grid"}
    zt, rt = _grid_z(gray, v.target, dx, dy)
    zs, rs = _grid_z(gray, v.source, -dx, -dy)
    ev = {"moved_grid_z_target": None if not np.isfinite(zt) else round(zt, 2),
          "moved_grid_z_source": None if not np.isfinite(zs) else round(zs, 2),
          "moved_grid_ratio_target": None if not np.isfinite(rt) else round(rt, 3),
          "moved_grid_ratio_source": None if not np.isfinite(rs) else round(rs, 3),
          "shift_mod_8": [dx % 8, dy % 8]}
    if not (np.isfinite(zt) and np.isfinite(zs)):
        return "undetermined", {**ev, "reason": "too few pixels to measure the JPEG grid"}
    why = ("the pasted copy shows the earlier JPEG block grid moved by the shift (z "
           f"{max(zt, zs):.1f}); its source does not (z {min(zt, zs):.1f})")
    if zt >= p.role_z and zs < p.role_z_other:
        return "determined", {**ev, "reason": why}
    if zs >= p.role_z and zt < p.role_z_other:
        v.target, v.source = v.source, v.target
        return "determined", {**ev, "reason": why, "swapped": True}
    return "undetermined", {**ev, "reason": "no clear moved JPEG grid in one region only"}


# ----------------------------------------------------------------------------- main entry


def _dedupe(cands: list[_Candidate], tol: float = 2.0) -> list[_Candidate]:
    out: list[_Candidate] = []
    for c in cands:
        dup = False
        for o in out:
            same = np.allclose(c.affine[:, :2], o.affine[:, :2], atol=0.03) and \
                np.all(np.abs(c.affine[:, 2] - o.affine[:, 2]) <= tol)
            inv = cv2.invertAffineTransform(o.affine)
            rev = np.allclose(c.affine[:, :2], inv[:, :2], atol=0.03) and \
                np.all(np.abs(c.affine[:, 2] - inv[:, 2]) <= tol)
            if same or rev:
                if c.method not in o.method:
                    o.method = f"{o.method}+{c.method}"
                if (c.votes and not o.votes) or (c.exact and not o.exact):
                    o.affine = c.affine  # a vote at the verification size is exact
                o.exact = o.exact or c.exact
                o.inliers = max(o.inliers, c.inliers)
                o.votes = max(o.votes, c.votes)
                dup = True
                break
        if not dup:
            out.append(c)
    return out


def detect_copy_move(rgb: np.ndarray, *, params: CopyMoveParams | None = None,
                     stored_size: tuple[int, int] | None = None,
                     grid_roles: bool = True, collect: list[Any] | None = None
                     ) -> CopyMoveResult:
    """Find regions of ``rgb`` that are copies of other regions of the same picture.

    ``rgb``: ``uint8`` array (H, W, 3) (grey images: repeat the channel). ``stored_size``:
    (width, height) of the stored picture when ``rgb`` is a reduced decode of it, so boxes
    and transforms are reported in stored pixels (and the JPEG-grid role test, which needs
    stored pixels, is skipped). ``grid_roles``: try to tell source from target by the
    earlier JPEG grid (meaningful for pictures that were JPEG compressed before the copy).
    ``collect``: a list that receives every verified candidate (with its masks at the
    working size), for the benchmark's score fit.
    """
    p = params or CopyMoveParams()
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        raise ValueError("expected an RGB array (H, W, 3)")
    rgb = np.ascontiguousarray(rgb[..., :3])
    h0, w0 = rgb.shape[:2]
    stored = stored_size or (w0, h0)
    reduced_input = stored != (w0, h0)
    notes: list[str] = []
    if reduced_input:
        notes.append(f"the stored {stored[0]}x{stored[1]} picture was decoded reduced to "
                     f"{w0}x{h0}")
    gray0 = _gray(rgb)
    long0 = max(h0, w0)

    # working images
    s_d = min(1.0, p.dense_max_side / long0)
    gray_d = _resize(gray0, s_d)
    rgb_d = _resize(rgb.astype(np.float32), s_d)
    hd, wd = gray_d.shape
    if s_d < 1:
        notes.append(f"verification at {wd}x{hd}")
    if long0 < p.keypoint_min_side:
        s_k = p.keypoint_min_side / long0
        notes.append(f"enlarged x{s_k:.2f} for keypoints (small picture)")
    else:
        s_k = min(1.0, p.keypoint_max_side / long0)
    gray_k = _resize(gray0, s_k)
    s_b = min(s_d, p.block_max_side / long0)
    gray_b = _resize(gray0, s_b)

    empty_map = np.zeros((hd, wd), np.uint8)
    to_stored = stored[0] / (wd if wd else 1)

    def result(matches: tuple[CloneMatch, ...], score: float, label: np.ndarray,
               n_kp: int, n_m: int, n_c: int, rejected: list[dict[str, Any]]
               ) -> CopyMoveResult:
        return CopyMoveResult(matches=matches, score=score, label_map=label,
                              working_size=(wd, hd),
                              keypoint_size=(gray_k.shape[1], gray_k.shape[0]),
                              block_size=(gray_b.shape[1], gray_b.shape[0]),
                              stored_size=stored, keypoints=n_kp, keypoint_matches=n_m,
                              candidates=n_c, rejected=tuple(rejected), notes=tuple(notes))

    if min(hd, wd) < max(3 * p.zncc_window, 2 * p.block) or min(hd, wd) < 2 * p.min_shift:
        notes.append("picture too small to compare regions")
        return result((), 0.0, empty_map, 0, 0, 0, [])

    # --- candidates
    cands: list[_Candidate] = []
    pk, qk, mk, n_kp = keypoint_matches(gray_k, max_keypoints=p.max_keypoints,
                                        contrast=p.sift_contrast, ratio=p.g2nn_ratio,
                                        neighbours=p.g2nn_neighbours,
                                        min_distance=p.min_shift * s_k / s_d,
                                        max_matches=p.max_matches, mirror=p.mirror)
    diag_k = math.hypot(*gray_k.shape)
    for aff, n_in in affine_hypotheses(pk, qk, image_diagonal=diag_k, mirrored=mk,
                                       cluster_distance=p.cluster_distance,
                                       min_inliers=p.min_inliers,
                                       ransac_threshold=p.ransac_threshold,
                                       max_scale_change=p.max_scale_change):
        a = _scale_affine(aff, s_k, s_d)
        cands.append(_Candidate(a, "keypoints", inliers=n_in))
    shift_scale = s_d / s_b
    for dx, dy, votes in block_shift_votes(gray_b, block=p.block, q_dc=p.block_q_dc,
                                           q_ac=p.block_q_ac, min_std=p.block_min_std,
                                           window=p.block_sort_window,
                                           min_shift=p.min_shift * s_b / s_d
                                           )[:p.max_block_candidates]:
        if votes < p.min_block_votes:
            break
        cands.append(_Candidate(np.array([[1.0, 0, dx * shift_scale],
                                          [0, 1.0, dy * shift_scale]]), "blocks", votes=votes))
    for dx, dy, _z in autocorrelation_peaks(gray_b, min_shift=p.min_shift * s_b / s_d,
                                            peaks=p.autocorr_peaks):
        cands.append(_Candidate(np.array([[1.0, 0, dx * shift_scale],
                                          [0, 1.0, dy * shift_scale]]), "blocks"))
    if s_d == 1.0 and p.exact_votes:
        g8 = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        for dx, dy, votes in exact_block_votes(g8, block=p.block, min_std=p.exact_min_std,
                                               min_shift=p.min_shift)[:3]:
            if votes < p.min_exact_votes:
                break
            cands.append(_Candidate(np.array([[1.0, 0, float(dx)], [0, 1.0, float(dy)]]),
                                    "blocks", votes=votes, exact=True))
    cands = _dedupe(cands)[:p.max_candidates]

    # --- verification: a cheap screen at the block size, then the full check in its box
    hp = gray_d - cv2.GaussianBlur(gray_d, (0, 0), p.highpass_sigma)
    hp_b = hp if s_b == s_d else gray_b - cv2.GaussianBlur(gray_b, (0, 0), p.highpass_sigma)
    rgb_s = cv2.GaussianBlur(rgb_d, (0, 0), 1.0)
    rgb_u8 = np.clip(rgb_d + 0.5, 0, 255).astype(np.uint8)
    min_px = max(p.min_region_pixels, int(p.min_region_fraction * hd * wd))
    min_px_b = max(8, int(min_px * (s_b / s_d) ** 2 * 0.4))
    pad = p.zncc_window + p.distinct_delta + 4
    verified: list[_Verified] = []
    for c in cands:
        if c.exact:  # noise-level detail does not survive the reduction: screen at full size
            scr = _screen(hp, c.affine, p, max(8, int(min_px * 0.4)))
            f_b = 1.0
        else:
            scr = _screen(hp_b, _scale_affine(c.affine, s_d, s_b), p, min_px_b)
            f_b = s_d / s_b
        if scr is None:
            continue
        roi_b, mask_b = scr
        roi = tuple(int(round(x * f_b)) for x in roi_b)
        roi = _pad_roi(roi, pad + int(math.ceil(f_b)) * 2, wd, hd)  # type: ignore[arg-type]
        radius = 0 if (c.exact or (f_b == 1.0 and c.method == "blocks")) else \
            max(1, int(math.ceil(f_b)))
        if _is_translation(c.affine) and radius:
            yb, xb = np.nonzero(mask_b)
            pts = (np.clip(np.round(yb * f_b).astype(int), 0, hd - 1),
                   np.clip(np.round(xb * f_b).astype(int), 0, wd - 1))
            c.affine = _refine(hp, c.affine, pts, radius)
        v = _verify(hp, rgb_s, rgb_u8, c, roi, p, min_px)
        if v is not None and not _is_translation(c.affine):
            a2 = _ecc_refine(gray_d, v)
            if a2 is not None:
                v2 = _verify(hp, rgb_s, rgb_u8, _Candidate(a2, c.method, c.inliers, c.votes),
                             roi, p, min_px)
                if v2 is not None and v2.residual_median <= v.residual_median and \
                        v2.core.sum() >= 0.8 * v.core.sum():
                    v = v2
        if v is not None:
            verified.append(v)
    # merge candidates that converged to the same transform (or its inverse)
    uniq: list[_Verified] = []
    for v in sorted(verified, key=lambda v: -int(v.target.sum())):
        inv = cv2.invertAffineTransform(v.cand.affine)
        if any(np.allclose(v.cand.affine, u.cand.affine, atol=0.05) or
               np.allclose(inv, u.cand.affine, atol=0.05) for u in uniq):
            continue
        uniq.append(v)
    verified = uniq

    # --- repeated structure and competition between candidates
    rejected: list[dict[str, Any]] = []
    kept: list[_Verified] = []
    best_score = 0.0
    for v in verified:
        v.periodic_fraction = _periodic_fraction(hp, v, p)
        v.competitor_margin = _competitor_margin(hp, v, [u for u in verified if u is not v], p)
        v.score = _score(v, p)
        if collect is not None:
            collect.append(v)
        if v.periodic_fraction is not None and v.periodic_fraction > p.periodic_threshold:
            v.reason = "repeated structure (the content repeats again one step further)"
        else:
            if v.flat_fraction <= p.max_flat_fraction and v.aperture >= p.min_aperture:
                best_score = max(best_score, v.score)
            if v.flat_fraction > p.max_flat_fraction:
                v.reason = ("graphics or clipped area (the region is mostly perfectly flat or "
                            "clipped colour, like a caption or logo overlay, whose rendered "
                            "glyphs repeat exactly)")
            elif v.aperture < p.min_aperture:
                v.reason = ("aperture problem (the content does not change along the "
                            "shift, like an edge or stripe running that way)")
            elif v.score < p.report_score:
                v.reason = "weak match (score below the reporting threshold)"
        if v.reason:
            rejected.append(_summary(v, to_stored, p, v.reason))
        else:
            kept.append(v)

    kept.sort(key=lambda v: -v.score)
    label = empty_map.copy()
    matches: list[CloneMatch] = []
    exact_scale = (s_d == 1.0 and not reduced_input)
    for v in kept:
        roles, ev = ("undetermined", {"reason": "analysed at a reduced size"})
        if grid_roles and exact_scale:
            roles, ev = _roles(gray_d, v, p)
        if roles == "determined":
            label[v.source & (label == 0)] = 1
            label[v.target] = 2
        else:
            label[(v.source | v.target)] = np.maximum(label[(v.source | v.target)], 3)
        matches.append(_to_match(v, to_stored, roles, ev))
    score = max([m.score for m in matches] + [min(best_score, p.report_score - 1e-3)])
    return result(tuple(matches), float(score), label, n_kp, len(pk), len(cands), rejected)


def _box_stored(mask: np.ndarray, to_stored: float) -> tuple[int, int, int, int]:
    b = _bbox(mask) or (0, 0, 0, 0)
    return tuple(int(round(x * to_stored)) for x in b)  # type: ignore[return-value]


def _affine_stored(a: np.ndarray, to_stored: float) -> np.ndarray:
    out = a.astype(np.float64).copy()
    out[:, 2] *= to_stored
    return out


def _to_match(v: _Verified, to_stored: float, roles: str, ev: dict[str, Any]) -> CloneMatch:
    a = v.cand.affine
    if ev.get("swapped"):
        a = cv2.invertAffineTransform(a)
    a_st = _affine_stored(a, to_stored)
    rot, scale, refl = _decompose(a_st)
    return CloneMatch(
        source_bbox=_box_stored(v.source, to_stored), target_bbox=_box_stored(v.target, to_stored),
        transform=tuple(tuple(round(float(x), 4) for x in row) for row in a_st),  # type: ignore
        rotation_deg=rot, scale=scale, reflected=refl,
        translation=(float(a_st[0, 2]), float(a_st[1, 2])), area_fraction=v.area_fraction,
        method=v.cand.method, inliers=v.cand.inliers, zncc_median=v.zncc_median,
        residual_median=v.residual_median, exact_fraction=v.exact_fraction,
        periodic_fraction=v.periodic_fraction, competitor_margin=v.competitor_margin,
        score=v.score, roles=roles, role_evidence=ev)


def _summary(v: _Verified, to_stored: float, p: CopyMoveParams, reason: str) -> dict[str, Any]:
    a = _affine_stored(v.cand.affine, to_stored)
    return {"reason": reason, "target_bbox": list(_box_stored(v.target, to_stored)),
            "translation": [round(float(a[0, 2]), 1), round(float(a[1, 2]), 1)],
            "method": v.cand.method, "score": round(v.score, 4),
            "zncc_median": round(v.zncc_median, 3),
            "residual_median": round(v.residual_median, 2),
            "periodic_fraction": None if v.periodic_fraction is None
            else round(v.periodic_fraction, 3)}


# ----------------------------------------------------------------------------- outputs


def label_map_png(label: np.ndarray, *, out_size: tuple[int, int] | None = None,
                  max_side: int = 1024) -> bytes:
    """The source/target map as a colour PNG: source blue, target red, undetermined role
    magenta, the rest black; ``out_size`` = (width, height) of the stored picture."""
    colours = np.array([[0, 0, 0], [40, 110, 255], [255, 40, 40], [230, 40, 230]], np.uint8)
    img = colours[np.clip(label, 0, 3)]
    w, h = out_size or (label.shape[1], label.shape[0])
    sc = min(1.0, max_side / max(w, h, 1))
    size = (max(1, round(w * sc)), max(1, round(h * sc)))
    im = Image.fromarray(img, "RGB").resize(size, Image.Resampling.NEAREST)
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def mask_png(mask: np.ndarray, *, out_size: tuple[int, int] | None = None,
             max_side: int = 1024) -> bytes:
    """A boolean mask as a black/white PNG with the stored picture's aspect ratio."""
    w, h = out_size or (mask.shape[1], mask.shape[0])
    sc = min(1.0, max_side / max(w, h, 1))
    size = (max(1, round(w * sc)), max(1, round(h * sc)))
    im = Image.fromarray(mask.astype(np.uint8) * 255, "L").resize(size, Image.Resampling.NEAREST)
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()
