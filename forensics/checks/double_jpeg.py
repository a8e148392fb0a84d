"""Double JPEG compression: was the picture saved twice, and does part of it lack that history?

Method: the aligned double-JPEG (A-DJPG) likelihood model of T. Bianchi and A. Piva, "Image
forgery localization via block-grained analysis of JPEG artifacts", IEEE TIFS 7(3), 2012,
with the block posterior map of Z. Lin et al., Pattern Recognition 42(11), 2009; details and
choices in :mod:`forensics.editing.dct`. The quantized DCT coefficients are read straight
from the file (``jpeglib``), never decoded and re-transformed.

Findings (codes are stable):

* ``double_jpeg.double_compressed`` (low) - the coefficient histograms carry the periodic
  trace of an earlier compression at about IJG quality ``primary_quality``. Re-saving is
  routine (platforms, editors, messaging apps): this is history, not manipulation.
* ``double_jpeg.inconsistent_region`` (medium or high) - in a doubly compressed picture, a
  region whose blocks lack the trace: pasted from elsewhere, resampled or redrawn after the
  first compression. Its bounding boxes and a heat map (probability that each 8x8 block was
  compressed only once) are in the result.
* ``double_jpeg.partial`` (info) - a truncated file: only the decoded block rows were used.
* ``double_jpeg.decoder_warnings`` (info) - libjpeg reported damage it read past (its
  warnings are kept here, not printed on the terminal).

Blind spots, stated in each message where they matter: a first compression whose step
divides the second leaves no trace; resizing, cropping off the 8x8 grid or heavy filtering
after the first save erase it; a pasted region that was itself a grid-aligned JPEG at the
same first quality looks consistent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..context import AnalysisContext
from ..editing.dct import DctCoefficients, DoubleJpegModel, analyse_double_jpeg
from ..editing.heatmap import heatmap_artifact, logistic, mask_artifact, regions_from_mask
from ..model import CheckOutput, EvidenceItem, Finding
from .base import Check

NAME = "double_jpeg"


@dataclass(frozen=True)
class DoubleJpegParams:
    """Parameters of the double-JPEG check (the one place they live)."""

    model: DoubleJpegModel = field(default_factory=DoubleJpegModel)
    """Likelihood-model settings (frequencies, value range, noise, smoothing)."""
    max_blocks: int = 400_000
    """Bounded working size: above this many 8x8 luminance blocks (25.6 MP) every k-th
    block row and column is analysed (each analysed block is still a real grid block)."""
    min_gain: float = 20.0
    """Double compression is reported when the model gain reaches this (nats) ..."""
    min_gain_per_1000: float = 0.6
    """... and this per 1000 modelled coefficients (a misfit of the smooth model grows with
    the picture; a real trace grows faster) ..."""
    min_frequencies: int = 3
    """... in at least this many DCT frequencies. Set on the even-numbered CASIA v1 images
    (every tampered one is above 0.66 per 1000) and checked on camera originals."""
    max_single_fraction: float = 0.5
    """Regions are reported only when at most this fraction of the blocks looks singly
    compressed: a picture that is mostly "single" is not a doubly compressed one with a
    pasted part."""
    strong_gain: float = 60.0
    """Gain from which the double compression itself is called certain (confidence high)."""
    region_threshold: float = 0.5
    """A block is "singly compressed" when its pooled evidence is below minus this (nats)."""
    min_region_fraction: float = 0.01
    """Regions smaller than this fraction of the picture are not reported."""
    high_region_fraction: float = 0.02
    """A HIGH finding needs a region at least this large ..."""
    high_region_strength: float = 12.0
    """... whose strongest pooled evidence for single compression reaches this (nats), in an
    image whose gain reaches ``strong_gain``. Set on the even-numbered CASIA v1 images so
    that authentic double-compressed pictures stay under 5% high findings."""
    score_weights: tuple[float, float, float] = (-2.884, 0.225, 24.801)
    """Calibrated score = logistic(w0 + w1 * ln(1 + gain per 1000 coefficients)
    + w2 * sqrt(largest region fraction)). Logistic regression fitted by
    ``python -m benchmarks.editing_accuracy --fit`` on the even-numbered CASIA v1 images
    (tampered vs authentic); the odd-numbered ones are held out."""


def _stride(coefs: DctCoefficients, max_blocks: int) -> int:
    rows, cols = coefs.decoded_block_rows, coefs.blocks.shape[1]
    return max(1, math.ceil(math.sqrt(rows * cols / max(1, max_blocks))))


def double_jpeg_statistics(coefs: DctCoefficients, params: DoubleJpegParams) -> dict[str, Any]:
    """Run the model (at the bounded working size) and derive the region statistics."""
    stride = _stride(coefs, params.max_blocks)
    if stride > 1:
        coefs = DctCoefficients(np.ascontiguousarray(coefs.blocks[::stride, ::stride]),
                                coefs.table, coefs.width, coefs.height, coefs.components,
                                -(-coefs.decoded_block_rows // stride))
    res = analyse_double_jpeg(coefs, model=params.model)
    res["stride"] = stride
    detected = (res["gain"] >= params.min_gain
                 and res["gain_per_1000"] >= params.min_gain_per_1000
                 and res["frequencies_used"] >= params.min_frequencies)
    mask = (res["evidence"] < -params.region_threshold) if detected else \
        np.zeros_like(res["evidence"], dtype=bool)
    res["single_fraction"] = round(float(mask.mean()), 4) if mask.size else 0.0
    if res["single_fraction"] > params.max_single_fraction:
        mask = np.zeros_like(mask)
    grid_h, grid_w = res["evidence"].shape
    size = (grid_w * 8 * stride, grid_h * 8 * stride)
    regions = regions_from_mask(mask, image_size=size, min_fraction=params.min_region_fraction,
                                values=-res["evidence"])
    for r in regions:  # clip the block grid's padding to the picture
        x0, y0, x1, y1 = r["bbox"]
        r["bbox"] = [min(x0, coefs.width), min(y0, coefs.height), min(x1, coefs.width),
                     min(y1, coefs.height)]
        r["bbox_fraction"] = [round(r["bbox"][0] / max(1, coefs.width), 4),
                              round(r["bbox"][1] / max(1, coefs.height), 4),
                              round(r["bbox"][2] / max(1, coefs.width), 4),
                              round(r["bbox"][3] / max(1, coefs.height), 4)]
        r["strength_nats"] = r.pop("peak")
        r["mean_evidence_nats"] = r.pop("mean")
    largest = regions[0]["area_fraction"] if regions else 0.0
    w0, w1, w2 = params.score_weights
    score = logistic(w0 + w1 * math.log1p(res["gain_per_1000"]) + w2 * math.sqrt(largest),
                     center=0.0, slope=1.0)
    res.update(detected=detected, mask=mask, regions=regions, largest_region=largest,
               score=score)
    return res


class DoubleJpegCheck(Check):
    name = NAME
    version = "1.0.0"
    description = ("aligned double JPEG compression from DCT coefficient histograms "
                   "(Bianchi & Piva 2012) and a map of regions lacking it")
    params = DoubleJpegParams()

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type == "image/jpeg"

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: DoubleJpegParams = self.params
        coefs = ctx.coefficients()
        found: list[Finding] = []
        rows = coefs.blocks.shape[0]
        if coefs.decoded_block_rows < rows:
            found.append(self._f(
                "double_jpeg.partial", "info", "high",
                f"The JPEG data end early: {coefs.decoded_block_rows} of {rows} rows of 8x8 "
                "blocks carry data; only those were analysed.",
                {"decoded_block_rows": coefs.decoded_block_rows, "block_rows": rows}))
        if coefs.decoder_warnings:
            found.append(self._f(
                "double_jpeg.decoder_warnings", "info", "high",
                "libjpeg read past damage in the compressed data ("
                + "; ".join(coefs.decoder_warnings[:3]) + "); the analysis used what it "
                "decoded. Damage can come from transmission or storage as well as from "
                "editing.", {"decoder_warnings": list(coefs.decoder_warnings)}))
        if coefs.decoded_block_rows == 0:
            return CheckOutput(findings=tuple(found), score=None,
                               working_size=(coefs.width, coefs.height))
        st = double_jpeg_statistics(coefs, p)
        work = (min(coefs.width, st["evidence"].shape[1] * 8),
                min(coefs.height, st["evidence"].shape[0] * 8))
        if st["stride"] > 1:
            work = (st["evidence"].shape[1] * 8, st["evidence"].shape[0] * 8)
        summary = {"gain_nats": st["gain"], "gain_per_1000": st["gain_per_1000"],
                   "single_fraction": st["single_fraction"],
                   "primary_quality": st["primary_quality"],
                   "frequencies_used": st["frequencies_used"],
                   "informative_block_fraction": st["informative"],
                   "blocks_analysed": st["blocks_analysed"], "block_stride": st["stride"],
                   "min_gain": p.min_gain}
        artifacts = ()
        if st["detected"]:
            strong = st["gain"] >= p.strong_gain
            found.append(self._f(
                "double_jpeg.double_compressed", "low", "high" if strong else "medium",
                f"The picture was JPEG-compressed at least twice on the same 8x8 grid: the DCT "
                f"coefficient histograms show the periodic trace of an earlier compression at "
                f"about IJG quality {st['primary_quality']} (model gain {st['gain']:.0f} nats "
                f"over single compression, {st['frequencies_used']} frequencies). Re-saving is "
                "routine (platforms, editors, messaging apps); this is history, not proof of "
                "manipulation.",
                {**summary, "per_frequency": st["per_frequency"]}))
            prob = 1.0 / (1.0 + np.exp(np.clip(st["evidence"], -50, 50)))
            artifacts = (heatmap_artifact(
                "double_jpeg_single_compression_probability", prob,
                "Per 8x8 block: probability that the block was compressed only once, in a "
                "picture found doubly compressed (white outline: reported regions). A map, "
                "not a verdict; flat areas carry little evidence.",
                out_size=(coefs.width, coefs.height), mask=st["mask"]),)
            regions = st["regions"]
            if regions:
                cell = 8.0 * st["stride"]
                artifacts += (mask_artifact(
                    "double_jpeg_region_mask", st["mask"], cell=(cell, cell),
                    image_size=(coefs.width, coefs.height),
                    description="White: blocks reported as lacking the earlier compression."),)
                top = regions[0]
                high = (strong and top["area_fraction"] >= p.high_region_fraction
                        and top["strength_nats"] >= p.high_region_strength)
                found.append(self._f(
                    "double_jpeg.inconsistent_region", "high" if high else "medium",
                    "high" if high else "medium",
                    f"{len(regions)} region(s) of this doubly compressed picture lack the trace "
                    f"of the earlier compression (largest: {top['area_fraction']:.1%} of the "
                    f"picture at {top['bbox']} (x0, y0, x1, y1 pixels), evidence "
                    f"{top['strength_nats']:.1f} nats). Such blocks were pasted in, resampled or "
                    "redrawn after the first save; flat or saturated areas carry little "
                    "evidence either way. See the heat map.",
                    {**summary, "regions": regions, "score": round(st["score"], 4)}))
        return CheckOutput(findings=tuple(found), score=st["score"], working_size=work,
                           artifacts=artifacts)

