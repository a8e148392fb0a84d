"""``metadata.summary`` on real files of the shared corpus, against ExifTool's values.

Every expected literal below was read with ExifTool 12.57 (``exiftool -j -n -G1 -a``) and
hard-coded here, so ExifTool is not needed to run these tests. Pixel sizes are ExifTool's
File:ImageWidth/ImageHeight (or PNG:/RIFF:), i.e. the size as stored, before Orientation.
GPS: ExifTool's Composite:GPSLatitude/Longitude (signed) and Composite:GPSAltitude.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

if not CORPUS.is_dir():
    pytest.skip(f"corpus not found at {CORPUS}", allow_module_level=True)

from provenancekit.forensics.scan import scan_file  # noqa: E402

EXIF_PY = CORPUS / "exif" / "exif-py"
MEI = CORPUS / "exif" / "metadata-extractor-images"
C2PA_TESTFILES = CORPUS / "c2pa" / "c2pa-public-testfiles" / "image" / "jpeg"
SDK = CORPUS / "c2pa" / "c2pa-rs" / "sdk-fixtures"
FIELDS = {"make", "model", "software", "datetime_original", "datetime_original_source", "gps",
          "gps_unusable", "width", "height", "orientation"}
LAT_LON_TOL = 1e-6
ALT_TOL = 0.01


@cache
def _summary(path: Path) -> dict[str, Any]:
    return scan_file(str(path), checks=()).to_dict()["metadata"]["summary"]


def summary(path: Path) -> dict[str, Any]:
    if not path.is_file():
        pytest.skip(f"{path} not in this corpus")
    result = dict(_summary(path))
    assert set(result) == FIELDS
    unusable = result.pop("gps_unusable")  # tested in test_metadata_check (unusable GPS)
    assert unusable is None or result["gps"] is None
    source = result.pop("datetime_original_source")  # tested below (dates kept elsewhere)
    assert (source is None) == (result["datetime_original"] is None)
    return result


def assert_gps(got: dict[str, Any] | None, lat: float, lon: float, alt: float | None) -> None:
    assert got is not None
    assert got["lat"] == pytest.approx(lat, abs=LAT_LON_TOL)
    assert got["lon"] == pytest.approx(lon, abs=LAT_LON_TOL)
    if alt is None:
        assert got["alt"] is None
    else:
        assert got["alt"] == pytest.approx(alt, abs=ALT_TOL)


def test_gps_jpeg_dscn0010():
    # GPS IFD has GPSAltitudeRef but no GPSAltitude: ExifTool reports no altitude.
    s = summary(EXIF_PY / "jpg" / "gps" / "DSCN0010.jpg")
    assert_gps(s.pop("gps"), 43.4674483333333, 11.8851266666639, None)
    assert s == {"make": "NIKON", "model": "COOLPIX P6000", "software": "Nikon Transfer 1.1 W",
                 "datetime_original": "2008-10-22T16:28:39", "width": 640, "height": 480,
                 "orientation": 1}


@pytest.mark.parametrize("path, expected", [
    # ExifIFD:OffsetTimeOriginal -05:00, and a western longitude with altitude.
    (C2PA_TESTFILES / "nikon-20221019-building.jpeg", "2022-10-25T11:27:32-05:00"),
    (EXIF_PY / "jpg" / "mobile" / "HMD_Nokia_8.3_5G.jpg", "2022-08-14T14:12:31+03:00"),
    (EXIF_PY / "raw" / "nikon_z_9_high_efficiency_compressed_dx_cropped_max_overexposed.dng",
     "2025-08-10T19:02:53+03:00"),
])
def test_offset_time_original(path: Path, expected: str):
    assert summary(path)["datetime_original"] == expected


def test_offset_file_full_summary():
    s = summary(C2PA_TESTFILES / "nikon-20221019-building.jpeg")
    assert_gps(s.pop("gps"), 40.736435, -73.99316, 174)
    assert s == {"make": "NIKON CORPORATION", "model": "NIKON Z 9", "software": "Ver.T2.10.gb",
                 "datetime_original": "2022-10-25T11:27:32-05:00", "width": 4128,
                 "height": 2752, "orientation": 1}


def test_all_zero_datetime_is_null():
    # ExifIFD:DateTimeOriginal is "0000:00:00 00:00:00": unknown, not a date.
    s = summary(MEI / "jpg" / "Sanyo S1.JPG")
    assert s["datetime_original"] is None
    assert (s["make"], s["model"], s["width"], s["height"]) == (
        "SANYO Electric Co.,Ltd", "S1", 2048, 1536)


def test_iphone_heic():
    s = summary(MEI / "heic" / "IMG_2927.HEIC")
    assert s == {"make": "Apple", "model": "iPhone 11 Pro", "software": "13.4.1",
                 "datetime_original": "2020-05-04T18:39:11-04:00", "gps": None,
                 "width": 3024, "height": 4032, "orientation": 1}


def test_iphone_heic_with_gps():
    s = summary(CORPUS / "exif" / "exif-samples" / "heic" / "IMG_5195.HEIC")
    assert_gps(s.pop("gps"), 39.0513444444444, -94.2887722222222, 260.5606383)
    assert s == {"make": "Apple", "model": "iPhone 11 Pro Max", "software": "14.4.2",
                 "datetime_original": "2021-04-11T15:47:53-05:00", "width": 2566,
                 "height": 3313, "orientation": None}


def test_rotated_iphone_heic_tags():
    s = summary(EXIF_PY / "heic" / "mobile" / "iphone_13_pro_max.heic")
    assert (s["make"], s["model"], s["software"], s["datetime_original"], s["orientation"]) == (
        "Apple", "iPhone 13 Pro Max", "15.2.1", "2022-02-16T12:55:41+01:00", 6)


def test_rotated_iphone_heic_stored_size():
    s = summary(EXIF_PY / "heic" / "mobile" / "iphone_13_pro_max.heic")
    assert (s["width"], s["height"]) == (4032, 3024)


@pytest.mark.parametrize("orientation, size", [
    (1, (600, 450)), (3, (600, 450)), (6, (450, 600)), (8, (450, 600)),
])
def test_orientation_files(orientation: int, size: tuple[int, int]):
    s = summary(EXIF_PY / "jpg" / "orientation" / f"landscape_{orientation}.jpg")
    assert s == {"make": None, "model": None, "software": None, "datetime_original": None,
                 "gps": None, "width": size[0], "height": size[1],
                 "orientation": orientation}


def test_webp_with_exif():
    s = summary(MEI / "webp" / "Nikon D1X.webp")
    assert s == {"make": "NIKON CORPORATION", "model": "NIKON D1X", "software": "Ver.5.01",
                 "datetime_original": "2003-08-06T18:04:34", "gps": None, "width": 600,
                 "height": 391, "orientation": None}


def test_png_without_metadata():
    s = summary(SDK / "libpng-test.png")
    assert s == {"make": None, "model": None, "software": None, "datetime_original": None,
                 "gps": None, "width": 91, "height": 69, "orientation": None}


def test_southern_hemisphere_gps():
    # GPSLatitudeRef S, no altitude.
    s = summary(EXIF_PY / "jpg" / "Kodak_CX7530.jpg")
    assert_gps(s["gps"], -0.3713, 36.0564166666667, None)


def test_western_hemisphere_gps():
    # GPSLongitudeRef W, GPSAltitudeRef 0 (above sea level).
    s = summary(EXIF_PY / "jpg" / "hdr" / "iphone_hdr_YES.jpg")
    assert_gps(s["gps"], 40.4469722222222, -3.72475277777778, 639.6111111)
    assert (s["make"], s["model"], s["software"]) == ("Apple", "iPhone 6", "8.3")


def test_gps_from_xmp_when_exif_gps_unreadable():
    # EXIF GPSLatitude/Longitude carry a 0/0 seconds rational (ExifTool: empty), XMP has them.
    s = summary(MEI / "jpg" / "Nikon D5000.jpg")
    got = s["gps"]
    assert got is not None
    assert got["lat"] == pytest.approx(48.8887263666667, abs=LAT_LON_TOL)
    assert got["lon"] == pytest.approx(21.0432511666667, abs=LAT_LON_TOL)


def test_gps_altitude_from_xmp():
    s = summary(MEI / "jpg" / "Nikon D5000.jpg")
    assert_gps(s["gps"], 48.8887263666667, 21.0432511666667, 324.145)


# --- capture dates kept outside EXIF DateTimeOriginal (ExifTool finds them there) ---------

def _source(path: Path) -> tuple[str | None, str | None]:
    if not path.is_file():
        pytest.skip(f"{path} not in this corpus")
    result = _summary(path)
    return result["datetime_original"], result["datetime_original_source"]


def test_exif_date_names_its_source():
    assert _source(EXIF_PY / "jpg" / "Canon_40D.jpg") == ("2008-05-30T15:56:01",
                                                          "EXIF:DateTimeOriginal")


def test_reconyx_hc500_date_from_its_maker_note():
    """The HC500 writes no EXIF date: ExifTool reads Reconyx:DateTimeOriginal."""
    assert _source(EXIF_PY / "jpg" / "Reconyx_HC500_Hyperfire.jpg") == (
        "2020-03-16T10:00:00", "MakerNotes:Reconyx:DateTimeOriginal")


def test_reconyx_hf2_maker_note_agrees_with_its_exif_date():
    """The HF2 writes both; EXIF comes first, and its own maker-note layout reads the same."""
    from provenancekit.forensics.metadata.dates import maker_note_date
    from provenancekit.forensics.metadata.exif import read_exif

    path = MEI / "jpg" / "Reconyx HF2 Pro Covert.jpg"
    value, source = _source(path)
    assert source == "EXIF:DateTimeOriginal"
    tags = read_exif(path.read_bytes(), "image/jpeg", None).tags
    assert maker_note_date(tags) == (value, "MakerNotes:Reconyx:DateTimeOriginal")


def test_olympus_picture_info_date():
    """The Olympus D-320L (1998) keeps its date only in the APP12 [picture info] block."""
    assert _source(EXIF_PY / "jpg" / "exif-org" / "olympus-d320l.jpg") == (
        "1998-10-29T22:06:59", "APP12:PictureInfo:DateTimeOriginal")


IPTC_FILE = C2PA_TESTFILES / "adobe-20220124-A.jpg"


def test_iptc_date_and_time_agree_with_exif_on_a_real_file():
    from provenancekit.forensics.metadata.dates import iptc_date

    if not IPTC_FILE.is_file():
        pytest.skip("corpus file absent")
    metadata = scan_file(str(IPTC_FILE), checks=()).to_dict()["metadata"]
    assert metadata["IPTC"]["DateCreated"] == "20110730"
    assert iptc_date(metadata["IPTC"]) == (metadata["summary"]["datetime_original"],
                                           "IPTC:DateCreated+TimeCreated")


def test_iptc_date_when_exif_has_none(tmp_path: Path):
    """The same file with its EXIF DateTimeOriginal removed (a copy in tmp_path): the date
    comes from IPTC DateCreated + TimeCreated, ExifTool's Composite DateTimeOriginal."""
    import piexif

    if not IPTC_FILE.is_file():
        pytest.skip("corpus file absent")
    data = IPTC_FILE.read_bytes()
    exif = piexif.load(data)
    exif["Exif"].pop(piexif.ExifIFD.DateTimeOriginal)
    copy = tmp_path / "no_exif_date.jpg"
    copy.write_bytes(data)
    piexif.insert(piexif.dump(exif), str(copy))
    summary = scan_file(str(copy), checks=()).to_dict()["metadata"]["summary"]
    assert summary["datetime_original"] == "2011-07-30T15:41:25"
    assert summary["datetime_original_source"] == "IPTC:DateCreated+TimeCreated"


def test_kodak_type9_maker_note_layout(tmp_path: Path):
    """Kodak type-9 notes (no such file in the corpus): a corpus Kodak photo whose maker
    note is rewritten in that documented layout and whose EXIF date is removed."""
    import piexif

    src = EXIF_PY / "jpg" / "Kodak_CX7530.jpg"
    if not src.is_file():
        pytest.skip("corpus file absent")
    data = src.read_bytes()
    exif = piexif.load(data)
    exif["Exif"].pop(piexif.ExifIFD.DateTimeOriginal, None)
    exif["Exif"][piexif.ExifIFD.MakerNote] = (b"IIII\x02\x00" + bytes(14)
                                              + b"2005/07/14 09:30:12\x00" + bytes(40))
    exif.pop("thumbnail", None)
    exif["1st"] = {}
    copy = tmp_path / "kodak9.jpg"
    copy.write_bytes(data)
    piexif.insert(piexif.dump(exif), str(copy))
    summary = scan_file(str(copy), checks=()).to_dict()["metadata"]["summary"]
    assert (summary["datetime_original"], summary["datetime_original_source"]) == (
        "2005-07-14T09:30:12", "MakerNotes:Kodak:DateTimeOriginal")
