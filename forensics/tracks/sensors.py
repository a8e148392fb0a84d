"""A flight log's sensors against each other and against its own clock: signs of a log that
was made up or edited rather than recorded.

A flight controller logs several independent sensors (GNSS receiver, barometer, its own
boot clock) at their own rates. Someone who fabricates or edits the positions of a log
rarely rewrites every stream consistently, and a deleted segment leaves a hole in all of
them at once. The readers (:mod:`.mavlink`, :mod:`.ulog`) put the streams they read in
``Track.sensors`` (numpy arrays, one time axis per log, seconds):

``gnss``
    ``t``, ``alt`` (m MSL), ``sats``, ``hdop`` (NaN where not logged), ``lat``, ``lon`` of
    every fix with a 2D/3D fix, in log order; for a tlog also ``fix_t``, the fix's own time
    (``GPS_RAW_INT.time_usec``: the vehicle's clock, where ``t`` is the station's).
``baro``
    ``t``, ``alt`` (m, relative: DataFlash ``BARO.Alt``, PX4 ``baro_alt_meter``, or the ISA
    pressure altitude of MAVLink ``SCALED_PRESSURE.press_abs``).
``clock``
    ``boot_s`` and ``utc_s`` pairs: the unit's boot clock and the GNSS time it logged at
    that moment (DataFlash ``GPS.TimeUS`` vs ``GWk``/``GMS``, MAVLink ``SYSTEM_TIME``, PX4
    ``timestamp`` vs ``time_utc_usec``).
``timeline``
    ``t`` of the densest stream in file order (DataFlash: the most frequent message type
    logged at a rate; MAVLink: every message of the vehicle carrying ``time_boot_ms``; PX4:
    ``vehicle_air_data``), with ``stream`` naming it, plus (MAVLink) ``seq_missing_at``: the
    timeline index after which sequence numbers were missing and how many, and (PX4)
    ``explained``: the ``(time, duration)`` of the dropouts the logger recorded itself.
``simulator``
    Messages only a simulator writes (MAVLink ``SIMSTATE``, DataFlash ``SIM``/``SIM2``) or
    ``PX4_SITL`` hardware: a count.

Measurements (pure functions, numbers only; the track check decides what is a sign):

* :func:`altitude_agreement` - GNSS altitude vs barometric altitude at the same moments. A
  barometer reads height changes to a metre or so and drifts slowly with the weather (about
  8 m per hPa; a front moves a few hPa per hour); GNSS vertical error is a few metres. After
  removing a constant offset and a drift of at most ``max_drift_m_per_h``, real logs agree
  within metres; positions replaced with another track's, a flattened or edited altitude do
  not.
* :func:`gnss_quality` - satellites used and HDOP along a moving track: a receiver's
  constellation changes as the vehicle moves and time passes (HDOP to 0.01 changes every
  few fixes); made-up fixes often carry one value throughout, or none.
* :func:`clock_drift` - GNSS time minus boot time: a real crystal drifts by tens of ppm and
  the GNSS message latency jitters by tens of milliseconds, so the offset is a straight
  line to well under a second; times edited on one stream and not the other step it.
* :func:`timeline_gaps` - holes and backward steps of the densest stream's boot time: an
  on-board logger writes continuously while it logs, so a hole of seconds in a stream
  logged tens of times a second is a deleted segment (or, on a telemetry link, an outage).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .geo import EARTH_RADIUS_KM

SIMULATOR_MESSAGES = ("SIMSTATE", "SIM", "SIM2", "SITL")
"""Message types only a software-in-the-loop simulator writes (ArduPilot SITL)."""


def pressure_altitude_m(press_hpa: np.ndarray) -> np.ndarray:
    """ISA pressure altitude (m) from static pressure (hPa): 44330.77 (1 - (p/1013.25)^0.19026)
    (the formula of the ICAO standard atmosphere below 11 km)."""
    p = np.asarray(press_hpa, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 44330.77 * (1.0 - np.power(np.clip(p, 1e-3, None) / 1013.25, 0.190263))


def _finite(*arrays: np.ndarray) -> np.ndarray:
    ok = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        ok &= np.isfinite(a)
    return ok


def altitude_agreement(gnss: dict[str, np.ndarray] | None, baro: dict[str, np.ndarray] | None,
                       *, max_pair_gap_s: float = 1.0,
                       max_drift_m_per_h: float = 30.0) -> dict[str, Any]:
    """GNSS altitude against barometric altitude, paired by time (the barometer interpolated
    at each fix whose nearest barometer sample is within ``max_pair_gap_s``).

    The difference is fitted with an offset and a drift clipped to ``max_drift_m_per_h``
    (the most the weather moves a barometer: ~4 hPa/h); returns the pairs, both vertical
    ranges, the fitted drift and the residual's median, 95th percentile and maximum (m),
    and where the worst residual is."""
    if not gnss or not baro or len(gnss.get("t", ())) == 0 or len(baro.get("t", ())) < 2:
        return {"pairs": 0}
    gt, ga = np.asarray(gnss["t"], float), np.asarray(gnss["alt"], float)
    bt, ba = np.asarray(baro["t"], float), np.asarray(baro["alt"], float)
    ok = _finite(bt, ba)
    bt, ba = bt[ok], ba[ok]
    if bt.size < 2:
        return {"pairs": 0}
    order = np.argsort(bt, kind="stable")
    bt, ba = bt[order], ba[order]
    ok = _finite(gt, ga) & (gt >= bt[0]) & (gt <= bt[-1])
    gt, ga = gt[ok], ga[ok]
    if gt.size == 0:
        return {"pairs": 0}
    i = np.clip(np.searchsorted(bt, gt), 1, bt.size - 1)
    near = np.minimum(np.abs(bt[i] - gt), np.abs(bt[i - 1] - gt))
    keep = near <= max_pair_gap_s
    gt, ga = gt[keep], ga[keep]
    if gt.size == 0:
        return {"pairs": 0}
    bi = np.interp(gt, bt, ba)
    diff = ga - bi
    span_h = float(gt[-1] - gt[0]) / 3600.0
    slope = 0.0
    if gt.size >= 3 and span_h > 0:
        slope = float(np.polyfit(gt - gt[0], diff, 1)[0]) * 3600.0
    slope = max(-max_drift_m_per_h, min(max_drift_m_per_h, slope))
    trend = slope * (gt - gt[0]) / 3600.0
    offset = float(np.median(diff - trend))
    res = np.abs(diff - trend - offset)
    worst = int(np.argmax(res))
    return {
        "pairs": int(gt.size),
        "span_s": round(float(gt[-1] - gt[0]), 3),
        "gnss_range_m": round(float(ga.max() - ga.min()), 2),
        "baro_range_m": round(float(bi.max() - bi.min()), 2),
        "offset_m": round(offset, 2),
        "drift_m_per_h": round(slope, 2),
        "residual_median_m": round(float(np.median(res)), 2),
        "residual_p95_m": round(float(np.percentile(res, 95)), 2),
        "residual_max_m": round(float(res[worst]), 2),
        "worst": {"t": round(float(gt[worst]), 3), "gnss_alt_m": round(float(ga[worst]), 2),
                  "baro_alt_m": round(float(bi[worst]), 2)},
        "limits": {"max_pair_gap_s": max_pair_gap_s, "max_drift_m_per_h": max_drift_m_per_h},
    }


def gnss_quality(gnss: dict[str, np.ndarray] | None) -> dict[str, Any]:
    """Satellites used and HDOP along the fixes: how many distinct values, how many fixes
    log none, over how long and how far (m, straight line between the extreme fixes of the
    bounding box diagonal)."""
    if not gnss or len(gnss.get("t", ())) == 0:
        return {"fixes": 0}
    t = np.asarray(gnss["t"], float)
    lat, lon = np.asarray(gnss["lat"], float), np.asarray(gnss["lon"], float)
    sats = np.asarray(gnss.get("sats", np.full(t.size, np.nan)), float)
    hdop = np.asarray(gnss.get("hdop", np.full(t.size, np.nan)), float)
    sats_ok = np.isfinite(sats) & (sats > 0) & (sats < 255)
    hdop_ok = np.isfinite(hdop) & (hdop > 0) & (hdop < 99)
    k = math.cos(math.radians(float(np.nanmedian(lat)))) if lat.size else 1.0
    dy = (np.nanmax(lat) - np.nanmin(lat)) * math.pi / 180 * EARTH_RADIUS_KM * 1000
    dx = (np.nanmax(lon) - np.nanmin(lon)) * math.pi / 180 * EARTH_RADIUS_KM * 1000 * k
    ft = t[np.isfinite(t)]
    return {
        "fixes": int(t.size),
        "duration_s": round(float(ft.max() - ft.min()), 3) if ft.size else 0.0,
        "extent_m": round(float(math.hypot(dx, dy)), 1),
        "distinct_sats": int(np.unique(sats[sats_ok]).size),
        "distinct_hdop": int(np.unique(np.round(hdop[hdop_ok], 2)).size),
        "sats_missing": int((~sats_ok).sum()),
        "hdop_missing": int((~hdop_ok).sum()),
        "sats_values": sorted({int(v) for v in sats[sats_ok]})[:10],
        "hdop_values": sorted({round(float(v), 2) for v in hdop[hdop_ok]})[:10],
    }


def clock_drift(clock: dict[str, np.ndarray] | None) -> dict[str, Any]:
    """GNSS (UTC) time minus boot time over the log: the rate of a straight-line fit (ppm)
    and the largest departure from it (s), with where it is."""
    if not clock or len(clock.get("boot_s", ())) < 3:
        return {"pairs": 0}
    b = np.asarray(clock["boot_s"], float)
    u = np.asarray(clock["utc_s"], float)
    ok = _finite(b, u) & (u > 0)
    b, u = b[ok], u[ok]
    if b.size < 3 or float(b.max() - b.min()) <= 0:
        return {"pairs": int(b.size)}
    off = u - b
    x = b - b[0]
    rate, c0 = np.polyfit(x, off - off[0], 1)
    res = np.abs(off - off[0] - (rate * x + c0))
    steps = np.abs(np.diff(off))
    worst = int(np.argmax(res))
    jump = int(np.argmax(steps)) if steps.size else 0
    return {
        "pairs": int(b.size),
        "span_s": round(float(b.max() - b.min()), 3),
        "rate_ppm": round(float(rate) * 1e6, 1),
        "residual_max_s": round(float(res[worst]), 4),
        "largest_step_s": round(float(steps[jump]), 4) if steps.size else 0.0,
        "largest_step_at_boot_s": round(float(b[jump + 1]), 3) if steps.size else None,
        "worst_at_boot_s": round(float(b[worst]), 3),
    }


def timeline_gaps(timeline: dict[str, Any] | None, *, gap_s: float,
                  min_gap_steps: float = 20.0, backwards_s: float = 0.0) -> dict[str, Any]:
    """Holes (a step longer than ``gap_s`` and than ``min_gap_steps`` median steps) and
    backward steps (more than ``backwards_s``) of the densest stream's time, and the
    sequence numbers missing at each hole where the format numbers its messages."""
    if not timeline or len(timeline.get("t", ())) < 3:
        return {"samples": 0}
    t = np.asarray(timeline["t"], float)
    t = t[np.isfinite(t)]
    if t.size < 3:
        return {"samples": 0}
    d = np.diff(t)
    fwd = d[d > 0]
    med = float(np.median(fwd)) if fwd.size else 0.0
    hole = d > max(gap_s, min_gap_steps * med)
    back = d < -backwards_s
    idx = np.flatnonzero(hole)
    seq = timeline.get("seq_missing_at") or {}
    logged = timeline.get("explained") or ()

    def explained(i: int) -> bool:
        return any(t[i] - 0.5 <= at <= t[i + 1] + 0.5 for at, _ in logged)

    unexplained = [int(i) for i in idx if not explained(int(i))]
    gaps = [{"index": int(i), "from_s": round(float(t[i]), 3), "to_s": round(float(t[i + 1]), 3),
             "seconds": round(float(d[i]), 3),
             "seq_missing": int(sum(n for j, n in seq.items() if i - 2 <= j <= i + 2)),
             "logged_dropout": explained(int(i))}
            for i in idx[np.argsort(-d[idx])][:5]]
    bidx = np.flatnonzero(back)
    return {
        "stream": timeline.get("stream"),
        "samples": int(t.size),
        "median_step_s": round(med, 6),
        "gaps": int(hole.sum()),
        "gap_seconds": round(float(d[hole].sum()), 3),
        "unexplained_gaps": len(unexplained),
        "unexplained_seconds": round(float(d[unexplained].sum()), 3) if unexplained else 0.0,
        "largest": gaps,
        "backwards": int(back.sum()),
        "largest_backwards_s": round(float(-d[bidx].min()), 3) if bidx.size else 0.0,
        "first_backwards": ({"index": int(bidx[0]), "from_s": round(float(t[bidx[0]]), 3),
                             "to_s": round(float(t[bidx[0] + 1]), 3)} if bidx.size else None),
        "limits": {"gap_s": gap_s, "min_gap_steps": min_gap_steps, "backwards_s": backwards_s},
    }
