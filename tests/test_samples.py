"""The generated demo evidence: present, deterministic and carrying the traits it promises."""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image

from provenancekit.forensics.tracks.geo import haversine_km
from provenancekit.samples.generate import (
    CLAIMED_PLACE,
    CLAIMED_TARGET,
    EVENT_WINDOW,
    MILITARY_SITE,
    SampleSet,
    build_samples,
)

EXPECTED_NAMES = {
    "IMG_0412.jpg",
    "wreckage_edited.jpg",
    "far_away.jpg",
    "recycled_2019.jpg",
    "ai_render.png",
    "statement_photo.png",
    "stripped.jpg",
    "nav_unit_track.gpx",
    "empty_upload.jpg",
    "wreckage_cloned.jpg",
    "nav_unit.tlog",
}
GPX_NS = {"g": "http://www.topografix.com/GPX/1/1"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    return build_samples(tmp_path_factory.mktemp("demo"))


def _dms_to_deg(dms: tuple[float, float, float], ref: str) -> float:
    value = float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600
    return -value if ref in ("S", "W") else value


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _app_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of every segment before the scan data."""
    assert data[:2] == b"\xff\xd8"
    out, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF and data[i + 1] != 0xDA:
        length = int.from_bytes(data[i + 2:i + 4], "big")
        out.append((data[i + 1], data[i + 4:i + 2 + length]))
        i += 2 + length
    return out


def _gray_64x48(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L").resize((64, 48), Image.Resampling.BOX), dtype=np.float64)


def _thumbnail_diff(path: Path) -> float:
    thumb = Image.open(io.BytesIO(piexif.load(str(path))["thumbnail"]))
    with Image.open(path) as main:
        return float(np.abs(_gray_64x48(main) - _gray_64x48(thumb)).mean())


def test_every_listed_file_exists(built: SampleSet) -> None:
    assert built.evidence_dir.is_dir()
    assert {f.name for f in built.files} == EXPECTED_NAMES
    for sample in built.files:
        assert sample.path.is_file()
        assert sample.path.parent == built.evidence_dir
        assert sample.purpose
        assert all(isinstance(code, str) and code for code in sample.expect)
        if sample.name.endswith(".tlog"):  # 90 minutes of telemetry at the usual rates
            assert 0 < sample.path.stat().st_size < 2_000_000
        elif sample.name != "empty_upload.jpg":
            assert 0 < sample.path.stat().st_size < 1_200_000
    assert built.get("empty_upload.jpg").expect == ("empty_file",)
    assert built.get("IMG_0412.jpg").expect == ()


def test_deterministic_and_contained(built: SampleSet, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "out"
    again = build_samples(out)
    assert again.evidence_dir == out / "evidence"
    # nothing is written outside out_dir/evidence
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(EXPECTED_NAMES)
    first = {f.name: _sha256(f.path) for f in built.files}
    second = {f.name: _sha256(f.path) for f in again.files}
    assert first == second


def test_camera_original_exif_fits_claim(built: SampleSet) -> None:
    path = built.get("IMG_0412.jpg").path
    with Image.open(path) as img:
        size = img.size
        exif = img.getexif()
        exif_ifd = exif.get_ifd(0x8769)
        gps = exif.get_ifd(0x8825)
    assert exif[271] == "Canon"
    assert exif[272] == "Canon EOS 90D"
    assert 305 not in exif  # no Software tag on a camera original
    assert (exif_ifd[0xA002], exif_ifd[0xA003]) == size
    taken = datetime.strptime(exif_ifd[0x9003], "%Y:%m:%d %H:%M:%S")
    taken = datetime.fromisoformat(taken.isoformat() + exif_ifd[0x9011])
    start, end = (datetime.fromisoformat(t) for t in EVENT_WINDOW)
    assert start <= taken <= end
    assert exif[306] == exif_ifd[0x9003]  # DateTime == DateTimeOriginal
    lat = _dms_to_deg(gps[2], gps[1])
    lon = _dms_to_deg(gps[4], gps[3])
    assert haversine_km((lat, lon), CLAIMED_PLACE) < 1.0
    hh, mm, ss = (int(float(v)) for v in gps[7])
    utc = taken.astimezone(timezone.utc)
    assert gps[29] == utc.strftime("%Y:%m:%d")
    assert (hh, mm, ss) == (utc.hour, utc.minute, utc.second)
    loaded = piexif.load(str(path))
    assert loaded["thumbnail"]
    assert Image.open(io.BytesIO(loaded["thumbnail"])).size == (160, 120)
    assert path.read_bytes()[2:4] == b"\xff\xe1"  # Exif APP1 first, as cameras write it


def test_far_away_and_recycled(built: SampleSet) -> None:
    with Image.open(built.get("far_away.jpg").path) as img:
        exif = img.getexif()
        gps = exif.get_ifd(0x8825)
        taken = exif.get_ifd(0x8769)[0x9003]
    assert exif[271] == "samsung"
    pos = (_dms_to_deg(gps[2], gps[1]), _dms_to_deg(gps[4], gps[3]))
    assert haversine_km(pos, CLAIMED_PLACE) > 800
    local = datetime.fromisoformat(
        datetime.strptime(taken, "%Y:%m:%d %H:%M:%S").isoformat() + "+03:00")
    start, end = (datetime.fromisoformat(t) for t in EVENT_WINDOW)
    assert start <= local <= end
    with Image.open(built.get("recycled_2019.jpg").path) as img:
        exif = img.getexif()
        assert exif[271].startswith("NIKON")
        assert exif.get_ifd(0x8769)[0x9003].startswith("2019:")


def test_edited_file_shows_photoshop(built: SampleSet) -> None:
    path = built.get("wreckage_edited.jpg").path
    with Image.open(path) as img:
        exif = img.getexif()
        exif_ifd = exif.get_ifd(0x8769)
    assert "Photoshop" in exif[305]
    modified = datetime.strptime(exif[306], "%Y:%m:%d %H:%M:%S")
    taken = datetime.strptime(exif_ifd[0x9003], "%Y:%m:%d %H:%M:%S")
    assert (modified - taken).days >= 2
    xmp = [payload for marker, payload in _app_segments(path.read_bytes())
           if marker == 0xE1 and payload.startswith(b"http://ns.adobe.com/xap/1.0/\x00")]
    assert len(xmp) == 1
    assert b"xmpMM:History" in xmp[0]
    assert b'stEvt:action="saved"' in xmp[0]
    assert b"Adobe Photoshop 25.0 (Windows)" in xmp[0]


def test_thumbnails(built: SampleSet) -> None:
    assert _thumbnail_diff(built.get("IMG_0412.jpg").path) < 3.0
    assert _thumbnail_diff(built.get("wreckage_edited.jpg").path) > 6.0
    for name in ("far_away.jpg", "recycled_2019.jpg", "statement_photo.png"):
        assert _thumbnail_diff(built.get(name).path) < 3.0, name


def test_ai_render_declares_itself(built: SampleSet) -> None:
    with Image.open(built.get("ai_render.png").path) as img:
        assert img.format == "PNG"
        params = img.text["parameters"]
        xmp = img.text["XML:com.adobe.xmp"]
    assert "Steps: 30" in params and "Sampler: Euler a" in params and "sdxl" in params
    assert "digitalsourcetype/trainedAlgorithmicMedia" in xmp


def test_extension_mismatch_and_stripped(built: SampleSet) -> None:
    statement = built.get("statement_photo.png").path.read_bytes()
    assert statement[:3] == b"\xff\xd8\xff"
    stripped = built.get("stripped.jpg").path.read_bytes()
    segments = _app_segments(stripped)
    assert not any(m == 0xE1 and p.startswith(b"Exif\x00\x00") for m, p in segments)
    with Image.open(built.get("stripped.jpg").path) as img:
        assert not img.getexif()
    assert built.get("empty_upload.jpg").path.stat().st_size == 0


def test_gpx_track_ends_at_military_site(built: SampleSet) -> None:
    root = ET.parse(built.get("nav_unit_track.gpx").path).getroot()
    assert root.get("version") == "1.1"
    assert root.get("creator") == "NavUnit-7 export"
    points = root.findall(".//g:trkpt", GPX_NS)
    assert 20 <= len(points) <= 40
    start, end = (datetime.fromisoformat(t) for t in EVENT_WINDOW)
    for pt in points:
        when = pt.find("g:time", GPX_NS).text
        assert when.endswith("Z")
        assert start <= datetime.fromisoformat(when.replace("Z", "+00:00")) <= end
        assert pt.find("g:ele", GPX_NS) is not None
    last = points[-1]
    last_pos = (float(last.get("lat")), float(last.get("lon")))
    assert haversine_km(last_pos, MILITARY_SITE) < 1.5
    assert haversine_km(last_pos, CLAIMED_TARGET) > 10.0


def test_claim_geography() -> None:
    assert 25.0 <= haversine_km(CLAIMED_PLACE, MILITARY_SITE) <= 40.0
    start, end = (datetime.fromisoformat(t) for t in EVENT_WINDOW)
    assert start < end
    assert start.utcoffset() == end.utcoffset()
    assert start.utcoffset().total_seconds() == 3 * 3600


def test_cloned_region_is_a_copy_of_the_source(built: SampleSet) -> None:
    sample = built.get("wreckage_cloned.jpg")
    x0, y0, x1, y1 = sample.truth["clone_source"]
    u0, v0, u1, v1 = sample.truth["clone_target"]
    assert (x1 - x0, y1 - y0) == (u1 - u0, v1 - v0)
    assert max(x0, u0) >= min(x1, u1) or max(y0, v0) >= min(y1, v1)  # no overlap
    with Image.open(sample.path) as img:
        px = np.asarray(img.convert("L"), dtype=np.float64)
    src, dst = px[y0:y1, x0:x1], px[v0:v1, u0:u1]
    core = (slice(20, -20), slice(20, -20))
    moving = np.abs(src - np.median(src)) > 25  # the wreck's pixels, not the snow
    assert moving[core].mean() > 0.1
    assert np.abs(src[core] - dst[core])[moving[core]].mean() < 8.0  # copied (JPEG noise)
    assert np.abs(src[core] - px[v0:v1, x0:x1][core])[moving[core]].mean() > 20.0
    assert "copy_move." in sample.pending


def test_camera_files_carry_camera_tables_and_the_edit_photoshop_tables(
        built: SampleSet) -> None:
    from provenancekit.samples.camera import CANON_TABLES, PHOTOSHOP_Q8_TABLES

    with Image.open(built.get("IMG_0412.jpg").path) as img:
        assert [list(img.quantization[i]) for i in (0, 1)] == list(CANON_TABLES)
    data = built.get("wreckage_edited.jpg").path.read_bytes()
    with Image.open(built.get("wreckage_edited.jpg").path) as img:
        assert [list(img.quantization[i]) for i in (0, 1)] == list(PHOTOSHOP_Q8_TABLES)
    from provenancekit.forensics.metadata.jpeg import walk_segments

    dqt = [seg for seg in walk_segments(data)["segments"] if seg["marker"] == "DQT"]
    assert len(dqt) == 1  # one DQT segment holding both tables, as Photoshop writes it


def test_archive_holds_the_earlier_publication(built: SampleSet, tmp_path: Path) -> None:
    from provenancekit.samples.generate import build_archive

    (entry,) = build_archive(tmp_path)
    assert entry.source_of == "recycled_2019.jpg" and entry.first_seen == "2019-02-15"
    start = datetime.fromisoformat(EVENT_WINDOW[0])
    assert datetime.fromisoformat(entry.first_seen).date() < start.date()
    with Image.open(entry.path) as img:
        assert img.width == 1024 and not img.getexif()
