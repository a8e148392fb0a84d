"""Small JPEG thumbnails for triage pages, made from the scan's shared preview (no second
decode of the evidence file)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def thumbnail_jpeg(rgb: np.ndarray, *, max_side: int = 112, quality: int = 70) -> bytes:
    """A JPEG of at most ``max_side`` pixels (longest side) of an RGB ``uint8`` picture.

    The picture is shown as stored (no Orientation applied), like the analysis sees it.
    """
    im = Image.fromarray(np.ascontiguousarray(rgb))
    im.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality)
    return out.getvalue()
