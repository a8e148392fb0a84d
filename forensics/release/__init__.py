"""Release analysis (issue 18): one release, one story?

Across all the files of one scan: same-source clusters (device, pipeline, signer,
place/time), lineage (which file was made from which), and counters against capture times,
with release-level findings citing item paths. Pure functions over the stored item dicts
(:func:`analyse_release`); see :mod:`.clusters`, :mod:`.lineage`, :mod:`.counters`,
:mod:`.findings`.
"""

from __future__ import annotations

from .analyse import KINDS, analyse_release, with_release
from .params import VERSION, ReleaseParams

__all__ = ["KINDS", "VERSION", "ReleaseParams", "analyse_release", "with_release"]
