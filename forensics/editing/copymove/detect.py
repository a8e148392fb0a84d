"""The main entry: propose candidates, verify them, set aside repeats, score and report.

:func:`detect_copy_move` works on three bounded working sizes (keypoints, block votes,
verification) and reports boxes and transforms in stored-picture pixels.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from .blocks import autocorrelation_peaks, block_shift_votes, exact_block_votes
from .geometry import _bbox, _decompose, _gray, _is_translation, _pad_roi, _resize, _scale_affine
from .keypoints import affine_hypotheses, keypoint_matches
from .params import CopyMoveParams
from .repeats import _competitor_margin, _noise_correlation, _periodic_fraction, noise_maps
from .results import CloneMatch, CopyMoveResult
from .roles import _roles
from .score import _score
from .verify import _Candidate, _ecc_refine, _refine, _screen, _Verified, _verify


def _dedupe(cands: list[_Candidate], tol: float = 2.0) -> list[_Candidate]:
    out: list[_Candidate] = []
    for c in cands:
        dup = False
        for o in out:
            same = np.allclose(c.affine[:, :2], o.affine[:, :2], atol=0.03) and \
                np.all(np.abs(c.affine[:, 2] - o.affine[:, 2]) <= tol)
            inv = cv2.invertAffineTransform(o.affine)
            rev = np.allclose(c.affine[:, :2], inv[:, :2], atol=0.03) and \
                np.all(np.abs(c.affine[:, 2] - inv[:, 2]) <= tol)
            if same or rev:
                if c.method not in o.method:
                    o.method = f"{o.method}+{c.method}"
                if (c.votes and not o.votes) or (c.exact and not o.exact):
                    o.affine = c.affine  # a vote at the verification size is exact
                o.exact = o.exact or c.exact
                o.inliers = max(o.inliers, c.inliers)
                o.votes = max(o.votes, c.votes)
                dup = True
                break
        if not dup:
            out.append(c)
    return out


PRINT_REASON = ("repeated print or object (the two regions share their shape but not their fine "
                "noise, as two instances of one design do; a pasted copy carries its noise "
                "along)")


def rule_refusal(v: Any, p: CopyMoveParams) -> str | None:
    """Why the rules set a verified match aside (``None``: they do not). Rules (b), (e),
    (d) and (f) of the package docstring, in that order; ``v`` needs the measurements of
    :class:`_Verified` (the benchmark's score fit calls this on collected candidates)."""
    if v.periodic_fraction is not None and v.periodic_fraction > p.periodic_threshold:
        return "repeated structure (the content repeats again one step further)"
    if v.flat_fraction > p.max_flat_fraction:
        return ("graphics or clipped area (the region is mostly perfectly flat or clipped "
                "colour, like a caption or logo overlay, whose rendered glyphs repeat exactly)")
    if v.aperture < p.min_aperture:
        return ("aperture problem (the content does not change along the shift, like an edge "
                "or stripe running that way)")
    if p.noise_rule and v.noise_correlation is not None and \
            v.noise_correlation < p.noise_max_correlation:
        return PRINT_REASON
    return None


def detect_copy_move(rgb: np.ndarray, *, params: CopyMoveParams | None = None,
                     stored_size: tuple[int, int] | None = None,
                     grid_roles: bool = True, collect: list[Any] | None = None
                     ) -> CopyMoveResult:
    """Find regions of ``rgb`` that are copies of other regions of the same picture.

    ``rgb``: ``uint8`` array (H, W, 3) (grey images: repeat the channel). ``stored_size``:
    (width, height) of the stored picture when ``rgb`` is a reduced decode of it, so boxes
    and transforms are reported in stored pixels (and the JPEG-grid role test, which needs
    stored pixels, is skipped). ``grid_roles``: try to tell source from target by the
    earlier JPEG grid (meaningful for pictures that were JPEG compressed before the copy).
    ``collect``: a list that receives every verified candidate (with its masks at the
    working size), for the benchmark's score fit.
    """
    p = params or CopyMoveParams()
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        raise ValueError("expected an RGB array (H, W, 3)")
    rgb = np.ascontiguousarray(rgb[..., :3])
    h0, w0 = rgb.shape[:2]
    stored = stored_size or (w0, h0)
    reduced_input = stored != (w0, h0)
    notes: list[str] = []
    if reduced_input:
        notes.append(f"the stored {stored[0]}x{stored[1]} picture was decoded reduced to "
                     f"{w0}x{h0}")
    gray0 = _gray(rgb)
    long0 = max(h0, w0)

    # working images
    s_d = min(1.0, p.dense_max_side / long0)
    gray_d = _resize(gray0, s_d)
    rgb_d = _resize(rgb.astype(np.float32), s_d)
    hd, wd = gray_d.shape
    if s_d < 1:
        notes.append(f"verification at {wd}x{hd}")
    if long0 < p.keypoint_min_side:
        s_k = p.keypoint_min_side / long0
        notes.append(f"enlarged x{s_k:.2f} for keypoints (small picture)")
    else:
        s_k = min(1.0, p.keypoint_max_side / long0)
    gray_k = _resize(gray0, s_k)
    s_b = min(s_d, p.block_max_side / long0)
    gray_b = _resize(gray0, s_b)

    empty_map = np.zeros((hd, wd), np.uint8)
    to_stored = stored[0] / (wd if wd else 1)

    def result(matches: tuple[CloneMatch, ...], score: float, label: np.ndarray,
               n_kp: int, n_m: int, n_c: int, rejected: list[dict[str, Any]]
               ) -> CopyMoveResult:
        return CopyMoveResult(matches=matches, score=score, label_map=label,
                              working_size=(wd, hd),
                              keypoint_size=(gray_k.shape[1], gray_k.shape[0]),
                              block_size=(gray_b.shape[1], gray_b.shape[0]),
                              stored_size=stored, keypoints=n_kp, keypoint_matches=n_m,
                              candidates=n_c, rejected=tuple(rejected), notes=tuple(notes))

    if min(hd, wd) < max(3 * p.zncc_window, 2 * p.block) or min(hd, wd) < 2 * p.min_shift:
        notes.append("picture too small to compare regions")
        return result((), 0.0, empty_map, 0, 0, 0, [])

    # --- candidates
    cands: list[_Candidate] = []
    pk, qk, mk, n_kp = keypoint_matches(gray_k, max_keypoints=p.max_keypoints,
                                        contrast=p.sift_contrast, ratio=p.g2nn_ratio,
                                        neighbours=p.g2nn_neighbours,
                                        min_distance=p.min_shift * s_k / s_d,
                                        max_matches=p.max_matches, mirror=p.mirror)
    diag_k = math.hypot(*gray_k.shape)
    for aff, n_in in affine_hypotheses(pk, qk, image_diagonal=diag_k, mirrored=mk,
                                       cluster_distance=p.cluster_distance,
                                       min_inliers=p.min_inliers,
                                       ransac_threshold=p.ransac_threshold,
                                       max_scale_change=p.max_scale_change):
        a = _scale_affine(aff, s_k, s_d)
        cands.append(_Candidate(a, "keypoints", inliers=n_in))
    shift_scale = s_d / s_b
    for dx, dy, votes in block_shift_votes(gray_b, block=p.block, q_dc=p.block_q_dc,
                                           q_ac=p.block_q_ac, min_std=p.block_min_std,
                                           window=p.block_sort_window,
                                           min_shift=p.min_shift * s_b / s_d
                                           )[:p.max_block_candidates]:
        if votes < p.min_block_votes:
            break
        cands.append(_Candidate(np.array([[1.0, 0, dx * shift_scale],
                                          [0, 1.0, dy * shift_scale]]), "blocks", votes=votes))
    for dx, dy, _z in autocorrelation_peaks(gray_b, min_shift=p.min_shift * s_b / s_d,
                                            peaks=p.autocorr_peaks):
        cands.append(_Candidate(np.array([[1.0, 0, dx * shift_scale],
                                          [0, 1.0, dy * shift_scale]]), "blocks"))
    if s_d == 1.0 and p.exact_votes:
        g8 = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        for dx, dy, votes in exact_block_votes(g8, block=p.block, min_std=p.exact_min_std,
                                               min_shift=p.min_shift)[:3]:
            if votes < p.min_exact_votes:
                break
            cands.append(_Candidate(np.array([[1.0, 0, float(dx)], [0, 1.0, float(dy)]]),
                                    "blocks", votes=votes, exact=True))
    cands = _dedupe(cands)[:p.max_candidates]

    # --- verification: a cheap screen at the block size, then the full check in its box
    hp = gray_d - cv2.GaussianBlur(gray_d, (0, 0), p.highpass_sigma)
    hp_b = hp if s_b == s_d else gray_b - cv2.GaussianBlur(gray_b, (0, 0), p.highpass_sigma)
    rgb_s = cv2.GaussianBlur(rgb_d, (0, 0), 1.0)
    rgb_u8 = np.clip(rgb_d + 0.5, 0, 255).astype(np.uint8)
    min_px = max(p.min_region_pixels, int(p.min_region_fraction * hd * wd))
    min_px_b = max(8, int(min_px * (s_b / s_d) ** 2 * 0.4))
    pad = p.zncc_window + p.distinct_delta + 4
    verified: list[_Verified] = []
    for c in cands:
        if c.exact:  # noise-level detail does not survive the reduction: screen at full size
            scr = _screen(hp, c.affine, p, max(8, int(min_px * 0.4)))
            f_b = 1.0
        else:
            scr = _screen(hp_b, _scale_affine(c.affine, s_d, s_b), p, min_px_b)
            f_b = s_d / s_b
        if scr is None:
            continue
        roi_b, mask_b = scr
        roi = tuple(int(round(x * f_b)) for x in roi_b)
        roi = _pad_roi(roi, pad + int(math.ceil(f_b)) * 2, wd, hd)  # type: ignore[arg-type]
        radius = 0 if (c.exact or (f_b == 1.0 and c.method == "blocks")) else \
            max(1, int(math.ceil(f_b)))
        if _is_translation(c.affine) and radius:
            yb, xb = np.nonzero(mask_b)
            pts = (np.clip(np.round(yb * f_b).astype(int), 0, hd - 1),
                   np.clip(np.round(xb * f_b).astype(int), 0, wd - 1))
            c.affine = _refine(hp, c.affine, pts, radius)
        v = _verify(hp, rgb_s, rgb_u8, c, roi, p, min_px)
        if v is not None and not _is_translation(c.affine):
            a2 = _ecc_refine(gray_d, v)
            if a2 is not None:
                v2 = _verify(hp, rgb_s, rgb_u8, _Candidate(a2, c.method, c.inliers, c.votes),
                             roi, p, min_px)
                if v2 is not None and v2.residual_median <= v.residual_median and \
                        v2.core.sum() >= 0.8 * v.core.sum():
                    v = v2
        if v is not None:
            verified.append(v)
    # merge candidates that converged to the same transform (or its inverse)
    uniq: list[_Verified] = []
    for v in sorted(verified, key=lambda v: -int(v.target.sum())):
        inv = cv2.invertAffineTransform(v.cand.affine)
        if any(np.allclose(v.cand.affine, u.cand.affine, atol=0.05) or
               np.allclose(inv, u.cand.affine, atol=0.05) for u in uniq):
            continue
        uniq.append(v)
    verified = uniq

    # --- repeated structure and competition between candidates
    rejected: list[dict[str, Any]] = []
    kept: list[_Verified] = []
    best_score = 0.0
    fine, grad = noise_maps(gray_d, p) if verified else (hp, hp)
    for v in verified:
        v.periodic_fraction = _periodic_fraction(hp, v, p)
        v.competitor_margin = _competitor_margin(hp, v, [u for u in verified if u is not v], p)
        v.noise_correlation, v.noise_pixels, v.noise_std = _noise_correlation(fine, grad, v, p)
        v.score = _score(v, p)
        if collect is not None:
            collect.append(v)
        reason = rule_refusal(v, p)
        if reason is None and v.score < p.report_score:
            reason = "weak match (score below the reporting threshold)"
        if reason is None or reason.startswith("weak"):
            best_score = max(best_score, v.score)
        if reason:
            v.reason = reason
            rejected.append(_summary(v, to_stored, p, v.reason))
        else:
            kept.append(v)

    kept.sort(key=lambda v: -v.score)
    label = empty_map.copy()
    matches: list[CloneMatch] = []
    exact_scale = (s_d == 1.0 and not reduced_input)
    for v in kept:
        roles, ev = ("undetermined", {"reason": "analysed at a reduced size"})
        if grid_roles and exact_scale:
            roles, ev = _roles(gray_d, v, p)
        if roles == "determined":
            label[v.source & (label == 0)] = 1
            label[v.target] = 2
        else:
            label[(v.source | v.target)] = np.maximum(label[(v.source | v.target)], 3)
        matches.append(_to_match(v, to_stored, roles, ev))
    score = max([m.score for m in matches] + [min(best_score, p.report_score - 1e-3)])
    return result(tuple(matches), float(score), label, n_kp, len(pk), len(cands), rejected)


def _box_stored(mask: np.ndarray, to_stored: float) -> tuple[int, int, int, int]:
    b = _bbox(mask) or (0, 0, 0, 0)
    return tuple(int(round(x * to_stored)) for x in b)  # type: ignore[return-value]


def _affine_stored(a: np.ndarray, to_stored: float) -> np.ndarray:
    out = a.astype(np.float64).copy()
    out[:, 2] *= to_stored
    return out


def _to_match(v: _Verified, to_stored: float, roles: str, ev: dict[str, Any]) -> CloneMatch:
    a = v.cand.affine
    if ev.get("swapped"):
        a = cv2.invertAffineTransform(a)
    a_st = _affine_stored(a, to_stored)
    rot, scale, refl = _decompose(a_st)
    return CloneMatch(
        source_bbox=_box_stored(v.source, to_stored), target_bbox=_box_stored(v.target, to_stored),
        transform=tuple(tuple(round(float(x), 4) for x in row) for row in a_st),  # type: ignore
        rotation_deg=rot, scale=scale, reflected=refl,
        translation=(float(a_st[0, 2]), float(a_st[1, 2])), area_fraction=v.area_fraction,
        method=v.cand.method, inliers=v.cand.inliers, zncc_median=v.zncc_median,
        residual_median=v.residual_median, exact_fraction=v.exact_fraction,
        periodic_fraction=v.periodic_fraction, competitor_margin=v.competitor_margin,
        score=v.score, roles=roles, role_evidence=ev, noise_correlation=v.noise_correlation,
        noise_pixels=v.noise_pixels)


def _summary(v: _Verified, to_stored: float, p: CopyMoveParams, reason: str) -> dict[str, Any]:
    a = _affine_stored(v.cand.affine, to_stored)
    return {"reason": reason, "source_bbox": list(_box_stored(v.source, to_stored)),
            "target_bbox": list(_box_stored(v.target, to_stored)),
            "translation": [round(float(a[0, 2]), 1), round(float(a[1, 2]), 1)],
            "method": v.cand.method, "score": round(v.score, 4),
            "zncc_median": round(v.zncc_median, 3),
            "residual_median": round(v.residual_median, 2),
            "periodic_fraction": None if v.periodic_fraction is None
            else round(v.periodic_fraction, 3),
            "noise_correlation": None if v.noise_correlation is None
            else round(v.noise_correlation, 3),
            "noise_pixels": v.noise_pixels, "noise_std": round(v.noise_std, 2),
            "discounted": reason == PRINT_REASON}
