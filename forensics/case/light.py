"""The sun check of a case (issue 17): was the picture exposed in the light the claimed time and
place had? Physics and margins in :mod:`forensics.sun`.

For a picture with EXIF ExposureTime, FNumber and ISO, and a case with a claimed place and an
event window, the sun's elevation is computed at the claimed place over the whole window (every
``step_minutes``): a *daylight* exposure is contradicted only when the sun is below the night
limit during the *entire* window (whatever moment of the window the picture was taken, it was
night); a *night* exposure only when the sun is above the day limit during the entire window
(and then only "cannot tell": a dark interior exposes so at noon). The picture's own capture
time, when it carries an offset, is judged too, at its own GPS position when it has one, else at
the claimed place. The result is a case finding added to the ``time`` assessment; an
inconsistent light makes that assessment inconsistent (high confidence), citing the numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..sun import SunParams, exposure_value, flash_fired, judge_light, sun_position
from .assess import _f
from .casefile import Case

STEP_MINUTES = 10
"""The window is sampled every this many minutes (the sun moves at most 2.5 degrees in 10)."""
MAX_STEPS = 2000
"""At most this many samples (a window of two weeks at 10 minutes)."""


def _exposure(item: dict[str, Any]) -> tuple[float | None, bool | None]:
    ifd = (((item.get("metadata") or {}).get("EXIF") or {}).get("ExifIFD") or {})
    ev = exposure_value(ifd.get("ExposureTime"), ifd.get("FNumber"),
                        ifd.get("ISOSpeedRatings") or ifd.get("PhotographicSensitivity"))
    return ev, flash_fired(ifd.get("Flash"))


def light_findings(item: dict[str, Any], case: Case,
                   params: SunParams | None = None) -> list[dict[str, Any]]:
    """The light findings of one picture against the case (empty when they cannot be made)."""
    params = params or SunParams()
    ev, flash = _exposure(item)
    if ev is None:
        return []
    out = []
    if case.window is not None and case.place is not None:
        start, end = case.window.start, case.window.end
        steps = min(MAX_STEPS, max(1, int((end - start).total_seconds() // (STEP_MINUTES * 60))))
        span = (end - start) / steps
        elevations = [sun_position(case.place.lat, case.place.lon, start + span * i)[0]
                      for i in range(steps + 1)]
        lo, hi = min(elevations), max(elevations)
        # the most favourable moment of the window for the picture decides
        best = hi if ev >= params.daylight_ev_min else lo
        verdict = judge_light(ev, best, flash, params)
        where = (f"at {case.place.name or 'the claimed place'} during the event window "
                 f"({start.isoformat()} to {end.isoformat()}: the sun between {lo:.1f} and "
                 f"{hi:.1f} degrees)")
        ev_data = {"ev100": verdict["ev100"], "flash": flash, "sun_min_deg": round(lo, 2),
                   "sun_max_deg": round(hi, 2), "window": [start.isoformat(), end.isoformat()],
                   "place": [case.place.lat, case.place.lon], "params": verdict["params"],
                   "method": "NOAA solar position (astral); EV100 = log2(N^2/t) - log2(ISO/100)"}
        if verdict["status"] == "inconsistent":
            out.append(_f("case.light_contradicts_claim", "high", "high",
                          f"Exposed for daylight (EV100 {ev:.1f}, no flash) but the sun was "
                          f"below {params.night_sun_max_deg:g} degrees throughout the claimed "
                          f"time {where}: the picture was not taken in that night's light.",
                          **ev_data))
        elif verdict["status"] == "cannot_tell" and not flash:
            out.append(_f("case.light_unusual_for_claim", "low", "medium",
                          f"A night exposure (EV100 {ev:.1f}, no flash) while the sun stood "
                          f"above {params.day_sun_min_deg:g} degrees throughout the claimed "
                          f"time {where}: impossible outdoors, ordinary indoors.", **ev_data))
        else:
            out.append(_f("case.light_fits_claim", "info", "medium",
                          f"The exposure (EV100 {ev:.1f}) fits the light {where}"
                          + (" (the flash fired: the exposure says little)" if flash else "")
                          + ".", **ev_data))
    own = _own_instant(item)
    if own is not None:
        gps = ((item.get("metadata") or {}).get("summary") or {}).get("gps")
        if gps and gps.get("lat") is not None:
            lat, lon, at = gps["lat"], gps["lon"], "its own GPS position"
        elif case.place is not None:
            lat, lon, at = case.place.lat, case.place.lon, "the claimed place"
        else:
            return out
        elev = sun_position(lat, lon, own)[0]
        verdict = judge_light(ev, elev, flash, params)
        if verdict["status"] == "inconsistent":
            out.append(_f("case.light_contradicts_own_time", "medium", "high",
                          f"Exposed for daylight (EV100 {ev:.1f}, no flash) but at its own "
                          f"capture time ({own.isoformat()}) the sun was {-elev:.1f} degrees "
                          f"below the horizon at {at}: the camera's clock or its GPS is wrong, "
                          "or the time was edited.", ev100=verdict["ev100"],
                          sun_elevation_deg=verdict["sun_elevation_deg"],
                          capture=own.isoformat(), position=[lat, lon],
                          params=verdict["params"]))
    return out


def _own_instant(item: dict[str, Any]) -> datetime | None:
    dto = ((item.get("metadata") or {}).get("summary") or {}).get("datetime_original")
    if not dto:
        return None
    try:
        t = datetime.fromisoformat(str(dto))
    except ValueError:
        return None
    return t if t.tzinfo is not None and t.utcoffset() is not None else None


def apply_light(time_assessment: dict[str, Any], findings: list[dict[str, Any]]
                ) -> dict[str, Any]:
    """The time assessment with the light findings added; a contradiction of the claimed
    time by the light makes it inconsistent (high confidence) and says why."""
    if not findings:
        return time_assessment
    out = {**time_assessment, "findings": [*time_assessment.get("findings", []), *findings]}
    bad = next((f for f in findings if f["code"] == "case.light_contradicts_claim"), None)
    if bad is not None:
        out.update(status="inconsistent", confidence="high",
                   summary=(time_assessment.get("summary", "") + " " + bad["message"]).strip())
    return out


__all__ = ["MAX_STEPS", "STEP_MINUTES", "apply_light", "light_findings"]
