"""JPEG ghosts: does part of the picture carry a different earlier JPEG quality than the rest?

Method: H. Farid, "Exposing digital forgeries from JPEG ghosts", IEEE TIFS 4(1):154-160,
2009, computed in the DCT domain from the file's quantized coefficients (no decoding);
details and choices in :mod:`forensics.editing.ghost`. Each window's difference curve
(squared error of requantising at IJG qualities ``min_quality`` .. the file's own quality)
has a dip, a *ghost*, at the quality of an earlier compression on the same 8x8 grid.

Two situations are reported, both as regions whose ghost differs from the rest:

* the picture as a whole shows a ghost at quality ``q*`` (it was saved before, at ``q*``)
  and a region lacks it: pasted in from elsewhere (resampled, off the grid, another
  quality) or redrawn after that first save;
* the picture as a whole shows none and a region shows one: pasted from a JPEG on the
  same 8x8 grid and saved again.

Findings (codes are stable):

* ``jpeg_ghost.region`` (medium or high) - the regions, their bounding boxes, the ghost
  qualities; a heat map (Farid's normalised difference at ``q*``) and a region mask.
* ``jpeg_ghost.ghost`` (low) - the whole picture shows a ghost at ``q*``: it was
  JPEG-compressed before at about that quality. Routine (platforms, editors); history, not
  manipulation.
* ``jpeg_ghost.partial`` (info) - a truncated file: only the decoded block rows were used.
* ``jpeg_ghost.too_small`` (info) - too few 8x8 blocks for windows to mean anything.

Blind spots: flat or saturated areas carry no ghost either way (they are left out, see
``min_energy``); a first compression finer than the last one leaves no ghost below the
file's quality; a pasted region from a JPEG at the same earlier quality and on the same
grid looks consistent; cropping off the 8x8 grid or resizing after the first save erases
the ghost of the whole picture.

Measured (``python -m benchmarks.editing_accuracy --workers 1``; constants calibrated on the
even-numbered CASIA v1 images, the odd-numbered half held out): CASIA v1 splicing pixel F1
0.341 / MCC 0.340 over all 50 (0.403 fit half, 0.280 held out; F1 0.68 on the 25 images
with a region), image AUC 0.750 (0.720 held out); copy-move pixel F1 0.083; no
``jpeg_ghost`` finding above low on the 139 CASIA authentic images nor on the 25 camera
originals. Best-of-checks splicing F1 0.496 -> 0.558 with this check, union 0.491 -> 0.509.
About 100 ms CPU per 12 MP JPEG after the coefficient read (``benchmarks.editing_speed``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import ndimage as ndi

from ..context import AnalysisContext
from ..editing.dct import DctCoefficients
from ..editing.ghost import GhostModel, GhostResult, analyse_ghosts
from ..editing.heatmap import heatmap_artifact, logistic, mask_artifact, regions_from_mask
from ..model import CheckOutput, EvidenceItem, Finding
from .base import Check

NAME = "jpeg_ghost"


@dataclass(frozen=True)
class JpegGhostParams:
    """Parameters of the JPEG-ghost check (the one place they live)."""

    model: GhostModel = field(default_factory=GhostModel)
    """Curve settings (quality range, dip span, window size, bands)."""
    min_blocks: int = 64
    """Fewer decoded 8x8 blocks than this: not analysed (``jpeg_ghost.too_small``)."""
    min_ghost_depth: float = 0.03
    """The whole picture shows a ghost when its curve's dip depth reaches this (natural
    log ratio; single-compressed pictures stay near 0)."""
    min_energy: float = 64.0
    """A window is informative when requantising it at ``q*`` changes it by at least this
    squared error per block (64 pixels): 1 grey level RMS. Flatter windows are left out."""
    present_depth: float = 0.05
    """A window shows the picture's ghost when its dip depth at ``q*`` exceeds this ..."""
    majority: float = 0.5
    """... and the picture's ghost is "the rest" when at least this fraction of the
    informative windows show it."""
    absent_depth: float = 0.0
    """With a majority ghost, a window lacks it when its dip depth at ``q*`` is below minus
    this (its curve keeps falling through ``q*``)."""
    minority_depth: float = 0.3
    """Without a majority ghost, a window shows a ghost of its own when its deepest dip
    reaches this."""
    rest_max_depth: float = 0.1
    """... and only when the rest is clean: the 90th percentile of the other informative
    windows' deepest dips stays below this (camera tables make scattered coincidental dips
    in busy pictures; a ghost of one region is only evidence against a ghost-free rest)."""
    min_region_fraction: float = 0.02
    """Regions smaller than this fraction of the windows are not reported."""
    max_region_fraction: float = 0.5
    """More than this fraction flagged is not "a region differing from the rest"."""
    high_ghost_depth: float = 0.1
    """A HIGH finding needs the picture's (or the region's own) ghost this deep ..."""
    high_region_fraction: float = 0.03
    """... a region at least this large ..."""
    high_region_strength: float = 0.1
    """... whose mean |dip depth| (missing or own ghost) reaches this. Set on the
    even-numbered CASIA v1 images so authentic pictures stay at 0 HIGH findings."""
    score_weights: tuple[float, float, float] = (-2.5, 18.789, 6.949)
    """Score = logistic(w0 + w1 * sqrt(largest region fraction) + w2 * region strength).
    ``w0`` is fixed (a picture without a region scores 0.08); ``w1``, ``w2`` fitted by
    logistic regression on the even-numbered CASIA v1 images (splicing and copy-move vs
    authentic)."""


def ghost_statistics(coefs: DctCoefficients, params: JpegGhostParams
                     ) -> tuple[GhostResult | None, dict[str, Any]]:
    """Run the ghost analysis and derive the region mask, regions and score.

    Returns the :class:`GhostResult` (``None`` when no quality range is left below the
    file's own) and a dict: ``mode`` ("missing": regions lack the picture's ghost,
    "own": regions show a ghost the rest lacks, ``None``), ``mask`` (cell grid),
    ``regions``, ``largest_region``, ``strength``, ``informative`` (fraction of windows),
    ``ghost_share`` and ``score``.
    """
    res = analyse_ghosts(coefs, model=params.model)
    out: dict[str, Any] = {"mode": None, "mask": None, "regions": [], "largest_region": 0.0,
                           "strength": 0.0, "informative": 0.0, "ghost_share": 0.0,
                           "score": 0.0}
    if res is None:
        return None, out
    inf = res.energy >= params.min_energy
    n_inf = int(inf.sum())
    out["informative"] = round(float(inf.mean()), 4)
    share = float((inf & (res.depth > params.present_depth)).sum()) / max(1, n_inf)
    out["ghost_share"] = round(share, 4)
    if res.ghost_depth >= params.min_ghost_depth and share >= params.majority:
        mode, mask, strength_map = "missing", inf & (res.depth < -params.absent_depth), \
            -res.depth
    else:
        mode, mask, strength_map = "own", inf & (res.own_depth >= params.minority_depth), \
            res.own_depth
    labels, count = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))
    if count:
        areas = np.bincount(labels.ravel())[1:]
        keep = np.flatnonzero(areas >= params.min_region_fraction * mask.size) + 1
        mask = np.isin(labels, keep)
    if mask.mean() > params.max_region_fraction or (mode == "own" and n_inf and
                                                     mask.sum() > params.majority * n_inf):
        mask = np.zeros_like(mask)
    if mode == "own" and mask.any():
        rest = res.own_depth[inf & ~mask]
        out["rest_depth_p90"] = round(float(np.percentile(rest, 90)), 4) if rest.size else 0.0
        if out["rest_depth_p90"] >= params.rest_max_depth:
            mask = np.zeros_like(mask)
    cell_px = 8 * res.cell
    grid_h, grid_w = mask.shape
    regions = regions_from_mask(mask, image_size=(grid_w * cell_px, grid_h * cell_px),
                                values=strength_map)
    for r in regions:  # clip the block grid's padding to the picture
        x0, y0, x1, y1 = r["bbox"]
        r["bbox"] = [min(x0, coefs.width), min(y0, coefs.height), min(x1, coefs.width),
                     min(y1, coefs.height)]
        r["bbox_fraction"] = [round(r["bbox"][0] / max(1, coefs.width), 4),
                              round(r["bbox"][1] / max(1, coefs.height), 4),
                              round(r["bbox"][2] / max(1, coefs.width), 4),
                              round(r["bbox"][3] / max(1, coefs.height), 4)]
        r["mean_depth"] = r.pop("mean")
        r["peak_depth"] = r.pop("peak")
    if mode == "own":
        for r in regions:
            x0, y0, x1, y1 = r["bbox"]
            sel = mask[y0 // cell_px:-(-y1 // cell_px), x0 // cell_px:-(-x1 // cell_px)]
            qs = res.own_quality[y0 // cell_px:-(-y1 // cell_px),
                                 x0 // cell_px:-(-x1 // cell_px)][sel]
            r["ghost_quality"] = int(np.median(qs)) if qs.size else None
    largest = regions[0]["area_fraction"] if regions else 0.0
    strength = float(strength_map[mask].mean()) if mask.any() else 0.0
    w0, w1, w2 = params.score_weights
    score = logistic(w0 + w1 * math.sqrt(largest) + w2 * strength, center=0.0, slope=1.0)
    out.update(mode=mode if regions else None, mask=mask, regions=regions,
               largest_region=largest, strength=round(strength, 4), score=score)
    return res, out


class JpegGhostCheck(Check):
    name = NAME
    version = "1.0.0"
    description = ("JPEG ghosts (Farid 2009) from the quantized DCT coefficients: regions "
                   "whose earlier JPEG quality differs from the rest of the picture")
    params = JpegGhostParams()

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type == "image/jpeg"

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: JpegGhostParams = self.params
        coefs = ctx.coefficients()
        found: list[Finding] = []
        rows, cols = coefs.blocks.shape[:2]
        size = (coefs.width, coefs.height)
        if coefs.decoded_block_rows < rows:
            found.append(self._f(
                "jpeg_ghost.partial", "info", "high",
                f"The JPEG data end early: {coefs.decoded_block_rows} of {rows} rows of 8x8 "
                "blocks carry data; only those were analysed.",
                {"decoded_block_rows": coefs.decoded_block_rows, "block_rows": rows}))
        if coefs.decoded_block_rows * cols < p.min_blocks:
            found.append(self._f(
                "jpeg_ghost.too_small", "info", "high",
                f"Only {coefs.decoded_block_rows * cols} 8x8 blocks were decoded (at least "
                f"{p.min_blocks} are needed): no JPEG-ghost analysis.",
                {"blocks": coefs.decoded_block_rows * cols, "min_blocks": p.min_blocks}))
            return CheckOutput(findings=tuple(found), score=None, working_size=size)
        res, st = ghost_statistics(coefs, p)
        if res is None:
            found.append(self._f(
                "jpeg_ghost.quality_too_low", "info", "high",
                "The file's own JPEG quality is too low to look for an earlier, lower one "
                f"(ghosts are sought from IJG quality {p.model.min_quality}).",
                {"min_quality": p.model.min_quality}))
            return CheckOutput(findings=tuple(found), score=None, working_size=size)
        summary = {"file_quality": res.file_quality,
                   "file_quality_exact_ijg": res.file_quality_exact,
                   "qualities_searched": [res.qualities[0], res.qualities[-1]],
                   "ghost_quality": res.ghost_quality, "ghost_depth": res.ghost_depth,
                   "ghost_share": st["ghost_share"], "informative_fraction": st["informative"],
                   "window_px": 8 * res.cell, "blocks_analysed": res.blocks_analysed,
                   "min_ghost_depth": p.min_ghost_depth}
        whole = res.ghost_depth >= p.min_ghost_depth and st["ghost_share"] >= p.majority
        if whole:
            found.append(self._f(
                "jpeg_ghost.ghost", "low", "high" if res.ghost_depth >= p.high_ghost_depth
                else "medium",
                f"The picture shows a JPEG ghost at IJG quality about {res.ghost_quality} "
                f"(dip depth {res.ghost_depth:.2f} over {st['ghost_share']:.0%} of the "
                f"informative windows): it was JPEG-compressed before at about that quality, "
                f"then saved again at about {res.file_quality}. Re-saving is routine; this is "
                "history, not proof of manipulation.", summary))
        cell = 8.0 * res.cell
        artifacts = (heatmap_artifact(
            "jpeg_ghost_difference", res.normalised,
            f"Farid's normalised JPEG-ghost difference at IJG quality {res.ghost_quality} "
            "per window (dark: the window's curve has its minimum there, a ghost; bright: "
            "none; white outline: reported regions). A map, not a verdict: flat areas carry "
            "no ghost either way.", out_size=size,
            mask=st["mask"] if st["regions"] else None),)
        if st["regions"]:
            artifacts += (mask_artifact(
                "jpeg_ghost_region_mask", st["mask"], cell=(cell, cell), image_size=size,
                description="White: windows whose JPEG ghost differs from the rest."),)
            top = st["regions"][0]
            depth = res.ghost_depth if st["mode"] == "missing" else top["peak_depth"]
            high = (depth >= p.high_ghost_depth and top["area_fraction"] >=
                    p.high_region_fraction and st["strength"] >= p.high_region_strength)
            if st["mode"] == "missing":
                what = (f"lack the JPEG ghost the rest of the picture shows at IJG quality "
                        f"about {res.ghost_quality}: they were not compressed at that quality "
                        "on this 8x8 grid (pasted in, resampled or redrawn after the earlier "
                        "save)")
            else:
                qs = sorted({r["ghost_quality"] for r in st["regions"]
                             if r.get("ghost_quality")})
                what = (f"show a JPEG ghost (IJG quality about {', '.join(map(str, qs))}) "
                        "that the rest of the picture lacks: they were JPEG-compressed before, "
                        "on this 8x8 grid, unlike the rest (pasted from another JPEG)")
            found.append(self._f(
                "jpeg_ghost.region", "high" if high else "medium", "high" if high else "medium",
                f"{len(st['regions'])} region(s) {what}. Largest: {top['area_fraction']:.1%} "
                f"of the picture at {top['bbox']} (x0, y0, x1, y1 pixels). Flat or saturated "
                "areas carry no ghost and are left out. See the heat map.",
                {**summary, "mode": st["mode"], "regions": st["regions"],
                 "region_strength": st["strength"], "score": round(st["score"], 4)}))
        grid_h, grid_w = res.depth.shape
        work = (min(coefs.width, grid_w * res.cell * 8), min(coefs.height,
                                                             grid_h * res.cell * 8))
        return CheckOutput(findings=tuple(found), score=st["score"], working_size=work,
                           artifacts=artifacts)

