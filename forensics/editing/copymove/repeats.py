"""Repeated structure: is a verified match a lattice, or outdone by other shifts?

Rule (b) of the package docstring (the content repeats again one step further) and the
competitor margin that enters the score (c).
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
