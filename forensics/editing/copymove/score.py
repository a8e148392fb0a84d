"""The calibrated score of a verified match: a logistic over its measured features."""

from __future__ import annotations

import math
from typing import Any

from .params import CopyMoveParams
from .verify import _Verified


def _score(v: _Verified, p: CopyMoveParams) -> float:
    w = p.score_weights
    x = (1.0,) + match_features(v)
    s = sum(wi * xi for wi, xi in zip(w, x, strict=True))
    return float(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, s)))))


AREA_FEATURE_CAP = 2.5
"""ln(area fraction x 1000) is capped here (1.2 % of the picture): beyond that a larger
region is not more convincing, and wide areas of natural repetition stop gaining score."""


def match_features(v: Any) -> tuple[float, ...]:
    """The score's input features of a verified candidate (the benchmark fits on these)."""
    return (v.zncc_median, math.log1p(v.residual_median), v.exact_fraction,
            min(math.log(max(v.area_fraction, 1e-6) * 1000.0), AREA_FEATURE_CAP),
            min(v.competitor_margin, 1.0), v.aperture)
