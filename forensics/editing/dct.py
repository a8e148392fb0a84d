"""Aligned double-JPEG compression: detection and localisation from quantized DCT coefficients.

Method
------
The quantized luminance coefficients are read straight from the file (``jpeglib``, no
decoding or re-transform). When a JPEG was decompressed and saved again on the same 8x8 grid,
each DCT coefficient went through two quantizers, step ``q1`` then ``q2``. The histogram of
the final values ``c`` is then the smooth single-compression histogram ``p0(c)`` multiplied
by a periodic factor ``n(c)``: the number of ``q1``-multiples that round into bin ``c``
(Lukáš & Fridrich 2003; Popescu & Farid 2004). Blocks pasted from elsewhere (resampled,
shifted off the grid, or never compressed at ``q1``) lack that factor.

This module implements the likelihood model of

* T. Bianchi, A. Piva, "Image forgery localization via block-grained analysis of JPEG
  artifacts", IEEE Trans. Information Forensics and Security 7(3):1003-1017, 2012
  (the aligned double-JPEG, A-DJPG, model: per coefficient, ``p(c | DQ) = n(c) p0(c)`` versus
  ``p(c | single) = p0(c)``, a mixture over the image, and per-block likelihood ratios summed
  over DCT frequencies into a likelihood map), with the posterior map of
* Z. Lin, J. He, X. Tang, C.-K. Tang, "Fast, automatic and fine-grained tampered JPEG image
  detection via DCT coefficient analysis", Pattern Recognition 42(11):2492-2501, 2009.

Choices of this implementation (parameters in :class:`DoubleJpegModel`):

* ``p0`` is a smooth log-linear fit ``log p0(c) = a + b x + c x^2 + d log c + e sqrt c + f/c``
  (``x = c / max_value``) to the histogram of ``|c|`` for ``1 <= |c| <= max_value`` (zero is
  left out: its peak is not smooth), fitted jointly with the periodic factor. Fewer terms
  let the periodic factor absorb the misfit of large single-compressed pictures.
* ``n(c)`` includes the rounding noise of the first decompression (Gaussian, ``noise_sigma``
  in DCT units) so that empty bins are never exactly empty.
* The first quantization table is searched among the IJG tables at qualities
  ``min_quality..100`` *jointly over all analysed frequencies*: isolated frequencies give
  spurious fits on single-compressed images, one consistent table rarely does. First
  compressions with other tables (many cameras) are only approximated by the nearest IJG
  quality, which weakens, but does not fake, the detection.
* The image-level statistic is the log-likelihood gain (nats) of the best double-compression
  model over the single-compression model; the map is the smoothed sum of per-block
  log-likelihood ratios (negative where the block looks singly compressed).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import ndimage as ndi
from scipy.special import ndtr

from ..metadata.jpeg import IJG_LUMINANCE, ijg_table
from .jpeg_tables import ZIGZAG


@dataclass(frozen=True)
class DctCoefficients:
    """Quantized DCT coefficients of a JPEG's first component (luminance for YCbCr)."""

    blocks: np.ndarray
    """``int16`` array (block_rows, block_cols, 8, 8) of quantized values, natural order."""
    table: np.ndarray
    """(8, 8) quantization table of that component, natural order."""
    width: int
    height: int
    components: int
    decoded_block_rows: int
    """Rows of blocks that carry data; fewer than ``blocks.shape[0]`` in a truncated file."""


def read_coefficients(data: bytes) -> DctCoefficients:
    """Read the quantized DCT coefficients of ``data`` (a JPEG) without decoding pixels.

    Uses ``jpeglib`` (libjpeg's ``jpeg_read_coefficients``), which reads from a path, so the
    bytes are copied to a private temporary file that is removed afterwards. Raises
    ``ValueError`` when libjpeg cannot read the stream.
    """
    import jpeglib

    fd, tmp = tempfile.mkstemp(suffix=".jpg", prefix="provenance-dct-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            jpg = jpeglib.read_dct(tmp)
            blocks = jpg.Y
            qt = jpg.qt
            index = int(jpg.quant_tbl_no[0]) if jpg.quant_tbl_no is not None else 0
            width, height = int(jpg.width), int(jpg.height)
            components = int(jpg.num_components)
        except Exception as exc:  # noqa: BLE001 - libjpeg reports any damage as OSError/...
            raise ValueError(f"libjpeg cannot read the DCT coefficients: {exc}") from exc
    finally:
        try:
            os.remove(tmp)
        except OSError:
            pass
    if blocks is None or blocks.ndim != 4:
        raise ValueError("no DCT coefficients in the first component")
    blocks = np.asarray(blocks, dtype=np.int16)
    table = np.asarray(qt[min(index, len(qt) - 1)], dtype=np.int32)
    nonzero_rows = np.flatnonzero(np.any(blocks != 0, axis=(1, 2, 3)))
    decoded = int(nonzero_rows[-1]) + 1 if nonzero_rows.size else 0
    return DctCoefficients(blocks, table, width, height, components, decoded)


@dataclass(frozen=True)
class DoubleJpegModel:
    """Model settings of :func:`analyse_double_jpeg` (the check's params hold a copy)."""

    frequencies: int = 20
    """AC frequencies analysed, in zig-zag order (1..frequencies)."""
    max_value: int = 30
    """Largest |quantized value| modelled; larger values are ignored."""
    noise_sigma: float = 0.7
    """Rounding noise of the first decompression, in DCT coefficient units."""
    min_quality: int = 40
    """Lowest IJG quality tried for the first compression."""
    mixture: tuple[float, ...] = (0.5, 0.8, 1.0)
    """Fractions of doubly-compressed coefficients tried per frequency."""
    min_count: int = 50
    """A frequency with fewer non-zero values (within max_value) is skipped."""
    min_frequency_gain: float = 1.0
    """A frequency contributes to the map only when its gain (nats) reaches this."""
    smoothing_blocks: float = 2.0
    """Gaussian sigma, in 8x8 blocks, of the evidence pooling for the map."""
    llr_clip: float = 3.0
    """Per-coefficient log-likelihood ratios are clipped to +-this (nats)."""


@lru_cache(maxsize=4096)
def _period_factor(q1: int, q2: int, max_value: int, sigma: float) -> np.ndarray:
    """``n(c)`` for ``|c|`` = 0..max_value: the density of ``q1``-multiples (plus rounding
    noise) falling in each ``q2`` bin, relative to a single compression (mean 1)."""
    top = int((max_value + 2) * q2 / q1) + 3
    m = np.arange(-top, top + 1)[:, None] * float(q1)
    c = np.arange(0, max_value + 1)[None, :]
    p = ndtr(((c + 0.5) * q2 - m) / sigma) - ndtr(((c - 0.5) * q2 - m) / sigma)
    n = p.sum(axis=0) * q1 / q2
    n.setflags(write=False)
    return n


@lru_cache(maxsize=64)
def _design(length: int) -> np.ndarray:
    c = np.arange(1, length + 1, dtype=np.float64)
    x = c / length
    d = np.stack([np.ones_like(c), x, x * x, np.log(c), np.sqrt(c), 1.0 / c], axis=1)
    d.setflags(write=False)
    return d


def _smooth_fit(y: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Expected counts ``factor * p0`` with ``log p0`` a 6-term smooth fit, summing to y.

    Weighted least squares on ``log(y + 0.5)`` (weights ``y + 1``, about Poisson), solved
    through the 6x6 normal equations."""
    design = _design(len(y))
    off = np.log(np.maximum(factor, 1e-6))
    w = y + 1.0
    a = (design * w[:, None]).T @ design
    b = design.T @ (w * (np.log(y + 0.5) - off))
    try:
        beta = np.linalg.solve(a + 1e-9 * np.eye(a.shape[0]), b)
    except np.linalg.LinAlgError:
        beta = np.linalg.lstsq(a, b, rcond=None)[0]
    mu = np.exp(np.clip(design @ beta + off, -50, 50))
    return mu * (y.sum() / mu.sum())


def _poisson_ll(y: np.ndarray, mu: np.ndarray) -> float:
    return float(np.sum(y * np.log(np.maximum(mu, 1e-12)) - mu))


def _fit_frequency(idx: int, h: np.ndarray, q2: int, candidates: list[int],
                   model: DoubleJpegModel) -> dict[tuple[int, int], tuple[float, Any]]:
    """Gain of every (candidate ``q1``, mixture) model of one frequency's histogram.

    The weights of the smooth fit depend only on the counts, so all candidate offsets share
    one normal matrix: one solve with many right-hand sides instead of one fit each.
    Returns ``{(idx, q1): (best gain, (mixture, p0, n))}`` (gain 0 and no detail when the
    model does not apply: ``q1`` divides ``q2``, or too few values)."""
    out: dict[tuple[int, int], tuple[float, Any]] = {}
    usable = [q1 for q1 in candidates if q2 > 0 and q1 > 0 and q1 != q2 and q2 % q1 != 0]
    if not usable or h.sum() < model.min_count:
        return out
    design = _design(len(h))
    w = h + 1.0
    normal = (design * w[:, None]).T @ design + 1e-9 * np.eye(design.shape[1])
    target = np.log(h + 0.5)
    factors = [(q1, alpha, _period_factor(q1, q2, model.max_value, model.noise_sigma)[1:])
               for q1 in usable for alpha in model.mixture]
    mixes = np.stack([np.ones_like(h)] + [a * n + (1 - a) for _q, a, n in factors])
    offs = np.log(np.maximum(mixes, 1e-6))
    rhs = design.T @ (w[:, None] * (target[:, None] - offs.T))
    try:
        beta = np.linalg.solve(normal, rhs)
    except np.linalg.LinAlgError:
        beta = np.linalg.lstsq(normal, rhs, rcond=None)[0]
    mu = np.exp(np.clip((design @ beta).T + offs, -50, 50))
    mu *= h.sum() / mu.sum(axis=1, keepdims=True)
    ll = (h * np.log(np.maximum(mu, 1e-12)) - mu).sum(axis=1)
    gains = ll[1:] - ll[0]
    for k, (q1, alpha, n) in enumerate(factors):
        best = out.get((idx, q1), (0.0, None))
        if gains[k] > best[0]:
            out[(idx, q1)] = (float(gains[k]), (alpha, mu[k + 1] / mixes[k + 1], n))
        elif (idx, q1) not in out:
            out[(idx, q1)] = best
    return out


def analyse_double_jpeg(coefs: DctCoefficients, *,
                        model: DoubleJpegModel = DoubleJpegModel()) -> dict[str, Any]:
    """Detect aligned double compression and map where it is absent.

    Returns ``gain`` (log-likelihood gain in nats of the best double-compression model over
    single compression, summed over frequencies; 0 when nothing fits), ``coefficients``
    (non-zero values modelled), ``gain_per_1000`` (gain per 1000 of them), ``primary_quality``
    (the IJG quality whose table explains it best, or ``None``), ``frequencies_used``,
    ``per_frequency`` (frequency, q2, q1, gain, mixture), ``llr`` (per-block log-likelihood
    ratio, double vs single, summed over frequencies), ``evidence`` (the same pooled over a
    Gaussian neighbourhood: < 0 where the block looks singly compressed), ``informative``
    (fraction of blocks with at least one usable coefficient) and ``blocks_analysed``.
    """
    rows = coefs.decoded_block_rows
    blocks = coefs.blocks[:rows]
    shape = blocks.shape[:2]
    q2t = coefs.table
    cap = model.max_value
    order = [ZIGZAG[k] for k in range(1, model.frequencies + 1)]
    # (frequencies, blocks): |value| capped at cap + 1 ("out of range"), one contiguous row
    # per frequency
    values = np.minimum(np.abs(blocks.reshape(-1, 64)[:, order].T.astype(np.int16)), cap + 1)
    hists: list[tuple[int, int, int, np.ndarray]] = []
    for i, nat in enumerate(order):
        r, c = divmod(nat, 8)
        h = np.bincount(values[i], minlength=cap + 2)[1:cap + 1]
        hists.append((r, c, int(q2t[r, c]), h.astype(np.float64)))
    tables = {q: ijg_table(IJG_LUMINANCE, q) for q in range(model.min_quality, 101)}
    cache: dict[tuple[int, int], tuple[float, Any]] = {}
    for idx, (r, c, q2, h) in enumerate(hists):
        candidates = sorted({t[r * 8 + c] for t in tables.values()})
        cache.update(_fit_frequency(idx, h, q2, candidates, model))

    def fit(idx: int, q1: int) -> tuple[float, Any]:
        return cache.get((idx, q1), (0.0, None))

    best_q, best_gain = None, 0.0
    for quality in range(model.min_quality, 101):
        table = ijg_table(IJG_LUMINANCE, quality)
        total = sum(fit(i, table[r * 8 + c])[0] for i, (r, c, _q2, _h) in enumerate(hists))
        if total > best_gain:
            best_q, best_gain = quality, total
    coefficients = int(sum(h.sum() for *_x, h in hists))
    llr = np.zeros(values.shape[1], dtype=np.float32)
    counted = np.zeros(values.shape[1], dtype=bool)
    per_freq = []
    if best_q is not None:
        table = ijg_table(IJG_LUMINANCE, best_q)
        for i, (r, c, q2, _h) in enumerate(hists):
            q1 = table[r * 8 + c]
            gain, detail = fit(i, q1)
            per_freq.append({"frequency": [r, c], "q2": q2, "q1": q1,
                             "gain": round(gain, 2),
                             "mixture": detail[0] if detail else None})
            if detail is None or gain < model.min_frequency_gain:
                continue
            _alpha, p0, n = detail
            ratio = n * p0.sum() / max(float((p0 * n).sum()), 1e-12)
            lr = np.clip(np.log(np.maximum(ratio, 1e-12)), -model.llr_clip, model.llr_clip)
            lut = np.concatenate([[0.0], lr, [0.0]]).astype(np.float32)  # 0 and > cap: none
            llr += lut[values[i]]
            counted |= (values[i] >= 1) & (values[i] <= cap)
    llr = llr.reshape(shape).astype(np.float64)
    counted = counted.reshape(shape)
    sigma = model.smoothing_blocks
    evidence = ndi.gaussian_filter(llr, sigma, mode="nearest") * (2 * np.pi * sigma * sigma)
    return {
        "gain": round(float(best_gain), 3),
        "coefficients": coefficients,
        "gain_per_1000": round(1000.0 * float(best_gain) / max(1, coefficients), 4),
        "primary_quality": best_q,
        "frequencies_used": sum(1 for f in per_freq if f["gain"] >= model.min_frequency_gain),
        "per_frequency": per_freq,
        "llr": llr,
        "evidence": evidence,
        "informative": round(float((counted > 0).mean()) if counted.size else 0.0, 4),
        "blocks_analysed": int(llr.size),
    }


def inconsistent_regions(evidence: np.ndarray, *, threshold: float) -> np.ndarray:
    """Blocks whose pooled evidence says "singly compressed" by more than ``threshold``
    nats, in an image otherwise found doubly compressed."""
    return np.asarray(evidence < -threshold)
