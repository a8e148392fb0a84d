"""Heat maps and regions shared by the pixel checks.

A check's map is a 2-D float array over a grid that covers the analysed picture (pixels,
8x8 JPEG blocks, noise blocks...). :func:`heatmap_png` turns it into a small colour PNG a
report can embed; :func:`regions_from_mask` lists the connected regions of a boolean map as
bounding boxes in the *stored image's* pixel coordinates and as fractions of the frame.
:func:`scaled_png` is the one scaler and encoder of every map PNG (heat maps here, the
copy-move label map and mask): a map stretched, nearest-neighbour, to the stored picture's
aspect ratio with a bounded long side.
"""

from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from ..model import Artifact

MAX_HEATMAP_SIDE = 512
"""Longest side, in pixels, of an embedded heat map PNG."""


def fit_size(size: tuple[int, int], max_side: int) -> tuple[float, tuple[int, int]]:
    """(scale, (width, height)) of a picture of ``size`` = (width, height) reduced, never
    enlarged, so that its long side is at most ``max_side`` pixels."""
    w, h = size
    scale = min(1.0, max_side / max(w, h, 1))
    return scale, (max(1, round(w * scale)), max(1, round(h * scale)))


def scaled_png(img: np.ndarray, *, out_size: tuple[int, int] | None = None,
               max_side: int = MAX_HEATMAP_SIDE, outline: np.ndarray | None = None,
               **save: Any) -> bytes:
    """A ``uint8`` map (H, W) grey or (H, W, 3) RGB as a PNG of the picture it covers.

    ``out_size`` is the (width, height) of that picture (default: the map's own); the PNG
    keeps its aspect ratio with at most ``max_side`` pixels on the long side
    (nearest-neighbour, so cells stay visible). ``outline`` (a boolean map of the same
    grid), when given, is drawn in white along its edge. ``save`` goes to PIL's PNG encoder
    (e.g. ``optimize=True`` or ``compress_level=6``).
    """
    arr = np.ascontiguousarray(img)
    _, size = fit_size(out_size or (arr.shape[1], arr.shape[0]), max_side)
    im = Image.fromarray(arr).resize(size, Image.Resampling.NEAREST)
    if outline is not None and outline.any():
        m = Image.fromarray(outline.astype(np.uint8) * 255).resize(size,
                                                                    Image.Resampling.NEAREST)
        mb = np.asarray(m) > 0
        edge = mb & ~ndi.binary_erosion(mb, iterations=1, border_value=0)
        rgb = np.array(im.convert("RGB"))
        rgb[edge] = (255, 255, 255)
        im = Image.fromarray(rgb)
    buf = io.BytesIO()
    im.save(buf, "PNG", **save)
    return buf.getvalue()


def heatmap_png(values: np.ndarray, *, vmin: float = 0.0, vmax: float = 1.0,
                max_side: int = MAX_HEATMAP_SIDE, out_size: tuple[int, int] | None = None,
                mask: np.ndarray | None = None) -> bytes:
    """Render a float map as an 8-bit colour PNG (OpenCV's *inferno* colour map).

    ``values`` is clipped to ``[vmin, vmax]`` (NaN shows as black). ``out_size`` is the
    (width, height) of the picture the map covers; the PNG keeps that aspect ratio with at
    most ``max_side`` pixels on the long side (nearest-neighbour, so cells stay visible).
    ``mask`` (same shape as ``values``), when given, is outlined in white.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError("heat map values must be a non-empty 2-D array")
    span = vmax - vmin if vmax > vmin else 1.0
    norm = np.clip((np.nan_to_num(arr, nan=vmin) - vmin) / span, 0.0, 1.0)
    grey = (norm * 255).round().astype(np.uint8)
    colour = cv2.applyColorMap(grey, cv2.COLORMAP_INFERNO)[..., ::-1]  # BGR -> RGB
    return scaled_png(colour, out_size=out_size, max_side=max_side, outline=mask,
                      compress_level=6)


def heatmap_artifact(name: str, values: np.ndarray, description: str, **kwargs: Any) -> Artifact:
    """:func:`heatmap_png` wrapped as an :class:`~forensics.model.Artifact`."""
    return Artifact(name=name, media_type="image/png", data=heatmap_png(values, **kwargs),
                    description=description)


def regions_from_mask(mask: np.ndarray, *, image_size: tuple[int, int],
                      min_fraction: float = 0.0, max_regions: int = 8,
                      values: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Connected regions (8-connectivity) of a boolean grid, largest first.

    The grid covers a picture of ``image_size`` = (width, height) pixels; each region gets
    ``bbox`` [x0, y0, x1, y1] in those pixels, ``bbox_fraction`` (the same as fractions of
    width and height), ``area_fraction`` of the grid, and, with ``values``, the region's
    ``mean`` and ``peak`` (max) of that map. Regions under ``min_fraction`` of the grid are
    dropped.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or not mask.any():
        return []
    labels, count = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return []
    gh, gw = mask.shape
    width, height = image_size
    sx, sy = width / gw, height / gh
    areas = np.bincount(labels.ravel())[1:]
    slices = ndi.find_objects(labels)
    order = np.argsort(-areas)
    out: list[dict[str, Any]] = []
    for idx in order:
        frac = float(areas[idx]) / mask.size
        if frac < min_fraction or len(out) >= max_regions:
            break
        sl = slices[idx]
        y0, y1, x0, x1 = sl[0].start, sl[0].stop, sl[1].start, sl[1].stop
        box = [min(width, round(x0 * sx)), min(height, round(y0 * sy)),
               min(width, round(x1 * sx)), min(height, round(y1 * sy))]
        region: dict[str, Any] = {
            "bbox": box,
            "bbox_fraction": [round(box[0] / width, 4), round(box[1] / height, 4),
                              round(box[2] / width, 4), round(box[3] / height, 4)],
            "area_fraction": round(frac, 5),
        }
        if values is not None:
            inside = values[labels == idx + 1]
            region["mean"] = round(float(inside.mean()), 4)
            region["peak"] = round(float(inside.max()), 4)
        out.append(region)
    return out


def upsample_mask(mask: np.ndarray, *, shape: tuple[int, int]) -> np.ndarray:
    """A grid mask stretched (nearest) to ``shape`` = (height, width) pixels."""
    mask = np.asarray(mask, dtype=bool)
    h, w = shape
    if mask.size == 0:
        return np.zeros(shape, dtype=bool)
    rows = np.minimum((np.arange(h) * mask.shape[0]) // max(h, 1), mask.shape[0] - 1)
    cols = np.minimum((np.arange(w) * mask.shape[1]) // max(w, 1), mask.shape[1] - 1)
    return mask[rows[:, None], cols[None, :]]


def logistic(x: float, *, center: float, slope: float) -> float:
    """``1 / (1 + exp(-slope * (x - center)))``: a calibrated score in [0, 1]."""
    z = float(np.clip(slope * (x - center), -60.0, 60.0))
    return float(1.0 / (1.0 + np.exp(-z)))


def mask_artifact(name: str, mask: np.ndarray, *, cell: tuple[float, float],
                  image_size: tuple[int, int], description: str,
                  max_side: int = 1024) -> Artifact:
    """A region mask as a black/white PNG covering exactly the stored picture.

    ``mask`` is a grid whose cells are ``cell`` = (width, height) pixels of the picture
    (``image_size`` = (width, height)); the PNG has the picture's aspect ratio with at most
    ``max_side`` pixels on its long side, white where the grid cell is set. Reports and
    benchmarks read it by scaling it to the picture size.
    """
    scale, (ow, oh) = fit_size(image_size, max_side)
    xs = np.minimum(((np.arange(ow) + 0.5) / scale / cell[0]).astype(int), mask.shape[1] - 1)
    ys = np.minimum(((np.arange(oh) + 0.5) / scale / cell[1]).astype(int), mask.shape[0] - 1)
    out = np.asarray(mask, dtype=bool)[ys[:, None], xs[None, :]]
    buf = io.BytesIO()
    Image.fromarray(out.astype(np.uint8) * 255, "L").save(buf, "PNG", optimize=True)
    return Artifact(name=name, media_type="image/png", data=buf.getvalue(),
                    description=description)
