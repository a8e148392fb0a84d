"""Copy-move: regions of the picture that are copies of other regions of the same picture.

Method (details and citations in :mod:`forensics.editing.copymove`): SIFT keypoints matched
against themselves (generalised 2NN test), clustered, with an affine transform fitted by
RANSAC (Amerini et al., IEEE TIFS 2011); a block-matching vote for flat or fine-textured
areas (Fridrich et al., DFRWS 2003, plus bit-identical blocks for lossless files); every
candidate verified densely (local correlation of the picture with its transformed self) and
tested against repeated structure (tiles, windows, fabric, text): a clone must match nearly
exactly in colour, not continue as a lattice, stand out against other repeats, and, where it
can be measured, carry its fine noise along (two instances of one print, like a digit that
appears twice on a sign, share the shape but not the noise).

Findings (codes are stable):

* ``copy_move.cloned_region`` (high) - one per verified copy: source and target boxes (stored
  pixels), the transform (shift, rotation, scale, mirror), the measurements it rests on and
  its calibrated score; confidence follows the score. Source and target are told apart only
  when the earlier JPEG grid shows which one was moved; otherwise the finding says so.
* ``copy_move.repeated_structure`` (info) - strong self-similar regions were found but set
  aside as repeated structure, repeated print, graphics or edges (listed with the reason and
  the measurements), so a reader knows they were considered; the message says how many of
  them would have been reported as clones but were discounted as repeated print.
* ``copy_move.too_small`` (info) - the picture is too small to compare regions.

Artifacts: ``copy_move_map`` (source blue, target red, undetermined role magenta) and
``copy_move_mask`` (white: the pasted copies, or both regions when the roles are
undetermined). Both are maps for a reader to look at, not verdicts by themselves.
"""

from __future__ import annotations

from typing import Any

from ..context import AnalysisContext
from ..editing.copymove import CopyMoveParams, detect_copy_move, label_map_png, mask_png
from ..model import Artifact, CheckOutput, EvidenceItem, Finding
from ..sniff import IMAGE_TYPES
from .base import Check

NAME = "copy_move"


def _confidence(score: float, p: CopyMoveParams) -> str:
    if score >= p.confident_score:
        return "high"
    return "medium" if score >= 0.7 else "low"


def _fmt_box(b: Any) -> str:
    return f"({b[0]}, {b[1]})-({b[2]}, {b[3]})"


class CopyMoveCheck(Check):
    name = NAME
    version = "1.1.0"
    description = ("copy-move (cloned region) detection: keypoint and block matching within "
                   "the picture, verified densely, with source, target and transform")
    params = CopyMoveParams()

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in IMAGE_TYPES

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: CopyMoveParams = self.params
        w0, h0 = ctx.image.size
        full = max(w0, h0) <= p.keypoint_max_side
        rgb = ctx.rgb(None if full else p.keypoint_max_side)
        h, w = rgb.shape[:2]
        if min(h, w) < 32:
            return CheckOutput(findings=(Finding(
                code="copy_move.too_small", check=self.name, severity="info",
                confidence="high",
                message=(f"The picture ({w}x{h} pixels) is too small to compare regions of it "
                         "with each other: copy-move was not tested."),
                evidence={"working_size": [w, h]}),), score=None, working_size=(w, h))
        jpeg = ctx.item.media_type == "image/jpeg"
        res = detect_copy_move(rgb, params=p, stored_size=(w0, h0), grid_roles=jpeg)
        wd, hd = res.working_size
        sizes = {"stored_size": [w0, h0], "decoded_size": [w, h],
                 "verification_size": [wd, hd], "keypoint_size": list(res.keypoint_size),
                 "block_size": list(res.block_size)}
        base_ev = {**sizes, "keypoints": res.keypoints, "keypoint_matches": res.keypoint_matches,
                   "candidates_tested": res.candidates, "notes": list(res.notes)}
        findings: list[Finding] = []
        for i, m in enumerate(res.matches):
            d = m.to_dict()
            if m.roles == "determined":
                where = (f"The region at {_fmt_box(m.target_bbox)} is a copy of the region at "
                         f"{_fmt_box(m.source_bbox)}")
                roles = ("The copy carries the earlier JPEG block grid moved by the shift, "
                         "which tells the pasted copy from its source.")
            else:
                where = (f"The regions at {_fmt_box(m.source_bbox)} and "
                         f"{_fmt_box(m.target_bbox)} are copies of each other")
                roles = ("Which of the two is the original and which the pasted copy could "
                         "not be told from the pixels; both are marked.")
            geo = f"shifted by ({m.translation[0]:.0f}, {m.translation[1]:.0f}) px"
            if abs(m.rotation_deg) >= 1.0 or abs(m.scale - 1.0) >= 0.02 or m.reflected:
                geo += (f", rotated {m.rotation_deg:.0f} degrees, scaled x{m.scale:.2f}"
                        + (", mirrored" if m.reflected else ""))
            proposer = {"keypoints": f"{m.inliers} matched keypoint pairs agree on this "
                                     "transform",
                        "blocks": "equal pixel blocks voted for this shift"}.get(
                m.method, f"keypoints ({m.inliers} pairs) and equal pixel blocks agree")
            repeat = ("its content does not repeat one step further, so it is not a lattice "
                      "such as tiles or windows" if m.periodic_fraction is not None else
                      "repetition one step further could not be tested (it leaves the frame)")
            r = m.noise_correlation
            if r is None:
                repeat += "; whether their fine noise is alike could not be measured"
            elif r >= p.noise_max_correlation:
                repeat += f"; their fine noise is alike too (correlation {r:.2f}), as a copy's is"
            else:  # only with the repeated-print rule switched off
                repeat += (f"; their fine noise is not alike (correlation {r:.2f}, under "
                           f"{p.noise_max_correlation:.2f}: repeated print would be suspected "
                           "had the rule not been switched off)")
            findings.append(Finding(
                code="copy_move.cloned_region", check=self.name, severity="high",
                confidence=_confidence(m.score, p),  # type: ignore[arg-type]
                message=(f"{where} ({geo}; {m.area_fraction:.2%} of the picture). "
                         f"{proposer[0].upper()}{proposer[1:]}; pixel by pixel the two regions "
                         f"correlate (median ZNCC {m.zncc_median:.2f}) and their colours "
                         f"differ by a median {m.residual_median:.1f} grey levels; {repeat}. "
                         f"{roles} Score {m.score:.2f}. Repeated patterns, printed text and "
                         "symmetric objects can still match: look at the map."),
                evidence={**d, **({} if i else base_ev), "match_index": i}))
        set_aside = [r for r in res.rejected if r["score"] >= p.report_score
                     or "repeated" in r["reason"] or "graphics" in r["reason"]]
        set_aside.sort(key=lambda r: (not r["discounted"], -r["score"]))
        if set_aside:
            discounted = [r for r in set_aside if r["discounted"] and r["score"] >= p.report_score]
            why = ""
            if discounted:
                rs = ", ".join(f"{r['noise_correlation']:.2f}" for r in discounted[:4])
                n = len(discounted)
                why = (f" {n} of them would have been reported as a clone (score up to "
                       f"{max(r['score'] for r in discounted):.2f}) but "
                       f"{'was' if n == 1 else 'were'} discounted as "
                       "repeated print: the two regions share their shape, not their fine noise "
                       f"(correlation {rs}; a pasted copy's noise repeats with it), as with a "
                       "digit or sign printed twice. A copy whose fine noise a later JPEG "
                       "re-compression replaced (flat areas) can look the same: look at the "
                       "two regions.")
            findings.append(Finding(
                code="copy_move.repeated_structure", check=self.name, severity="info",
                confidence="medium",
                message=(f"{len(set_aside)} self-similar region(s) were found and set aside as "
                         "not clones (" + "; ".join(sorted({r['reason'].split(' (')[0]
                                                             for r in set_aside})) +
                         f").{why} Listed for completeness."),
                evidence={"set_aside": set_aside[:8], "discounted_as_print": len(discounted),
                          **sizes}))
        artifacts: tuple[Artifact, ...] = ()
        if res.matches:
            artifacts = (
                Artifact("copy_move_map", "image/png",
                         label_map_png(res.label_map, out_size=(w0, h0)),
                         "Copy-move regions: source blue, pasted copy red, magenta where the "
                         "roles could not be told apart. A map, not a verdict."),
                Artifact("copy_move_mask", "image/png",
                         mask_png(res.tampered_mask(), out_size=(w0, h0)),
                         "White: the pasted copies (both regions when the roles are "
                         "undetermined)."),
            )
        return CheckOutput(findings=tuple(findings), score=round(res.score, 6),
                           working_size=(wd, hd), artifacts=artifacts)
