"""The copy-move maps as PNG (the check's artifacts)."""

from __future__ import annotations

import numpy as np

from ..heatmap import scaled_png

LABEL_COLOURS = np.array([[0, 0, 0], [40, 110, 255], [255, 40, 40], [230, 40, 230]], np.uint8)
"""RGB of the label map's values: nothing black, source blue, target red, undetermined magenta."""


def label_map_png(label: np.ndarray, *, out_size: tuple[int, int] | None = None,
                  max_side: int = 1024) -> bytes:
    """The source/target map as a colour PNG: source blue, target red, undetermined role
    magenta, the rest black; ``out_size`` = (width, height) of the stored picture."""
    return scaled_png(LABEL_COLOURS[np.clip(label, 0, 3)], out_size=out_size,
                      max_side=max_side, optimize=True)


def mask_png(mask: np.ndarray, *, out_size: tuple[int, int] | None = None,
             max_side: int = 1024) -> bytes:
    """A boolean mask as a black/white PNG with the stored picture's aspect ratio."""
    return scaled_png(mask.astype(np.uint8) * 255, out_size=out_size, max_side=max_side,
                      optimize=True)
