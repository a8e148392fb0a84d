"""Block proposals: shift vectors voted by equal blocks, bit-identical blocks and the
autocorrelation of the high-passed picture.

After J. Fridrich, D. Soukal, J. Lukas, "Detection of copy-move forgery in digital images",
Digital Forensic Research Workshop 2003 (see the package docstring).
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def _dct_basis(b: int, uv: list[tuple[int, int]]) -> list[np.ndarray]:
    n = np.arange(b)
    out = []
    for u, v in uv:
        cu = math.sqrt((1 if u == 0 else 2) / b)
        cv_ = math.sqrt((1 if v == 0 else 2) / b)
        bu = cu * np.cos(np.pi * (2 * n + 1) * u / (2 * b))
        bv = cv_ * np.cos(np.pi * (2 * n + 1) * v / (2 * b))
        out.append(np.outer(bu, bv).astype(np.float32))
    return out


def block_shift_votes(gray: np.ndarray, *, block: int = 8, q_dc: float = 12.0,
                      q_ac: float = 9.0, min_std: float = 1.5, window: int = 4,
                      min_shift: float = 12.0) -> list[tuple[int, int, int]]:
    """Shift vectors shared by many pairs of equal blocks (Fridrich et al. 2003).

    Every overlapping ``block`` x ``block`` block of ``gray`` is described by its orthonormal
    DCT coefficients with u + v <= 2, quantised with steps ``q_dc`` (DC) and ``q_ac`` (AC,
    grey-level units of the transform); the quantised vectors are sorted (two quantiser
    phases, half a step apart, so that values on a bin edge still meet) and blocks equal to
    one of their next ``window`` neighbours vote for their shift. Blocks whose high-passed
    (detail) standard deviation is under ``min_std`` grey levels do not vote: smooth blocks
    resemble all their neighbours. Returns (dx, dy, votes) with dy > 0 (or dy == 0 and
    dx > 0), most votes first.
    """
    h, w = gray.shape
    if h < block + 1 or w < block + 1:
        return []
    uv = [(0, 0), (0, 1), (1, 0), (0, 2), (1, 1), (2, 0)]
    h2, w2 = h - block + 1, w - block + 1
    g = gray.astype(np.float32)
    feats = [cv2.filter2D(g, cv2.CV_32F, bas, anchor=(0, 0),
                          borderType=cv2.BORDER_CONSTANT)[:h2, :w2]
             for bas in _dct_basis(block, uv)]
    hp = g - cv2.GaussianBlur(g, (0, 0), 1.0)
    mean = cv2.blur(hp, (block, block), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)[:h2, :w2]
    sq = cv2.blur(hp * hp, (block, block), anchor=(0, 0),
                  borderType=cv2.BORDER_CONSTANT)[:h2, :w2]
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    keep = (std >= min_std).ravel()
    if keep.sum() < 2:
        return []
    f = np.stack([x.ravel()[keep] for x in feats], 1)
    pos = np.flatnonzero(keep)
    ys, xs = pos // w2, pos % w2
    steps = np.array([q_dc] + [q_ac] * (len(uv) - 1), np.float32)
    votes: list[np.ndarray] = []
    for phase in (0.0, 0.5):
        qv = np.floor(f / steps + phase).astype(np.int64)
        qv -= qv.min(0)
        bits = np.maximum(1, np.ceil(np.log2(qv.max(0) + 2))).astype(int)
        if bits.sum() > 62:  # keep the hash in 63 bits (clip the widest AC ranges)
            cap = max(1, (62 - int(bits[0])) // (len(bits) - 1))
            qv[:, 1:] = np.minimum(qv[:, 1:], (1 << cap) - 1)
            bits[1:] = cap
        key = np.zeros(len(qv), np.int64)
        for c in range(qv.shape[1]):
            key = (key << int(bits[c])) | qv[:, c]
        order = np.argsort(key, kind="stable")
        ks, yo, xo = key[order], ys[order], xs[order]
        for k in range(1, window + 1):
            same = ks[k:] == ks[:-k]
            dy = (yo[k:] - yo[:-k])[same]
            dx = (xo[k:] - xo[:-k])[same]
            far = dx * dx + dy * dy >= min_shift * min_shift
            dx, dy = dx[far], dy[far]
            neg = (dy < 0) | ((dy == 0) & (dx < 0))
            dx, dy = np.where(neg, -dx, dx), np.where(neg, -dy, dy)
            votes.append(dy * (4 * w) + dx + 2 * w)
    allv = np.concatenate(votes) if votes else np.zeros(0, np.int64)
    if allv.size == 0:
        return []
    uniq, counts = np.unique(allv, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    out = []
    for i in order[:64]:
        code = int(uniq[i])
        dy, rest = divmod(code, 4 * w)
        out.append((rest - 2 * w, dy, int(counts[i])))
    return out


def exact_block_votes(gray_u8: np.ndarray, *, block: int = 8, min_std: float = 1.0,
                      min_shift: float = 12.0) -> list[tuple[int, int, int]]:
    """Shift vectors of blocks that are *bit-identical* (lossless copies, e.g. in PNG).

    The exact-match variant of Fridrich et al. (2003): each overlapping ``block`` x
    ``block`` block of the 8-bit grey picture is hashed by two fixed random integer
    projections (exact in float64), equal hashes are sorted together and vote for their
    shift. Only blocks whose high-passed standard deviation reaches ``min_std`` grey levels
    take part (flat or clipped areas are identical everywhere). Returns (dx, dy, votes),
    dy > 0 (or dy == 0 and dx > 0), most votes first.
    """
    h, w = gray_u8.shape
    if h < block + 1 or w < block + 1:
        return []
    g = gray_u8.astype(np.float64)
    rng = np.random.default_rng(20110901)
    h2, w2 = h - block + 1, w - block + 1
    hashes = []
    for _ in range(2):
        k = rng.integers(1, 1 << 12, (block, block)).astype(np.float64)
        hashes.append(cv2.filter2D(g, cv2.CV_64F, k, anchor=(0, 0),
                                   borderType=cv2.BORDER_CONSTANT)[:h2, :w2])
    g32 = g.astype(np.float32)
    hp = g32 - cv2.GaussianBlur(g32, (0, 0), 1.0)
    m = cv2.blur(hp, (block, block), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    m2 = cv2.blur(hp * hp, (block, block), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    std = np.sqrt(np.maximum(m2 - m * m, 0))[:h2, :w2]
    keep = (std >= min_std).ravel()
    if keep.sum() < 2:
        return []
    h1 = hashes[0].ravel()[keep].astype(np.int64)
    h2_ = hashes[1].ravel()[keep].astype(np.int64)
    pos = np.flatnonzero(keep)
    order = np.lexsort((h2_, h1))
    a1, a2, po = h1[order], h2_[order], pos[order]
    same = (a1[1:] == a1[:-1]) & (a2[1:] == a2[:-1])
    i = np.flatnonzero(same)
    if i.size == 0:
        return []
    ya, xa = po[i] // w2, po[i] % w2
    yb, xb = po[i + 1] // w2, po[i + 1] % w2
    dx, dy = xb - xa, yb - ya
    far = dx * dx + dy * dy >= min_shift * min_shift
    dx, dy = dx[far], dy[far]
    neg = (dy < 0) | ((dy == 0) & (dx < 0))
    dx, dy = np.where(neg, -dx, dx), np.where(neg, -dy, dy)
    if dx.size == 0:
        return []
    code = dy * (4 * w) + dx + 2 * w
    uniq, counts = np.unique(code, return_counts=True)
    out = []
    for j in np.argsort(-counts, kind="stable")[:16]:
        q, r = divmod(int(uniq[j]), 4 * w)
        out.append((r - 2 * w, q, int(counts[j])))
    return out


def autocorrelation_peaks(gray: np.ndarray, *, sigma: float = 1.5, min_shift: float = 12.0,
                          peaks: int = 5) -> list[tuple[int, int, float]]:
    """Strongest peaks of the high-passed picture's autocorrelation (the block vote summed
    over all blocks, in the Fourier domain). Returns (dx, dy, robust z-score), dy >= 0."""
    g = gray.astype(np.float32)
    hp = g - cv2.GaussianBlur(g, (0, 0), sigma)
    s = float(hp.std()) or 1.0
    hp = np.clip(hp, -3 * s, 3 * s)
    h, w = hp.shape
    fh, fw = cv2.getOptimalDFTSize(2 * h), cv2.getOptimalDFTSize(2 * w)
    pad = np.zeros((fh, fw), np.float32)
    pad[:h, :w] = hp
    spec = np.fft.rfft2(pad)
    ac = np.fft.fftshift(np.fft.irfft2(spec * np.conj(spec), s=pad.shape))
    cy, cx = fh // 2, fw // 2
    yy, xx = np.mgrid[0:fh, 0:fw]
    dy, dx = yy - cy, xx - cx
    overlap = (h - np.abs(dy)) * (w - np.abs(dx))
    valid = ((dy > 0) | ((dy == 0) & (dx > 0))) & (np.hypot(dy, dx) >= min_shift) & \
        (overlap > 0.1 * h * w)
    if not valid.any():
        return []
    vals = ac[valid]
    med = float(np.median(vals))
    mad = float(np.median(np.abs(vals - med))) * 1.4826 or 1.0
    z = np.where(valid, (ac - med) / mad, -np.inf)
    out = []
    for _ in range(peaks):
        i = int(np.argmax(z))
        y, x = divmod(i, fw)
        if not np.isfinite(z[y, x]):
            break
        out.append((int(dx[y, x]), int(dy[y, x]), float(z[y, x])))
        z[max(0, y - 4):y + 5, max(0, x - 4):x + 5] = -np.inf
    return out
