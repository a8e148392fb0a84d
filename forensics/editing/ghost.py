"""JPEG ghosts: difference curves of requantisation, computed in the DCT domain.

Method
------
H. Farid, "Exposing digital forgeries from JPEG ghosts", IEEE Trans. Information
Forensics and Security 4(1):154-160, 2009. A picture (or part of one) that was once
JPEG-compressed with quality ``q0`` and later saved again keeps, on the same 8x8 grid, DCT
coefficients close to multiples of the ``q0`` quantisation steps. Recompressing it at a
range of qualities ``q`` and measuring the squared difference gives a curve that falls as
``q`` rises, with a local minimum - the *ghost* - at ``q0``. A region pasted from a picture
with another history (another quality, off the grid, resampled, never compressed) has its
ghost elsewhere, or none.

This implementation stays in the DCT domain, reusing the quantised luminance coefficients
read straight from the file (:func:`forensics.editing.dct.read_coefficients`): each
coefficient is dequantised with the file's table, requantised with the IJG luminance table
at quality ``q``, and the squared error is summed over the block. The JPEG DCT is
orthonormal, so by Parseval this equals the pixel-domain squared difference of the block
(without the 8-bit rounding and clipping of a decode). Differences from the paper:

* luminance only (Farid sums over the three colour channels);
* requantisation with the IJG tables (the paper's "quality" is the IJG scale too);
* per-coefficient errors come from a lookup table per frequency and value
  (``|c| * Q[f]`` requantised at each ``q``), summed per block by one sparse product, in
  bands of block rows (bounded memory);
* the curves are averaged over cells of ``cell`` x ``cell`` blocks and a Gaussian window
  (Farid: b x b pixel windows, b = 16);
* Farid normalises each window's curve to [0, 1] over the qualities, ``(d - min) /
  (max - min)``, and inspects the maps at each quality by eye. The normalised map at the
  image's ghost quality is kept for display (:attr:`GhostResult.normalised`); the decision
  uses a scale-free *dip depth* at quality ``q``: ``log((max_{k=1..D} d(q + k) + eps) /
  (d(q) + eps))`` (positive where the curve rises after ``q``, i.e. a ghost; slightly
  negative on a curve that keeps falling). ``eps`` keeps flat windows (almost no non-zero
  coefficient) from showing ghosts in noise.

The quality range is ``min_quality`` up to a few qualities below the file's own (the
nearest IJG quality of its table): at and above the final quality every block requantises
with little error and the curve says nothing about earlier saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import ndimage as ndi
from scipy import sparse

from ..metadata.jpeg import IJG_LUMINANCE, ijg_table
from .dct import DctCoefficients


@dataclass(frozen=True)
class GhostModel:
    """Settings of :func:`ghost_curves` / :func:`analyse_ghosts` (the check holds a copy)."""

    min_quality: int = 40
    """Lowest IJG quality at which a ghost is sought."""
    guard: int = 2
    """Ghosts are sought up to the file's own (nearest IJG) quality minus this."""
    dip_span: int = 4
    """``D``: the dip depth at ``q`` compares ``d(q)`` with the largest of ``d(q+1..q+D)``."""
    eps: float = 4.0
    """Added to the window's mean squared error per block (sum over the 64 coefficients,
    in squared DCT units = squared grey levels summed over the block) before the ratio."""
    target_cells: int = 40_000
    """Cells of ``cell`` x ``cell`` blocks are used, ``cell`` the smallest size giving at
    most this many (bounded memory: cells x qualities float32)."""
    smoothing_cells: float = 1.5
    """Gaussian sigma (in cells) of the window averaging (Farid's b x b window)."""
    band_rows: int = 64
    """Block rows processed at a time (bounded memory)."""

    def __post_init__(self) -> None:
        if not 1 <= self.min_quality <= 99:
            raise ValueError("min_quality must be in 1..99")
        if self.dip_span < 1 or self.guard < 0:
            raise ValueError("dip_span must be >= 1 and guard >= 0")


@lru_cache(maxsize=1)
def _ijg_tables() -> np.ndarray:
    """(100, 64) IJG luminance tables (natural order) for qualities 1..100."""
    t = np.array([ijg_table(IJG_LUMINANCE, q) for q in range(1, 101)], dtype=np.int64)
    t.setflags(write=False)
    return t


def nearest_ijg_quality(table: np.ndarray) -> tuple[int, bool]:
    """The IJG quality whose luminance table is closest (sum of absolute differences) to
    ``table`` (8x8 natural order), and whether it is exactly equal."""
    err = np.abs(_ijg_tables() - np.asarray(table, dtype=np.int64).reshape(1, 64)).sum(axis=1)
    q = int(np.argmin(err))
    return q + 1, bool(err[q] == 0)


def _error_lut(table: np.ndarray, qualities: np.ndarray, max_abs: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Squared requantisation error of ``|c| * table[f]`` at each quality, stacked over the
    64 frequencies: a ``(sum(max_abs + 1), Q)`` float32 table and each frequency's offset."""
    steps = np.asarray(table, dtype=np.float64).reshape(64)
    tq = _ijg_tables()[qualities - 1].astype(np.float64)  # (Q, 64)
    offsets = np.concatenate([[0], np.cumsum(max_abs + 1)[:-1]]).astype(np.int64)
    parts = []
    for f in range(64):
        d = np.arange(int(max_abs[f]) + 1, dtype=np.float64)[:, None] * steps[f]
        t = tq[None, :, f]
        parts.append((d - np.round(d / t) * t) ** 2)
    return np.concatenate(parts).astype(np.float32), offsets


def ghost_curves(coefs: DctCoefficients, qualities: np.ndarray, *, cell: int,
                 band_rows: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell sums of the blocks' squared requantisation errors at each quality.

    ``qualities``: IJG qualities (1..100). Returns ``(sums, counts)``: ``sums`` is
    (cell_rows, cell_cols, Q) float32, the error summed over the 64 coefficients of every
    block in the cell (squared DCT units, equal to squared grey levels summed over the
    block's pixels, Parseval); ``counts`` the blocks in each cell. Only the decoded block
    rows are used; processed in bands of ``band_rows`` block rows.
    """
    rows = coefs.decoded_block_rows
    cols = coefs.blocks.shape[1]
    qualities = np.asarray(qualities, dtype=np.int64)
    nq = len(qualities)
    crow, ccol = -(-rows // cell), -(-cols // cell)
    sums = np.zeros((crow, ccol, nq), dtype=np.float32)
    row_n = np.bincount(np.arange(rows) // cell, minlength=crow).astype(np.float32)
    col_n = np.bincount(np.arange(cols) // cell, minlength=ccol).astype(np.float32)
    counts = row_n[:, None] * col_n[None, :]
    if rows == 0 or cols == 0 or nq == 0:
        return sums, counts
    blocks = coefs.blocks[:rows].reshape(rows, cols, 64)
    band = max(cell, band_rows - band_rows % cell)
    max_abs = np.zeros(64, dtype=np.int64)
    for r0 in range(0, rows, band):
        chunk = blocks[r0:r0 + band]
        max_abs = np.maximum(max_abs, np.abs(chunk.astype(np.int32)).max(axis=(0, 1)))
    lut, offsets = _error_lut(coefs.table, qualities, max_abs)
    for r0 in range(0, rows, band):
        chunk = blocks[r0:r0 + band].reshape(-1, 64)
        n = chunk.shape[0]
        bi, fi = np.nonzero(chunk)
        idx = offsets[fi] + np.abs(chunk[bi, fi].astype(np.int64))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(bi, minlength=n), out=indptr[1:])
        mat = sparse.csr_matrix((np.ones(len(idx), dtype=np.float32), idx, indptr),
                                shape=(n, lut.shape[0]))
        band_h = n // cols
        per_block = np.asarray(mat @ lut, dtype=np.float32).reshape(band_h, cols, nq)
        pad_r, pad_c = (-band_h) % cell, (-cols) % cell
        if pad_r or pad_c:
            per_block = np.pad(per_block, ((0, pad_r), (0, pad_c), (0, 0)))
        cells = per_block.reshape((band_h + pad_r) // cell, cell, -1, cell, nq).sum(axis=(1, 3))
        sums[r0 // cell:r0 // cell + cells.shape[0]] += cells
    return sums, counts


def dip_depth(curves: np.ndarray, *, span: int, eps: float, count: int) -> np.ndarray:
    """Dip depth of curves ``d(..., q)`` at the first ``count`` qualities:
    ``log((max_{k=1..span} d(q+k) + eps) / (d(q) + eps))`` (natural log; > 0 at a ghost).
    ``curves`` must hold at least ``count + span`` qualities (the last axis)."""
    d = np.asarray(curves, dtype=np.float64)
    ahead = np.stack([d[..., k:k + count] for k in range(1, span + 1)], axis=0).max(axis=0)
    return np.log((ahead + eps) / (d[..., :count] + eps))


@dataclass(frozen=True)
class GhostResult:
    """What :func:`analyse_ghosts` measured."""

    file_quality: int
    """Nearest IJG quality of the file's luminance table."""
    file_quality_exact: bool
    qualities: tuple[int, ...]
    """Qualities at which a ghost was sought (the dip depth is defined there)."""
    ghost_quality: int
    """Quality of the deepest dip of the whole picture's curve."""
    ghost_depth: float
    """Dip depth of the whole picture's curve at ``ghost_quality`` (<= 0: no ghost)."""
    global_curve: tuple[float, ...]
    """Mean squared error per block at each of ``qualities`` (plus the look-ahead ones)."""
    depth: np.ndarray
    """(cell rows, cell cols) dip depth of each window at ``ghost_quality``."""
    own_depth: np.ndarray
    """(cell rows, cell cols) each window's deepest dip over the sought qualities ..."""
    own_quality: np.ndarray
    """(cell rows, cell cols) ... and its quality (the window's own ghost when the depth
    is clearly positive)."""
    normalised: np.ndarray
    """(cell rows, cell cols) Farid's normalised difference at ``ghost_quality``:
    ``(d(q*) - min_q d) / (max_q d - min_q d)`` over the sought qualities (0: a ghost)."""
    energy: np.ndarray
    """(cell rows, cell cols) window mean squared error per block at ``ghost_quality`` or
    the ``dip_span`` qualities above it, whichever is largest: how much the window changes
    when requantised near the ghost (tiny in flat windows, ghost or not)."""
    cell: int
    """Cell side in 8x8 blocks."""
    blocks_analysed: int


def analyse_ghosts(coefs: DctCoefficients, *, model: GhostModel = GhostModel()
                   ) -> GhostResult | None:
    """JPEG-ghost curves of ``coefs`` (Farid 2009, in the DCT domain) and their dip maps.

    ``None`` when the file's own quality leaves no room for a ghost below it (a file at
    IJG quality below ``min_quality + guard``) or no block row was decoded.
    """
    rows, cols = coefs.decoded_block_rows, coefs.blocks.shape[1]
    fq, exact = nearest_ijg_quality(coefs.table)
    top = min(fq - model.guard, 100 - model.dip_span)
    if rows == 0 or cols == 0 or top < model.min_quality:
        return None
    sought = np.arange(model.min_quality, top + 1)
    qualities = np.arange(model.min_quality, top + model.dip_span + 1)
    cell = 1
    while -(-rows // cell) * -(-cols // cell) > model.target_cells:
        cell += 1
    sums, counts = ghost_curves(coefs, qualities, cell=cell, band_rows=model.band_rows)
    nq = len(sought)
    glob = sums.reshape(-1, len(qualities)).sum(axis=0) / max(1.0, float(counts.sum()))
    gdepth = dip_depth(glob, span=model.dip_span, eps=model.eps, count=nq)
    k = int(np.argmax(gdepth))
    sigma = model.smoothing_cells
    w = ndi.gaussian_filter(counts, sigma, mode="nearest")
    mean = ndi.gaussian_filter(sums, (sigma, sigma, 0), mode="nearest")
    mean /= np.maximum(w, 1e-6)[..., None]
    depth_all = dip_depth(mean, span=model.dip_span, eps=model.eps, count=nq)
    depth = depth_all[..., k]
    j = np.argmax(depth_all, axis=-1)
    own_depth = np.take_along_axis(depth_all, j[..., None], axis=-1)[..., 0]
    own_q = sought[j]
    seg = mean[..., :nq]
    lo, hi = seg.min(axis=-1), seg.max(axis=-1)
    normalised = (seg[..., k] - lo) / np.maximum(hi - lo, 1e-6)
    return GhostResult(
        file_quality=fq, file_quality_exact=exact,
        qualities=tuple(int(q) for q in sought),
        ghost_quality=int(sought[k]), ghost_depth=round(float(gdepth[k]), 4),
        global_curve=tuple(round(float(v), 3) for v in glob),
        depth=depth.astype(np.float32), own_depth=own_depth.astype(np.float32),
        own_quality=own_q.astype(np.int16), normalised=normalised.astype(np.float32),
        energy=mean[..., k:k + model.dip_span + 1].max(axis=-1).astype(np.float32),
        cell=cell, blocks_analysed=int(rows * cols))
