"""Generated demo evidence for the ``provenance`` walkthrough (see :mod:`samples.generate`).

Everything here is produced by code with fixed seeds; no media is shipped or downloaded.
The public names are loaded lazily so that ``python -m provenancekit.samples.generate`` does
not import the generator twice.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CLAIMED_PLACE",
    "CLAIMED_PLACE_NAME",
    "CLAIMED_TARGET",
    "CLAIMED_TARGET_NAME",
    "CLAIM_TEXT",
    "EVENT_WINDOW",
    "MILITARY_SITE",
    "MILITARY_SITE_NAME",
    "SampleFile",
    "SampleSet",
    "build_samples",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import generate

        return getattr(generate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
