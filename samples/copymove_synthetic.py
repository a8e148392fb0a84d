"""Synthetic material for copy-move tests, benchmarks and demo samples (no downloads).

* :func:`plant_clone` - copy a region of a picture onto another place of the same picture,
  optionally rotated, scaled or mirrored, with a feathered stamp, as a clone-stamp or
  copy-paste user would; returns the ground-truth masks.
* :func:`facade` - a building front with a lattice of identical windows, and
  :func:`tiled_wall` - a wall of identical tiles: repeated structure that a copy-move
  detector must *not* call a clone.
* :func:`natural_texture` - a random, camera-like picture (multi-scale texture, blobs,
  shading and sensor noise) to plant clones into.
* :func:`jpeg_roundtrip` - JPEG compression and decoding at a given quality.

Everything is deterministic given its ``seed``.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image


def plant_clone(rgb: np.ndarray, *, source_box: tuple[int, int, int, int],
                target_xy: tuple[int, int], angle_deg: float = 0.0, scale: float = 1.0,
                shape: str = "ellipse", feather: float = 2.0, flip: bool = False
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Copy a region of ``rgb`` onto another place of the same picture.

    ``source_box`` (x0, y0, x1, y1, pixels) is the region copied; it is mirrored left-right
    when ``flip``, rotated by ``angle_deg`` (counter-clockwise) about its centre pixel
    (x0 + (x1 - x0) // 2, y0 + (y1 - y0) // 2) and scaled by ``scale``, and that pixel is
    placed at ``target_xy`` (so a plain move is a whole-pixel shift, as clone tools do).
    ``shape`` (``'ellipse'`` or ``'rect'``) is the outline of the stamp, blended with a
    Gaussian ``feather`` (pixels).
    Returns (new picture uint8, target mask, source mask), masks boolean at the picture's
    size. Usable on any RGB array: e.g. ``plant_clone(photo, source_box=(100, 80, 220, 170),
    target_xy=(500, 300))`` plants a realistic clone for a demo sample.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("expected an RGB array (H, W, 3)")
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = source_box
    if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
        raise ValueError("source_box must lie inside the picture")
    stamp = np.zeros((h, w), np.float32)
    cx, cy = float(x0 + (x1 - x0) // 2), float(y0 + (y1 - y0) // 2)  # a whole pixel
    if shape == "rect":
        stamp[y0:y1, x0:x1] = 1.0
    elif shape == "ellipse":
        cv2.ellipse(stamp, (int(round(cx)), int(round(cy))),
                    (max(1, (x1 - x0) // 2), max(1, (y1 - y0) // 2)), 0, 0, 360, 1.0, -1)
    else:
        raise ValueError("shape must be 'ellipse' or 'rect'")
    m = cv2.getRotationMatrix2D((cx, cy), angle_deg, scale)
    if flip:  # mirror about the vertical axis through the centre, before rotating
        fl = np.array([[-1.0, 0.0, 2 * cx], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
        m = (np.vstack([m, [0.0, 0.0, 1.0]]) @ fl)[:2]
    m[0, 2] += target_xy[0] - cx
    m[1, 2] += target_xy[1] - cy
    src = rgb.astype(np.float32)
    exact = angle_deg == 0 and scale == 1 and not flip
    interp = cv2.INTER_NEAREST if exact else cv2.INTER_CUBIC
    moved = cv2.warpAffine(src, m, (w, h), flags=interp, borderMode=cv2.BORDER_REFLECT)
    alpha = cv2.warpAffine(stamp, m, (w, h), flags=cv2.INTER_LINEAR)
    if feather > 0:
        alpha = cv2.GaussianBlur(alpha, (0, 0), feather) * (alpha > 0.01)
    out = src * (1 - alpha[..., None]) + moved * alpha[..., None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), alpha >= 0.5, stamp >= 0.5


def jpeg_roundtrip(rgb: np.ndarray, quality: int = 90) -> np.ndarray:
    """``rgb`` saved as a JPEG at ``quality`` (Pillow, 4:2:0) and decoded again."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _fbm(rng: np.random.Generator, h: int, w: int, octaves: int = 6) -> np.ndarray:
    out = np.zeros((h, w), np.float32)
    amp = 1.0
    for o in range(octaves):
        cells = 2 ** (o + 2)
        side = max(h, w)
        small = rng.standard_normal((max(2, h * cells // side), max(2, w * cells // side)))
        out += amp * cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
        amp *= 0.6
    return (out - out.mean()) / (out.std() + 1e-6)


def natural_texture(width: int = 640, height: int = 480, *, seed: int = 0,
                    noise: float = 2.0) -> np.ndarray:
    """A random camera-like picture: a coloured multi-scale background strewn with many
    small pebbles and leaves of random colour, size and orientation (the fine detail real
    photos of ground, foliage or rubble have), a few larger textured objects, smooth shading
    and Gaussian sensor noise (``noise`` grey levels). uint8 RGB."""
    rng = np.random.default_rng(seed)
    h, w = height, width
    img = np.zeros((h, w, 3), np.float32)
    base = rng.uniform(70, 170, 3)
    for c in range(3):
        img[..., c] = base[c] + 22 * _fbm(rng, h, w)
    n_small = int(h * w / 120)
    for _ in range(n_small):  # pebbles / leaves
        cx, cy = int(rng.uniform(0, w)), int(rng.uniform(0, h))
        ax, ay = int(rng.uniform(1.5, 7)), int(rng.uniform(1.5, 5))
        col = np.clip(base + rng.normal(0, 45, 3), 0, 255)
        cv2.ellipse(img, (cx, cy), (ax, ay), float(rng.uniform(0, 180)), 0, 360,
                    tuple(float(x) for x in col), -1, lineType=cv2.LINE_AA)
    for _ in range(int(rng.integers(4, 8))):  # larger objects
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        ax, ay = rng.uniform(0.04, 0.1) * w, rng.uniform(0.04, 0.1) * h
        mask = np.zeros((h, w), np.float32)
        cv2.ellipse(mask, (int(cx), int(cy)), (int(ax), int(ay)), float(rng.uniform(0, 180)),
                    0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 1.2)[..., None]
        col = rng.uniform(20, 235, 3)
        tex = 25 * _fbm(rng, h, w, 7)[..., None]
        img = img * (1 - mask) + (col + tex) * mask
    img = cv2.GaussianBlur(img, (0, 0), 0.6)  # lens
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 1.0 + 0.15 * np.sin(xx / w * 2.1 + 0.4) * np.cos(yy / h * 1.7)
    img = img * shade[..., None] + rng.standard_normal((h, w, 3)).astype(np.float32) * noise
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def facade(width: int = 800, height: int = 600, *, rows: int = 4, cols: int = 6, seed: int = 0,
           noise: float = 2.0) -> np.ndarray:
    """A building front: a plaster wall with a regular lattice of identical windows (frame,
    sill, four panes with a reflection gradient), gently uneven lighting and sensor noise.
    The windows are pixel-identical before lighting and noise, like a real facade's windows
    are nearly identical: the repeated structure naive copy-move matchers flag."""
    rng = np.random.default_rng(seed)
    h, w = height, width
    wall = np.empty((h, w, 3), np.float32)
    base = np.array([196.0, 178.0, 150.0]) + rng.uniform(-15, 15, 3)
    tex = 6 * _fbm(rng, h, w, 6)
    for c in range(3):
        wall[..., c] = base[c] + tex
    cw, ch = w / cols, h / rows
    ww, wh = int(cw * 0.55), int(ch * 0.62)
    win = np.zeros((wh, ww, 3), np.float32)
    win[:] = (245, 245, 240)  # frame
    m = max(3, ww // 14)
    gy = np.linspace(0, 1, wh - 2 * m)[:, None]
    glass = np.stack([60 + 60 * gy, 80 + 60 * gy, 100 + 50 * gy], -1) * np.ones((1, ww - 2 * m, 1))
    win[m:wh - m, m:ww - m] = glass
    win[m:wh - m, ww // 2 - m // 2:ww // 2 + m // 2 + 1] = (245, 245, 240)  # mullion
    win[wh // 2 - m // 2:wh // 2 + m // 2 + 1, m:ww - m] = (245, 245, 240)  # transom
    for r in range(rows):
        for c in range(cols):
            x0 = int(round(c * cw + (cw - ww) / 2))
            y0 = int(round(r * ch + (ch - wh) / 2))
            wall[y0:y0 + wh, x0:x0 + ww] = win
            sill_y = y0 + wh
            wall[sill_y:sill_y + max(3, m), x0 - m:x0 + ww + m] = (150, 140, 128)  # sill shadow
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.9 + 0.12 * (xx / w) - 0.06 * (yy / h)
    img = wall * light[..., None] + rng.standard_normal((h, w, 3)).astype(np.float32) * noise
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def tiled_wall(width: int = 640, height: int = 480, *, tile: int = 48, seed: int = 0,
               noise: float = 2.0) -> np.ndarray:
    """A wall of identical square tiles (one textured tile repeated, grout lines between),
    with uneven lighting and sensor noise: a lattice of repeats in two directions."""
    rng = np.random.default_rng(seed)
    h, w = height, width
    t = np.empty((tile, tile, 3), np.float32)
    ttex = 18 * _fbm(rng, tile, tile, 4)
    base = rng.uniform(90, 200, 3)
    for c in range(3):
        t[..., c] = base[c] + ttex
    t[:3, :] = t[:, :3] = 60.0  # grout
    reps = (h // tile + 2, w // tile + 2, 1)
    img = np.tile(t, reps)[:h, :w]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.85 + 0.2 * np.exp(-(((xx - 0.6 * w) / w) ** 2 + ((yy - 0.4 * h) / h) ** 2) * 3)
    img = img * light[..., None] + rng.standard_normal((h, w, 3)).astype(np.float32) * noise
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def printed_sign(width: int = 640, height: int = 480, *, text: str = "62-42", seed: int = 0,
                 noise: float = 2.0, scale: float = 2.4) -> np.ndarray:
    """A photo of a sign: a light panel with dark printed ``text`` (repeated glyphs, like
    the two 2s of "62-42") on a camera-like background (:func:`natural_texture`), with lens
    blur, uneven light and independent sensor noise (``noise`` grey levels) on every pixel.
    The glyphs are the same shape, not the same pixels: the repeated print a copy-move
    detector must *not* call a clone. uint8 RGB."""
    rng = np.random.default_rng(seed)
    h, w = height, width
    img = natural_texture(w, h, seed=seed + 1000, noise=0.0)
    font = cv2.FONT_HERSHEY_DUPLEX
    thick = max(2, int(round(scale * 2.2)))
    (tw, th), base = cv2.getTextSize(text, font, scale, thick)
    pad = int(0.35 * th) + 6
    x0 = int(rng.integers(10, max(11, w - tw - 2 * pad - 10)))
    y0 = int(rng.integers(10, max(11, h - th - base - 2 * pad - 10)))
    x1, y1 = x0 + tw + 2 * pad, y0 + th + base + 2 * pad
    img[y0:y1, x0:x1] = np.array([236, 238, 234]) + rng.integers(-8, 9, 3)
    cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), (70, 70, 70), 2, lineType=cv2.LINE_AA)
    ink = tuple(int(v) for v in rng.integers(20, 46, 3))
    cv2.putText(img, text, (x0 + pad, y0 + pad + th), font, scale, ink, thick,
                lineType=cv2.LINE_AA)
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 0.8)  # lens
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.92 + 0.1 * (xx / w) - 0.05 * (yy / h)
    img = img * light[..., None] + rng.standard_normal((h, w, 3)).astype(np.float32) * noise
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)
