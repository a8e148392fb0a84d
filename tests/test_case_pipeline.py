"""A case run analyses every evidence file through the batch driver, like ``provenance scan``:
a file that hangs a worker costs only its own entry, and tracks get the track check's findings.

Real inputs: a camera JPEG and a GPSBabel track from ``../shared/corpus`` (copied into the
test's temporary folder, never modified in place).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from provenancekit.forensics.batch import BatchOptions
from provenancekit.forensics.case import run_case
from provenancekit.forensics.checks import Check, get_checks
from provenancekit.forensics.context import AnalysisContext
from provenancekit.forensics.model import EvidenceItem, Finding
from provenancekit.reports.case_report import write_case_outputs

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PHOTO = CORPUS / "exif" / "metadata-extractor-images" / "jpg" / "Canon EOS 7D.jpg"
TRACK = CORPUS / "navlog" / "gpxpy" / "cerknicko-jezero.gpx"

pytestmark = [
    pytest.mark.skipif(not (PHOTO.is_file() and TRACK.is_file()),
                       reason="../shared/corpus is not beside the project"),
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork"),
]

CASE = """\
version: 1
title: pipeline
claim:
  text: "A drone flew to the lake shore."
  author: Ministry
  date: 2010-08-06T09:00:00Z
asserts:
  event:
    start: 2010-08-05T00:00:00Z
    end: 2010-08-06T00:00:00Z
  place: {name: Lake, lat: 45.77, lon: 14.36, radius_km: 5}
  target: {name: Shore, lat: 45.772, lon: 14.357}
evidence:
  - id: P1
    file: evidence/photo.jpg
  - id: P2
    file: evidence/hang_photo.jpg
  - id: T1
    file: evidence/track.gpx
  - id: T2
    file: evidence/edited_track.gpx
"""


class Hang(Check):
    """Stands in for a crafted file that makes a library hang: sleeps on ``hang*`` files."""

    name = "hang"
    version = "1"

    def applies_to(self, item: EvidenceItem) -> bool:
        return True

    def run(self, ctx: AnalysisContext) -> list[Finding]:
        if os.path.basename(ctx.item.path).startswith("hang"):
            time.sleep(600)
        return []


def _reverse_two_times(gpx: str) -> str:
    """The real track with the times of its 10th and 11th track points swapped."""
    times = list(re.finditer(r"<trkpt[^>]*>.*?<time>([^<]+)</time>", gpx, re.S))
    a, b = times[10], times[11]
    ta, tb = a.group(1), b.group(1)
    out = gpx[:a.start(1)] + tb + gpx[a.end(1):b.start(1)] + ta + gpx[b.end(1):]
    assert out != gpx
    return out


@pytest.fixture()
def case_dir(tmp_path: Path) -> Path:
    ev = tmp_path / "evidence"
    ev.mkdir()
    shutil.copyfile(PHOTO, ev / "photo.jpg")
    shutil.copyfile(PHOTO, ev / "hang_photo.jpg")
    shutil.copyfile(TRACK, ev / "track.gpx")
    (ev / "edited_track.gpx").write_text(_reverse_two_times(TRACK.read_text("utf-8")), "utf-8")
    (tmp_path / "case.yaml").write_text(CASE, encoding="utf-8")
    return tmp_path


def test_evidence_that_hangs_a_worker_times_out_and_the_report_is_written(
        case_dir: Path) -> None:
    report = run_case(case_dir / "case.yaml", checks=(*get_checks(), Hang()),
                      batch=BatchOptions(timeout_s=20))
    by_id = {e["id"]: e for e in report["evidence"]}
    assert by_id["P2"]["status"] == "error"
    assert by_id["P2"]["error"]["code"] == "timeout"
    assert by_id["P2"]["sha256"] == by_id["P1"]["sha256"]  # still hashed, never parsed here
    assert by_id["P1"]["status"] == "ok" and by_id["P1"]["preview"] is not None
    assert by_id["T1"]["status"] == "ok" and by_id["T1"]["track"]["points"] > 0
    paths = write_case_outputs(report, str(case_dir / "out"))  # validates the report schema
    assert all(p.is_file() for p in paths.values())


def test_a_case_reports_what_the_track_check_finds(case_dir: Path) -> None:
    report = run_case(case_dir / "case.yaml")
    by_id = {e["id"]: e for e in report["evidence"]}
    real, edited = by_id["T1"], by_id["T2"]
    assert real["kind"] == edited["kind"] == "track"
    codes = {f["code"] for f in edited["scan"]["findings"]}
    assert "track.time_reversed" in codes  # what a plain scan reports, the case sees too
    integrity = {a["assertion"]: a for a in edited["assessments"]}["integrity"]
    assert integrity["status"] == "inconsistent"
    real_integrity = {a["assertion"]: a for a in real["assessments"]}["integrity"]
    assert real_integrity["status"] != "inconsistent"
    # measured against the claim in the worker (track.against_claim), as before
    target = next(p for p in real["track"]["places"] if p["role"] == "target")
    assert target["name"] == "Shore" and target["closest_km"] < 5
    assert report["map"] is not None and report["map"]["reach_km"] >= 1
