"""The light check's physics (:mod:`forensics.sun`) on real camera files.

``exif-py/jpg/gps/DSCN0010.jpg`` (Nikon, 2008-10-23 14:27 UTC by its GPS clock, EV100
12.0 with the sun 17 degrees up) and ``threatexchange-pdq .../exif-rotn-1.jpg`` (EV100 2.5 at
03:13 UTC, the sun 59 degrees below the horizon): each judged at its own instant and at the
opposite time of day.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from provenancekit.forensics.batch import BatchOptions, scan_one
from provenancekit.forensics.sun import (
    SunParams,
    exposure_value,
    flash_fired,
    judge_light,
    sun_position,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DAY = CORPUS / "exif" / "exif-py" / "jpg" / "gps" / "DSCN0010.jpg"
NIGHT = (CORPUS / "neardup" / "threatexchange-pdq" / "pdq" / "data" / "reg-test-input" /
         "exif-rotn" / "exif-rotn-1.jpg")


def test_sun_position_matches_the_noaa_calculator() -> None:
    # NOAA solar calculator, Paris 48.8566 N 2.3522 E, 2024-06-21 12:00 UTC: elevation 64.5,
    # azimuth 184 (rounded as the calculator shows)
    elev, az = sun_position(48.8566, 2.3522, datetime(2024, 6, 21, 12, tzinfo=timezone.utc))
    assert elev == pytest.approx(64.5, abs=0.2) and az == pytest.approx(184.0, abs=0.5)
    elev, _ = sun_position(48.8566, 2.3522, datetime(2024, 12, 21, 23, tzinfo=timezone.utc))
    assert elev < -60
    with pytest.raises(ValueError):
        sun_position(48.8, 2.3, datetime(2024, 6, 21, 12))  # no offset: no instant


def test_exposure_value_and_flash() -> None:
    assert exposure_value("1/125", "11", "200") == pytest.approx(12.885, abs=1e-3)
    assert exposure_value("1/60", "28/10", [100]) == pytest.approx(8.877, abs=1e-3)
    assert exposure_value(None, "8", "100") is None and exposure_value("0", "8", "100") is None
    assert flash_fired("Flash did not fire, compulsory flash mode") is False
    assert flash_fired("Flash fired, return light detected") is True
    assert flash_fired("25") is True and flash_fired("16") is False


def _real(path: Path) -> tuple[float, float, float, bool | None]:
    if not path.is_file():
        pytest.skip("../shared/corpus is not beside the project")
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    item = scan_one(str(path), checks=(), options=BatchOptions(timeout_s=120))
    md = item["metadata"]
    ifd = md["EXIF"]["ExifIFD"]
    ev = exposure_value(ifd.get("ExposureTime"), ifd.get("FNumber"),
                        ifd.get("ISOSpeedRatings") or ifd.get("PhotographicSensitivity"))
    gps = md["summary"]["gps"]
    return gps["lat"], gps["lon"], ev, flash_fired(ifd.get("Flash"))


def test_a_daylight_photo_claimed_at_night_contradicts_the_claim() -> None:
    lat, lon, ev, flash = _real(DAY)
    own = datetime(2008, 10, 23, 14, 27, 7, tzinfo=timezone.utc)  # its GPS clock
    at_own = judge_light(ev, sun_position(lat, lon, own)[0], flash)
    assert at_own["status"] == "consistent" and at_own["ev100"] == pytest.approx(12.0, abs=0.1)
    night = own + timedelta(hours=12)  # the same place, 02:27 local
    verdict = judge_light(ev, sun_position(lat, lon, night)[0], flash)
    assert verdict["status"] == "inconsistent"
    assert "daylight exposure" in verdict["reason"] and "below the horizon" in verdict["reason"]
    assert verdict["params"] == SunParams().__dict__


def test_a_night_photo_claimed_at_midday_is_only_cannot_tell() -> None:
    lat, lon, ev, flash = _real(NIGHT)
    own = datetime(2017, 11, 8, 3, 13, 42, tzinfo=timezone.utc)
    assert judge_light(ev, sun_position(lat, lon, own)[0], flash)["status"] == "consistent"
    noon = own + timedelta(hours=12)
    verdict = judge_light(ev, sun_position(lat, lon, noon)[0], flash)
    assert verdict["status"] == "cannot_tell" and "dark interior" in verdict["reason"]
    assert judge_light(ev, 50.0, True)["status"] == "cannot_tell"  # a flash says nothing
