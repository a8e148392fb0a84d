"""Noise inconsistency: a local noise-level map and the regions whose noise differs.

Method (details in :mod:`forensics.editing.noise`): per-block noise level from the finest
diagonal wavelet sub-band (median absolute deviation, Donoho & Johnstone 1994), corrected
for texture, compared across the picture with robust z-scores (after Mahdian & Saic,
"Using noise inconsistencies for blind image forensics", Image and Vision Computing 2009).

Findings (codes are stable):

* ``noise.inconsistent_region`` (low, or medium when strong and large) - regions whose noise
  level is several robust standard deviations above or below the rest of the picture. Pasted
  material, local denoising or blurring produce this; so do depth of field, motion blur, sky
  gradients and strong JPEG compression, which is why this check never raises *high*.

JPEG compression removes much of the fine noise this check measures; on CASIA v1's small,
re-compressed JPEGs it does not separate spliced from authentic pictures (see
``benchmarks/editing_accuracy.py``). It is more useful on larger, lightly compressed files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..context import AnalysisContext
from ..editing.heatmap import heatmap_artifact, logistic, mask_artifact, regions_from_mask
from ..editing.noise import box_reduce, grey, inconsistency, noise_map
from ..model import CheckOutput, EvidenceItem, Finding
from ..sniff import IMAGE_TYPES
from .base import Check

NAME = "noise"


@dataclass(frozen=True)
class NoiseParams:
    """Parameters of the noise-inconsistency check (the one place they live)."""

    max_side: int = 2048
    """Bounded working size: the picture is reduced by an integer box factor until its long
    side is at most this (pictures over ``max_decode_pixels`` are first decoded reduced)."""
    max_decode_pixels: int = 24_000_000
    """Above this many pixels the shared reduced decode (``ctx.rgb``) is used."""
    block: int = 32
    """Noise block side, in working-size pixels."""
    wavelet: str = "db4"
    """Wavelet of the one-level decomposition (symmetric extension at the borders)."""
    smooth_blocks: float = 1.0
    """Gaussian smoothing of the z-score map, in blocks."""
    z_threshold: float = 3.0
    """A block is inconsistent when |z| exceeds this (robust standard deviations)."""
    min_region_fraction: float = 0.02
    """Regions smaller than this fraction of the picture are not reported."""
    medium_z: float = 5.0
    """A region is reported as *medium* when its peak |z| reaches this ..."""
    medium_region_fraction: float = 0.05
    """... and it covers at least this fraction of the picture."""
    score_center: float = 3.0
    """Score = logistic(slope * (peak |z| of the largest region - center)); 0 regions -> the
    98th percentile of |z| is used. Set by hand: on CASIA v1 the statistic is near chance."""
    score_slope: float = 1.5


class NoiseCheck(Check):
    name = NAME
    version = "1.0.0"
    description = "local noise level map (wavelet MAD) and regions of inconsistent noise"
    params = NoiseParams()

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in IMAGE_TYPES

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: NoiseParams = self.params
        w0, h0 = ctx.image.size
        rgb = ctx.rgb(None if w0 * h0 <= p.max_decode_pixels else 2 * p.max_side)
        factor = max(1, math.ceil(max(rgb.shape[:2]) / p.max_side))
        luma = box_reduce(grey(rgb), factor)
        h, w = luma.shape
        if min(h, w) < 2 * p.block:
            return CheckOutput(findings=(Finding(
                code="noise.too_small", check=self.name, severity="info", confidence="high",
                message=(f"The picture ({w}x{h} at working size) is smaller than two "
                         f"{p.block}-pixel noise blocks: noise was not compared."),
                evidence={"working_size": [w, h], "block": p.block}),),
                score=None, working_size=(w, h))
        nm = noise_map(luma, block=p.block, wavelet=p.wavelet)
        inc = inconsistency(nm["sigma"], nm["texture"], nm["saturated"], smooth=p.smooth_blocks)
        z = np.abs(inc["z"])
        mask = z > p.z_threshold
        cell = p.block * factor * (w0 / rgb.shape[1])  # block side in stored-image pixels
        covered = (round(nm["sigma"].shape[1] * cell), round(nm["sigma"].shape[0] * cell))
        regions = regions_from_mask(mask, image_size=covered, min_fraction=p.min_region_fraction,
                                    values=inc["z"])
        for r in regions:
            r["z_peak"] = r.pop("peak")
            r["z_mean"] = r.pop("mean")
            r["noisier_than_rest"] = r["z_mean"] > 0
        peak = max((abs(r["z_peak"]) for r in regions), default=float(np.percentile(z, 98)))
        score = logistic(peak, center=p.score_center, slope=p.score_slope)
        median_sigma = float(np.median(nm["sigma"]))  # grey levels at working size
        evidence = {"working_size": [w, h], "reduction": factor, "block": p.block,
                    "median_noise_sigma": round(median_sigma, 3),
                    "texture_fit": inc["fit"], "valid_block_fraction": inc["valid_fraction"]}
        found = []
        if regions:
            top = regions[0]
            medium = abs(top["z_peak"]) >= p.medium_z and \
                top["area_fraction"] >= p.medium_region_fraction
            found.append(Finding(
                code="noise.inconsistent_region", check=self.name,
                severity="medium" if medium else "low", confidence="low",
                message=(f"{len(regions)} region(s) have a noise level unlike the rest of the "
                         f"picture (largest: {top['area_fraction']:.1%} of the picture at "
                         f"{top['bbox']} (x0, y0, x1, y1 pixels), "
                         f"{'noisier' if top['noisier_than_rest'] else 'smoother'} by "
                         f"{abs(top['z_mean']):.1f} robust standard deviations). Pasting, "
                         "denoising or blurring cause this, and so do depth of field, motion "
                         "blur, smooth sky and strong compression: look at the heat map."),
                evidence={**evidence, "regions": regions, "z_threshold": p.z_threshold}))
        art = heatmap_artifact("noise_inconsistency", z, "Per block: |z| of the "
                               "texture-corrected noise level against the rest of the picture "
                               "(0 = typical, 5+ = very unlike). A map, not a verdict.",
                               vmin=0.0, vmax=6.0, out_size=(w0, h0), mask=mask)
        artifacts = (art,)
        if regions:
            keep = np.zeros_like(mask)
            for r in regions:  # only the reported (large enough) regions
                c0, r0 = int(r["bbox"][0] / cell), int(r["bbox"][1] / cell)
                c1, r1 = math.ceil(r["bbox"][2] / cell), math.ceil(r["bbox"][3] / cell)
                keep[r0:r1, c0:c1] |= mask[r0:r1, c0:c1]
            artifacts += (mask_artifact(
                "noise_region_mask", keep, cell=(cell, cell),
                image_size=(w0, h0), description="White: blocks of the reported regions of "
                "inconsistent noise."),)
        return CheckOutput(findings=tuple(found), score=score, working_size=(w, h),
                           artifacts=artifacts)
