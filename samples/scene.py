"""The demo's pictures, composed: a snowy field with wreckage, and the navigation unit.

:func:`snowfield` paints a winter field (overcast sky, a two-row treeline, drifted snow in
ground perspective, boot prints) with crashed drones (:mod:`samples.wreckage`), flash-lit at
night, and finishes it as a camera would (:func:`samples.paint.finish`).
:func:`nav_unit_scene` is the close-up of the "recovered navigation unit" on trampled snow.
Both return uint8 RGB and draw only from the generator they are given.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .paint import box, contact_shadow, draw_text, fbm, finish, flash_falloff
from .wreckage import debris, metal_part, scorch, snow_cover, wire, wreck


def _sky(rng: np.random.Generator, h: int, w: int, horizon: int, night: bool) -> np.ndarray:
    if night:  # overcast night sky faintly lit from below
        top, bottom = np.array([16, 19, 28], np.float32), np.array([50, 53, 64], np.float32)
    else:  # flat winter overcast
        top, bottom = np.array([142, 148, 160], np.float32), np.array([204, 207, 213], np.float32)
    t = (np.arange(h, dtype=np.float32) / max(horizon, 1)).clip(0, 1) ** 1.4
    sky = top[None, None, :] * (1 - t)[:, None, None] + bottom[None, None, :] * t[:, None, None]
    sky = np.broadcast_to(sky, (h, w, 3)).copy()
    clouds = fbm(rng, h, w, cells=2.0, octaves=4, stretch=3.0) - 0.5
    sky += clouds[..., None] * (7.0 if night else 16.0)
    return sky


def _conifer(x: float, foot: float, height: float, half: float, rng: np.random.Generator
             ) -> np.ndarray:
    """A spruce silhouette: a narrow spire with ragged tiers of branches."""
    tiers = int(rng.integers(5, 9))
    right, left = [], []
    for k in range(1, tiers + 1):
        y = foot - height + height * k / tiers
        out = half * (k / tiers) ** 0.8 * rng.uniform(0.75, 1.25)
        inner = out * rng.uniform(0.35, 0.6)
        y_in = y - height / tiers * rng.uniform(0.25, 0.5)
        right += [(x + inner, y_in), (x + out, y)]
        out_l = half * (k / tiers) ** 0.8 * rng.uniform(0.75, 1.25)
        left += [(x - out_l, y), (x - inner * rng.uniform(0.8, 1.2), y_in)]
    pts = [(x, foot - height), *right, (x + half * 0.15, foot), (x - half * 0.15, foot),
           *reversed(left)]
    return np.round(np.array(pts)).astype(np.int32)


def _treeline(img: np.ndarray, rng: np.random.Generator, horizon: int, night: bool) -> None:
    """Two rows of forest on the horizon: a hazy far row, then a darker near row."""
    h, w = img.shape[:2]
    rows = ((18, 21, 26), (11, 12, 14)) if night else ((112, 120, 126), (46, 54, 52))
    for row, color in enumerate(rows):
        scale = 0.55 if row == 0 else 1.0
        band = np.zeros((h, w), np.uint8)
        density = fbm(rng, 1, w, cells=1, octaves=3)[0]
        lift = 4 + (fbm(rng, 1, w, cells=1, octaves=2)[0] * h * 0.012).astype(int)
        foot_line = horizon - (lift if row == 0 else np.zeros_like(lift))
        cv2.rectangle(band, (0, int(foot_line.min()) - 2), (w, horizon + 1), 255, -1)
        x = float(rng.uniform(-10, 0))
        while x < w + 10:
            xi = int(min(max(x, 0), w - 1))
            if density[xi] < 0.18 and row == 1:  # a clearing
                x += rng.uniform(6, 20)
                continue
            tree_h = h * scale * rng.uniform(0.025, 0.05) * (0.6 + 0.9 * density[xi])
            half = tree_h * rng.uniform(0.17, 0.26)
            cv2.fillPoly(band, [_conifer(x, float(foot_line[xi]) + 2, tree_h, half, rng)], 255,
                         cv2.LINE_AA)
            x += half * rng.uniform(0.5, 1.3)
        y0 = max(0, horizon - int(h * 0.12))
        alpha = (band[y0:horizon + 2].astype(np.float32) / 255.0)[..., None]
        shade = (fbm(rng, horizon + 2 - y0, w, cells=3, octaves=3)[..., None] - 0.5)
        col = np.array(color, np.float32) + shade * (6 if night else 16)
        roi = img[y0:horizon + 2]
        roi[:] = roi * (1 - alpha) + col * alpha


def _snow_ground(rng: np.random.Generator, h: int, w: int, horizon: int,
                 *, top_down: bool = False) -> np.ndarray:
    """Snow with drifts, wind ripples and bluish shadows, warped into ground perspective."""
    if top_down:  # trampled snow seen from above: lumps and boot dents, no drifts
        th, tw = h, w
        height = (0.35 * fbm(rng, th, tw, cells=3, octaves=3)
                  + 0.45 * fbm(rng, th, tw, cells=12, octaves=3)
                  + 0.2 * fbm(rng, th, tw, cells=40, octaves=2))
    else:  # open field: long wind-blown drifts and ripples (sastrugi)
        th, tw = h, int(w * 1.2)
        height = (0.6 * fbm(rng, th, tw, cells=2.0, octaves=4, stretch=2.5)
                  + 0.3 * fbm(rng, th, tw, cells=7, octaves=3, stretch=2.0)
                  + 0.1 * fbm(rng, th, tw, cells=28, octaves=2))
        yy = np.arange(th, dtype=np.float32)[:, None]
        warp = fbm(rng, th, tw, cells=3, octaves=2)
        height += 0.04 * np.sin(yy / th * 55.0 + warp * 9.0)
    light = np.gradient(height, axis=1) * 0.45 + np.gradient(height, axis=0) * 0.55
    shade = np.clip(0.66 + light * (60.0 if top_down else 120.0) + (height - 0.5) * 0.5, 0, 1)
    lit = np.array([240, 241, 245], np.float32)
    shadow = np.array([168, 184, 214], np.float32)  # bluish shade of snow
    tex = shadow + (lit - shadow) * shade[..., None]
    sparkle = rng.random((th, tw), dtype=np.float32) > 0.998
    tex += sparkle[..., None] * 12.0  # ice crystals catching the light
    src = np.float32([[0, 0], [tw, 0], [tw, th], [0, th]])
    if top_down:
        dst = np.float32([[-0.1 * w, -0.08 * h], [1.1 * w, -0.08 * h], [1.04 * w, h],
                          [-0.04 * w, h]])
    else:
        top = max(horizon, 0) + 1
        dst = np.float32([[-0.3 * w, top], [1.3 * w, top], [2.4 * w, h * 1.04],
                          [-1.4 * w, h * 1.04]])
    mat = cv2.getPerspectiveTransform(src, dst)
    ground = cv2.warpPerspective(tex, mat, (w, h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    # fine grain in image space, stronger close to the camera
    rows = np.clip((np.arange(h, dtype=np.float32) - horizon) / max(h - horizon, 1), 0, 1)
    relief = fbm(rng, h, w, cells=18, octaves=3, stretch=1.6) - 0.5
    grain = fbm(rng, h, w, cells=80, octaves=2) - 0.5
    detail = relief * (2.0 + 14.0 * rows[:, None]) + grain * (2.0 + 6.0 * rows[:, None])
    ground += detail[..., None] * np.array([0.9, 0.95, 1.0], np.float32)
    return ground


def _footprints(img: np.ndarray, rng: np.random.Generator, start: tuple[float, float],
                end: tuple[float, float], horizon: int) -> None:
    """A trail of boot prints leading to the wreck: small bluish dents in the snow."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = box(h, w, min(start[0], end[0]) - 40, min(start[1], end[1]) - 40,
                          max(start[0], end[0]) + 40, max(start[1], end[1]) + 40)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    steps = 18
    for i in range(steps):
        t = i / (steps - 1)
        x = start[0] + (end[0] - start[0]) * t
        y = start[1] + (end[1] - start[1]) * t
        depth = max((y - horizon) / max(h - horizon, 1), 0.05)
        side = (-1) ** i * 9 * depth
        cv2.ellipse(mask, (int(x + side) - x0, int(y) - y0),
                    (max(1, int(9 * depth)), max(1, int(5 * depth))), rng.uniform(-15, 15), 0,
                    360, 255, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)
    tint = np.array([0.2, 0.16, 0.08], np.float32)
    img[y0:y1, x0:x1] *= 1 - (mask.astype(np.float32) / 255.0)[..., None] * tint


def snowfield(rng: np.random.Generator, w: int, h: int, *, night: bool, wrecks: int,
           noise: float = 2.5, blur: float = 0.9, footprints: bool = True) -> np.ndarray:
    """A snowy field with crashed-drone wreckage; returns uint8 RGB (h, w, 3)."""
    horizon = int(h * rng.uniform(0.28, 0.40))
    img = _sky(rng, h, w, horizon, night)
    snow = _snow_ground(rng, h, w, horizon)
    img[horizon:] = snow[horizon:]
    _treeline(img, rng, horizon, night)
    spots = []
    for i in range(wrecks):
        depth = rng.uniform(0.45, 0.85) if i == 0 else rng.uniform(0.2, 0.6)
        cy = horizon + depth * (h - horizon)
        cx = w * (rng.uniform(0.35, 0.65) if i == 0 else rng.uniform(0.1, 0.9))
        spots.append((cx, cy, depth))
    if footprints and spots:
        cx, cy, _ = spots[0]
        _footprints(img, rng, (w * rng.uniform(0.2, 0.8), h * 1.02), (cx, cy), horizon)
    for cx, cy, depth in sorted(spots, key=lambda s: s[1]):  # far ones first
        wreck(img, snow, rng, cx, cy, size=w * 0.13 * (0.35 + depth))
    if night:
        flash_falloff(img, horizon)
    return finish(img, rng, blur=blur, noise=noise)


def nav_unit_scene(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Close-up of the 'recovered navigation unit' lying on trampled snow, flash-lit."""
    img = _snow_ground(rng, h, w, 0, top_down=True)
    snow = img.copy()
    cx, cy = w * rng.uniform(0.45, 0.55), h * rng.uniform(0.45, 0.52)
    bw, bh, depth = w * 0.40, h * 0.30, h * 0.07
    angle = rng.uniform(-0.25, 0.25)
    ca, sa = math.cos(angle), math.sin(angle)

    def at(u: float, v: float, lift: float = 0.0) -> np.ndarray:
        return np.array([cx + u * bw / 2 * ca - v * bh / 2 * sa,
                         cy + u * bw / 2 * sa + v * bh / 2 * ca - lift])

    def quad(*corners: np.ndarray) -> np.ndarray:
        return np.array(corners).round().astype(np.int32)

    scorch(img, rng, cx + bw * 0.1, cy + bh * 0.2, bw * 0.8, bh * 0.6)
    contact_shadow(img, (cx + w * 0.03, cy + bh * 0.4), (bw * 0.6, bh * 0.45), math.degrees(angle),
            0.8)
    metal_part(img, rng, quad(at(1, -1, depth), at(1, 1, depth), at(1, 1), at(1, -1)),
                (40, 42, 44))
    metal_part(img, rng, quad(at(-1, 1, depth), at(1, 1, depth), at(1, 1), at(-1, 1)),
                (34, 36, 38))
    metal_part(img, rng, quad(at(-1, -1, depth), at(1, -1, depth), at(1, 1, depth),
                               at(-1, 1, depth)), (64, 67, 68))
    screen = quad(at(-0.82, -0.72, depth), at(0.08, -0.72, depth), at(0.08, 0.15, depth),
                  at(-0.82, 0.15, depth))
    cv2.fillPoly(img, [screen], (26, 36, 33), cv2.LINE_AA)
    cv2.line(img, tuple(int(v) for v in at(-0.75, -0.45, depth)),
             tuple(int(v) for v in at(-0.2, -0.62, depth)), (80, 98, 90), 2, cv2.LINE_AA)
    label = quad(at(0.22, -0.78, depth), at(0.9, -0.78, depth), at(0.9, -0.05, depth),
                 at(0.22, -0.05, depth))
    cv2.fillPoly(img, [label], (212, 206, 188), cv2.LINE_AA)
    lx, ly = at(0.27, -0.55, depth)
    for i, line in enumerate(("NAV-7", "S/N 0413", "GNSS/INS")):
        draw_text(img, line, (int(lx), int(ly + i * h * 0.028)), cv2.FONT_HERSHEY_PLAIN,
              h / 900 * 1.15, (40, 38, 36), 1)
    for u in (-0.6, -0.2, 0.2, 0.6):  # connectors on the front face
        px, py = at(u, 1, depth * 0.5)
        cv2.circle(img, (int(px), int(py)), max(3, int(h * 0.013)), (120, 118, 110), -1,
                   cv2.LINE_AA)
        cv2.circle(img, (int(px), int(py)), max(1, int(h * 0.006)), (20, 20, 20), -1,
                   cv2.LINE_AA)
    start = at(0.6, 1, depth * 0.5)
    wire(img, rng, float(start[0]), float(start[1]), w * 0.3, (22, 22, 24), max(3, h // 150))
    snow_cover(img, snow, rng, cx, cy + bh * 0.3, bw * 0.5, bh * 0.4)
    debris(img, rng, cx, cy + bh * 0.6, bw * 0.7, 50, h / 700)
    flash_falloff(img, -h // 3)
    return finish(img, rng, blur=0.8, noise=2.5)
