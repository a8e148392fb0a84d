"""Great-circle geometry (WGS-84 sphere approximation): the one place distances are computed.

Distances use the haversine formula on a sphere of the mean Earth radius (IUGG,
6371.0088 km): the error against the WGS-84 ellipsoid is below 0.5 %, far finer than any
question this report answers ("is the track's end 0.4 km or 33 km from the target?").
Bearings are initial great-circle bearings in degrees clockwise from true north.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius in km (IUGG)."""

LatLon = tuple[float, float]


def haversine_km(a: LatLon, b: LatLon) -> float:
    """Great-circle distance in km between two (lat, lon) points in decimal degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def destination(start: LatLon, bearing_deg: float, km: float) -> LatLon:
    """The point ``km`` from ``start`` along the great circle leaving it at ``bearing_deg``
    (degrees clockwise from true north): the direct geodesic problem on the sphere."""
    lat1, lon1 = math.radians(start[0]), math.radians(start[1])
    brg, d = math.radians(bearing_deg), km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(brg))
    lon2 = lon1 + math.atan2(math.sin(brg) * math.sin(d) * math.cos(lat1),
                             math.cos(d) - math.sin(lat1) * math.sin(lat2))
    return math.degrees(lat2), math.degrees(lon2)


def legs_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Haversine km between consecutive points of arrays of decimal degrees: the vectorised
    form of :func:`haversine_km` (same formula and radius; a test holds them equal)."""
    if lat.size < 2:
        return np.zeros(0)
    la, lo = np.radians(lat), np.radians(lon)
    h = (np.sin(np.diff(la) / 2) ** 2
         + np.cos(la[:-1]) * np.cos(la[1:]) * np.sin(np.diff(lo) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def path_length_km(lat: np.ndarray, lon: np.ndarray) -> float:
    """Along-path length in km of a polyline (sum of :func:`legs_km`)."""
    return float(legs_km(lat, lon).sum())


def map_extent(core: list[LatLon], others: list[LatLon], *, min_reach_km: float = 1.0,
               others_factor: float = 3.0, others_min_km: float = 5.0
               ) -> dict[str, object] | None:
    """What a map of a case should show: the centre of the ``core`` points (places, targets,
    tracks), their greatest distance from it (``reach_km``, at least ``min_reach_km``), the
    distance of each of the ``others`` (photo positions) from the centre (``others_km``) and
    which lie within ``others_factor`` x reach, at least ``others_min_km`` (``others_shown``),
    so that one far-off photo does not shrink the map to a dot. ``None`` when there is
    nothing to show. Plain data for the report renderer, which draws it."""
    pts = core or others
    if not pts:
        return None
    centre = (sum(c[0] for c in pts) / len(pts), sum(c[1] for c in pts) / len(pts))
    reach = max([haversine_km(centre, c) for c in pts] + [min_reach_km])
    limit = max(others_factor * reach, others_min_km)
    km = [haversine_km(centre, o) for o in others]
    near = [i for i, d in enumerate(km) if d <= limit]
    return {"centre": [centre[0], centre[1]], "reach_km": reach, "others_shown": near,
            "others_km": km}


def bearing_deg(a: LatLon, b: LatLon) -> float:
    """Initial great-circle bearing from ``a`` to ``b``, degrees in [0, 360)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def angle_diff_deg(a: float, b: float) -> float:
    """Smallest absolute difference between two bearings, degrees in [0, 180]."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def compass(bearing: float) -> str:
    """A bearing as one of 16 compass points (N, NNE, NE, ...)."""
    points = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
              "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
    return points[int((bearing % 360.0) / 22.5 + 0.5) % 16]


def point_segment_km(p: LatLon, a: LatLon, b: LatLon) -> tuple[float, float]:
    """Distance in km from ``p`` to the segment ``a``-``b`` and the position along it (0..1).

    Uses a local equirectangular projection centred on ``p``: exact enough for segments
    of a few hundred km away from the poles (track legs are far shorter).
    """
    lat0 = math.radians(p[0])
    kx = math.cos(lat0) * math.pi / 180.0 * EARTH_RADIUS_KM
    ky = math.pi / 180.0 * EARTH_RADIUS_KM

    def xy(q: LatLon) -> tuple[float, float]:
        dlon = (q[1] - p[1] + 540.0) % 360.0 - 180.0
        return dlon * kx, (q[0] - p[0]) * ky

    ax, ay = xy(a)
    bx, by = xy(b)
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    t = 0.0 if seg2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / seg2))
    cx, cy = ax + t * dx, ay + t * dy
    if seg2 == 0 or t in (0.0, 1.0):  # an end point: use the exact great-circle distance
        return haversine_km(p, a if t == 0.0 else b), t
    return math.hypot(cx, cy), t


def valid_latlon(lat: float, lon: float) -> bool:
    """True for finite coordinates inside [-90, 90] x [-180, 180]."""
    return (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0
            and -180.0 <= lon <= 180.0)
