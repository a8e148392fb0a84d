"""Signs that a navigation log was made up rather than recorded: positions too clean to come
from a GNSS receiver.

A receiver's fixes scatter: consecutive positions of a moving vehicle wander off any straight
line by centimetres to metres (multipath, atmosphere, the receiver's filter) and its ground
speed varies from fix to fix (Kaplan & Hegarty, *Understanding GPS/GNSS*, 3rd ed., ch. 7-8:
even RTK fixes carry cm-level noise). A track drawn as straight legs and resampled at a fixed
rate, or interpolated between a few points, has middle points *on* the line through their
neighbours (to the coordinates' rounding) and the same speed on consecutive legs.

:func:`smoothness` measures, over consecutive timed triplets of a moving path, the distance of
the middle point from the line through its neighbours (metres, local equirectangular plane)
and the change of speed between the two legs (m/s); near-stationary triplets (both legs
shorter than ``min_leg_m``) are left out, since a parked receiver's fixes say little. The
speed tolerance grows by what the file's own rounding (coordinates to 1e-7 degree, times to
the millisecond) does to a constant speed over short legs, so a redrawn high-rate flight log
is as clean as a redrawn 1 Hz track.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .consistency import time_resolution_s, time_seconds
from .geo import EARTH_RADIUS_KM
from .model import TrackPoint


def smoothness(points: Sequence[TrackPoint], *, min_leg_m: float = 1.0,
               straight_m: float = 0.05, same_speed_mps: float = 0.02,
               times: Sequence[float] | None = None) -> dict[str, Any]:
    """Deviation and speed-change statistics of a path's consecutive timed triplets.

    ``straight_m``: a middle point closer than this to its neighbours' line is "on the line";
    ``same_speed_mps``: two legs whose speeds differ by less are "at the same speed", plus
    what the file's own rounding can make of a constant speed: ``(2 q + v tau) / dt``, with
    ``q`` the coordinates' quantum (the smallest step between their values: 1e-7 degree,
    ~1 cm, in flight logs; not counted when coarser than ``straight_m``), ``tau`` the times'
    (1 ms for millisecond times; counted only where it is under 5% of the leg's duration)
    and ``dt`` the leg's duration: at 5 fixes a second, rounding alone moves a constant
    speed by ~6 cm/s.
    ``times``: seconds of each point on the unit's own clock, where the file's times are
    another's (a telemetry log's records carry the ground station's arrival times, which
    bunch up; the fixes' own times do not).
    Returns counts, fractions and the median deviation (m) and speed change (m/s).
    """
    if times is not None and len(times) == len(points):
        timed = [(p, float(t)) for p, t in zip(points, times, strict=True)
                 if p.kind in ("track", "line", "route") and math.isfinite(float(t))]
        tau = 1e-6
    else:
        timed = [(p, time_seconds(p.time)) for p in points
                 if p.kind in ("track", "line", "route")]
        timed = [(p, t[0]) for p, t in timed if t is not None]
        res = [time_resolution_s(p.time) for p, _ in timed[:50]]
        tau = min((r for r in res if r), default=1.0)
    if len(timed) < 3:
        return {"triplets": 0}
    lat = np.array([p.lat for p, _ in timed])
    lon = np.array([p.lon for p, _ in timed])
    t = np.array([s for _, s in timed])
    seg = np.array([p.segment for p, _ in timed])
    k = math.cos(math.radians(float(np.median(lat))))
    x = np.radians(lon) * k * EARTH_RADIUS_KM * 1000.0
    y = np.radians(lat) * EARTH_RADIUS_KM * 1000.0
    ax, ay, bx, by, cx, cy = x[:-2], y[:-2], x[1:-1], y[1:-1], x[2:], y[2:]
    l1 = np.hypot(bx - ax, by - ay)
    l2 = np.hypot(cx - bx, cy - by)
    base = np.hypot(cx - ax, cy - ay)
    dt1, dt2 = t[1:-1] - t[:-2], t[2:] - t[1:-1]
    ok = (seg[:-2] == seg[1:-1]) & (seg[1:-1] == seg[2:]) & (dt1 > 0) & (dt2 > 0) \
        & ((l1 >= min_leg_m) | (l2 >= min_leg_m)) & (base > 0)
    if not ok.any():
        return {"triplets": 0}
    cross = np.abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / np.where(base > 0, base, 1)
    v1, v2 = l1 / np.where(dt1 > 0, dt1, 1), l2 / np.where(dt2 > 0, dt2, 1)
    dv = np.abs(v2 - v1)
    q = _quantum_m(lat, lon, k)
    q = q if q <= straight_m else 0.0  # coarser coordinates: no finer test is meaningful
    dt = np.maximum(np.minimum(dt1, dt2), 1e-9)
    # the times' rounding only where they resolve the leg (to 5%): 1 s times of 30 fps
    # video telemetry say nothing of its speed
    t_term = np.where(tau <= dt / 20, np.maximum(v1, v2) * tau, 0.0)
    tol = same_speed_mps + (2 * q + t_term) / dt
    cross, dv, tol = cross[ok], dv[ok], tol[ok]
    on_line = cross < straight_m
    same = dv < tol
    ele = np.array([p.ele for p, _ in timed if p.ele is not None], dtype=float)
    return {
        "triplets": int(ok.sum()),
        "on_line": int(on_line.sum()),
        "same_speed": int(same.sum()),
        "on_line_and_same_speed": int((on_line & same).sum()),
        "fraction_clean": round(float((on_line & same).mean()), 4),
        "median_deviation_m": round(float(np.median(cross)), 4),
        "median_speed_change_mps": round(float(np.median(dv)), 4),
        "altitude_spread_m": round(float(ele.max() - ele.min()), 3) if ele.size else None,
        "limits": {"min_leg_m": min_leg_m, "straight_m": straight_m,
                   "same_speed_mps": same_speed_mps, "coordinate_quantum_m": round(q, 4),
                   "time_quantum_s": tau},
    }


def _quantum_m(lat: np.ndarray, lon: np.ndarray, k: float) -> float:
    """The coordinates' rounding step, metres: the smallest step between distinct values
    (1e-7 degree integers: ~1.1 cm; a float track: ~0)."""
    steps = []
    for v, scale in ((lat, 1.0), (lon, k)):
        u = np.unique(v)
        d = np.diff(u)
        d = d[d > 0]
        if d.size:
            steps.append(float(d.min()) * scale)
    q_deg = min(steps) if steps else 0.0
    return min(math.radians(q_deg) * EARTH_RADIUS_KM * 1000.0, 1.0)
