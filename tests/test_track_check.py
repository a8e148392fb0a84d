"""The ``track`` check: a plain scan analyses navigation logs (GPX, KML, GeoJSON, CSV).

Inputs are generated at test time: the demo case's navigation-unit GPX
(:func:`samples.generate.build_samples`) and small hand-written logs whose expected values are
computed here independently (ElementTree for the demo file, the haversine formula for legs).
"""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assert_valid_item, assert_valid_scan
from PIL import Image

from provenancekit.forensics.batch import checks_for
from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.checks.track_check import TrackCheck, TrackCheckParams
from provenancekit.forensics.scan import scan_file
from provenancekit.forensics.tracks import parse_track, track_length_km
from provenancekit.forensics.tracks.consistency import time_resolution_s, time_seconds

R = 6371.0088  # mean Earth radius (IUGG), km


def hav(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * R * math.asin(math.sqrt(h))


# A drone-like log: 0.01 deg of latitude (1.11 km) a minute, ~67 km/h.
BASE = [(61.0 + i * 0.01, 33.0, f"2025-12-29T18:{10 + i:02d}:00Z") for i in range(10)]


def gpx(pts: list[tuple[float, float, str | None]], *, before: str = "",
        segments: list[int] | None = None) -> str:
    def trkpt(a: float, b: float, t: str | None) -> str:
        return f'<trkpt lat="{a}" lon="{b}">' + (f"<time>{t}</time>" if t else "") + "</trkpt>"

    cuts = [0, *(segments or []), len(pts)]
    segs = "".join("<trkseg>" + "".join(trkpt(*p) for p in pts[a:b]) + "</trkseg>"
                   for a, b in zip(cuts, cuts[1:], strict=False))
    return ('<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test" '
            f'xmlns="http://www.topografix.com/GPX/1/1">{before}<trk><name>t</name>{segs}'
            "</trk></gpx>")


def kml(pts: list[tuple[float, float, str]]) -> str:
    whens = "".join(f"<when>{t}</when>" for _, _, t in pts)
    coords = "".join(f"<gx:coord>{b} {a} 100</gx:coord>" for a, b, _ in pts)
    return ('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2" '
            'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><Placemark><gx:Track>'
            f"{whens}{coords}</gx:Track></Placemark></Document></kml>")


def geojson(pts: list[tuple[float, float, str]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"coordTimes": [t for _, _, t in pts]},
        "geometry": {"type": "LineString", "coordinates": [[b, a] for a, b, _ in pts]}}]})


def csv_log(pts: list[tuple[float, float, str]]) -> str:
    return "lat,lon,time\n" + "".join(f"{a},{b},{t}\n" for a, b, t in pts)


def kmz(pts: list[tuple[float, float, str]], *, member: str = "doc.kml",
        extra: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    """Google Earth's KMZ: the KML zipped (deflate) as doc.kml, before any other member."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, kml(pts))
        for name, body in extra:
            zf.writestr(name, body)
    return buf.getvalue()


def scan_text(tmp_path: Path, name: str, text: str | bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    item = scan_file(str(path)).to_dict()
    assert_valid_item(item)
    return item


def by_code(item: dict) -> dict[str, dict]:
    return {f["code"]: f for f in item["findings"]}


def track_result(item: dict) -> dict:
    return next(c for c in item["checks"] if c["name"] == "track")


# --------------------------------------------------------------------------- the demo's log


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    from provenancekit.samples.generate import build_samples

    return build_samples(tmp_path_factory.mktemp("demo"))


def test_demo_navigation_unit_track_summary(demo) -> None:
    sample = demo.get("nav_unit_track.gpx")
    item = scan_file(str(sample.path)).to_dict()
    assert_valid_item(item)
    assert item["status"] == "ok" and item["error"] is None
    assert item["media_type"] == "application/gpx+xml"
    assert track_result(item)["status"] == "ok"
    assert all(c["status"] == "not_applicable" for c in item["checks"] if c["name"] != "track")
    assert item["metadata"]["summary"]["width"] is None  # no image metadata invented
    # an honest, clean log: nothing above info
    assert [f["code"] for f in item["findings"]] == ["track.summary"]
    s = item["findings"][0]
    ev = s["evidence"]

    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    pts = ET.parse(sample.path).getroot().findall(".//g:trkpt", ns)
    times = [p.find("g:time", ns).text for p in pts]
    coords = [(float(p.get("lat")), float(p.get("lon"))) for p in pts]
    assert ev["format"] == "gpx" and ev["points"] == len(pts) == 30
    assert ev["with_time"] == 30 and ev["without_time"] == 0 and ev["times_with_offset"] == 30
    assert ev["first_time"] == times[0] and ev["last_time"] == times[-1]
    span = (datetime.fromisoformat(times[-1]) - datetime.fromisoformat(times[0]))
    assert ev["duration_s"] == span.total_seconds()
    expected_km = sum(hav(a, b) for a, b in zip(coords, coords[1:], strict=False))
    assert ev["length_km"] == pytest.approx(expected_km, rel=0.01)
    data = sample.path.read_bytes()
    assert ev["length_km"] == pytest.approx(
        track_length_km(parse_track(str(sample.path), data).points), rel=1e-6)
    assert [ev["end"]["lat"], ev["end"]["lon"]] == [round(v, 5) for v in sample.truth["end"]]
    assert (ev["start"]["lat"], ev["start"]["lon"]) == tuple(round(v, 5) for v in coords[0])
    assert ev["bbox"]["south"] == round(min(c[0] for c in coords), 5)
    assert ev["bbox"]["east"] == round(max(c[1] for c in coords), 5)
    assert ev["name"] == "NAV-7 S/N 0413 flight log" and ev["creator"] == "NavUnit-7 export"
    assert "nav_unit_track.gpx" in s["message"] and "30 point" in s["message"]
    assert times[0] in s["message"] and f"{expected_km:.1f}" in s["message"]


def test_scan_cli_reads_a_track_and_an_image(demo, tmp_path: Path) -> None:
    from provenancekit.cli.main import cli

    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "nav.gpx").write_bytes(demo.get("nav_unit_track.gpx").path.read_bytes())
    Image.new("RGB", (96, 64), (90, 120, 30)).save(folder / "photo.jpg", "JPEG", quality=90)
    out = tmp_path / "scan.json"
    result = CliRunner().invoke(cli, ["scan", str(folder), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert_valid_scan(doc)
    items = {Path(i["path"]).name: i for i in doc["items"]}
    assert set(items) == {"nav.gpx", "photo.jpg"}
    assert all(i["status"] == "ok" and i["error"] is None for i in items.values()), items
    assert "track.summary" in by_code(items["nav.gpx"])
    assert track_result(items["photo.jpg"])["status"] == "not_applicable"
    assert {"metadata", "jpeg_structure"} <= {c["name"] for c in items["photo.jpg"]["checks"]
                                              if c["status"] in ("ok", "flagged")}


def test_track_is_registered_and_in_the_quick_profile() -> None:
    assert "track" in {c.name for c in get_checks()}
    assert "track" in {c.name for c in checks_for("quick", None)}
    assert TrackCheck().params_dict()["max_speed_kmh"] == 1200.0


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(("name", "make", "media_type"), [
    ("log.gpx", gpx, "application/gpx+xml"),
    ("log.kml", kml, "application/vnd.google-earth.kml+xml"),
    ("log.kmz", kmz, "application/vnd.google-earth.kmz"),
    ("log.geojson", geojson, "application/geo+json"),
    ("log.csv", csv_log, "text/csv"),
    ("log.txt", csv_log, "text/csv"),  # a CSV log under another name is still read as CSV
])
def test_every_format_gives_the_same_summary(tmp_path: Path, name: str, make,
                                             media_type: str) -> None:
    item = scan_text(tmp_path, name, make(BASE))
    assert item["status"] == "ok", item["error"]
    assert item["media_type"] == media_type
    ev = by_code(item)["track.summary"]["evidence"]
    assert ev["points"] == 10 and ev["with_time"] == 10 and ev["segments"] == 1
    assert ev["first_time"] == "2025-12-29T18:10:00Z" and ev["last_time"] == "2025-12-29T18:19:00Z"
    assert ev["duration_s"] == 540.0
    expected_km = sum(hav(a[:2], b[:2]) for a, b in zip(BASE, BASE[1:], strict=False))
    assert ev["length_km"] == pytest.approx(expected_km, rel=0.01)
    assert (ev["end"]["lat"], ev["end"]["lon"]) == (61.09, 33.0)
    assert {f["severity"] for f in item["findings"]} == {"info"}


# --------------------------------------------------------------------------- time order


def test_a_time_going_backwards_is_flagged(tmp_path: Path) -> None:
    pts = list(BASE)
    pts[6] = (pts[6][0], pts[6][1], "2025-12-29T18:02:00Z")  # spliced from an earlier log
    item = scan_text(tmp_path, "spliced.gpx", gpx(pts))
    f = by_code(item)["track.time_reversed"]
    assert (f["severity"], f["confidence"]) == ("medium", "high")
    ev = f["evidence"]
    assert ev["count"] == 1
    first = ev["first"]
    assert (first["from_index"], first["to_index"]) == (5, 6)
    assert (first["from_time"], first["to_time"]) == ("2025-12-29T18:15:00Z",
                                                      "2025-12-29T18:02:00Z")
    assert first["seconds"] == -780.0
    assert "spliced.gpx" in f["message"] and "2025-12-29T18:02:00Z" in f["message"]
    assert track_result(item)["status"] == "flagged"


def test_times_with_and_without_offset_compare_on_their_own_clock(tmp_path: Path) -> None:
    # +03:00 local times running forward, though 21:10+03:00 is 18:10Z
    local = [(a, b, t.replace("T18:", "T21:").replace("Z", "+03:00")) for a, b, t in BASE]
    assert {f["code"] for f in scan_text(tmp_path, "l.gpx", gpx(local))["findings"]} == {
        "track.summary"}
    naive = [(a, b, t[:-1]) for a, b, t in BASE]  # no offset: the unit's own clock
    item = scan_text(tmp_path, "n.gpx", gpx(naive))
    assert {f["code"] for f in item["findings"]} == {"track.summary"}
    assert by_code(item)["track.summary"]["evidence"]["times_with_offset"] == 0


def test_waypoints_with_later_times_are_not_a_reversal(tmp_path: Path) -> None:
    wpt = '<wpt lat="61.5" lon="34.0"><time>2025-12-30T10:00:00Z</time><name>home</name></wpt>'
    item = scan_text(tmp_path, "wpt.gpx", gpx(BASE, before=wpt))
    assert {f["code"] for f in item["findings"]} == {"track.summary"}
    ev = by_code(item)["track.summary"]["evidence"]
    assert ev["points"] == 11 and ev["path_points"] == 10
    assert ev["kinds"] == {"waypoint": 1, "track": 10}
    assert ev["first_time"] == BASE[0][2] and ev["start"]["index"] == 1  # the path's start
    assert ev["bbox"]["north"] == 61.5  # the box holds every point


def test_a_reversal_between_segments_is_only_low(tmp_path: Path) -> None:
    later, earlier = BASE[:5], [(a, b, t.replace("T18:", "T17:")) for a, b, t in BASE[5:]]
    item = scan_text(tmp_path, "segs.gpx", gpx(later + earlier, segments=[5]))
    f = by_code(item)["track.time_reversed"]
    assert (f["severity"], f["confidence"]) == ("low", "medium")
    assert f["evidence"]["count"] == 0 and f["evidence"]["between_segments"] == 1
    ev = by_code(item)["track.summary"]["evidence"]
    assert ev["segments"] == 2
    within = sum(hav(a[:2], b[:2]) for a, b in zip(BASE[:5], BASE[1:5], strict=False)) + sum(
        hav(a[:2], b[:2]) for a, b in zip(BASE[5:], BASE[6:], strict=False))
    assert ev["length_km"] == pytest.approx(within, rel=1e-6)  # no leg across segments


# --------------------------------------------------------------------------- speed


def test_a_teleport_leg_is_flagged_with_the_worst_leg(tmp_path: Path) -> None:
    pts = list(BASE)
    pts[7] = (62.5, 33.0, pts[7][2])  # 150 km away for one fix, a minute either side
    item = scan_text(tmp_path, "jump.kml", kml(pts))
    f = by_code(item)["track.implausible_speed"]
    assert (f["severity"], f["confidence"]) == ("medium", "medium")
    ev = f["evidence"]
    assert ev["count"] == 2 and ev["max_speed_kmh"] == 1200.0
    worst = ev["worst"]
    d_in, d_out = hav(pts[6][:2], pts[7][:2]), hav(pts[7][:2], pts[8][:2])
    assert d_in > d_out
    assert (worst["from_index"], worst["to_index"]) == (6, 7)
    assert worst["km"] == pytest.approx(d_in, rel=0.01) and worst["seconds"] == 60.0
    assert worst["kmh"] == pytest.approx(d_in * 60, rel=0.01)
    assert worst["kmh_at_least"] == pytest.approx(d_in / (61 / 3600), rel=0.01)
    assert "1,200 km/h" in f["message"] and "jump.kml" in f["message"]


def test_a_jump_at_the_same_time_is_flagged(tmp_path: Path) -> None:
    pts = [(61.0, 33.0, "2025-12-29T18:10:00Z"), (61.05, 33.0, "2025-12-29T18:10:00Z"),
           (61.06, 33.0, "2025-12-29T18:11:00Z")]
    item = scan_text(tmp_path, "same.csv", csv_log(pts))
    worst = by_code(item)["track.implausible_speed"]["evidence"]["worst"]
    assert worst["seconds"] == 0.0 and worst["kmh"] is None
    km = hav(pts[0][:2], pts[1][:2])
    assert worst["kmh_at_least"] == pytest.approx(km * 3600, rel=0.01)  # 1 s resolution


def test_fast_but_possible_legs_are_not_flagged(tmp_path: Path) -> None:
    # an airliner at ~950 km/h logging every 10 s, and GPS scatter of 100 m between fixes
    # logged a tenth of a second apart
    jet = [(50.0, 10.0 + i * 0.0371, f"2025-01-01T10:00:{i * 10:02d}Z") for i in range(6)]
    assert 900 < hav(jet[0][:2], jet[1][:2]) * 360 < 1000
    scatter = [(50.0 + (i % 2) * 0.0009, 10.0, f"2025-01-01T10:00:00.{i}Z") for i in range(8)]
    for name, pts in (("jet.gpx", jet), ("scatter.gpx", scatter)):
        item = scan_text(tmp_path, name, gpx(pts))
        assert "track.implausible_speed" not in by_code(item), name


# --------------------------------------------------------------------------- times


def test_many_duplicate_timestamps_are_low(tmp_path: Path) -> None:
    pts = [(61.0 + i * 0.0005, 33.0, f"2025-12-29T18:10:{i // 4:02d}Z") for i in range(40)]
    f = by_code(scan_text(tmp_path, "dup.geojson", geojson(pts)))["track.duplicate_timestamps"]
    assert (f["severity"], f["confidence"]) == ("low", "medium")
    assert f["evidence"]["count"] == 30 and f["evidence"]["timed_steps"] == 39
    assert f["evidence"]["max_km"] == pytest.approx(hav(pts[0][:2], pts[1][:2]), rel=0.01)
    few = list(BASE)
    few[3] = (few[3][0], few[3][1], few[2][2])  # one duplicate in ten: not "many"
    assert "track.duplicate_timestamps" not in by_code(scan_text(tmp_path, "few.gpx", gpx(few)))


def test_a_track_without_times_says_so(tmp_path: Path) -> None:
    item = scan_text(tmp_path, "plain.gpx", gpx([(a, b, None) for a, b, _ in BASE]))
    f = by_code(item)["track.no_timestamps"]
    assert (f["severity"], f["confidence"]) == ("info", "high")
    assert "cannot be placed in time" in f["message"] and "plain.gpx" in f["message"]
    ev = by_code(item)["track.summary"]["evidence"]
    assert ev["with_time"] == 0 and ev["without_time"] == 10 and ev["duration_s"] is None
    epoch = "lat,lon,time\n" + "".join(f"{a},{b},{1767031800 + i * 60}\n"
                                       for i, (a, b, _) in enumerate(BASE))
    f = by_code(scan_text(tmp_path, "epoch.csv", epoch))["track.no_timestamps"]
    assert f["evidence"]["time_not_understood"] == 10 and "not an ISO 8601" in f["message"]


def test_time_helpers() -> None:
    assert time_resolution_s("2025-12-29T18:10Z") == 60.0
    assert time_resolution_s("2025-12-29T18:10:05+03:00") == 1.0
    assert time_resolution_s("2025-12-29T18:10:05.25Z") == pytest.approx(0.01)
    assert time_resolution_s("yesterday") is None
    a, b = time_seconds("2025-12-29T21:10:00+03:00"), time_seconds("2025-12-29T18:10:00Z")
    assert a == b and a[1] is True
    assert time_seconds("2025-12-29T18:10:00")[1] is False
    assert time_seconds("2025-12-29") is None and time_seconds("garbage") is None


# --------------------------------------------------------------------------- bad input, limits


def test_a_malformed_gpx_is_corrupt_track(tmp_path: Path) -> None:
    item = scan_text(tmp_path, "broken.gpx", gpx(BASE)[:-40])
    assert item["status"] == "error" and item["media_type"] == "application/gpx+xml"
    assert item["error"]["code"] == "corrupt_track"
    assert "broken.gpx" in item["error"]["message"] and "GPX" in item["error"]["message"]
    assert track_result(item)["status"] == "error" and item["findings"] == []
    assert item["metadata"]["File"]["media_type"] == "application/gpx+xml"
    # an XML bomb is refused by defusedxml, as corrupt_track too
    bomb = ('<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            '<gpx><wpt lat="1" lon="1"><name>&b;</name></wpt></gpx>')
    assert scan_text(tmp_path, "bomb.gpx", bomb)["error"]["code"] == "corrupt_track"
    # a GeoJSON without a point or a line
    poly = json.dumps({"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[33, 61], [33.1, 61], [33, 61.1], [33, 61]]]}})
    item = scan_text(tmp_path, "area.geojson", poly)
    assert item["error"]["code"] == "corrupt_track" and "area.geojson" in item["error"]["message"]


def test_other_files_keep_their_treatment(tmp_path: Path) -> None:
    notes = scan_text(tmp_path, "notes.txt", "Notes from the call.\nNothing here.\n")
    assert notes["status"] == "error" and notes["error"]["code"] == "unsupported_format"
    table = scan_text(tmp_path, "budget.csv", "item,amount\nfuel,10\nfood,20\n")
    assert table["media_type"] == "text/csv"
    assert table["error"]["code"] == "unsupported_format" and "budget.csv" in \
        table["error"]["message"]
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "PNG")
    png = scan_text(tmp_path, "red.png", buf.getvalue())
    assert png["status"] == "ok" and png["metadata"]["summary"]["width"] == 64
    assert track_result(png)["status"] == "not_applicable"
    assert next(c for c in png["checks"] if c["name"] == "metadata")["status"] in ("ok",
                                                                                  "flagged")


def test_points_are_capped_and_the_summary_says_so(tmp_path: Path) -> None:
    check = TrackCheck()
    check.params = TrackCheckParams(max_points=4)
    path = tmp_path / "long.gpx"
    path.write_text(gpx(BASE))
    item = scan_file(str(path), checks=(check,)).to_dict()
    assert_valid_item(item)
    s = by_code(item)["track.summary"]
    assert s["evidence"]["points"] == 4 and s["evidence"]["capped"] is True
    assert "Only the first 4 points were read" in s["message"]
    assert s["evidence"]["last_time"] == BASE[3][2]


def test_an_oversized_track_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("provenancekit.forensics.tracks.parse.MAX_TRACK_BYTES", 200)
    item = scan_text(tmp_path, "huge.gpx", gpx(BASE))
    assert item["error"]["code"] == "too_large" and "huge.gpx" in item["error"]["message"]


def test_kmz_members_and_hostile_archives(tmp_path: Path) -> None:
    """A KMZ is read through its KML member; an archive without one, a member that would
    unpack past the size limit (a ZIP bomb) or a damaged archive give a clear corrupt_track
    error naming the file, never a traceback."""
    import io
    import zipfile

    from provenancekit.forensics.tracks.parse import MAX_TRACK_BYTES, TrackError, parse_track

    other_first = kmz(BASE, member="tracks/flight.kml", extra=(("images/a.png", b"x"),))
    track = parse_track("f.kmz", other_first)
    assert track.format == "kmz" and len(track.points) == 10
    assert any("tracks/flight.kml" in p for p in track.problems)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "no track here")
    item = scan_text(tmp_path, "empty.kmz", buf.getvalue())
    assert item["status"] == "error" and item["error"]["code"] in ("corrupt_track",
                                                                   "unsupported_format")

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", b"<kml>" + b" " * (MAX_TRACK_BYTES + 10) + b"</kml>")
    assert len(bomb.getvalue()) < 200_000  # ~50 MB of spaces deflate to little
    with pytest.raises(TrackError, match="unpack"):
        parse_track("bomb.kmz", bomb.getvalue())
    item = scan_text(tmp_path, "bomb.kmz", bomb.getvalue())
    assert item["status"] == "error" and item["error"]["code"] == "corrupt_track"
    assert "bomb.kmz" in item["error"]["message"] and "unpack" in item["error"]["message"]

    damaged = bytearray(kmz(BASE))
    damaged[40:80] = b"\x00" * 40
    item = scan_text(tmp_path, "damaged.kmz", bytes(damaged))
    assert item["status"] == "error" and "damaged.kmz" in item["error"]["message"]
    assert "Traceback" not in item["error"]["message"]
