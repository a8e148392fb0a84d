"""Planned vs flown in a case: where the mission sent the vehicle and where the flown track went
are stated separately, each with distances to the claimed target and the rival sites.

Real inputs: ArduPilot SITL telemetry ``uavlogviewer/vtol.tlog`` (a mission of 5 items, its
last navigation point item 2 at -35.364651, 149.163498; the flown track ends back at home,
0.43 km away) and the QGroundControl sample plan (a mission file: no flown track), copied into
the test's folder.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from provenancekit.forensics.batch import BatchOptions
from provenancekit.forensics.case import run_case
from provenancekit.forensics.tracks import TrackParams
from provenancekit.reports.case_report import write_case_outputs

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "navlog"
TLOG = CORPUS / "uavlogviewer" / "vtol.tlog"
PLAN = CORPUS / "mavsdk" / "qgroundcontrol_sample.plan"

pytestmark = [
    pytest.mark.skipif(not (TLOG.is_file() and PLAN.is_file()),
                       reason="../shared/corpus is not beside the project"),
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork"),
]

DEST = (-35.36465072631836, 149.1634979248047)  # vtol.tlog mission item 2
END = (-35.3609623, 149.16503)  # vtol.tlog last GPS fix (home)


def _case(tmp_path: Path, target: tuple[float, float], sites: list[tuple[str, float, float]],
          files: dict[str, Path]) -> Path:
    (tmp_path / "evidence").mkdir()
    ev = []
    for eid, src in files.items():
        shutil.copy(src, tmp_path / "evidence" / src.name)
        ev.append(f"  - id: {eid}\n    file: evidence/{src.name}\n")
    site_txt = "".join(f"  - {{name: {n}, lat: {a}, lon: {b}}}\n" for n, a, b in sites)
    text = (
        "version: 1\ntitle: navigation unit\nclaim:\n"
        '  text: "The recovered unit shows the drone was sent to the residence."\n'
        "  author: Ministry\n  date: 2018-08-09T09:00:00Z\n"
        "asserts:\n  event:\n    start: 2018-08-08T00:00:00Z\n    end: 2018-08-09T00:00:00Z\n"
        f"  target: {{name: Residence, lat: {target[0]}, lon: {target[1]}, radius_km: 0.1}}\n"
        + (f"sites:\n{site_txt}" if sites else "") + "evidence:\n" + "".join(ev))
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(path: Path, out: Path) -> dict:
    report = run_case(path, batch=BatchOptions(workers=1, timeout_s=120),
                      track_params=TrackParams(near_km=0.2))
    write_case_outputs(report, out)
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _target(report: dict, eid: str) -> dict:
    ev = next(e for e in report["evidence"] if e["id"] == eid)
    return next(a for a in ev["assessments"] if a["assertion"] == "target")


def test_sent_to_the_target_and_ended_elsewhere(tmp_path: Path) -> None:
    """Mission destination at the claimed target; the flown track passes it (83 m) and ends
    0.43 km away at a rival site: consistent (it was sent there), both statements with their
    distances."""
    path = _case(tmp_path, DEST, [("Airfield", END[0], END[1])], {"N1": TLOG})
    report = _run(path, tmp_path / "out")
    a = _target(report, "N1")
    codes = {f["code"]: f for f in a["findings"]}
    assert a["status"] == "consistent", a
    assert "track.mission_to_target" in codes
    assert codes["track.mission_to_target"]["evidence"]["destination_km"] < 0.01
    assert codes["track.mission_to_target"]["evidence"]["destination"]["seq"] == 2
    assert "track.passes_target" in codes
    assert 0.3 < codes["track.passes_target"]["evidence"]["end_km"] < 0.6
    assert codes["track.passes_target"]["evidence"]["closest_km"] < 0.1
    assert "track.ends_near_site" in codes and codes["track.ends_near_site"]["evidence"][
        "site"] == "Airfield"
    assert "sent to the claimed target" in a["summary"] and "ends elsewhere" in a["summary"]
    fields = {r["field"] for r in a["rests_on"]}
    assert {"end point", "mission destination"} <= fields
    track = next(e for e in report["evidence"] if e["id"] == "N1")["track"]
    assert track["mission"]["returns_home"] in (True, False)
    assert track["profile"] and len(track["profile"]["rows"]) > 100
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "stroke-dasharray=\"7 5\"" in html  # the mission drawn dashed on the map
    assert "mission destination" in html and 'class="profile"' in html


def test_mission_sent_to_a_rival_site_contradicts_the_claim(tmp_path: Path) -> None:
    """The claimed target 5 km north of the mission's destination; a rival site at it."""
    target = (DEST[0] + 0.045, DEST[1])
    path = _case(tmp_path, target, [("Barracks", DEST[0], DEST[1])], {"N1": TLOG})
    report = _run(path, tmp_path / "out")
    a = _target(report, "N1")
    codes = {f["code"] for f in a["findings"]}
    assert a["status"] == "inconsistent" and a["confidence"] == "high", a
    assert {"track.mission_misses_target", "track.mission_to_site"} <= codes
    assert report["summary"]["suggested_rating"] == "false"


def test_a_mission_file_alone_is_planned_not_flown(tmp_path: Path) -> None:
    plan_dest = (47.39827842, 8.54560824)
    path = _case(tmp_path, plan_dest, [], {"M1": PLAN})
    report = _run(path, tmp_path / "out")
    ev = next(e for e in report["evidence"] if e["id"] == "M1")
    assert ev["track"]["points"] == 0 and ev["track"]["end"] is None
    assert ev["track"]["mission"]["navigation_points"] == 4
    a = _target(report, "M1")
    assert a["status"] == "consistent"
    assert [f["code"] for f in a["findings"]] == ["track.mission_to_target"]
    t = next(x for x in ev["assessments"] if x["assertion"] == "time")
    assert t["status"] == "cannot_tell" and "no flown position" in t["summary"]
