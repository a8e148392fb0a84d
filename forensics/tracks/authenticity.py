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
shorter than ``min_leg_m``) are left out, since a parked receiver's fixes say little.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .consistency import time_seconds
from .geo import EARTH_RADIUS_KM
from .model import TrackPoint


def smoothness(points: Sequence[TrackPoint], *, min_leg_m: float = 1.0,
               straight_m: float = 0.05, same_speed_mps: float = 0.02) -> dict[str, Any]:
    """Deviation and speed-change statistics of a path's consecutive timed triplets.

    ``straight_m``: a middle point closer than this to its neighbours' line is "on the line";
    ``same_speed_mps``: two legs whose speeds differ by less are "at the same speed" (1e-7
    degree coordinates resolve ~1 cm, so both limits sit above the rounding).
    Returns counts, fractions and the median deviation (m) and speed change (m/s).
    """
    timed = [(p, time_seconds(p.time)) for p in points if p.kind in ("track", "line", "route")]
    timed = [(p, t[0]) for p, t in timed if t is not None]
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
    dv = np.abs(l2 / np.where(dt2 > 0, dt2, 1) - l1 / np.where(dt1 > 0, dt1, 1))
    cross, dv = cross[ok], dv[ok]
    on_line = cross < straight_m
    same = dv < same_speed_mps
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
                   "same_speed_mps": same_speed_mps},
    }
