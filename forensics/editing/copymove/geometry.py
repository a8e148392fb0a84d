"""Pixel geometry shared by the copy-move modules: affines, regions of interest, local ZNCC.

Affines are 2x3 ``float`` arrays mapping source to target pixels; a ROI is (x0, y0, x1, y1),
end exclusive. Nothing here knows about candidates or parameters.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy import ndimage as ndi


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
