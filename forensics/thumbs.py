"""Small JPEG thumbnails for triage pages, made from the scan's shared preview (no second
decode of the evidence file)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

_TRANSPOSE = {2: (Image.Transpose.FLIP_LEFT_RIGHT,), 3: (Image.Transpose.ROTATE_180,),
              4: (Image.Transpose.FLIP_TOP_BOTTOM,), 5: (Image.Transpose.TRANSPOSE,),
              6: (Image.Transpose.ROTATE_270,), 7: (Image.Transpose.TRANSVERSE,),
              8: (Image.Transpose.ROTATE_90,)}
"""EXIF Orientation -> the transposition that shows the picture upright (as
``PIL.ImageOps.exif_transpose`` does)."""


def thumbnail_jpeg(rgb: np.ndarray, *, max_side: int = 112, quality: int = 70,
                   orientation: int | None = None) -> bytes:
    """A JPEG of at most ``max_side`` pixels (longest side) of an RGB ``uint8`` picture.

    The picture is shown as stored (like the analysis sees it) unless an EXIF
    ``orientation`` (1..8) is given, which is then applied.
    """
    im = Image.fromarray(np.ascontiguousarray(rgb))
    im.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    for op in _TRANSPOSE.get(orientation or 1, ()):
        im = im.transpose(op)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality)
    return out.getvalue()
