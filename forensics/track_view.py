"""One navigation file on its own (``provenance track show``): the track check's findings (summary,
mission, signs of a fabricated or damaged log) and the measurements a map and a profile are
drawn from, as one JSON document (``provenance.track/1``, schema
``reports/schema/track.schema.json``).

The file goes through the batch driver like every file the tool analyses (a worker process with
the per-file timeout and memory limit); the measurements are the track check's own
``track.against_claim`` evidence, taken with an empty claim (no target, no sites), so what is
shown here is exactly what a case run would measure.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .batch import BatchOptions, scan_one
from .checks import get_checks
from .context import Claim
from .errors import ProvenanceError
from .scan import tool_info
from .tracks.analyse import drawn_points
from .tracks.geo import map_extent

SCHEMA = "provenance.track/1"


class NotATrackError(ProvenanceError):
    """The file was read but is not navigation data the track check understands."""


def show_track(path: str, *, options: BatchOptions | None = None) -> dict[str, Any]:
    """The track document of one file. Raises :class:`NotATrackError` (naming the file and the
    reason) when the file is unreadable or not a track."""
    base = options or BatchOptions()
    opts = replace(base, scan=replace(base.scan, claim=Claim()))
    item = scan_one(path, checks=get_checks(["track"]), options=opts)
    if item.get("status") == "error":
        err = item.get("error") or {}
        raise NotATrackError(err.get("message") or f"{path}: cannot be read", path=path,
                             code=err.get("code") or "unreadable")
    analysis = next((f.get("evidence") for f in item.get("findings") or []
                     if f.get("code") == "track.against_claim"), None)
    if analysis is None:
        raise NotATrackError(f"{path}: not navigation data this tool reads (typed as "
                             f"{item.get('media_type') or 'unknown'})", path=path,
                             code="not_a_track")
    findings = [f for f in item.get("findings") or [] if f.get("code") != "track.against_claim"]
    extent = map_extent(drawn_points(analysis), [])
    if extent is not None:
        extent.pop("others_shown")
        extent.pop("others_km")
    return {"schema": SCHEMA, "tool": tool_info(), "path": item.get("path"),
            "sha256": item.get("sha256"), "size": item.get("size"),
            "media_type": item.get("media_type"), "triage": item.get("triage"),
            "findings": findings, "track": analysis, "map": extent, "scan": item}
