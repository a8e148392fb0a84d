"""The release analysis' parameters: one frozen dataclass, recorded in every result."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

VERSION = "1.0.0"
"""Version of the release analysis (``release.version`` in the scan document)."""


@dataclass(frozen=True)
class ReleaseParams:
    """Thresholds of the release analysis (``release.params`` in the document)."""

    place_radius_m: float = 300.0
    """Two pictures are at one place when their GPS positions are this close (single link)."""
    place_gap_s: float = 3600.0
    """... and at one time when their capture times are this close."""
    place_min_members: int = 3
    """A place/time cluster is reported as a finding from this many pictures."""
    all_within_m: float = 300.0
    """'All N positioned pictures lie within this radius of their centre' is said from
    ``all_within_min`` pictures."""
    all_within_min: int = 3
    counter_rollover_fraction: float = 0.1
    """A file-name counter falling from the top tenth of its digits' range to the bottom
    tenth is read as a roll-over (DSC_9999 -> DSC_0001), not as a contradiction."""
    table_rows: int = 200
    """At most this many rows per counter/time table in the document."""
    max_findings_per_code: int = 50
    """At most this many release findings of one code (the rest are counted)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
