"""Where the 8x8 JPEG blocking grid of the *pixels* lies (whole-picture cue).

After Z. Qu, W. Luo, J. Huang, "A convolutive mixing model for shifted double JPEG
compression with application to passive image authentication", ICASSP 2008, and T. Bianchi,
A. Piva, "Detection of nonaligned double JPEG compression based on integer periodicity
maps", IEEE TIFS 7(2):842-848, 2012 (see also W. Li, Y. Yuan, N. Yu, "Passive detection of
doctored JPEG image via block artifact grid extraction", Signal Processing 89(9), 2009):
pixels that were once JPEG-compressed are, on *that* compression's 8x8 grid, the inverse DCT
of quantized coefficients, so their block DCT taken on the same grid is sparse (many AC
coefficients near 0), and taken on any other grid it is not. This survives a later save off
that grid (cropping, shifting, pasting), which is the non-aligned double-JPEG cue.

Measured here, kept simple (a cheap stand-in for Bianchi & Piva's integer periodicity
maps): for each of the 64 grid shifts ``(sx, sy)`` in 0..7, the block DCT of a luminance crop
starting ``(sx, sy)`` pixels in, and the mean of ``min(|AC|, clip)`` over its blocks and 63
AC frequencies (DCT units, orthonormal 8x8 DCT of grey levels). The grid is the shift where
this is *smallest*; its strength is how far below the other candidates it lies, in their
standard deviations (a z-score).

For a JPEG file the crop is rebuilt from the file's quantized luminance coefficients
(inverse DCT; no colour decoding) and the last save's own grid, shift (0, 0), is not a
candidate; neither are the shifts sharing a row or a column with it (half-aligned with the
last grid, they are biased by it): an earlier grid is sought at the 49 shifts with
``sx, sy`` in 1..7. For other formats the RGB pixels are converted to luma (ITU-R BT.601)
and all 64 shifts are candidates.

Offsets are reported as the *crop offset* ``(dx, dy) = ((8 - sx) % 8, (8 - sy) % 8)``: an
aligned JPEG whose ``dx`` leftmost columns and ``dy`` top rows were cut off shows its grid
at ``(dx, dy)``. Everything runs at the stored resolution (a blocking grid does not survive
resizing) on a bounded set of crops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dct import DctCoefficients


@dataclass(frozen=True)
class GridModel:
    """Measurement settings of the grid analysis."""

    crop_px: int = 256
    """Side, in pixels, of each analysed crop (a multiple of 8; 8 more are read so every
    shift has full blocks)."""
    max_crops: int = 4
    """At most this many crops (a 2 x 2 layout over the picture; fewer on small pictures)."""
    clip: float = 4.0
    """AC magnitudes are clipped here (DCT units) so that edges do not dominate."""


def _dct_matrix() -> np.ndarray:
    u = np.arange(8)[:, None]
    x = np.arange(8)[None, :]
    c = np.cos((2 * x + 1) * u * np.pi / 16) * np.sqrt(2 / 8)
    c[0] /= np.sqrt(2)
    return c.astype(np.float32)


_C = _dct_matrix()


def crop_boxes(width: int, height: int, *, crop_px: int, max_crops: int
               ) -> list[tuple[int, int, int, int]]:
    """Up to ``max_crops`` block-aligned boxes ``(x0, y0, x1, y1)`` of at most
    ``crop_px + 8`` pixels a side, spread over a ``width`` x ``height`` picture (a 2 x 2
    layout when it fits, else one centred box)."""
    side = crop_px + 8
    if width < 24 or height < 24:
        return []
    nx = 2 if width >= 2 * side and max_crops >= 2 else 1
    ny = 2 if height >= 2 * side and max_crops >= 4 else 1
    boxes = []
    for j in range(ny):
        for i in range(nx):
            cx, cy = width * (2 * i + 1) // (2 * nx), height * (2 * j + 1) // (2 * ny)
            x0 = max(0, min(width - side, cx - side // 2)) // 8 * 8
            y0 = max(0, min(height - side, cy - side // 2)) // 8 * 8
            boxes.append((x0, y0, min(width, x0 + side), min(height, y0 + side)))
    return boxes[:max_crops]


def luma_crop_from_coefficients(coefs: DctCoefficients, box: tuple[int, int, int, int]
                                 ) -> np.ndarray:
    """Pixels of the first component inside ``box`` (block-aligned ``x0, y0``), grey
    levels minus 128 (float32, clipped to the 8-bit range), rebuilt by inverse DCT from the
    quantized coefficients of the blocks it covers (no other block is touched)."""
    x0, y0, x1, y1 = box
    rows = coefs.decoded_block_rows
    r0, r1 = y0 // 8, min(rows, -(-y1 // 8))
    c0, c1 = x0 // 8, -(-x1 // 8)
    b = coefs.blocks[r0:r1, c0:c1].astype(np.float32) * np.asarray(
        coefs.table, dtype=np.float32).reshape(8, 8)
    n, m = b.shape[:2]
    px = np.matmul(_C.T, np.matmul(b, _C))  # C^T @ B @ C per block
    out = px.transpose(0, 2, 1, 3).reshape(n * 8, m * 8)
    return np.clip(out[:y1 - y0, :x1 - x0], -128.0, 127.0)


def luma(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma (float32 grey levels minus 128) of an RGB or grey ``uint8`` array."""
    a = np.asarray(rgb, dtype=np.float32)
    if a.ndim == 3:
        a = a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114
    return a - 128.0


def shift_sparsity(pixels: np.ndarray, *, clip: float) -> np.ndarray:
    """(8, 8) map indexed ``[sy, sx]``: mean of ``min(|AC|, clip)`` (DCT units) over the
    8x8 blocks of ``pixels[sy:, sx:]`` (orthonormal block DCT, whole blocks only) and their
    63 AC frequencies. Low at the shift of a JPEG grid the pixels went through. ``pixels``
    must be at least 16 x 16."""
    h, w = pixels.shape
    nb_y, nb_x = (h - 7) // 8, (w - 7) // 8
    out = np.zeros((8, 8))
    ac = np.ones(64, dtype=bool)
    ac[0] = False
    for sy in range(8):
        for sx in range(8):
            c = pixels[sy:sy + nb_y * 8, sx:sx + nb_x * 8]
            b = c.reshape(nb_y, 8, nb_x, 8).transpose(0, 2, 1, 3)
            d = np.matmul(np.matmul(_C, b), _C.T).reshape(-1, 64)[:, ac]
            out[sy, sx] = float(np.minimum(np.abs(d), clip).mean())
    return out


def crop_offset(shift: int) -> int:
    """Crop offset (pixels cut from the left/top of an aligned JPEG) of a grid shift."""
    return (8 - int(shift)) % 8


@dataclass(frozen=True)
class GridResult:
    """What :func:`estimate_grid` measured."""

    sparsity: np.ndarray
    """(8, 8) mean clipped |AC| per shift ``[sy, sx]``, summed over the crops."""
    candidates: int
    """How many shifts were candidates (49 for a JPEG file, 64 otherwise)."""
    shift: tuple[int, int]
    """``(sx, sy)`` of the lowest candidate."""
    offset: tuple[int, int]
    """Its crop offset ``(dx, dy)``."""
    z: float
    """How far below the other candidates' mean it lies, in their standard deviations."""
    contrast: float
    """Relative dip: ``1 - value / median(other candidates)``."""
    crops: tuple[tuple[int, int, int, int], ...]
    """The analysed boxes ``(x0, y0, x1, y1)`` in pixels."""


def estimate_grid(crops: list[np.ndarray], *, exclude_last_grid: bool, clip: float,
                  boxes: tuple[tuple[int, int, int, int], ...] = ()) -> GridResult | None:
    """The dominant JPEG grid shift of luminance ``crops`` (each starting on the stored
    picture's 8x8 grid); ``None`` when no crop is 16 x 16 or larger. With
    ``exclude_last_grid`` (a JPEG file) only shifts with ``sx, sy`` in 1..7 compete."""
    maps = [shift_sparsity(c, clip=clip) for c in crops if min(c.shape) >= 16]
    if not maps:
        return None
    m = np.sum(maps, axis=0)
    cand = np.ones((8, 8), dtype=bool)
    if exclude_last_grid:
        cand[0, :] = False
        cand[:, 0] = False
    vals = np.where(cand, m, np.inf)
    sy, sx = np.unravel_index(int(np.argmin(vals)), vals.shape)
    others = m[cand & ~((np.arange(8)[:, None] == sy) & (np.arange(8)[None, :] == sx))]
    sd = float(others.std())
    z = (float(others.mean()) - float(m[sy, sx])) / max(sd, 1e-9)
    contrast = 1.0 - float(m[sy, sx]) / max(float(np.median(others)), 1e-9)
    return GridResult(sparsity=m.astype(np.float32), candidates=int(cand.sum()),
                      shift=(int(sx), int(sy)), offset=(crop_offset(sx), crop_offset(sy)),
                      z=round(z, 3), contrast=round(contrast, 4), crops=tuple(boxes))


def grid_of_coefficients(coefs: DctCoefficients, *, model: GridModel = GridModel()
                         ) -> GridResult | None:
    """:func:`estimate_grid` of a JPEG's first component rebuilt from its quantized
    coefficients on :func:`crop_boxes` (decoded block rows only; the file's own grid
    excluded)."""
    height = min(coefs.height, coefs.decoded_block_rows * 8)
    boxes = tuple(crop_boxes(coefs.width, height, crop_px=model.crop_px,
                             max_crops=model.max_crops))
    crops = [luma_crop_from_coefficients(coefs, b) for b in boxes]
    return estimate_grid(crops, exclude_last_grid=True, clip=model.clip, boxes=boxes)


def grid_of_pixels(rgb: np.ndarray, *, model: GridModel = GridModel()) -> GridResult | None:
    """:func:`estimate_grid` of decoded RGB/grey ``uint8`` pixels (every shift competes)."""
    h, w = rgb.shape[:2]
    boxes = tuple(crop_boxes(w, h, crop_px=model.crop_px, max_crops=model.max_crops))
    crops = [luma(rgb[y0:y1, x0:x1]) for x0, y0, x1, y1 in boxes]
    return estimate_grid(crops, exclude_last_grid=False, clip=model.clip, boxes=boxes)
