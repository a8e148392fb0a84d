"""Source or pasted copy: the earlier JPEG block grid a copy carries along, moved by the shift."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .geometry import _is_translation
from .params import CopyMoveParams
from .verify import _Verified


def _grid_z(gray: np.ndarray, mask: np.ndarray, dx: int, dy: int) -> tuple[float, float]:
    """Evidence of an 8x8 JPEG block grid moved by (``dx``, ``dy``) inside ``mask``.

    For each axis whose shift is not a multiple of 8, the absolute differences between
    neighbouring pixels that straddle the moved grid's block boundaries are compared with
    those at the other phases (the picture's own, unmoved grid excluded) by a Welch z-test.
    Returns (combined z, mean ratio of boundary to other differences); NaN when too few
    pixels."""
    g = gray.astype(np.float32)
    zs, ratios = [], []
    for axis, shift in ((1, dx), (0, dy)):
        if shift % 8 == 0:
            continue
        d = np.abs(np.diff(g, axis=axis))
        m = mask[:, :-1] & mask[:, 1:] if axis == 1 else mask[:-1, :] & mask[1:, :]
        idx = np.arange(d.shape[axis]) % 8
        idx = idx[None, :] if axis == 1 else idx[:, None]
        idx = np.broadcast_to(idx, d.shape)
        phase = (7 + shift) % 8
        on = d[m & (idx == phase)]
        off = d[m & (idx != phase) & (idx != 7)]
        if on.size < 30 or off.size < 60:
            continue
        se = math.sqrt(on.var() / on.size + off.var() / off.size) or 1e-6
        zs.append((float(on.mean()) - float(off.mean())) / se)
        ratios.append(float(on.mean()) / max(float(off.mean()), 1e-6))
    if not zs:
        return float("nan"), float("nan")
    return float(sum(zs) / math.sqrt(len(zs))), float(np.mean(ratios))


def _roles(gray: np.ndarray, v: _Verified, p: CopyMoveParams) -> tuple[str, dict[str, Any]]:
    """Tell the pasted copy from its source by the earlier JPEG grid the copy carries along.

    A picture that was JPEG compressed before the copy has its 8x8 block grid everywhere; a
    copy moved by (dx, dy) carries that grid moved by the same amount, its source does not
    (if the source were the pasted one, its grid would be moved by (-dx, -dy)). Only for
    whole-pixel translations at the stored resolution whose shift is not a multiple of 8.
    Returns ('determined' or 'undetermined', evidence); when determined the match's
    ``target``/``source`` are the right way round (swapped here if needed).
    """
    a = v.cand.affine
    if not (_is_translation(a, 1e-6) and np.allclose(a[:, 2], np.round(a[:, 2]))):
        return "undetermined", {"reason": "not a whole-pixel translation at the stored size"}
    dx, dy = int(round(a[0, 2])), int(round(a[1, 2]))
    if dx % 8 == 0 and dy % 8 == 0:
        return "undetermined", {"reason": "the shift is a multiple of the 8-pixel JPEG grid"}
    zt, rt = _grid_z(gray, v.target, dx, dy)
    zs, rs = _grid_z(gray, v.source, -dx, -dy)
    ev = {"moved_grid_z_target": None if not np.isfinite(zt) else round(zt, 2),
          "moved_grid_z_source": None if not np.isfinite(zs) else round(zs, 2),
          "moved_grid_ratio_target": None if not np.isfinite(rt) else round(rt, 3),
          "moved_grid_ratio_source": None if not np.isfinite(rs) else round(rs, 3),
          "shift_mod_8": [dx % 8, dy % 8]}
    if not (np.isfinite(zt) and np.isfinite(zs)):
        return "undetermined", {**ev, "reason": "too few pixels to measure the JPEG grid"}
    why = ("the pasted copy shows the earlier JPEG block grid moved by the shift (z "
           f"{max(zt, zs):.1f}); its source does not (z {min(zt, zs):.1f})")
    if zt >= p.role_z and zs < p.role_z_other:
        return "determined", {**ev, "reason": why}
    if zs >= p.role_z and zt < p.role_z_other:
        v.target, v.source = v.source, v.target
        return "determined", {**ev, "reason": why, "swapped": True}
    return "undetermined", {**ev, "reason": "no clear moved JPEG grid in one region only"}
