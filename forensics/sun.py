"""Daylight against exposure: could a picture exposed like this have been taken in the light the
sun gave at the claimed time and place?

Two measurements, both physics, neither a guess about the picture's content:

* **The sun's elevation** (degrees above the horizon, refraction-corrected) and azimuth
  (degrees clockwise from true north) at a place and an instant, from the astral library's
  implementation of NOAA's solar position algorithm (Meeus, *Astronomical Algorithms*; NOAA
  Global Monitoring Laboratory's solar calculator), accurate to well under 0.1 degree for
  1800-2100: far finer than any margin used here.
* **The exposure value at ISO 100** the camera chose, from EXIF ExposureTime ``t`` (s),
  FNumber ``N`` and ISO ``S``: ``EV100 = log2(N^2 / t) - log2(S / 100)`` (ISO 2720 / the APEX
  system). A correctly exposed scene's EV100 follows its light: sunlit scenes 13-16,
  overcast daylight 10-13, sunset and shade 8-12, interiors 5-8, lit streets at night 3-6,
  moonlight below 0 (the "sunny 16" table; Kodak and ISO 2720 exposure tables).

The rules keep wide margins, since a photographer can point a camera at a lamp, a screen or a
fire, and exposure compensation or a flash shifts the choice:

* a **daylight exposure at night**: EV100 of at least ``daylight_ev_min`` (11: brighter than
  any lit street) while the sun is more than ``night_sun_max_deg`` (6 degrees, the end of
  civil twilight) below the horizon, no flash fired: the picture was not exposed in that
  night's light (a floodlit stadium can reach EV 9-10; fires, explosions and screens fill
  part of a frame, not an average exposure) -> *inconsistent*;
* a **night exposure at midday**: EV100 at most ``night_ev_max`` (4) while the sun is more
  than ``day_sun_min_deg`` (20 degrees) up, no flash: outdoors impossible, but a dark
  interior does it, so it is only *cannot tell* with the numbers stated;
* otherwise the exposure fits the light (*consistent*, low weight: most exposures fit many
  times of day).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class SunParams:
    """Margins of the light check (the one place they live)."""

    daylight_ev_min: float = 11.0
    """EV100 at or above which an exposure is daylight (sunlit 13-16, overcast 10-13)."""
    night_sun_max_deg: float = -6.0
    """Sun elevation, degrees, below which it is night (civil twilight ends at -6)."""
    night_ev_max: float = 4.0
    """EV100 at or below which an exposure is a night one (lit streets 3-6)."""
    day_sun_min_deg: float = 20.0
    """Sun elevation, degrees, above which it is broad day."""


def sun_position(lat: float, lon: float, when: datetime) -> tuple[float, float]:
    """(elevation, azimuth) of the sun in degrees at ``lat``, ``lon`` (decimal degrees) and the
    aware instant ``when``. Raises ``ValueError`` for a naive datetime (its instant is
    unknown)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("the time has no UTC offset: the sun's position needs an instant")
    from astral import Observer
    from astral.sun import azimuth, elevation

    obs = Observer(latitude=lat, longitude=lon)
    t = when.astimezone(timezone.utc)
    return float(elevation(obs, t)), float(azimuth(obs, t))


def _number(value: Any) -> float | None:
    """EXIF rationals as the metadata reader gives them (``"1/125"``, ``"11"``, ``"28/10"``,
    ``[200]``) -> float, or ``None``."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None:
        return None
    try:
        f = float(Fraction(str(value).strip()))
    except (ValueError, ZeroDivisionError):
        return None
    return f if math.isfinite(f) and f > 0 else None


def exposure_value(exposure_time: Any, f_number: Any, iso: Any) -> float | None:
    """EV100 = log2(N^2 / t) - log2(ISO / 100); ``None`` when a value is missing or not
    positive."""
    t, n, s = _number(exposure_time), _number(f_number), _number(iso)
    if t is None or n is None or s is None:
        return None
    return math.log2(n * n / t) - math.log2(s / 100.0)


def flash_fired(flash: Any) -> bool | None:
    """EXIF Flash as text (exifread: ``"Flash fired, ..."``) or its number (bit 0)."""
    if flash is None:
        return None
    text = str(flash).strip().lower()
    if text.isdigit():
        return bool(int(text) & 1)
    if "did not fire" in text or text.startswith("no flash") or text == "flash did not fire":
        return False
    if "fired" in text:
        return True
    return None


def judge_light(ev100: float, elevation_deg: float, flash: bool | None,
                params: SunParams = SunParams()) -> dict[str, Any]:
    """``{status, reason, ev100, sun_elevation_deg, flash, params}``: whether the exposure fits
    the sun's elevation (see the module docstring for the rules)."""
    base = {"ev100": round(ev100, 2), "sun_elevation_deg": round(elevation_deg, 2),
            "flash": flash, "params": asdict(params)}
    if flash:
        return {**base, "status": "cannot_tell",
                "reason": "the flash fired: the exposure says nothing about the ambient light"}
    if ev100 >= params.daylight_ev_min and elevation_deg < params.night_sun_max_deg:
        return {**base, "status": "inconsistent",
                "reason": (f"a daylight exposure (EV100 {ev100:.1f}, at least "
                           f"{params.daylight_ev_min:g}) while the sun was "
                           f"{-elevation_deg:.1f} degrees below the horizon (night: below "
                           f"{-params.night_sun_max_deg:g}); no flash fired")}
    if ev100 <= params.night_ev_max and elevation_deg > params.day_sun_min_deg:
        return {**base, "status": "cannot_tell",
                "reason": (f"a night exposure (EV100 {ev100:.1f}, at most "
                           f"{params.night_ev_max:g}) with the sun {elevation_deg:.1f} degrees "
                           "up: impossible outdoors, ordinary in a dark interior")}
    return {**base, "status": "consistent",
            "reason": (f"the exposure (EV100 {ev100:.1f}) fits the light of a sun "
                       f"{elevation_deg:.1f} degrees {'above' if elevation_deg >= 0 else 'below'}"
                       " the horizon")}
