"""What one copy-move detection run returns: the verified copies and the run's measurements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np


@dataclass(frozen=True)
class CloneMatch:
    """One verified copy: where from, where to, how it was transformed, how sure."""

    source_bbox: tuple[int, int, int, int]
    """x0, y0, x1, y1 in stored-picture pixels."""
    target_bbox: tuple[int, int, int, int]
    transform: tuple[tuple[float, float, float], tuple[float, float, float]]
    """2x3 affine, source -> target, stored-picture pixels."""
    rotation_deg: float
    scale: float
    reflected: bool
    translation: tuple[float, float]
    area_fraction: float
    """Fraction of the picture covered by the target region."""
    method: str
    """``keypoints``, ``blocks`` or ``keypoints+blocks`` (what proposed the transform)."""
    inliers: int
    """Matched keypoint pairs consistent with the transform (0 for block candidates)."""
    zncc_median: float
    residual_median: float
    """Median colour difference between the two regions, grey levels."""
    exact_fraction: float
    periodic_fraction: float | None
    """Fraction of the region whose content repeats once more (``None``: not measurable)."""
    competitor_margin: float
    score: float
    roles: str
    """``determined`` (source and target told apart by the JPEG grid) or ``undetermined``."""
    role_evidence: dict[str, Any] = field(default_factory=dict)
    noise_correlation: float | None = None
    """Pearson r of the two regions' fine residuals at their interior pixels, which a pixel
    copy carries along and two instances of a print do not (``None``: not measurable)."""
    noise_pixels: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_bbox": list(self.source_bbox), "target_bbox": list(self.target_bbox),
            "transform": [list(r) for r in self.transform],
            "rotation_deg": round(self.rotation_deg, 2), "scale": round(self.scale, 4),
            "reflected": self.reflected,
            "translation": [round(self.translation[0], 2), round(self.translation[1], 2)],
            "area_fraction": round(self.area_fraction, 5), "method": self.method,
            "inliers": self.inliers, "zncc_median": round(self.zncc_median, 4),
            "residual_median": round(self.residual_median, 3),
            "exact_fraction": round(self.exact_fraction, 4),
            "periodic_fraction": None if self.periodic_fraction is None
            else round(self.periodic_fraction, 4),
            "competitor_margin": round(self.competitor_margin, 4),
            "score": round(self.score, 4), "roles": self.roles,
            "role_evidence": self.role_evidence,
            "noise_correlation": None if self.noise_correlation is None
            else round(self.noise_correlation, 3),
            "noise_pixels": self.noise_pixels,
        }


@dataclass(frozen=True)
class CopyMoveResult:
    """Everything one detection run measured."""

    matches: tuple[CloneMatch, ...]
    score: float
    """Highest match score (0 when no candidate verified)."""
    label_map: np.ndarray
    """uint8 map at ``working_size``: 0 nothing, 1 source, 2 target, 3 undetermined role."""
    working_size: tuple[int, int]
    """(width, height) of the verification/localisation image."""
    keypoint_size: tuple[int, int]
    block_size: tuple[int, int]
    stored_size: tuple[int, int]
    keypoints: int
    keypoint_matches: int
    candidates: int
    rejected: tuple[dict[str, Any], ...]
    """Verified-looking candidates that were refused, with the reason (e.g. periodic) and
    their measurements; ``discounted`` is true for those the repeated-print rule refused."""
    notes: tuple[str, ...]

    def tampered_mask(self, size: tuple[int, int] | None = None) -> np.ndarray:
        """Boolean mask of the pasted copies (targets, or both regions when the roles are
        undetermined), at ``size`` = (width, height) (default: the working size)."""
        m = (self.label_map >= 2).astype(np.uint8)
        if size is not None and size != self.working_size:
            m = cv2.resize(m, size, interpolation=cv2.INTER_NEAREST)
        return m.astype(bool)

    def region_mask(self, size: tuple[int, int] | None = None) -> np.ndarray:
        """Both regions of every match (source and target)."""
        m = (self.label_map > 0).astype(np.uint8)
        if size is not None and size != self.working_size:
            m = cv2.resize(m, size, interpolation=cv2.INTER_NEAREST)
        return m.astype(bool)
