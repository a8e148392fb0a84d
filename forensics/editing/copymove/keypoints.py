"""Keypoint proposals: SIFT self-matches (g2NN) clustered into affine hypotheses.

After I. Amerini, L. Ballan, R. Caldelli, A. Del Bimbo, G. Serra, "A SIFT-based forensic
method for copy-move attack detection and transformation recovery", IEEE Trans. Information
Forensics and Security 6(3):1099-1110, 2011 (see the package docstring).
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from .geometry import _decompose, _is_translation


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
