"""Signs of a fabricated or edited flight log (issue 16), on real logs of ../shared/corpus/navlog
and on logs fabricated from them in their own formats (benchmarks.navlog_fabrication); the demo
unit's MAVLink 2 tlog (samples.navunit) read back as generated; selective DataFlash reading;
bad input answered with a clear error or a partial read that says how much was read."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks.navlog_fabrication import (
    SIGNS,
    fabricate_dataflash,
    fabricate_nmea,
    fabricate_tlog,
    fabricate_ulog,
    findings,
)
from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.scan import scan_file
from provenancekit.forensics.tracks import parse_track
from provenancekit.forensics.tracks.mavlink import DataFlashIndex
from provenancekit.forensics.tracks.sensors import (
    altitude_agreement,
    clock_drift,
    pressure_altitude_m,
    timeline_gaps,
)
from provenancekit.samples.case import CLAIMED_TARGET, MILITARY_SITE
from provenancekit.samples.navunit import dataflash_log, navunit_geometry, navunit_tlog

NAVLOG = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "navlog"
corpus = pytest.mark.skipif(not NAVLOG.is_dir(), reason="../shared/corpus is absent")


@pytest.fixture(scope="module")
def tlog() -> bytes:
    return navunit_tlog(CLAIMED_TARGET, MILITARY_SITE, seed=3)


@pytest.fixture(scope="module")
def bin_log() -> bytes:
    return dataflash_log(seconds=420, seed=3)


# --------------------------------------------------------------------------------------------
# The demo unit's tlog and the generated DataFlash log
# --------------------------------------------------------------------------------------------


def test_navunit_tlog_reads_back_as_generated(tlog: bytes) -> None:
    assert tlog == navunit_tlog(CLAIMED_TARGET, MILITARY_SITE, seed=3)  # deterministic
    geo = navunit_geometry(CLAIMED_TARGET, MILITARY_SITE, seed=3)
    t = parse_track("navunit.tlog", tlog)
    assert t.format == "tlog" and tlog[8] == 0xFD  # MAVLink 2 frames
    # the mission as uploaded: home, takeoff, two waypoints, the mission's destination
    assert [m.command for m in t.mission] == ["NAV_WAYPOINT", "NAV_TAKEOFF", "NAV_WAYPOINT",
                                              "NAV_WAYPOINT", "NAV_WAYPOINT"]
    assert (t.mission[-1].lat, t.mission[-1].lon) == CLAIMED_TARGET
    # the flown track starts at home and ends at the generated end, near the other site
    home, end = geo["home"], geo["end"]
    assert abs(t.points[0].lat - home[0]) < 1e-4 and abs(t.points[0].lon - home[1]) < 2e-4
    assert abs(t.points[-1].lat - end[0]) < 1e-4 and abs(t.points[-1].lon - end[1]) < 2e-4
    assert t.points[0].time.startswith("2025-12-29T19:08:30")
    assert t.integrity["bad_crc_frames"] == 0 and t.integrity["sequence_gaps"] == 0
    assert t.vehicle["firmware"].startswith("ArduPlane") and t.vehicle["vehicle_type"] == \
        "MAV_TYPE_FIXED_WING"
    assert len({p.sats for p in t.points}) > 3 and len({p.hdop for p in t.points}) > 10


def test_generated_logs_raise_no_fabrication_sign(tlog: bytes, bin_log: bytes) -> None:
    for name, data in (("navunit.tlog", tlog), ("unit.bin", bin_log)):
        f = findings(name, data)
        assert "track.summary" in f and "track.mission" in f, sorted(f)
        assert not set(SIGNS) & set(f), (name, sorted(set(SIGNS) & set(f)))


def test_dataflash_is_read_selectively_and_says_how_much(bin_log: bytes) -> None:
    t = parse_track("unit.bin", bin_log)
    ig = t.integrity
    assert set(ig["messages_read"]) <= {"GPS", "BARO", "IMU", "CMD", "MSG", "MODE", "VER",
                                        "EV", "ERR"}
    assert ig["bytes_indexed"] == len(bin_log) and t.bytes_read is None
    assert 0 < ig["fraction_decoded"] < 0.2  # GPS, BARO, the IMU's times: not the rest
    assert ig["messages_indexed"] > 10 * sum(ig["messages_read"].values()) / 2
    assert len(t.points) == 420 * 5 and t.clock == "gps"
    # a log cut in the middle of a damaged region: read up to there, and said so
    idx = DataFlashIndex(bin_log)
    cut = int(idx.offsets("GPS")[1000])
    damaged = bin_log[:cut] + b"\xa3\x95\xfe" + bytes(range(200)) * 400 + bin_log[cut:]
    t2 = parse_track("damaged.bin", damaged)
    assert t2.bytes_read is not None and t2.bytes_read <= cut + 3
    assert any("could be read up to byte" in p for p in t2.problems)
    assert 900 <= len(t2.points) <= 1001


def test_columns_match_pymavlink_messages(bin_log: bytes) -> None:
    idx = DataFlashIndex(bin_log)
    cols = idx.columns("GPS", ("Lat", "Lng", "Alt", "HDop", "GMS"))
    msgs = idx.messages("GPS")[:50]
    for i, (_, d) in enumerate(msgs):
        assert (cols["Lat"][i], cols["Lng"][i], cols["Alt"][i], cols["HDop"][i]) == \
            (d["Lat"], d["Lng"], d["Alt"], d["HDop"])
        assert cols["GMS"][i] == d["GMS"]


# --------------------------------------------------------------------------------------------
# Fabricated variants of the generated logs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "sign"), [
    ("resampled", "track.too_clean"),
    ("segment_deleted", "track.log_gap"),
    ("altitude_edited", "track.baro_mismatch"),
    ("quality_constant", "track.gnss_quality_constant"),
    ("clock_edited", "track.clock_inconsistent"),
])
def test_fabricated_dataflash_variants_are_found(bin_log: bytes, variant: str,
                                                 sign: str) -> None:
    f = findings("unit.bin", fabricate_dataflash(bin_log, variant))
    assert sign in f, (variant, sorted(f))
    assert f[sign]["severity"] == "medium"
    ev = f[sign]["evidence"]
    if sign == "track.log_gap":  # 30 s cut out of the 50 Hz IMU stream
        assert ev["stream"] in ("IMU", "IMU2") and abs(ev["largest"][0]["seconds"] - 30.0) < 0.1
    if sign == "track.baro_mismatch":  # 120 m added to a third of the fixes
        assert ev["residual_p95_m"] > 100
    if sign == "track.clock_inconsistent":  # GNSS time moved 5 s
        assert abs(ev["largest_step_s"] - 5.0) < 0.01


@pytest.mark.parametrize(("variant", "sign", "severity"), [
    ("straight_line", "track.too_clean", "medium"),
    ("segment_deleted", "track.log_gap", "low"),
    ("bad_crc", "track.damaged_records", "low"),
    ("clock_edited", "track.clock_inconsistent", "medium"),
])
def test_fabricated_tlog_variants_are_found(tlog: bytes, variant: str, sign: str,
                                            severity: str) -> None:
    f = findings("navunit.tlog", fabricate_tlog(tlog, variant))
    assert sign in f and f[sign]["severity"] == severity, (variant, sorted(f))
    if variant == "bad_crc":
        assert f[sign]["evidence"]["count"] == 10
    if variant == "segment_deleted":
        g = f[sign]["evidence"]["largest"][0]
        assert abs(g["seconds"] - 30.0) < 1.5 and g["seq_missing"] > 0


# --------------------------------------------------------------------------------------------
# Real logs of the corpus and variants fabricated from them
# --------------------------------------------------------------------------------------------


@corpus
@pytest.mark.parametrize("name", ["pymavlink/test.BIN", "uavlogviewer/vtol.tlog",
                                  "pyulog/sample_log_small.ulg", "pyulog/sample_px4_events.ulg",
                                  "gpsd/haicom-305N.log"])
def test_real_logs_raise_no_new_sign(name: str) -> None:
    f = findings(Path(name).name, (NAVLOG / name).read_bytes())
    fired = set(SIGNS) & set(f)
    if name.endswith("vtol.tlog"):  # ArduPilot SITL: one satellite count and HDOP throughout
        assert f["track.simulator"]["evidence"]["simulator"] > 0
        assert fired == {"track.gnss_quality_constant"}
        assert f["track.gnss_quality_constant"]["severity"] == "low"
        assert f["track.gnss_quality_constant"]["evidence"]["sats_values"] == [10]
    else:
        assert not fired, (name, sorted(fired))


@corpus
def test_real_logs_sensors_agree_as_measured() -> None:
    v = parse_track("vtol.tlog", (NAVLOG / "uavlogviewer/vtol.tlog").read_bytes()).sensors
    alt = altitude_agreement(v["gnss"], v["baro"])
    assert alt["pairs"] > 700 and alt["residual_p95_m"] < 2.0  # SCALED_PRESSURE vs GPS
    assert abs(alt["gnss_range_m"] - alt["baro_range_m"]) < 2.0
    clk = clock_drift(v["clock"])
    assert clk["pairs"] > 800 and clk["residual_max_s"] < 0.01
    gaps = timeline_gaps(v["timeline"], gap_s=10.0, backwards_s=5.0)
    assert gaps["gaps"] == 0 and gaps["backwards"] == 0
    assert timeline_gaps(v["timeline"], gap_s=10.0, backwards_s=1.0)["backwards"] == 1  # 1.4 s
    u = parse_track("u.ulg", (NAVLOG / "pyulog/sample_px4_events.ulg").read_bytes()).sensors
    assert altitude_agreement(u["gnss"], u["baro"])["residual_p95_m"] < 1.0


@corpus
@pytest.mark.parametrize(("name", "fab", "variant", "sign"), [
    ("uavlogviewer/vtol.tlog", fabricate_tlog, "segment_deleted", "track.log_gap"),
    ("uavlogviewer/vtol.tlog", fabricate_tlog, "altitude_edited", "track.baro_mismatch"),
    ("uavlogviewer/vtol.tlog", fabricate_tlog, "straight_line", "track.baro_mismatch"),
    ("uavlogviewer/vtol.tlog", fabricate_tlog, "clock_edited", "track.clock_inconsistent"),
    ("uavlogviewer/vtol.tlog", fabricate_tlog, "bad_crc", "track.damaged_records"),
    ("pyulog/sample_px4_events.ulg", fabricate_ulog, "segment_deleted", "track.log_gap"),
    ("pyulog/sample_px4_events.ulg", fabricate_ulog, "altitude_edited", "track.baro_mismatch"),
    ("pyulog/sample_log_small.ulg", fabricate_ulog, "clock_edited",
     "track.clock_inconsistent"),
    ("gpsd/haicom-305N.log", fabricate_nmea, "bad_crc", "track.damaged_records"),
])
def test_variants_fabricated_from_real_logs_are_found(name: str, fab, variant: str,
                                                      sign: str) -> None:
    f = findings(Path(name).name, fab((NAVLOG / name).read_bytes(), variant))
    assert sign in f, (name, variant, sorted(f))


# --------------------------------------------------------------------------------------------
# The measurements themselves
# --------------------------------------------------------------------------------------------


def test_pressure_altitude_is_the_standard_atmosphere() -> None:
    assert abs(float(pressure_altitude_m(np.array([1013.25]))[0])) < 1e-6
    assert abs(float(pressure_altitude_m(np.array([898.75]))[0]) - 1000.0) < 2.0  # ICAO table


def test_altitude_agreement_allows_only_a_weather_drift() -> None:
    t = np.arange(0.0, 3600.0, 1.0)
    rng = np.random.default_rng(5)
    climb = np.clip(t / 600, 0, 1) * 200
    gnss = {"t": t, "alt": 300 + climb + rng.normal(0, 3, t.size)}
    drift = {"t": t, "alt": climb + t / 3600 * 20 + rng.normal(0, 0.3, t.size)}  # 20 m/h
    flat = {"t": t, "alt": np.zeros(t.size) + rng.normal(0, 0.3, t.size)}
    assert altitude_agreement(gnss, drift)["residual_p95_m"] < 8
    assert altitude_agreement(gnss, flat)["residual_p95_m"] > 60
    assert altitude_agreement(gnss, {"t": t + 5, "alt": drift["alt"]},
                              max_pair_gap_s=1.0)["pairs"] == t.size - 5


# --------------------------------------------------------------------------------------------
# Bad input: a clear error or a partial read that says how much was read, never a traceback
# --------------------------------------------------------------------------------------------


def _scan(path: Path) -> dict:
    return scan_file(str(path), checks=get_checks(["track"])).to_dict()


def test_a_mission_of_a_million_waypoints_is_read_partly_and_says_so(tmp_path: Path) -> None:
    rows = ["QGC WPL 110"] + [f"{i}\t0\t3\t16\t0\t0\t0\t0\t{61 + i * 1e-6:.6f}\t33.5\t100\t1"
                              for i in range(1_000_000)]
    path = tmp_path / "huge.waypoints"
    path.write_text("\n".join(rows) + "\n")
    start = time.perf_counter()
    item = _scan(path)
    assert time.perf_counter() - start < 60
    assert item["status"] in ("ok", "error")
    if item["status"] == "error":
        assert path.name in item["error"]["message"]
    else:
        f = {x["code"]: x for x in item["findings"]}["track.mission"]
        assert f["evidence"]["count"] == 100_000 and f["evidence"]["listed"] == 500
        skipped = {x["code"]: x for x in item["findings"]}["track.summary"]["evidence"]["skipped"]
        assert any("more than 100000" in s for s in skipped)


def test_nmea_with_every_checksum_wrong_is_a_clear_error(tmp_path: Path) -> None:
    lines = [f"$GPGGA,1200{i % 60:02d}.00,6116.2000,N,03351.6000,E,1,08,0.9,120.0,M,18.0,M,,*00"
             for i in range(200)]
    path = tmp_path / "bad.nmea"
    path.write_text("\r\n".join(lines) + "\r\n")
    item = _scan(path)
    assert item["status"] == "error" and item["error"]["code"] == "corrupt_track"
    assert "bad.nmea" in item["error"]["message"]
    assert "checksum" in item["error"]["message"]


@corpus
def test_nmea_with_some_checksums_wrong_is_read_partly(tmp_path: Path) -> None:
    data = fabricate_nmea((NAVLOG / "gpsd/haicom-305N.log").read_bytes(), "bad_crc")
    path = tmp_path / "some_bad.log"
    path.write_bytes(data)
    f = {x["code"]: x for x in _scan(path)["findings"]}
    assert f["track.summary"]["evidence"]["points"] == 58
    assert "10 sentence(s) with a wrong checksum were not used" in \
        f["track.summary"]["evidence"]["skipped"]


@pytest.mark.parametrize("text", [
    "time,speed,heading\n2025-01-01T00:00:00Z,3,4\n",  # no coordinate columns
    "lat,lon,time\nabc,def,ghi\nnorth,east,x\n",       # coordinate columns, not numbers
    "lat,lon\n61.1\n61.2\n",                          # rows shorter than the header
    "lat;lon;time\n91.5;200.0;x\n",                   # out of range
])
def test_csv_with_wrong_columns_is_a_clear_error(text: str, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text(text)
    item = _scan(path)
    assert item["status"] == "error", item["findings"]
    assert item["error"]["code"] in ("unsupported_format", "corrupt_track")
    assert "wrong.csv" in item["error"]["message"] and "Traceback" not in \
        item["error"]["message"]
