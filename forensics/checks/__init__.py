"""The check registry: adding a check is one module plus one line in :data:`CHECKS`."""

from __future__ import annotations

from .base import Check
from .copy_move import CopyMoveCheck
from .double_jpeg import DoubleJpegCheck
from .ela import ElaCheck
from .jpeg_ghost import JpegGhostCheck
from .jpeg_grid import JpegGridCheck
from .jpeg_structure import JpegStructureCheck
from .known_image import KnownImageCheck
from .metadata_check import MetadataCheck
from .noise import NoiseCheck
from .track_check import TrackCheck

CHECKS: tuple[Check, ...] = (
    MetadataCheck(),
    JpegStructureCheck(),
    CopyMoveCheck(),  # first of the pixel checks: its SIFT pyramid is the largest
    DoubleJpegCheck(),  # allocation, so no other check's cached arrays sit beside it
    JpegGhostCheck(),
    JpegGridCheck(),
    ElaCheck(),
    NoiseCheck(),
    KnownImageCheck(),
    TrackCheck(),
)


def get_checks(names: list[str] | tuple[str, ...] | None = None) -> tuple[Check, ...]:
    """The registered checks, or the named subset (unknown names raise ``KeyError``)."""
    if not names:
        return CHECKS
    by_name = {c.name: c for c in CHECKS}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise KeyError(", ".join(missing))
    return tuple(by_name[n] for n in names)


__all__ = ["CHECKS", "Check", "get_checks"]
