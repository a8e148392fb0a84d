"""``provenance track show``: one navigation file's summary, mission, flown track, map and profile,
as JSON (``provenance.track/1``, schema-checked) and as a self-contained HTML page.

Real inputs: ArduPilot SITL telemetry ``uavlogviewer/vtol.tlog`` (mission of 5 items, 799 GPS
fixes) and the gpxpy track, from ``../shared/corpus/navlog``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenancekit.cli.main import cli
from provenancekit.reports.track_page import TrackSchemaError, validate_track_doc

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "navlog"
TLOG = CORPUS / "uavlogviewer" / "vtol.tlog"
GPX = CORPUS / "gpxpy" / "cerknicko-jezero.gpx"

pytestmark = [
    pytest.mark.skipif(not (TLOG.is_file() and GPX.is_file()),
                       reason="../shared/corpus is not beside the project"),
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork"),
]


def test_json_document_of_a_flight_log(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["track", "show", str(TLOG), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    validate_track_doc(doc)
    assert doc["schema"] == "provenance.track/1" and doc["media_type"] == \
        "application/vnd.mavlink.tlog"
    codes = [f["code"] for f in doc["findings"]]
    assert "track.summary" in codes and "track.mission" in codes
    assert "track.against_claim" not in codes
    track = doc["track"]
    assert track["points"] == 799 and track["clock"] == "ground_station"
    assert track["mission"]["items"] == 5 and track["mission"]["destination"]["seq"] == 2
    assert track["places"] == []  # no claim: nothing to measure against
    assert len(track["profile"]["rows"]) > 100
    assert doc["map"]["reach_km"] > 0.1
    bad = dict(doc, sha256="not a hash")
    with pytest.raises(TrackSchemaError):
        validate_track_doc(bad)


def test_html_page_is_self_contained_and_escapes_file_strings(tmp_path: Path) -> None:
    hostile = tmp_path / "<img src=x onerror=alert(1)>.gpx"
    text = GPX.read_text(encoding="utf-8")
    shutil.copy(GPX, hostile)
    out = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["track", "show", str(hostile), "--html", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'http-equiv="Content-Security-Policy"' in html
    assert "src=\"http" not in html and "href=\"http" not in html
    assert 'class="map"' in html and 'class="profile"' in html
    assert hostile.read_text(encoding="utf-8") == text  # the input is never modified
    for line in result.output.splitlines():  # --html alone prints no findings
        assert not line.startswith("[")


def test_mission_drawn_dashed_with_numbered_waypoints(tmp_path: Path) -> None:
    out = tmp_path / "vtol.html"
    result = CliRunner().invoke(cli, ["track", "show", str(TLOG), "--html", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'stroke-dasharray="7 5"' in html and "home / launch" in html
    assert "mission destination" in html
    assert "a mission of 5 item(s)" in html


def test_a_file_that_is_not_a_track_is_a_clear_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("no positions here\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "provenancekit.cli", "track", "show",
                          str(notes)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "notes.txt" in run.stderr and "Traceback" not in run.stderr
