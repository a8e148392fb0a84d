"""The navigation unit's log, and the geography the demo case is laid out with.

The library's :func:`~provenancekit.forensics.tracks.geo.destination` (spherical Earth, mean
radius) places the samples' GPS fixes; :func:`gpx_track` writes the "NavUnit-7 export" GPX
1.1 track, 30 fixes flying in from the south-west to a point a few hundred metres from
``site``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np

from provenancekit.forensics.tracks.geo import destination


def gpx_track(rng: np.random.Generator, site: tuple[float, float]
              ) -> tuple[bytes, tuple[float, float]]:
    """NavUnit-7 track flying in from the south-west to ``site`` (lat, lon); also its end."""
    n = 30
    end = destination(site, rng.uniform(0, 360), rng.uniform(0.2, 0.6))
    start = destination(end, 232.0 + rng.uniform(-6, 6), 180.0 + rng.uniform(-10, 10))
    t0 = datetime(2025, 12, 29, 19, 8, 30, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        f = i / (n - 1)
        lat = start[0] + (end[0] - start[0]) * f
        lon = start[1] + (end[1] - start[1]) * f
        if 0 < i < n - 1:  # weaving a little, as a low-flying drone does
            lat += rng.normal(0, 0.004)
            lon += rng.normal(0, 0.008)
        ele = 118.0 + (1.0 - f**6) * (180.0 + 40.0 * math.sin(f * 7.0)) + rng.normal(0, 3)
        when = t0 + timedelta(seconds=round(i * 182 + (rng.uniform(-4, 4) if i else 0)))
        rows.append(
            f'      <trkpt lat="{lat:.6f}" lon="{lon:.6f}">'
            f"<ele>{ele:.1f}</ele><time>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        )
    body = "\n".join(rows)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="NavUnit-7 export" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1'
        ' http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
        "  <metadata>\n"
        "    <name>NAV-7 S/N 0413 flight log</name>\n"
        f"    <time>{t0.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>\n"
        "  </metadata>\n"
        "  <trk>\n"
        "    <name>LOG 0007</name>\n"
        "    <trkseg>\n"
        f"{body}\n"
        "    </trkseg>\n"
        "  </trk>\n"
        "</gpx>\n"
    ).encode()
    return text, (round(end[0], 6), round(end[1], 6))
