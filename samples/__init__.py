"""Generated demo evidence for the ``provenance`` walkthrough (see :mod:`samples.generate`).

Everything here is produced by code with fixed seeds; no media is shipped or downloaded.
The public names are loaded lazily, each from the module that defines it, so that
``python -m provenancekit.samples.generate`` does not import the generator twice.
:data:`__all__` here is the one list of them (:mod:`samples.generate` re-exports it).
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {  # public name -> the module of this package that defines it
    "CLAIMED_PLACE": "case",
    "CLAIMED_PLACE_NAME": "case",
    "CLAIMED_TARGET": "case",
    "CLAIMED_TARGET_NAME": "case",
    "CLAIM_TEXT": "case",
    "EVENT_WINDOW": "case",
    "MILITARY_SITE": "case",
    "MILITARY_SITE_NAME": "case",
    "SampleFile": "case",
    "SampleSet": "case",
    "build_samples": "case",
    "ArchiveImage": "archive",
    "build_archive": "archive",
}

__all__ = list(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is not None:
        return getattr(importlib.import_module(f".{home}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
