"""The edits made to two of the demo pictures after the camera.

* :func:`paste_fuselage`: a fuselage section with a stencil marking pasted beside the wreck,
  with its own shadow, noise and a contrast curve over the whole frame
  (``wreckage_edited.jpg``).
* :func:`plant_clone`: the most textured piece of ground (the wreck) cloned onto the flattest
  ground, feathered (``wreckage_cloned.jpg``); returns the ground-truth boxes.

(The synthetic copy-move material of the tests and benchmarks is
:mod:`samples.copymove_synthetic`.)
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .paint import box, contact_shadow, draw_text
from .wreckage import debris, metal_part, snow_cover


def paste_fuselage(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The edit: a large fuselage section with a stencil marking pasted beside the wreck."""
    img = rgb.astype(np.float32)
    snow = cv2.GaussianBlur(img, (0, 0), 6.0)
    h, w = img.shape[:2]
    side = 1 if rng.random() < 0.5 else -1
    cx, cy = w * (0.5 + side * rng.uniform(0.2, 0.23)), h * rng.uniform(0.60, 0.66)
    length, radius = w * 0.4, h * 0.095
    angle = rng.uniform(-0.2, 0.2)
    contact_shadow(img, (cx + w * 0.02, cy + radius * 1.1), (length * 0.55, radius * 0.7),
            math.degrees(angle), 0.7)
    ca, sa = math.cos(angle), math.sin(angle)
    axis, normal = np.array([ca, sa]), np.array([-sa, ca])
    c = np.array([cx, cy])
    nose = [c + axis * length / 2 + normal * radius * t * (1 - 0.35 * abs(t))
            for t in np.linspace(-1, 1, 9)]
    torn = [c - axis * length / 2 + normal * radius * t
            - axis * rng.uniform(0, 0.12) * length for t in np.linspace(1, -1, 9)]
    hull = np.array([*nose, *torn]).round().astype(np.int32)
    metal_part(img, rng, hull, (86, 92, 66))
    # cylindrical shading across the body: lit from above, dark underside
    x0, y0, x1, y1 = box(h, w, *(hull.min(axis=0) - 2), *(hull.max(axis=0) + 3))
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [hull], 255, cv2.LINE_AA)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    t = np.clip(((xx - cx) * normal[0] + (yy - cy) * normal[1]) / radius, -1, 1)
    profile = 0.55 + 0.75 * np.cos((t + 0.45) * np.pi / 2.3).clip(0, 1)
    alpha = mask[y0:y1, x0:x1].astype(np.float32) / 255.0
    img[y0:y1, x0:x1] *= (1 + (profile - 1) * alpha)[..., None]
    text_org = c - axis * length * 0.22 + normal * radius * 0.2
    draw_text(img, "N7-0413", (int(text_org[0]), int(text_org[1])), cv2.FONT_HERSHEY_SIMPLEX,
          h / 900 * 1.3, (226, 224, 212), max(2, int(h / 300)))
    snow_cover(img, snow, rng, cx, cy, length * 0.45, radius * 1.1)
    debris(img, rng, cx, cy + radius, length * 0.4, 40, h / 900)
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
