"""The demo case: build the generated sample evidence and scan it."""

from __future__ import annotations

import os
from typing import Any

from forensics.scan import scan

from .generate import build_samples


def run_demo(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Build the samples into ``out_dir/evidence`` and return the scan document."""
    sample_set = build_samples(out_dir)
    return scan([str(sample_set.evidence_dir)])
