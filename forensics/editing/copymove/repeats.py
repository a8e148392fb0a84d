"""Repeated structure: is a verified match a lattice, outdone by other shifts, or a print?

Rule (b) of the package docstring (the content repeats again one step further), the
competitor margin that enters the score (c) and rule (f), repeated print: the two regions
share their shape but not their fine noise (:func:`_noise_correlation`).
"""

from __future__ import annotations

import cv2
import numpy as np

from .geometry import _bbox, _compose, _crop, _move, _pad_roi, _zncc
from .params import CopyMoveParams
from .verify import _Verified


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


def noise_maps(gray: np.ndarray, p: CopyMoveParams) -> tuple[np.ndarray, np.ndarray]:
    """(fine residual, smoothed gradient magnitude in grey levels per pixel) of the
    verification image, for :func:`_noise_correlation`."""
    g = gray.astype(np.float32)
    fine = g - cv2.GaussianBlur(g, (0, 0), p.noise_sigma)
    gs = cv2.GaussianBlur(g, (0, 0), p.noise_gradient_sigma)
    # the 3x3 Sobel kernel weighs a one-pixel step 8 times
    grad = np.hypot(cv2.Sobel(gs, cv2.CV_32F, 1, 0, ksize=3),
                    cv2.Sobel(gs, cv2.CV_32F, 0, 1, ksize=3)) / 8.0
    return fine, grad


def _noise_correlation(fine: np.ndarray, grad: np.ndarray, v: _Verified, p: CopyMoveParams
                       ) -> tuple[float | None, int, float]:
    """Does the fine noise repeat with the shape? (Pearson r, interior pixels, residual std).

    A copy carries its pixels along, sensor noise and all, so the fine residual (the grey
    picture minus a light blur) of the pasted region equals that of its source; two
    instances of one design (a digit printed twice, two identical tiles or windows) share
    the shape but their noise is independent, as every pixel's sensor noise is (Lukas,
    Fridrich, Goljan, IEEE TIFS 1(2), 2006). The edges, which both instances share, are left
    out: the residuals are compared only where the picture is nearly flat at both ends
    (``noise_max_gradient``), within ``noise_near_core`` pixels of the strict matches. r is
    None when too few such pixels vary enough to say (``noise_min_pixels``,
    ``noise_min_std``)."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * p.noise_near_core + 1,) * 2)
    reg = (cv2.dilate(v.core.astype(np.uint8), k) > 0) & v.target
    tb = _bbox(reg)
    if tb is None:
        return None, 0, 0.0
    a = v.cand.affine
    t_f, s_f = _crop(fine, tb), _move(fine, a, tb)
    t_g, s_g = _crop(grad, tb), _move(grad, a, tb)
    sel = _crop(reg, tb) & np.isfinite(s_f) & np.isfinite(s_g) & \
        (t_g < p.noise_max_gradient) & (s_g < p.noise_max_gradient)
    n = int(sel.sum())
    if n < p.noise_min_pixels:
        return None, n, 0.0
    x, y = t_f[sel].astype(np.float64), s_f[sel].astype(np.float64)
    std = float(min(x.std(), y.std()))
    if std < p.noise_min_std:
        return None, n, std
    r = float(np.mean((x - x.mean()) * (y - y.mean())) / (x.std() * y.std()))
    return r, n, std
