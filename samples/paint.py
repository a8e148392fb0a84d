"""Painting primitives of the demo pictures (float32 RGB in 0..255 until :func:`finish`).

Value noise (:func:`fbm`), clipped boxes, alpha blending, anti-aliased text, soft contact
shadows, jagged outlines, and the camera's last word on a picture: flash fall-off, lens
vignetting, softness, sensor noise and the 8-bit quantisation. Everything draws from the
``numpy`` generator it is given; nothing here knows the story (see :mod:`samples.case`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np


def fbm(rng: np.random.Generator, h: int, w: int, *, cells: float = 3.0, octaves: int = 5,
         persistence: float = 0.55, stretch: float = 1.0) -> np.ndarray:
    """Multi-octave value noise in 0..1 (``stretch`` > 1 elongates features horizontally)."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for octave in range(octaves):
        gh = max(2, int(round(cells * 2**octave)))
        gw = max(2, int(round(cells * 2**octave * w / h / stretch)))
        grid = rng.random((gh, gw), dtype=np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= persistence
    lo, hi = float(out.min()), float(out.max())
    return (out - lo) / max(hi - lo, 1e-6)


def box(h: int, w: int, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    """Clip a float box to the frame: (x0, y0, x1, y1) as ints, possibly empty."""
    return (int(max(0, math.floor(x0))), int(max(0, math.floor(y0))),
            int(min(w, math.ceil(x1))), int(min(h, math.ceil(y1))))


def blend_mask(img: np.ndarray, mask: np.ndarray, color: np.ndarray | Sequence[float] | float,
                opacity: float = 1.0) -> None:
    """Alpha-blend ``color`` (a colour, or an image the size of ``img``) where ``mask`` is set."""
    x, y, bw, bh = cv2.boundingRect(mask)
    if bw == 0 or bh == 0:
        return
    alpha = (mask[y:y + bh, x:x + bw].astype(np.float32) / 255.0 * opacity)[..., None]
    if isinstance(color, np.ndarray) and color.ndim == 3:
        color = color[y:y + bh, x:x + bw]
    roi = img[y:y + bh, x:x + bw]
    roi[:] = roi * (1 - alpha) + np.asarray(color, np.float32) * alpha


def draw_text(img: np.ndarray, text: str, org: tuple[int, int], font: int, scale: float,
          color: Sequence[float], thickness: int) -> None:
    """Anti-aliased text on a float image (OpenCV draws text on 8-bit images only)."""
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.putText(mask, text, org, font, scale, 255, thickness, cv2.LINE_AA)
    blend_mask(img, mask, color)


def contact_shadow(img: np.ndarray, center: tuple[float, float], axes: tuple[float, float],
            angle: float, strength: float) -> None:
    """A soft contact shadow; on snow it is blue, so red drops most."""
    h, w = img.shape[:2]
    sigma = max(1.0, axes[1] * 0.5)
    reach = max(axes) + 3 * sigma
    x0, y0, x1, y1 = box(h, w, center[0] - reach, center[1] - reach, center[0] + reach,
                          center[1] + reach)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    cv2.ellipse(mask, (int(center[0]) - x0, int(center[1]) - y0),
                (max(1, int(axes[0])), max(1, int(axes[1]))), angle, 0, 360, 1.0, -1,
                cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), sigma)
    tint = np.array([0.42, 0.37, 0.26], np.float32) * strength
    img[y0:y1, x0:x1] *= 1 - mask[..., None] * tint


def jagged_polygon(rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float,
                    angle: float, n: int, spike: float) -> np.ndarray:
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = rng.uniform(0.55, 1.0, n)
    spikes = rng.random(n) < spike
    radii[spikes] *= rng.uniform(1.2, 1.7, int(spikes.sum()))
    radii[~spikes & (rng.random(n) < 0.3)] *= 0.6  # torn notches
    x, y = np.cos(angles) * rx * radii, np.sin(angles) * ry * radii
    ca, sa = math.cos(angle), math.sin(angle)
    pts = np.stack([cx + x * ca - y * sa, cy + x * sa + y * ca], axis=1)
    return np.round(pts).astype(np.int32)


def flash_falloff(img: np.ndarray, horizon: int) -> None:
    """Night shot lit by an on-camera flash: bright foreground, dim distance and edges."""
    h, w = img.shape[:2]
    yy = np.arange(h, dtype=np.float32)
    depth = np.clip((yy - horizon) / max(h - horizon, 1), 0, 1) ** 0.6
    xs = (np.arange(w, dtype=np.float32) - w / 2) / (w * 0.95)
    radial = np.exp(-(xs**2))[None, :]
    gain = 0.3 + 0.76 * depth[:, None] * radial
    gain = np.where((yy >= horizon)[:, None], gain, 1.0).astype(np.float32)
    img *= gain[..., None]


def finish(img: np.ndarray, rng: np.random.Generator, *, blur: float, noise: float) -> np.ndarray:
    """Lens vignetting, optical softness and sensor noise, then 8-bit quantisation."""
    h, w = img.shape[:2]
    vx = ((np.arange(w, dtype=np.float32) - w / 2) / (w / 2)) ** 2
    vy = ((np.arange(h, dtype=np.float32) - h / 2) / (h / 2)) ** 2
    img *= (1 - 0.07 * (vy[:, None] + vx[None, :]))[..., None]
    img = cv2.GaussianBlur(img, (0, 0), blur)
    if noise > 0:
        img += rng.standard_normal((h, w, 1), dtype=np.float32) * noise
        img += rng.standard_normal((h, w, 3), dtype=np.float32) * (noise * 0.35)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)
