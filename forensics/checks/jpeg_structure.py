"""JPEG structure: quantization tables, encoder family, subsampling, progressive, restarts.

Findings (codes are stable):

* ``jpeg.structure`` (info) - what the file's JPEG headers say: estimated IJG quality,
  encoder family of the tables, chroma subsampling, progressive or baseline, restart markers.
* ``jpeg.editor_tables_with_camera_exif`` (medium, high confidence) - the quantization tables
  are an editor's (Adobe Photoshop / Lightroom signatures) while EXIF names a camera: the
  pixels were re-encoded by that editor after the camera wrote them. This does not depend on
  the Software tag, which is easy to remove; it does not say *what* was changed.
* ``jpeg.editor_tables`` (low) - editor tables and no camera named.
* ``jpeg.standard_tables_with_camera_exif`` (info) - standard IJG tables while EXIF names a
  camera: typical of a re-save by libjpeg-based software (GIMP, ImageMagick, web platforms),
  but some cameras and phones use these tables too, so it is information, not an accusation.

Table signatures are data (:mod:`forensics.editing.jpeg_signatures`, after ExifTool's
JPEGDigest); IJG tables are recognised by formula. Only marker segments are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..context import AnalysisContext
from ..editing.jpeg_tables import identify_tables, read_dqt
from ..metadata.jpeg import subsampling_name
from ..model import CheckOutput, EvidenceItem
from .base import Check

NAME = "jpeg_structure"


@dataclass(frozen=True)
class JpegStructureParams:
    """Parameters of the JPEG structure check (the one place they live)."""

    score_editor_with_camera: float = 0.95
    """Score when editor tables meet camera EXIF. Fixed by rule, not fitted: on CASIA v1
    every Photoshop-table file is a forgery, but the rule's meaning is "re-encoded by an
    editor", which is certain from the tables alone."""
    score_editor: float = 0.8
    """Score for editor tables without a camera claim."""
    score_standard_with_camera: float = 0.5
    """Score for IJG tables with camera EXIF (ambiguous: some cameras use IJG tables)."""
    score_other: float = 0.05
    """Score for camera or custom tables (consistent with a camera original)."""


def _camera_claim(ctx: AnalysisContext) -> dict[str, str] | None:
    try:
        summary = ctx.metadata.summary
    except Exception:  # noqa: BLE001 - metadata problems are the metadata check's to report
        return None
    make, model = summary.get("make"), summary.get("model")
    if not make and not model:
        return None
    return {"make": make or "", "model": model or ""}


def describe_structure(data: bytes, walk: dict[str, Any] | None) -> dict[str, Any]:
    """The table identification plus the marker walk's frame facts, as one evidence dict."""
    dqt = read_dqt(data)
    ident = identify_tables(dqt["segments"], dqt["sampling"], dqt["tables"])
    walk = walk or {}
    factors = walk.get("sampling") or []
    return {
        **ident,
        "tables": {str(k): v for k, v in sorted(dqt["tables"].items())},
        "table_precision_bits": {str(k): v for k, v in sorted(dqt["precision"].items())},
        "subsampling": subsampling_name(factors) if factors else None,
        "sampling_factors": factors,
        "process": walk.get("process"),
        "progressive": bool(walk.get("process") and "progressive" in walk["process"]),
        "restart_interval": walk.get("restart_interval"),
        "components": walk.get("components"),
        "width": walk.get("width"),
        "height": walk.get("height"),
        "problems": list(dqt["problems"]),
    }


class JpegStructureCheck(Check):
    name = NAME
    version = "1.0.0"
    description = ("JPEG quantization tables -> quality and encoder family (IJG / editor / "
                   "camera), subsampling, progressive, restart markers")
    params = JpegStructureParams()
    screening = True

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type == "image/jpeg"

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        p: JpegStructureParams = self.params
        ev = describe_structure(ctx.data, ctx.jpeg)
        camera = _camera_claim(ctx)
        ev["camera_claimed_by_exif"] = camera
        family = ev["family"]
        quality = (ev["estimated_quality"] or {}).get("quality")
        found = [self._f("jpeg.structure", "info", "high", self._summary(ev), ev)]
        score = p.score_other
        if family == "editor" and camera:
            score = p.score_editor_with_camera
            found.append(self._f(
                "jpeg.editor_tables_with_camera_exif", "medium", "high",
                f"The quantization tables are those of {ev['matches'][0]}"
                f"{' (or ' + ', '.join(ev['matches'][1:]) + ')' if len(ev['matches']) > 1 else ''}"
                f", while EXIF names the camera {camera['make']} {camera['model']}".rstrip()
                + ". Cameras do not write these tables: the picture was re-encoded by that "
                "editor after it left the camera. The tables show a re-save, not what (if "
                "anything) was changed.",
                {"matches": ev["matches"], "digest": ev["digest"], "camera": camera,
                 "estimated_quality": quality}))
        elif family == "editor":
            score = p.score_editor
            found.append(self._f(
                "jpeg.editor_tables", "low", "high",
                f"The quantization tables are those of {', '.join(ev['matches'])}: the file "
                "was last encoded by that editor.",
                {"matches": ev["matches"], "digest": ev["digest"],
                 "estimated_quality": quality}))
        elif family == "ijg_standard" and camera:
            score = p.score_standard_with_camera
            found.append(self._f(
                "jpeg.standard_tables_with_camera_exif", "info", "medium",
                f"The quantization tables are the standard IJG (libjpeg) tables at quality "
                f"{quality}, while EXIF names {camera['make']} {camera['model']}".rstrip()
                + ". Most cameras write tables of their own, so this is typical of a re-save "
                "by libjpeg-based software (GIMP, ImageMagick, Pillow, web platforms); some "
                "cameras and phones do use IJG tables, so it is not proof of editing.",
                {"estimated_quality": quality, "camera": camera}))
        return CheckOutput(findings=tuple(found), score=score)

    @staticmethod
    def _summary(ev: dict[str, Any]) -> str:
        q = ev["estimated_quality"] or {}
        family = {"ijg_standard": "standard IJG (libjpeg) tables",
                  "editor": "editor tables (" + ", ".join(ev["matches"][:2]) + ")",
                  "camera": "camera tables (" + ", ".join(ev["matches"][:2]) + ")",
                  "custom": "tables of no known signature (most cameras write their own)",
                  "none": "no quantization tables"}[ev["family"]]
        parts = [f"JPEG {ev['process'] or 'of unknown process'}",
                 f"estimated quality {q.get('quality')}" if q else "quality unknown",
                 family]
        if ev["subsampling"]:
            parts.append(f"chroma {ev['subsampling']}")
        if ev["restart_interval"]:
            parts.append(f"restart markers every {ev['restart_interval']} MCUs")
        return "; ".join(parts) + "."

