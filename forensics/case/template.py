"""The commented case-file template ``provenance case init`` writes."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ProvenanceError

TEMPLATE = """\
# provenance case file (version 1).
# Fill it in, then run:  provenance case run case.yaml -o out/
# Times are ISO 8601 with a UTC offset (2025-12-29T21:00:00+03:00 or ...Z).
# Paths are relative to this file's folder. Unknown fields are refused, so typos show up.
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
