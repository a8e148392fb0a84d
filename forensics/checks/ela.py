"""Error level analysis: the resave-difference map, as a visual aid (never a verdict).

Findings (codes are stable): ``ela.map`` (info) - the map is attached as a heat map PNG with
its summary numbers. ELA reacts to texture, edges and saturated colour as much as to editing;
a bright area is a place to look, not evidence. This check never raises anything above
*info*, and its score is reported for completeness only (on CASIA v1 it does not separate
spliced from authentic pictures: see ``benchmarks/editing_accuracy.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..context import AnalysisContext
from ..editing.ela import ela_map, ela_statistics, normalise
from ..editing.heatmap import heatmap_artifact, logistic
from ..model import CheckOutput, EvidenceItem, Finding
from ..sniff import IMAGE_TYPES
from .base import Check

NAME = "ela"


@dataclass(frozen=True)
class ElaParams:
    """Parameters of the ELA check (the one place they live)."""

    quality: int = 90
    """JPEG quality of the resave."""
    block: int = 8
    """Cell size, in working-size pixels, the error level is averaged over."""
    max_side: int = 4096
    """Bounded working size: longest side analysed. Larger pictures are reduced first (the
    map then shows the reduced copy's error levels, which says less about the original's
    compression history; the finding says so)."""
    score_center: float = 3.0
    """Score = logistic(slope * (ln contrast - ln center)). Not a detector: set by hand only to
    put the contrast on a 0..1 scale (on CASIA v1 it is near chance, see the benchmark)."""
    score_slope: float = 2.0


class ElaCheck(Check):
    name = NAME
    version = "1.0.0"
    description = "error level analysis map (JPEG resave difference): a visual aid, not a verdict"
    params = ElaParams()

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in IMAGE_TYPES

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: ElaParams = self.params
        image = ctx.image
        full = max(image.size) <= p.max_side
        rgb = ctx.rgb(None if full else p.max_side)
        h, w = rgb.shape[:2]
        level = ela_map(rgb, quality=p.quality, block=p.block)
        stats = ela_statistics(level)
        score = logistic(math.log(max(stats["contrast"], 1e-6)), center=math.log(p.score_center),
                         slope=p.score_slope)
        jpeg = ctx.item.media_type == "image/jpeg"
        reduced = "" if full else (f" The picture was reduced to {w}x{h} first, so the map "
                                   "reflects the reduced copy more than the file's history.")
        caveat = ("Error level analysis is a visual aid, not evidence: texture, edges and "
                  "saturated colour raise the level as much as editing does; compare areas of "
                  "similar content only.")
        if not jpeg:
            caveat += (" This file is not a JPEG, so the map says nothing about an earlier "
                       "JPEG compression.")
        finding = Finding(
            code="ela.map", check=self.name, severity="info", confidence="low",
            message=(f"Error level map at resave quality {p.quality} attached (median "
                     f"{stats['median']:.1f}, 99th percentile {stats['p99']:.1f} grey levels). "
                     + caveat + reduced),
            evidence={**stats, "quality": p.quality, "working_size": [w, h],
                      "cell_pixels": p.block})
        art = heatmap_artifact("ela_error_level", normalise(level),
                               "Error level (resave difference), normalised to its 99th "
                               "percentile. A visual aid, never a verdict.", out_size=(w, h))
        return CheckOutput(findings=(finding,), score=score, working_size=(w, h),
                           artifacts=(art,))
