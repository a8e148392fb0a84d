"""Aligned double-JPEG compression: detection and localisation from quantized DCT coefficients.

Method
------
The quantized luminance coefficients are read straight from the file (``jpeglib``'s C
reader, no decoding or re-transform; about 30-45 ms for a 12 MP JPEG on one core). When a
JPEG was decompressed and saved again on the same 8x8 grid, each DCT coefficient went
through two quantizers, step ``q1`` then ``q2``. The histogram of the final values ``c`` is
then the smooth single-compression histogram ``p0(c)`` multiplied by a periodic factor
``n(c)``: the number of ``q1``-multiples that round into bin ``c`` (Lukáš & Fridrich 2003;
Popescu & Farid 2004). Blocks pasted from elsewhere (resampled, shifted off the grid, or
never compressed at ``q1``) lack that factor.

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
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from scipy import ndimage as ndi
from scipy.special import ndtr

from ..metadata.jpeg import IJG_LUMINANCE, SOF_MARKERS, ijg_table, iter_segments
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
    decoder_warnings: tuple[str, ...] = ()
    """What libjpeg said while reading (e.g. "Corrupt JPEG data: 310 extraneous bytes
    before marker 0xd9"): damage it read past. Captured, not printed on the terminal."""


_MAX_COMPONENTS = 4
"""jpeglib's reader has room for 4 components (Y, Cb, Cr, K); more are refused."""


@dataclass(frozen=True)
class _Header:
    """What the marker walk up to the first SOS found (see :func:`_walk_header`)."""

    width: int
    height: int
    sampling: tuple[tuple[int, int], ...]
    """(horizontal, vertical) sampling factors of each component, in frame order."""
    tables_only: bytes | None
    """SOI, every segment up to and including the first SOS except APPn and COM, then EOI:
    what libjpeg's header reader acts on (APPn and COM are only skipped by it). ``None``
    when no SOS was found."""

    @property
    def components(self) -> int:
        return len(self.sampling)

    @property
    def luma_blocks(self) -> tuple[int, int]:
        """(rows, cols) of 8x8 blocks of the first component as libjpeg computes them
        (``jdinput.c`` ``initial_setup``, the same in libjpeg 6b and libjpeg-turbo:
        ceil(size x factor / (largest factor x 8)))."""
        hmax = max(h for h, _v in self.sampling)
        vmax = max(v for _h, v in self.sampling)
        h0, v0 = self.sampling[0]
        return -(-self.height * v0 // (vmax * 8)), -(-self.width * h0 // (hmax * 8))


def _walk_header(data: bytes) -> _Header | None:
    """The lenient marker walk (:func:`forensics.metadata.jpeg.iter_segments`, which follows
    libjpeg's ``jdmarker.c``: bytes between segments are skipped up to the next 0xFF, fill
    bytes are skipped, every segment spans its declared length) up to the first SOS.
    ``None`` without SOI, or without a complete frame header (SOFn) before the image data."""
    frame: tuple[int, int, tuple[tuple[int, int], ...]] | None = None
    kept: list[bytes] = []
    for seg in iter_segments(data, lenient=True):
        if seg.marker == 0xD9:
            break
        if not (0xE0 <= seg.marker <= 0xEF or seg.marker == 0xFE):
            kept.append(data[seg.offset:seg.end])
        if seg.marker in SOF_MARKERS and frame is None:
            body = seg.body(data)
            count = body[5] if len(body) > 5 else 0
            comps = body[6:6 + 3 * count]
            if count == 0 or len(comps) < 3 * count:
                return None
            frame = (int.from_bytes(body[3:5], "big"), int.from_bytes(body[1:3], "big"),
                     tuple((comps[3 * i + 1] >> 4, comps[3 * i + 1] & 15)
                           for i in range(count)))
        if seg.marker == 0xDA:
            if frame is None:
                return None
            return _Header(*frame, tables_only=b"".join(kept) + b"\xff\xd9")
    return None if frame is None else _Header(*frame, tables_only=None)


def _scratch_path(data: bytes) -> tuple[str, Callable[[], None]]:
    """A path from which libjpeg can ``fopen`` ``data``, and its clean-up.

    In memory when the system allows it: an anonymous ``memfd`` (Linux) reached through
    ``/proc/self/fd``, else a private file on ``/dev/shm`` (tmpfs), else in the default
    temporary directory."""
    if hasattr(os, "memfd_create"):
        try:
            fd = os.memfd_create("provenance-dct", os.MFD_CLOEXEC)
        except OSError:
            fd = -1
        if fd >= 0:
            path = f"/proc/self/fd/{fd}"
            try:
                view, done = memoryview(data), 0
                while done < len(data):
                    done += os.write(fd, view[done:])
                if os.path.exists(path) and os.fstat(fd).st_size == len(data):
                    return path, lambda: os.close(fd)
            except OSError:
                pass
            os.close(fd)
    shm = "/dev/shm"
    folder = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
    fd, tmp = tempfile.mkstemp(suffix=".jpg", prefix="provenance-dct-", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)

    def remove() -> None:
        try:
            os.remove(tmp)
        except OSError:
            pass

    return tmp, remove


_READER_BUILDS = ("turbo210", "turbo200", "turbo150", "turbo140", "6b")
"""jpeglib's bundled decoders tried for the fast path, in order. libjpeg-turbo decodes the
entropy-coded data about a quarter faster than libjpeg 6b; the quantized coefficients are
the same (entropy decoding is lossless; checked on the whole shared corpus and on truncated
and corrupted files). Every one of these sizes blocks as ``ceil(size * factor /
(max factor * 8))`` (libjpeg 7+ may rescale blocks, so they are not used)."""


@lru_cache(maxsize=1)
def _fast_library() -> Any:
    """The first available build of :data:`_READER_BUILDS` of jpeglib's C library, loaded
    privately (jpeglib's own version setting is untouched); ``None`` when this jpeglib
    offers none of them."""
    try:
        import ctypes

        import jpeglib.cjpeglib as bundled
    except ImportError:
        return None
    folders = [Path(p) for p in getattr(bundled, "__path__", [])]
    for build in _READER_BUILDS:
        for folder in folders:
            for lib_path in sorted(folder.glob(f"cjpeglib_{build}.*")):
                if lib_path.suffix not in (".so", ".dll", ".pyd", ".dylib"):
                    continue
                try:
                    lib = ctypes.CDLL(str(lib_path))
                    lib.read_jpeg_markers, lib.read_jpeg_dct  # noqa: B018 - both must exist
                    return lib
                except (OSError, AttributeError):
                    continue
    return None


def _read_luminance_fast(data: bytes, header: _Header) -> tuple[np.ndarray, np.ndarray] | None:
    """First component's blocks and quantization table through jpeglib's C reader, asking
    for that component only (Cb, Cr are entropy-decoded by libjpeg but not copied out) and
    without jpeglib's extra pass over the whole file (its header reader decodes every scan
    to count them). ``None`` when this path cannot be used safely; the caller then uses
    jpeglib's public reader.

    Two flaws of jpeglib's C code shape this function: ``read_jpeg_dct`` writes as many
    blocks as libjpeg finds in the frame into the buffer it is handed, and it crashes (it
    closes an uninitialised ``FILE *``) when libjpeg rejects the header. So libjpeg first
    checks the header alone (``read_jpeg_markers``, which only runs ``jpeg_read_header``,
    on :attr:`_Header.tables_only`: no entropy-coded data, no warnings, well under a
    millisecond), and only a header it accepted reaches ``read_jpeg_dct``. libjpeg checks
    every segment it parses against its declared length, so when it accepts the header its
    walk and :func:`_walk_header`'s agree: the frame whose block counts size the buffer is
    the frame libjpeg reads."""
    import ctypes

    lib = _fast_library()
    if lib is None or header.tables_only is None:
        return None
    if any(not (1 <= h <= 4 and 1 <= v <= 4) for h, v in header.sampling):
        return None  # libjpeg refuses it; the public reader reports the error
    path, cleanup = _scratch_path(header.tables_only)
    try:
        scratch = (ctypes.c_ubyte * 16)()  # marker contents: none, APPn and COM were left out
        ok = lib.read_jpeg_markers(ctypes.c_char_p(os.fsencode(path)), scratch)
    finally:
        cleanup()
    if not ok:
        return None
    rows, cols = header.luma_blocks
    blocks = np.zeros((rows, cols, 8, 8), dtype=np.int16)
    qt = np.zeros(4 * 64, dtype=np.uint16)
    tbl = np.full(16, -1, dtype=np.int16)
    path, cleanup = _scratch_path(data)
    try:
        ptr = ctypes.POINTER(ctypes.c_short)
        status = lib.read_jpeg_dct(ctypes.c_char_p(os.fsencode(path)),
                                   blocks.ctypes.data_as(ptr), None, None, None,
                                   qt.ctypes.data_as(ctypes.POINTER(ctypes.c_ushort)),
                                   tbl.ctypes.data_as(ptr))
    finally:
        cleanup()
    if status == 0:
        raise ValueError("libjpeg cannot read the DCT coefficients")
    index = int(tbl[0])
    if not 0 <= index < 4:
        raise ValueError("no quantization table for the first component")
    return blocks, qt[index * 64:(index + 1) * 64].reshape(8, 8).astype(np.int32)


def _read_with_public_api(data: bytes) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    """jpeglib's documented reader (reads the header, then every component)."""
    import jpeglib

    tmp, cleanup = _scratch_path(data)
    try:
        try:
            jpg = jpeglib.read_dct(tmp)
            blocks = jpg.Y
            qt = jpg.qt
            index = int(jpg.quant_tbl_no[0]) if jpg.quant_tbl_no is not None else 0
            width, height = int(jpg.width), int(jpg.height)
            components = int(jpg.num_components)
        except Exception as exc:  # noqa: BLE001 - libjpeg reports any damage as OSError/...
            raise ValueError("libjpeg cannot read the DCT coefficients (damaged data or an "
                             "unsupported JPEG process)") from exc
    finally:
        cleanup()
    if blocks is None or blocks.ndim != 4:
        raise ValueError("no DCT coefficients in the first component")
    table = np.asarray(qt[min(index, len(qt) - 1)], dtype=np.int32)
    return np.asarray(blocks, dtype=np.int16), table, width, height, components


_STDERR_LOCK = threading.Lock()


@contextmanager
def _libjpeg_messages(out: list[str]) -> Iterator[None]:
    """Collect what C code writes to the process's standard error (libjpeg prints its
    warnings there) into ``out``, one string per line, instead of the user's terminal.
    File descriptor 2 is process-wide, so readers take turns (a lock)."""
    with _STDERR_LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable fd 2 (e.g. closed): nothing to capture
            yield
            return
        sink = tempfile.TemporaryFile()
        try:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
            sink.seek(0)
            text = sink.read(65_536).decode("utf-8", "replace")
            out.extend(line.strip() for line in text.splitlines() if line.strip())
        finally:
            os.close(saved)
            sink.close()


def read_coefficients(data: bytes) -> DctCoefficients:
    """Read the quantized DCT coefficients of ``data`` (a JPEG) without decoding pixels.

    Uses ``jpeglib``'s C reader (libjpeg's ``jpeg_read_coefficients``; the libjpeg-turbo
    build when bundled, see :data:`_READER_BUILDS`), which reads from a path: the bytes go
    to an in-memory file (see :func:`_scratch_path`), closed afterwards. Only the first
    component is copied out, in one pass over the file (:func:`_read_luminance_fast`);
    jpeglib's public reader is the fallback. Raises ``ValueError`` when libjpeg cannot read
    the stream, when it declares more than 4 components, or when its frame is larger than
    Pillow's decompression-bomb limit (twice ``Image.MAX_IMAGE_PIXELS``).
    """
    header = _walk_header(data)
    if header is None:
        raise ValueError("no JPEG frame header (SOF) before the image data")
    if header.components > _MAX_COMPONENTS:
        raise ValueError(f"{header.components} colour components (at most "
                         f"{_MAX_COMPONENTS} are supported)")
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and header.width * header.height > 2 * limit:
        raise ValueError(f"the frame is {header.width}x{header.height} pixels, over the "
                         f"decompression-bomb limit of {2 * limit} pixels")
    messages: list[str] = []
    with _libjpeg_messages(messages):
        fast = _read_luminance_fast(data, header)
        if fast is not None:
            blocks, table = fast
            width, height, components = header.width, header.height, header.components
        else:
            blocks, table, width, height, components = _read_with_public_api(data)
    nonzero_rows = np.flatnonzero(np.any(blocks.reshape(blocks.shape[0], -1) != 0, axis=1))
    decoded = int(nonzero_rows[-1]) + 1 if nonzero_rows.size else 0
    return DctCoefficients(blocks, table, width, height, components, decoded,
                           tuple(dict.fromkeys(messages))[:20])


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

    def __post_init__(self) -> None:
        if not 1 <= self.max_value <= 254:  # capped values are held as uint8
            raise ValueError("max_value must be in 1..254")
        if not 1 <= self.frequencies <= 63:
            raise ValueError("frequencies must be in 1..63")


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


@lru_cache(maxsize=8)
def _ijg_luminance_tables(min_quality: int) -> np.ndarray:
    """(qualities, 64) IJG luminance tables (natural order) for ``min_quality..100``."""
    t = np.array([ijg_table(IJG_LUMINANCE, q) for q in range(min_quality, 101)],
                 dtype=np.int64)
    t.setflags(write=False)
    return t


@dataclass(frozen=True)
class _FrequencyFit:
    """All (``q1``, mixture) models of one frequency's histogram, fitted at once."""

    usable: tuple[int, ...]
    """Candidate ``q1`` steps the model applies to, in the order fitted."""
    mixture: tuple[float, ...]
    gains: np.ndarray
    """(len(usable), len(mixture)) gain in nats over the single-compression fit."""
    mu: np.ndarray
    """Expected counts of every model (row 0: single compression)."""
    mixes: np.ndarray
    """Periodic factor of every model (row 0: ones)."""
    factors: np.ndarray
    """(len(usable), max_value) ``n(c)`` of each ``q1`` for c = 1..max_value."""

    def gain(self, q1: int) -> float:
        """Best gain over the mixtures for ``q1`` (0 when none beats single compression)."""
        try:
            best = float(self.gains[self.usable.index(q1)].max())
        except ValueError:
            return 0.0
        return best if best > 0.0 else 0.0

    def best(self, q1: int) -> tuple[float, Any]:
        """Best gain over the mixtures for ``q1`` and ``(mixture, p0, n)``; ``(0.0, None)``
        when no model of that ``q1`` beats single compression (or it does not apply)."""
        try:
            k = self.usable.index(q1)
        except ValueError:
            return 0.0, None
        row = self.gains[k]
        j = int(np.argmax(row))  # the first of equal maxima, as a strict running maximum
        if not row[j] > 0.0:
            return 0.0, None
        m = 1 + k * len(self.mixture) + j
        return float(row[j]), (self.mixture[j], self.mu[m] / self.mixes[m], self.factors[k])


def _fit_frequency(h: np.ndarray, q2: int, candidates: list[int],
                   model: DoubleJpegModel) -> _FrequencyFit | None:
    """Gain of every (candidate ``q1``, mixture) model of one frequency's histogram.

    The weights of the smooth fit depend only on the counts, so all candidate offsets share
    one normal matrix: one solve with many right-hand sides instead of one fit each.
    ``None`` when the model does not apply (every ``q1`` divides ``q2``, or too few values).
    """
    usable = tuple(q1 for q1 in candidates if q2 > 0 and q1 > 0 and q1 != q2 and q2 % q1 != 0)
    if not usable or h.sum() < model.min_count:
        return None
    design = _design(len(h))
    w = h + 1.0
    normal = (design * w[:, None]).T @ design + 1e-9 * np.eye(design.shape[1])
    target = np.log(h + 0.5)
    factors = np.stack([_period_factor(q1, q2, model.max_value, model.noise_sigma)[1:]
                        for q1 in usable])
    alphas = np.asarray(model.mixture, dtype=np.float64)[None, :, None]
    mixes = np.concatenate([np.ones((1, len(h))),
                            (alphas * factors[:, None, :] + (1 - alphas)).reshape(-1, len(h))])
    offs = np.log(np.maximum(mixes, 1e-6))
    rhs = design.T @ (w[:, None] * (target[:, None] - offs.T))
    try:
        beta = np.linalg.solve(normal, rhs)
    except np.linalg.LinAlgError:
        beta = np.linalg.lstsq(normal, rhs, rcond=None)[0]
    mu = np.exp(np.clip((design @ beta).T + offs, -50, 50))
    mu *= h.sum() / mu.sum(axis=1, keepdims=True)
    ll = (h * np.log(np.maximum(mu, 1e-12)) - mu).sum(axis=1)
    gains = (ll[1:] - ll[0]).reshape(len(usable), len(model.mixture))
    return _FrequencyFit(usable, tuple(model.mixture), gains, mu, mixes, factors)


def _histogram_u8(row: np.ndarray, bins: int) -> np.ndarray:
    """Counts of the values 0..bins-1 in a contiguous uint8 row (OpenCV's 8-bit histogram,
    exact integers; about twice as fast as ``np.bincount``, which widens to intp)."""
    if row.size == 0:
        return np.zeros(bins, dtype=np.float64)
    h = cv2.calcHist([row[None, :]], [0], None, [bins], [0, bins])
    return h.ravel().astype(np.float64)


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
    nfreq = model.frequencies
    order = [ZIGZAG[k] for k in range(1, nfreq + 1)]
    # |value| capped at cap + 1 ("out of range"): one gather of the analysed columns,
    # in-place arithmetic, then one contiguous uint8 row per frequency
    values = np.take(blocks.reshape(-1, 64), order, axis=1)
    np.abs(values, out=values)
    np.minimum(values, cap + 1, out=values)
    rows_u8 = np.ascontiguousarray(values.T.astype(np.uint8))
    del values
    counts = np.stack([_histogram_u8(rows_u8[i], cap + 2) for i in range(nfreq)])
    counts = counts[:, 1:cap + 1]
    hists: list[tuple[int, int, int, np.ndarray]] = []
    for i, nat in enumerate(order):
        r, c = divmod(nat, 8)
        hists.append((r, c, int(q2t[r, c]), counts[i]))
    tables = _ijg_luminance_tables(model.min_quality)
    fits: list[_FrequencyFit | None] = []
    for r, c, q2, h in hists:
        candidates = np.unique(tables[:, r * 8 + c]).tolist()
        fits.append(_fit_frequency(h, q2, candidates, model))

    def fit(idx: int, q1: int) -> tuple[float, Any]:
        f = fits[idx]
        return f.best(q1) if f is not None else (0.0, None)

    gain_of: list[dict[int, float]] = []
    for f in fits:
        gain_of.append({} if f is None else {q1: f.gain(q1) for q1 in f.usable})
    best_q, best_gain = None, 0.0
    for quality, table in zip(range(model.min_quality, 101), tables.tolist(), strict=True):
        total = sum(gain_of[i].get(table[r * 8 + c], 0.0)
                    for i, (r, c, _q2, _h) in enumerate(hists))
        if total > best_gain:
            best_q, best_gain = quality, total
    coefficients = int(sum(h.sum() for *_x, h in hists))
    llr = np.zeros(rows_u8.shape[1], dtype=np.float32)
    counted = np.zeros(rows_u8.shape[1], dtype=bool)
    per_freq = []
    if best_q is not None:
        table = tables[best_q - model.min_quality].tolist()
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
            lut = np.zeros(256, dtype=np.float32)  # 0 and > cap: no evidence
            lut[1:cap + 1] = lr
            row = rows_u8[i]
            llr += cv2.LUT(row[None, :], lut).ravel()
            counted |= (row >= 1) & (row <= cap)
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
