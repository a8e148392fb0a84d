"""The commented case-file template ``provenance case init`` writes, and its placeholders.

Every value the template holds is an example to overwrite, except the few that are real
defaults (:data:`REAL_DEFAULTS`: the version, ``author_type``, the radii, an evidence item's
``id`` and ``file``, the empty ``review.media``). :func:`placeholders` lists the others, read
from the template itself so the two cannot drift apart; :func:`forensics.case.casefile.load_case`
refuses a case file in which any of them is left as it was (issue 14, item 7: ``case init``
then ``case run`` produced a report about a claim at 0, 0 by "Who made it").

2026-12 notes. Compared: text (stripped), times (the same instant: ``2025-01-01T15:00+03:00``
is still the template's noon UTC), and a place's position as a pair (lat 0.0 *and* lon 0.0:
one coordinate at 0 is a real equator or meridian place). A list item of the template
(``sites[0]``, ``evidence[0]``, ``claim.appearance[0]``) is the pattern of every item of that
list, so a copied-and-not-edited second evidence block is caught too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ProvenanceError

TEMPLATE = """\
# provenance case file (version 1).
# Fill it in, then run:  provenance case run case.yaml -o out/
# Times are ISO 8601 with a UTC offset (2025-12-29T21:00:00+03:00 or ...Z).
# Paths are relative to this file's folder, and evidence must be inside it (put the files
# in evidence/). Unknown fields are refused, so typos show up. Every example value below
# must be replaced (or its optional block removed): a case still holding one is refused.
version: 1
title: "Short name of the case"

claim:
  text: "The claim exactly as it was made."
  author: "Who made it (a ministry, a spokesperson, an account)"
  author_type: Organization        # or Person
  date: 2025-01-01T12:00:00+00:00  # when it was made
  appearance:                      # where it was published
    - url: https://example.org/where-the-claim-appeared
      published: 2025-01-01T12:00:00+00:00
      title: "Headline or post title"

asserts:                           # what the claim says happened
  event:                           # the time window of the event
    start: 2025-01-01T00:00:00+00:00
    end: 2025-01-01T06:00:00+00:00
  place:                           # where (a point and a radius in km)
    name: "Named place"
    lat: 0.0
    lon: 0.0
    radius_km: 2
  target:                          # what was allegedly aimed at (optional)
    name: "Alleged target"
    lat: 0.0
    lon: 0.0
    radius_km: 1

sites:                             # other places to measure against (rival explanations)
  - name: "Other named site"
    lat: 0.0
    lon: 0.0
    note: "Why it matters"

# known_imagery:
#   index: known.sqlite            # a known-imagery index to search for recycled pictures

evidence:                          # each released file, as obtained
  - id: E1
    file: evidence/photo1.jpg
    obtained_from: https://example.org/where-you-got-it
    obtained_at: 2025-01-02T09:00:00+00:00
    purports: "What the release says the file shows"
  # - id: E2
  #   file: evidence/track.gpx      # GPX, KML, KMZ, CSV (lat,lon[,time]) or GeoJSON
  #   kind: track                   # auto (default), image, track or document

review:                            # filled in by YOU after reading the report
  reviewer: "Your name"
  organization: "Your organisation"
  organization_url: https://example.org
  # rating: unverified             # verified / likely / possible / unverified / false
  # rating_explanation: "One sentence on why."
  # url: https://example.org/your-fact-check
  # published: 2025-01-03T10:00:00+00:00
  media: {}                        # per evidence id: OriginalMediaContent,
                                   # EditedOrCroppedContent, DecontextualizedContent,
                                   # TransformedContent, StagedContent, SatireOrParodyContent
"""


REAL_DEFAULTS = frozenset({
    ("version",), ("claim", "author_type"), ("asserts", "place", "radius_km"),
    ("asserts", "target", "radius_km"), ("evidence", "*", "id"), ("evidence", "*", "file"),
    ("review", "media")})
"""Template values that are real defaults, kept as written (``*``: any list item). An
evidence ``file`` left as ``evidence/photo1.jpg`` is a real name once such a file exists."""
OPTIONAL = frozenset({("claim", "date"), ("claim", "appearance"), ("asserts", "target"),
                      ("sites",), ("evidence", "*", "obtained_from"),
                      ("evidence", "*", "obtained_at"), ("evidence", "*", "purports"),
                      ("review",)})
"""Where a placeholder may be removed instead of filled (a field, or the block it is in)."""


@dataclass(frozen=True)
class Placeholder:
    """One example value of the template that a case file must not keep."""

    path: tuple[str, ...]
    """Field path; ``"*"`` stands for any item of a list."""
    kind: str
    """``text``, ``time`` or ``position`` (a place's ``lat`` and ``lon`` together)."""
    value: Any
    """The template's value: text, an aware ``datetime``, or a ``(lat, lon)`` pair."""
    optional: bool
    """The field (or its block) may be removed instead of filled."""


def _optional(path: tuple[str, ...]) -> bool:
    return any(path[:len(o)] == o for o in OPTIONAL)


def _walk(value: Any, path: tuple[str, ...], out: list[Placeholder]) -> None:
    if isinstance(value, dict):
        if "lat" in value and "lon" in value:
            out.append(Placeholder(path, "position", (float(value["lat"]),
                                                      float(value["lon"])), _optional(path)))
        for key, sub in value.items():
            if key not in ("lat", "lon") or not ("lat" in value and "lon" in value):
                _walk(sub, (*path, str(key)), out)
    elif isinstance(value, list):
        for sub in value[:1]:  # the template's first item is the pattern of every item
            _walk(sub, (*path, "*"), out)
    elif path in REAL_DEFAULTS:
        return
    elif isinstance(value, (datetime, date)):
        out.append(Placeholder(path, "time", value, _optional(path)))
    elif isinstance(value, str):
        out.append(Placeholder(path, "text", value.strip(), _optional(path)))


@cache
def placeholders() -> tuple[Placeholder, ...]:
    """The template's example values (everything but :data:`REAL_DEFAULTS`), in file order."""
    out: list[Placeholder] = []
    _walk(yaml.safe_load(TEMPLATE), (), out)
    return tuple(out)


def template_text() -> str:
    return TEMPLATE


def write_template(folder: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``folder/case.yaml`` (and ``folder/evidence/``); refuses to overwrite."""
    d = Path(folder)
    target = d / "case.yaml"
    if target.exists() and not overwrite:
        raise ProvenanceError(f"{target}: already exists; not overwritten", path=str(target),
                              code="exists")
    try:
        (d / "evidence").mkdir(parents=True, exist_ok=True)
        target.write_text(TEMPLATE, encoding="utf-8")
    except OSError as exc:
        raise ProvenanceError(f"{target}: cannot be written ({exc.strerror or exc})",
                              path=str(target), code="unwritable") from exc
    return target
