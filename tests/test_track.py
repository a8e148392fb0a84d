"""Navigation data: GPX, KML, CSV and GeoJSON parse to the same points, and the measurements
(end point, closest approach along segments, final-leg bearing, window) are right."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from provenancekit.forensics.tracks import TrackError, analyse_track, parse_track
from provenancekit.forensics.tracks.geo import bearing_deg, haversine_km, point_segment_km
from provenancekit.forensics.tracks.times import Window

PTS = [(61.00, 33.00, "2025-12-29T18:10:00Z"), (61.10, 33.40, "2025-12-29T18:20:00Z"),
       (61.20, 33.80, "2025-12-29T18:30:00Z"), (61.27, 33.86, "2025-12-29T18:40:00Z")]
WINDOW = Window(datetime.fromisoformat("2025-12-29T21:00:00+03:00"),
                datetime.fromisoformat("2025-12-30T03:00:00+03:00"))
TARGET = {"name": "Residence", "lat": 61.52, "lon": 34.18}
SITE = {"name": "Airfield", "lat": 61.27, "lon": 33.86}


def gpx() -> bytes:
    rows = "".join(f'<trkpt lat="{a}" lon="{b}"><ele>100</ele><time>{t}</time></trkpt>'
                   for a, b, t in PTS)
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="T" '
            f'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>x</name><trkseg>{rows}'
            "</trkseg></trk></gpx>").encode()


def kml() -> bytes:
    whens = "".join(f"<when>{t}</when>" for _, _, t in PTS)
    coords = "".join(f"<gx:coord>{b} {a} 100</gx:coord>" for a, b, _ in PTS)
    return ('<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/'
            f'ext/2.2"><Document><name>d</name><Placemark><gx:Track>{whens}{coords}'
            "</gx:Track></Placemark></Document></kml>").encode()


def kml_line() -> bytes:
    coords = " ".join(f"{b},{a},0" for a, b, _ in PTS)
    return ('<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><LineString><coordinates>'
            f"{coords}</coordinates></LineString></Placemark></kml>").encode()


def csv_headed() -> bytes:
    return ("latitude,longitude,time\n" + "".join(f"{a},{b},{t}\n" for a, b, t in PTS)).encode()


def csv_bare() -> bytes:
    return "".join(f"{a},{b},{t}\n" for a, b, t in PTS).encode()


def geojson() -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"coordTimes": [t for _, _, t in PTS]},
        "geometry": {"type": "LineString", "coordinates": [[b, a] for a, b, _ in PTS]}}]}
    ).encode()


@pytest.mark.parametrize(("name", "make", "timed"), [
    ("t.gpx", gpx, True), ("t.kml", kml, True), ("line.kml", kml_line, False),
    ("t.csv", csv_headed, True), ("bare.csv", csv_bare, True), ("t.geojson", geojson, True)])
def test_formats_parse_to_the_same_points(name: str, make, timed: bool) -> None:
    track = parse_track(name, make())
    assert [(p.lat, p.lon) for p in track.points] == [(a, b) for a, b, _ in PTS]
    assert [p.time for p in track.points] == ([t for _, _, t in PTS] if timed else [None] * 4)
    res = analyse_track(track, target=TARGET, sites=[SITE], window=WINDOW)
    site = next(p for p in res["places"] if p["role"] == "site")
    target = next(p for p in res["places"] if p["role"] == "target")
    assert site["end_km"] < 0.01
    assert target["end_km"] == pytest.approx(haversine_km((61.27, 33.86), (61.52, 34.18)))
    if timed:
        assert res["times"]["relation_counts"]["inside"] == 4


def test_closest_approach_is_measured_along_segments_not_only_at_fixes() -> None:
    # a long straight leg passing 1 km north of a place half-way between two fixes
    a, b = (60.0, 30.0), (60.0, 32.0)
    place = (60.0 - 1.0 / 111.195, 31.0)
    d, t = point_segment_km(place, a, b)
    assert d == pytest.approx(1.0, abs=0.02) and 0.45 < t < 0.55
    track = parse_track("x.csv", f"{a[0]},{a[1]}\n{b[0]},{b[1]}\n".encode())
    res = analyse_track(track, target={"name": "P", "lat": place[0], "lon": place[1]},
                        sites=[], window=None)
    p = res["places"][0]
    assert p["closest_km"] == pytest.approx(1.0, abs=0.02)
    assert p["end_km"] > 50  # the fixes themselves are ~55 km away


def test_final_leg_bearing_and_extended_miss() -> None:
    track = parse_track("t.gpx", gpx())
    res = analyse_track(track, target=TARGET, sites=[SITE], window=WINDOW,
                        final_leg_km=5.0)
    leg = res["final_leg"]
    assert leg["from_index"] == 2 and leg["length_km"] >= 5.0
    assert leg["bearing_deg"] == pytest.approx(bearing_deg((61.20, 33.80), (61.27, 33.86)))
    assert leg["compass"] in ("NNE", "N")
    target = next(p for p in res["places"] if p["role"] == "target")
    assert target["extended_miss_km"] > 5  # heading for the airfield, not the residence


def test_times_outside_the_window_are_counted() -> None:
    text = csv_headed().replace(b"2025-12-29", b"2025-12-20")
    res = analyse_track(parse_track("t.csv", text), target=TARGET, sites=[], window=WINDOW)
    assert res["times"]["relation_counts"]["before"] == 4


@pytest.mark.parametrize(("name", "data", "why"), [
    ("e.gpx", b"", "empty"),
    ("x.gpx", b"<gpx><trkpt lat='1' lon='2'>", "cannot be parsed"),
    ("x.gpx", b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
              b"<gpx>&b;</gpx>", "DTDForbidden"),
    ("x.gpx", b"<gpx version='1.1'></gpx>", "no valid point"),
    ("x.kml", b"<notkml/>", "not a navigation file of a format read here"),
    ("x.csv", b"name,value\nfoo,bar\n", "neither a lat/lon header"),
    ("x.geojson", b"[1, 2]", "not a GeoJSON object"),
    ("x.gpx", b"<gpx><trkpt lat='95' lon='2'/></gpx>", "out of range"),
])
def test_bad_track_files_give_clear_errors(name: str, data: bytes, why: str) -> None:
    with pytest.raises(TrackError) as info:
        parse_track(name, data)
    assert name in str(info.value) and why in str(info.value)


def test_parser_records_each_points_path_and_kind() -> None:
    """Every parsed point carries its kind and the path it belongs to, so analyses need not
    parse the file a second time: GPX segments and routes, KML tracks, lines and points,
    GeoJSON lines and multi-points, CSV as one path."""
    gpx = (b'<gpx><wpt lat="1" lon="1"/><trk><trkseg><trkpt lat="1" lon="2"/>'
           b'<trkpt lat="1" lon="3"/></trkseg><trkseg><trkpt lat="1" lon="4"/></trkseg>'
           b'</trk><rte><rtept lat="2" lon="2"/></rte></gpx>')
    pts = parse_track("a.gpx", gpx).points
    assert [(p.kind, p.segment) for p in pts] == [
        ("waypoint", 1), ("track", 3), ("track", 3), ("track", 4), ("route", 5)]
    kml = (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           b"<Placemark><LineString><coordinates>1,1 2,2</coordinates></LineString></Placemark>"
           b"<Placemark><Point><coordinates>3,3</coordinates></Point></Placemark>"
           b"<Placemark><Point><coordinates>4,4</coordinates></Point></Placemark>"
           b"</Document></kml>")
    pts = parse_track("a.kml", kml).points
    assert [(p.kind, p.segment) for p in pts] == [("line", 1), ("line", 1), ("point", 2),
                                                   ("point", 3)]
    geo = (b'{"type": "FeatureCollection", "features": ['
           b'{"type": "Feature", "geometry": {"type": "MultiLineString",'
           b' "coordinates": [[[1, 1], [2, 2]], [[3, 3]]]}},'
           b'{"type": "Feature", "geometry": {"type": "MultiPoint",'
           b' "coordinates": [[4, 4], [5, 5]]}}]}')
    pts = parse_track("a.geojson", geo).points
    assert [(p.kind, p.segment) for p in pts] == [("line", 1), ("line", 1), ("line", 2),
                                                   ("point", 3), ("point", 4)]
    pts = parse_track("a.csv", b"lat,lon\n1,1\n2,2\n").points
    assert {(p.kind, p.segment) for p in pts} == {("track", 1)}
