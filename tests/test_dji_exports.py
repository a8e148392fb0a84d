"""DJI flight records as people export them (AirData, DJI Flight Reader / Phantom Help CSV), Litchi
missions, and DJI's own binary flight records (recognised, never read: v13+ is encrypted).

The CSVs are written by the test from a real track (``gpxpy/cerknicko-jezero.gpx``: its track
points, times and coordinates) in the exports' column layouts; the binary records are built
with the 100-byte prefix layout (offset, details length, version) and random records.
"""

from __future__ import annotations

import os
import random
import struct
from datetime import datetime
from pathlib import Path

import pytest
from conftest import assert_valid_item

from provenancekit.forensics.batch import BatchOptions, scan_one
from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.sniff import sniff_media_type
from provenancekit.forensics.tracks.parse import parse_track

GPX = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "navlog" / "gpxpy" / \
    "cerknicko-jezero.gpx"

pytestmark = [pytest.mark.skipif(not GPX.is_file(), reason="../shared/corpus is not beside "
                                 "the project"),
              pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]


def _real_points() -> list:
    track = parse_track(str(GPX), GPX.read_bytes())
    return [p for p in track.points if p.kind == "track" and p.time][:120]


def _airdata(points: list) -> bytes:
    head = ("time(millisecond),datetime(utc),latitude,longitude,height_above_takeoff(feet),"
            "altitude_above_seaLevel(feet),speed(mph),satellites,flycState,message\n")
    rows = []
    t0 = datetime.fromisoformat(points[0].time.replace("Z", "+00:00"))
    for i, p in enumerate(points):
        t = datetime.fromisoformat(p.time.replace("Z", "+00:00"))
        state = "GPS_Atti" if i < len(points) - 10 else "Go_Home"
        rows.append(f"{int((t - t0).total_seconds() * 1000)},{t:%Y-%m-%d %H:%M:%S},"
                    f"{p.lat:.7f},{p.lon:.7f},{i * 3.3:.1f},{1800 + i:.1f},12.0,14,{state},")
    return (head + "\n".join(rows) + "\n").encode()


def test_airdata_csv_is_read_with_utc_times_metres_and_mode_changes(tmp_path: Path) -> None:
    pts = _real_points()
    path = tmp_path / "Mar-3rd-2024-flight.csv"
    path.write_bytes(_airdata(pts))
    assert sniff_media_type(path.read_bytes()[:4096]) == "text/csv"
    track = parse_track(str(path), path.read_bytes())
    assert track.format == "dji_csv" and track.creator == "AirData"
    assert len(track.points) == len(pts) and track.clock == "gps"
    assert track.points[0].time.endswith("Z") and track.points[0].time[:19] == \
        pts[0].time[:19]
    assert abs(track.points[0].ele - 1800 * 0.3048) < 1e-6  # feet to metres
    assert track.points[5].sats == 14
    assert [e["text"] for e in track.events] == ["GPS_Atti", "Go_Home"]
    item = scan_one(str(path), checks=get_checks(["track"]),
                    options=BatchOptions(timeout_s=120))
    assert_valid_item(item)
    summary = next(f for f in item["findings"] if f["code"] == "track.summary")
    assert "DJI flight record CSV" in summary["message"]


def test_phantom_help_csv_keeps_local_times_without_an_offset(tmp_path: Path) -> None:
    pts = _real_points()[:30]
    lines = ["sep=,", "CUSTOM.date [local],CUSTOM.updateTime [local],OSD.latitude,"
             "OSD.longitude,OSD.altitude [ft],OSD.gpsNum,OSD.flycState"]
    for p in pts:
        t = datetime.fromisoformat(p.time.replace("Z", "+00:00"))
        lines.append(f"{t:%m/%d/%Y},{t:%I:%M:%S}.00 {t:%p},{p.lat},{p.lon},120.5,11,P-GPS")
    path = tmp_path / "DJIFlightRecord_2010-08-05.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    track = parse_track(str(path), path.read_bytes())
    assert track.format == "dji_csv" and len(track.points) == 30
    assert track.points[0].time == \
        datetime.fromisoformat(pts[0].time.replace("Z", "")).isoformat(timespec="milliseconds")
    assert abs(track.points[0].ele - 120.5 * 0.3048) < 1e-6


def test_litchi_mission_is_planned_not_flown(tmp_path: Path) -> None:
    pts = _real_points()[::30][:4]
    head = ("latitude,longitude,altitude(m),heading(deg),curvesize(m),rotationdir,gimbalmode,"
            "gimbalpitchangle,actiontype1,actionparam1,altitudemode,speed(m/s)\n")
    body = "".join(f"{p.lat},{p.lon},60,90,0,0,0,0,-1,0,0,0\n" for p in pts)
    path = tmp_path / "mission.csv"
    path.write_text(head + body, encoding="utf-8")
    track = parse_track(str(path), path.read_bytes())
    assert track.format == "litchi" and len(track.mission) == 4
    assert all(m.command == "NAV_WAYPOINT" and m.is_navigation for m in track.mission)
    assert track.mission[-1].lat == pytest.approx(pts[-1].lat)
    item = scan_one(str(path), checks=get_checks(["track"]),
                    options=BatchOptions(timeout_s=120))
    codes = {f["code"] for f in item["findings"]}
    assert "track.mission" in codes


@pytest.mark.parametrize(("version", "code"), [(13, "encrypted_flight_record"),
                                               (14, "encrypted_flight_record"),
                                               (10, "unsupported_flight_record")])
def test_binary_dji_flight_record_is_recognised_and_said_unreadable(
        tmp_path: Path, version: int, code: str) -> None:
    rng = random.Random(version)
    body = bytes(rng.randrange(256) for _ in range(20_000))
    prefix = struct.pack("<QHB", 100 + 436, 436, version) + bytes(89)
    path = tmp_path / "DJIFlightRecord_2024-03-03_[10-11-12].txt"
    path.write_bytes(prefix + body)
    assert sniff_media_type(path.read_bytes()[:4096]) == "application/vnd.dji.flightrecord"
    item = scan_one(str(path), checks=get_checks(["track"]),
                    options=BatchOptions(timeout_s=120))
    assert item["status"] == "error" and item["error"]["code"] == code, item["error"]
    msg = item["error"]["message"]
    assert path.name in msg and f"version {version}" in msg and "Traceback" not in msg
    if version >= 13:
        assert "not readable offline" in msg


def test_text_and_other_binaries_are_not_taken_for_a_dji_record(tmp_path: Path) -> None:
    assert sniff_media_type(b"12345678901234567890 a text file\n" * 10) != \
        "application/vnd.dji.flightrecord"
    rng = random.Random(7)
    hits = sum(sniff_media_type(bytes(rng.randrange(256) for _ in range(256))) ==
               "application/vnd.dji.flightrecord" for _ in range(2000))
    assert hits == 0
