"""Flight logs, NMEA, mission files and DJI telemetry from ../shared/corpus/navlog: typed by their
bytes, read into the one track model with the values SOURCES.md states, no sign of fabrication
on the real logs, and the signs found on logs fabricated from them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.scan import scan_file
from provenancekit.forensics.tracks import parse_track

NAVLOG = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "navlog"
pytestmark = pytest.mark.skipif(not NAVLOG.is_dir(), reason="../shared/corpus is absent")

FILES = {
    "pymavlink/test.BIN": "application/vnd.ardupilot.dataflash",
    "uavlogviewer/vtol.tlog": "application/vnd.mavlink.tlog",
    "pyulog/sample_log_small.ulg": "application/vnd.px4.ulog",
    "pyulog/sample_px4_events.ulg": "application/vnd.px4.ulog",
    "pyulog/sample_appended_multiple.ulg": "application/vnd.px4.ulog",
    "gpsd/haicom-305N.log": "text/vnd.nmea.0183",
    "gpsd/GPSmap-76S.log": "text/vnd.nmea.0183",
    "mavsdk/qgroundcontrol_sample.plan": "application/vnd.qgroundcontrol.plan+json",
    "mavsdk/mission_planner_sample.txt": "text/vnd.qgc.wpl",
    "dji-srt-parser/mavic_pro.SRT": "text/vnd.dji.srt",
    "dji-srt-parser/air2s.srt": "text/vnd.dji.srt",
    "dji-srt-parser/matrice_300.srt": "text/vnd.dji.srt",
    "dji-srt-parser/mavic_air2.srt": "text/vnd.dji.srt",
    "gpxpy/cerknicko-jezero.gpx": "application/gpx+xml",
}
CHECKS = get_checks(["track"])
SIGNS = {"track.too_clean", "track.damaged_records", "track.time_reversed",
         "track.implausible_speed"}


def _scan(path: Path) -> dict:
    return scan_file(str(path), checks=CHECKS).to_dict()


def _codes(item: dict) -> dict[str, dict]:
    return {f["code"]: f for f in item["findings"]}


@pytest.mark.parametrize("name", sorted(FILES))
def test_real_logs_are_typed_by_bytes_and_read_without_a_sign(name: str, tmp_path: Path) -> None:
    src = NAVLOG / name
    renamed = tmp_path / "unit_dump.dat"  # the extension says nothing
    shutil.copyfile(src, renamed)
    for path in (src, renamed):
        item = _scan(path)
        assert item["media_type"] == FILES[name], (path, item["media_type"])
        assert item["status"] == "ok", item["error"]
        codes = _codes(item)
        assert "track.summary" in codes or "track.no_positions" in codes
        assert not SIGNS & set(codes), (name, sorted(codes))


def test_values_match_the_sources() -> None:
    t = parse_track("test.BIN", (NAVLOG / "pymavlink/test.BIN").read_bytes())
    assert (t.points[0].lat, t.points[0].lon, t.points[0].ele) == (-35.3626277, 149.1653034,
                                                                   588.82)
    assert t.clock == "gps" and t.points[0].time.startswith("2017-10-29T01:47:10")  # GWk 1973
    assert len(t.mission) == 12 and t.mission[-1].command == "NAV_LAND"
    assert t.vehicle["firmware"].startswith("ArduPlane V3.8.2")
    t = parse_track("vtol.tlog", (NAVLOG / "uavlogviewer/vtol.tlog").read_bytes())
    assert (t.points[0].lat, t.points[0].lon) == (-35.3629847, 149.1649392)
    assert (t.points[-1].lat, t.points[-1].lon) == (-35.3609623, 149.16503)
    assert t.points[0].time.startswith("2018-08-08T14:06:01.9")
    assert len(t.mission) == 5 and t.vehicle["vehicle_type"] == "MAV_TYPE_FIXED_WING"
    t = parse_track("s.ulg", (NAVLOG / "pyulog/sample_log_small.ulg").read_bytes())
    assert round(t.points[0].lat, 3) == 63.417 and round(t.points[0].lon, 3) == 10.408
    assert t.points[0].time.startswith("2021-04-21") and t.vehicle["ver_hw"] == \
        "CUBEPILOT_CUBEORANGE"
    t = parse_track("h.log", (NAVLOG / "gpsd/haicom-305N.log").read_bytes())
    assert len(t.points) == 68 and t.points[0].time == "2007-04-08T09:53:04.802000Z"
    assert (round(t.points[0].lat, 6), round(t.points[0].lon, 6)) == (-27.210867, 153.052328)
    t = parse_track("q.plan", (NAVLOG / "mavsdk/qgroundcontrol_sample.plan").read_bytes())
    assert t.home[:2] == (47.3977507, 8.5456075) and len(t.mission) == 6
    t = parse_track("m.txt", (NAVLOG / "mavsdk/mission_planner_sample.txt").read_bytes())
    assert [m.command for m in t.mission] == ["NAV_TAKEOFF", "NAV_WAYPOINT", "NAV_WAYPOINT",
                                              "NAV_RETURN_TO_LAUNCH"]
    assert not t.mission[-1].is_navigation  # RTL names no place of its own
    t = parse_track("p.SRT", (NAVLOG / "dji-srt-parser/mavic_pro.SRT").read_bytes())
    assert len(t.points) == 468 and (t.points[0].lat, t.points[0].lon) == (-20.2533, 149.0251)
    assert t.points[-1].time == "2017-08-05T14:19:39"
    t = parse_track("a.srt", (NAVLOG / "dji-srt-parser/air2s.srt").read_bytes())
    assert (t.points[0].lat, t.points[0].lon) == (41.424724, 2.234156)


def test_mission_finding_lists_every_item() -> None:
    f = _codes(_scan(NAVLOG / "pymavlink/test.BIN"))["track.mission"]
    ev = f["evidence"]
    assert ev["count"] == 12 and [i["seq"] for i in ev["items"]] == list(range(12))
    assert ev["last_navigation"]["command"] == "NAV_LAND"
    assert {"seq", "command", "lat", "lon", "alt"} <= set(ev["items"][0])


def test_simulated_receiver_fixes_are_said() -> None:
    f = _codes(_scan(NAVLOG / "gpsd/GPSmap-76S.log"))["track.simulated_fix"]
    assert f["evidence"]["simulated"] == 12


def _gpx_points(text: str) -> list[re.Match]:
    return list(re.finditer(r'<trkpt lat="([-\d.]+)" lon="([-\d.]+)"', text))


def _with_positions(text: str, lats: np.ndarray, lons: np.ndarray) -> str:
    out, last = [], 0
    for m, la, lo in zip(_gpx_points(text), lats, lons, strict=True):
        out += [text[last:m.start()], f'<trkpt lat="{la:.9f}" lon="{lo:.9f}"']
        last = m.end()
    return "".join(out) + text[last:]


def test_positions_replaced_by_a_straight_line_are_too_clean(tmp_path: Path) -> None:
    text = (NAVLOG / "gpxpy/cerknicko-jezero.gpx").read_text("utf-8")
    real = parse_track("c.gpx", text.encode()).points
    trk = [p for p in real if p.kind == "track"]
    secs = np.array([np.datetime64(p.time.rstrip("Z")).astype("datetime64[ms]").astype(float)
                     for p in trk])
    frac = (secs - secs[0]) / (secs[-1] - secs[0])
    lats = trk[0].lat + frac * (trk[-1].lat - trk[0].lat)
    lons = trk[0].lon + frac * (trk[-1].lon - trk[0].lon)
    fake = tmp_path / "fake.gpx"
    fake.write_text(_with_positions(text, lats, lons), "utf-8")
    f = _codes(_scan(fake))
    assert "track.too_clean" in f and f["track.too_clean"]["severity"] == "medium"
    assert f["track.too_clean"]["evidence"]["fraction_clean"] >= 0.9


def test_a_track_resampled_without_noise_is_too_clean(tmp_path: Path) -> None:
    real = [p for p in parse_track("c.gpx", (NAVLOG / "gpxpy/cerknicko-jezero.gpx")
                                   .read_bytes()).points if p.kind == "track"]
    rows = ["lat,lon,time"]
    for a, b in zip(real, real[1:], strict=False):
        ta = np.datetime64(a.time.rstrip("Z"), "ms")
        tb = np.datetime64(b.time.rstrip("Z"), "ms")
        for k in range(10):  # ten noiseless points per real leg
            f = k / 10
            rows.append(f"{a.lat + f * (b.lat - a.lat):.9f},{a.lon + f * (b.lon - a.lon):.9f},"
                        f"{(ta + (tb - ta) * f).astype('datetime64[ms]')}Z")
    fake = tmp_path / "resampled.csv"
    fake.write_text("\n".join(rows) + "\n", "utf-8")
    assert "track.too_clean" in _codes(_scan(fake))


def test_an_edited_nmea_sentence_fails_its_checksum(tmp_path: Path) -> None:
    text = (NAVLOG / "gpsd/haicom-305N.log").read_text("ascii")
    first = re.search(r"\$GPGGA,[^,]*,\d{4}\.\d+,[NS],\d+\.\d+,[EW],1,[^*]*\*[0-9A-F]{2}",
                      text).group(0)  # the first sentence with a fix
    edited = first.replace("2712.", "2713.", 1)  # moved ~1.8 km, checksum left as it was
    fake = tmp_path / "edited.log"
    fake.write_text(text.replace(first, edited, 1), "ascii")
    item = _scan(fake)
    f = _codes(item)["track.damaged_records"]
    assert f["evidence"]["count"] == 1
    assert _codes(item)["track.summary"]["evidence"]["points"] == 67  # the edited one unused


@pytest.mark.parametrize("cut", [100, 4096, 40_000, 65_535])
def test_truncated_and_garbled_logs_read_partly_or_fail_clearly(cut: int, tmp_path: Path) -> None:
    for name in ("pymavlink/test.BIN", "uavlogviewer/vtol.tlog", "pyulog/sample_log_small.ulg"):
        data = (NAVLOG / name).read_bytes()
        for variant, blob in (("cut", data[:cut]), ("garbage", data[:cut] + bytes(range(256)) * 8)):
            path = tmp_path / f"{variant}_{cut}_{Path(name).name}"
            path.write_bytes(blob)
            item = _scan(path)
            assert item["status"] in ("ok", "error"), item
            if item["status"] == "error":
                assert path.name in item["error"]["message"], item["error"]
                assert "Traceback" not in item["error"]["message"]
