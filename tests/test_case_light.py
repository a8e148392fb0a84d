"""The sun check in a case: a real daylight photo (``exif-py/jpg/gps/DSCN0010.jpg``, Nikon
COOLPIX P6000 near Arezzo, EV100 12.0, no flash) claimed to show a night event at its own place
is contradicted by the light; claimed in daytime it fits."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from provenancekit.forensics.batch import BatchOptions
from provenancekit.forensics.case import run_case

PHOTO = (Path(__file__).resolve().parents[2] / "shared" / "corpus" / "exif" / "exif-py" /
         "jpg" / "gps" / "DSCN0010.jpg")

pytestmark = [pytest.mark.skipif(not PHOTO.is_file(), reason="../shared/corpus is not beside "
                                 "the project"),
              pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]


def _case(tmp_path: Path, start: str, end: str) -> Path:
    (tmp_path / "evidence").mkdir()
    shutil.copy(PHOTO, tmp_path / "evidence" / "photo.jpg")
    text = (
        "version: 1\ntitle: light\nclaim:\n  text: \"Drones fell on the village last night.\"\n"
        "  author: Ministry\n  date: 2008-10-25T09:00:00+02:00\n"
        f"asserts:\n  event:\n    start: {start}\n    end: {end}\n"
        "  place: {name: Village, lat: 43.4674, lon: 11.8851, radius_km: 2}\n"
        "evidence:\n  - id: P1\n    file: evidence/photo.jpg\n")
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _time(report: dict) -> dict:
    ev = report["evidence"][0]
    return next(a for a in ev["assessments"] if a["assertion"] == "time")


def test_daylight_photo_claimed_at_night_is_contradicted(tmp_path: Path) -> None:
    report = run_case(_case(tmp_path, "2008-10-23T00:30:00+02:00", "2008-10-23T04:00:00+02:00"),
                      batch=BatchOptions(timeout_s=120))
    t = _time(report)
    f = next(x for x in t["findings"] if x["code"] == "case.light_contradicts_claim")
    assert t["status"] == "inconsistent" and t["confidence"] == "high"
    assert f["evidence"]["ev100"] == pytest.approx(12.0, abs=0.1)
    assert f["evidence"]["sun_max_deg"] < -6 and f["evidence"]["flash"] is False
    assert "EV100 12.0" in f["message"] and "night" in f["message"]


def test_daylight_photo_claimed_in_the_afternoon_fits(tmp_path: Path) -> None:
    report = run_case(_case(tmp_path, "2008-10-22T13:00:00+02:00", "2008-10-22T18:00:00+02:00"),
                      batch=BatchOptions(timeout_s=120))
    t = _time(report)
    codes = {x["code"] for x in t["findings"]}
    assert "case.light_fits_claim" in codes and "case.light_contradicts_claim" not in codes
