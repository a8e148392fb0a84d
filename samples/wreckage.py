"""The crashed drones painted into the demo pictures: torn metal, scorch, wires, debris.

:func:`wreck` lays one crashed drone on the snow (scorch, shadow, wing, hull, panel,
propeller, wires, a drift over its lower half, thrown fragments); the smaller pieces
(:func:`metal_part`, :func:`scorch`, :func:`debris`, :func:`wire`, :func:`snow_cover`) are
also used by the navigation-unit close-up (:mod:`samples.scene`) and the pasted fuselage
(:mod:`samples.edits`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from .paint import box, contact_shadow, fbm, jagged_polygon

METALS = (
    (92, 95, 97),  # bare grey alloy
    (80, 86, 62),  # olive paint
    (70, 74, 70),  # dark grey composite
    (104, 100, 88),  # weathered khaki
)


def metal_part(img: np.ndarray, rng: np.random.Generator, poly: np.ndarray,
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
    grime = fbm(rng, rh, rw, cells=3, octaves=4)
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


def scorch(img: np.ndarray, rng: np.random.Generator, cx: float, cy: float, rx: float,
            ry: float) -> None:
    """Soot and melt on the snow around an impact."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = box(h, w, cx - rx * 1.6, cy - ry * 1.6, cx + rx * 1.6, cy + ry * 1.6)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    blot = fbm(rng, y1 - y0, x1 - x0, cells=4, octaves=4)
    alpha = np.clip((1.2 - d) * 0.9, 0, 1) * np.clip(blot * 1.6 - 0.35, 0, 1)
    soot = np.array([62, 58, 54], np.float32)
    roi = img[y0:y1, x0:x1]
    roi[:] = roi * (1 - 0.75 * alpha[..., None]) + soot * 0.75 * alpha[..., None]


def debris(img: np.ndarray, rng: np.random.Generator, cx: float, cy: float, spread: float,
            count: int, scale: float) -> None:
    """Fragments thrown around: dark bits, painted bits and a few bright torn shards."""
    h, w = img.shape[:2]
    for _ in range(count):
        px = cx + rng.normal(0, spread)
        py = cy + rng.normal(0, spread * 0.3)
        if not (0 <= px < w and 0 <= py < h):
            continue
        r = max(1.0, rng.uniform(1.2, 5.5) * scale)
        pts = jagged_polygon(rng, px, py, r, r * rng.uniform(0.4, 1.0), rng.uniform(0, 6.3),
                              int(rng.integers(3, 6)), 0.0)
        kind = rng.random()
        if kind < 0.22:  # bright shards: torn aluminium, glinting
            v = rng.uniform(200, 250)
            col = (v, v * rng.uniform(0.97, 1.0), v * rng.uniform(0.95, 1.02))
        elif kind < 0.45:
            col = tuple(float(c) for c in METALS[int(rng.integers(0, len(METALS)))])
        else:
            v = rng.uniform(25, 60)
            col = (v, v * 0.98, v * 0.95)
        cv2.fillPoly(img, [pts], col, cv2.LINE_AA)


def wire(img: np.ndarray, rng: np.random.Generator, cx: float, cy: float, length: float,
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


def snow_cover(img: np.ndarray, snow: np.ndarray, rng: np.random.Generator, cx: float,
                cy: float, rx: float, ry: float) -> None:
    """Drifted snow over the lower part of a wreck: it lies half buried."""
    h, w = img.shape[:2]
    ey, ery = cy + ry * 0.55, ry * 0.65  # an elliptic drift over the lower half
    x0, y0, x1, y1 = box(h, w, cx - rx, ey - ery, cx + rx, ey + ery)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    inside = np.clip(1.0 - ((xx - cx) / rx) ** 2 - ((yy - ey) / ery) ** 2, 0, 1)
    lumps = fbm(rng, y1 - y0, x1 - x0, cells=3, octaves=4)
    alpha = np.clip((np.sqrt(inside) + lumps * 0.9 - 1.2) * 3.0, 0, 0.9)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.5)[..., None]
    shaded = snow[y0:y1, x0:x1] * np.array([0.9, 0.93, 0.98], np.float32)  # in the wreck's lee
    roi = img[y0:y1, x0:x1]
    roi[:] = roi * (1 - alpha) + shaded * alpha


def wreck(img: np.ndarray, snow: np.ndarray, rng: np.random.Generator, cx: float, cy: float,
           size: float) -> None:
    """One crashed drone: scorch, shadow, torn body, wing, wires, propeller, debris."""
    scorch(img, rng, cx + rng.normal(0, size * 0.1), cy + size * 0.1, size * 1.3, size * 0.45)
    angle = rng.uniform(-0.5, 0.5)
    contact_shadow(img, (cx + size * 0.12, cy + size * 0.22), (size * 0.95, size * 0.22),
            math.degrees(angle), 0.55)
    base = METALS[int(rng.integers(0, len(METALS)))]
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
    metal_part(img, rng, wing, METALS[int(rng.integers(0, len(METALS)))])
    # main body: twisted irregular hull
    body = jagged_polygon(rng, cx, cy, size * 0.75, size * 0.38, angle,
                           int(rng.integers(14, 24)), 0.25)
    metal_part(img, rng, body, base)
    # a buckled second panel on top
    panel = jagged_polygon(rng, cx + rng.normal(0, size * 0.15), cy - size * 0.1, size * 0.35,
                            size * 0.18, angle + rng.uniform(-0.6, 0.6), 9, 0.3)
    metal_part(img, rng, panel, tuple(c * 1.15 for c in base))
    # propeller: two thin black blades around a hub
    px, py = cx + rng.normal(0, size * 0.4), cy + rng.normal(0, size * 0.1)
    cv2.ellipse(img, (int(px), int(py)), (int(size * 0.42), max(2, int(size * 0.05))),
                rng.uniform(0, 180), 0, 360, (24, 24, 27), -1, cv2.LINE_AA)
    cv2.ellipse(img, (int(px), int(py)), (int(size * 0.08), int(size * 0.08)), 0, 0, 360,
                (40, 40, 42), -1, cv2.LINE_AA)
    for _ in range(int(rng.integers(3, 7))):  # wires and rods
        copper = rng.random() < 0.3
        wire(img, rng, cx + rng.normal(0, size * 0.3), cy + rng.normal(0, size * 0.1),
              size * rng.uniform(0.5, 1.2), (168, 104, 58) if copper else (30, 30, 32),
              1 if copper else int(rng.integers(2, 4)))
    snow_cover(img, snow, rng, cx, cy, size * 0.8, size * 0.35)
    debris(img, rng, cx, cy + size * 0.15, size * 0.9, int(rng.integers(40, 90)), size / 60)
