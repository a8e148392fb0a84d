"""JPEG block grid of the pixels: was the picture a JPEG before, on another 8x8 grid?

Method: the non-aligned double-JPEG cue of Qu, Luo & Huang (ICASSP 2008) and Bianchi & Piva
(IEEE TIFS 7(2), 2012), measured as the block-DCT sparsity of the pixels at each of the 64
grid shifts (details, units and choices in :mod:`forensics.editing.grid`). Runs at the
stored resolution on at most ``model.max_crops`` crops of ``model.crop_px`` pixels (a grid
does not survive resizing); for a JPEG file from its luminance coefficients, no decoding.

Findings (codes are stable):

* ``jpeg_grid.shifted_grid`` (low) - a JPEG file whose pixels also carry an 8x8 grid off
  the file's own, at crop offset ``(dx, dy)``: it was JPEG-compressed before and then cropped
  or shifted by that much before this save. History, not manipulation.
* ``jpeg_grid.former_jpeg`` (low) - a non-JPEG file (PNG, TIFF...) whose pixels carry an
  8x8 JPEG grid: it was a JPEG before. History, not manipulation.
* ``jpeg_grid.too_small`` (info) - too few pixels for the measurement.

Blind spots: an earlier grid sharing a row or column phase with a JPEG file's own grid (a
crop along one axis only) is not sought; an earlier compression at a quality close to or
above the last one leaves a weak grid (missed, rarely mislocated); resizing or heavy
filtering erases it.

The local cue (regions whose grid differs from the rest) was built and measured, then left
out: per 64 px window on a 32 px stride (about 1 MP transformed per shift), a region = at
least 2 connected windows agreeing on a non-dominant shift at z >= 4.5. It localised a
region pasted from a JPEG at another offset in synthetic pictures (PNG and JPEG q95), but on
CASIA v1 it drew regions on 3/50 splicings (pixel F1 0.030; 0.000 on the held-out half),
none useful on copy-move, and flagged 2/70 authentic pictures of the calibration half
(single windows of authentic pictures reach z 5-7.5; CASIA's donor regions are mostly
resized or on the host's grid). Not worth its cost (0.21 s per 12 MP) until a corpus shows
it localises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..context import AnalysisContext
from ..editing.grid import GridModel, GridResult, grid_of_coefficients, grid_of_pixels
from ..model import CheckOutput, EvidenceItem, Finding
from ..sniff import IMAGE_TYPES
from .base import Check

NAME = "jpeg_grid"


@dataclass(frozen=True)
class JpegGridParams:
    """Parameters of the JPEG-grid check (the one place they live)."""

    model: GridModel = field(default_factory=GridModel)
    """Crop size and count, AC clip."""
    min_z_jpeg: float = 5.0
    """A JPEG file's earlier grid is reported when its sparsity dip reaches this many
    standard deviations of the 48 other candidate shifts (synthetic single-compressed
    pictures reach 4.0 at most, camera originals: see the module's measured figures)."""
    min_z_other: float = 4.5
    """A non-JPEG file's grid is reported at this z over the 63 other shifts (pictures
    never JPEG-compressed reach 2.7 in the synthetic test set)."""


class JpegGridCheck(Check):
    name = NAME
    version = "0.1.0"
    description = ("8x8 JPEG grid of the pixels (non-aligned double JPEG, Bianchi & Piva "
                   "2012): an earlier JPEG compression on another grid, or before a PNG/TIFF")
    params = JpegGridParams()

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in IMAGE_TYPES

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: JpegGridParams = self.params
        is_jpeg = ctx.item.media_type == "image/jpeg"
        res: GridResult | None
        if is_jpeg:
            coefs = ctx.coefficients()
            res = grid_of_coefficients(coefs, model=p.model)
            size = (coefs.width, coefs.height)
        else:
            rgb = ctx.rgb(None)
            res = grid_of_pixels(rgb, model=p.model)
            size = (rgb.shape[1], rgb.shape[0])
        if res is None:
            f = self._f("jpeg_grid.too_small", "info", "high",
                        "Too few pixels to locate a JPEG block grid (at least 24 x 24 needed).",
                        {"width": size[0], "height": size[1]})
            return CheckOutput(findings=(f,), score=None, working_size=size)
        work = (max(b[2] - b[0] for b in res.crops), max(b[3] - b[1] for b in res.crops))
        ev = {"crop_offset": list(res.offset), "grid_shift": list(res.shift), "z": res.z,
              "contrast": res.contrast, "candidates": res.candidates,
              "crops": [list(b) for b in res.crops],
              "min_z": p.min_z_jpeg if is_jpeg else p.min_z_other}
        found: list[Finding] = []
        dx, dy = res.offset
        if is_jpeg and res.z >= p.min_z_jpeg:
            found.append(self._f(
                "jpeg_grid.shifted_grid", "low", "high" if res.z >= 2 * p.min_z_jpeg
                else "medium",
                f"Besides the file's own 8x8 JPEG grid, the pixels carry another one at crop "
                f"offset ({dx}, {dy}) (sparsity dip {res.z:.1f} standard deviations below the "
                f"other {res.candidates - 1} candidate shifts): the picture was JPEG-compressed "
                f"before, then cropped or shifted by {dx} pixel(s) horizontally and {dy} "
                "vertically, and saved again. This is history (cropping is routine), not "
                "proof of manipulation.", ev))
        elif not is_jpeg and res.z >= p.min_z_other:
            found.append(self._f(
                "jpeg_grid.former_jpeg", "low", "high" if res.z >= 2 * p.min_z_other
                else "medium",
                f"This {ctx.item.media_type} file's pixels carry an 8x8 JPEG block grid at "
                f"crop offset ({dx}, {dy}) (sparsity dip {res.z:.1f} standard deviations "
                f"below the other {res.candidates - 1} shifts): it was a JPEG before it was "
                "saved in this format. This is history, not proof of manipulation.", ev))
        return CheckOutput(findings=tuple(found), score=None, working_size=work)

