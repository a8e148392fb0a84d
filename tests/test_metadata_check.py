"""The metadata check on real camera files from ../shared/corpus and on generated inputs."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from provenancekit.forensics.checks.metadata_check import (
    MetadataCheck,
    date_conflicts,
    picture_difference,
    thumbnail_comparison,
)
from provenancekit.forensics.scan import scan_file as _scan_file


def scan_file(path: str):
    """Only the check under test: the other checks have their own tests."""
    return _scan_file(path, checks=(MetadataCheck(),))


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EXIF = CORPUS / "exif"
needs_corpus = pytest.mark.skipif(not EXIF.is_dir(), reason="../shared/corpus is absent")


def codes(path: Path) -> dict[str, dict]:
    item = scan_file(str(path)).to_dict()
    return {f["code"]: f for f in item["findings"]}


def scene(seed: int, size: tuple[int, int] = (320, 240)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = 120 + 80 * np.sin(xx / (9 + seed) + seed) * np.cos(yy / (13 + seed))
    arr = np.stack([base, base * 0.9 + 20, 255 - base], axis=2)
    arr += rng.normal(0, 6, arr.shape)
    return np.clip(arr, 0, 255).astype(np.uint8)


def jpeg_with_thumbnail(main: np.ndarray, thumb: np.ndarray) -> bytes:
    tb = io.BytesIO()
    Image.fromarray(thumb).resize((160, 120)).save(tb, "JPEG", quality=80)
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"X"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2025:12:29 22:10:00"},
                        "1st": {piexif.ImageIFD.Compression: 6}, "thumbnail": tb.getvalue()})
    out = io.BytesIO()
    Image.fromarray(main).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


# ----------------------------------------------------------------- real files


@needs_corpus
def test_editors_are_named_with_the_field_they_come_from() -> None:
    f = codes(EXIF / "exif-py/jpg/Canon_40D_photoshop_import.jpg")
    ev = f["metadata.software_edited"]["evidence"]["fields"]
    assert {"field": "EXIF:IFD0:Software", "value": "GIMP 2.4.5", "editor": "gimp"} in ev
    f = codes(EXIF / "metadata-extractor-images/jpg/Photoshop (3).jpg")
    assert any(h["editor"] == "photoshop"
               for h in f["metadata.software_edited"]["evidence"]["fields"])


@needs_corpus
def test_resized_and_resaved_camera_file_has_dates_and_size_findings() -> None:
    f = codes(EXIF / "metadata-extractor-images/jpg/Nikon D5000.jpg")
    assert f["metadata.date_inconsistent"]["evidence"]["kind"] == "modified_after_capture"
    assert f["metadata.dimensions_mismatch"]["evidence"] == {
        "exif_size": [4288, 2848], "stored_size": [858, 570]}


@needs_corpus
def test_stale_gps_fix_is_low_severity_low_confidence() -> None:
    item = scan_file(str(EXIF / "exif-py/jpg/gps/DSCN0010.jpg")).to_dict()
    kinds = {x["evidence"]["kind"]: x for x in item["findings"]
             if x["code"] == "metadata.date_inconsistent"}
    assert kinds["gps_time_disagrees"]["severity"] == "low"
    assert kinds["gps_time_disagrees"]["confidence"] == "low"


@needs_corpus
def test_jpeg_named_nef_is_an_extension_mismatch() -> None:
    f = codes(EXIF / "metadata-extractor-images/nef/Issue 247-1.nef")
    assert f["metadata.extension_mismatch"]["evidence"]["media_type_from_bytes"] == "image/jpeg"


@needs_corpus
def test_thumbnail_mismatch_only_on_the_cropped_camera_files() -> None:
    """Every JPEG in the exif corpus with a thumbnail. Only two are flagged, and both were
    checked by eye: their main image is a crop of the frame the thumbnail shows."""
    files = sorted(p for p in EXIF.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    with_thumbs, flagged = 0, set()
    for p in files:
        item = scan_file(str(p)).to_dict()
        if item["metadata"]["EXIF"]["thumbnail"]:
            with_thumbs += 1
        if "metadata.thumbnail_mismatch" in {x["code"] for x in item["findings"]}:
            flagged.add(p.name)
    assert with_thumbs >= 40
    assert flagged == {"ricoh-rdc5300.jpg", "Traveler SX330Z.jpg"}


@needs_corpus
def test_camera_original_without_edits_raises_nothing_above_info() -> None:
    for name in ("Casio EX-S1.jpg", "Samsung SM-J327T1.jpg", "Blackberry Z10.jpg"):
        item = scan_file(str(EXIF / "metadata-extractor-images/jpg" / name)).to_dict()
        assert item["status"] == "ok"
        assert all(f["severity"] == "info" for f in item["findings"]), (name, item["findings"])


# ----------------------------------------------------------------- generated inputs


def test_thumbnail_of_another_picture_is_flagged(tmp_path: Path) -> None:
    same = tmp_path / "same.jpg"
    same.write_bytes(jpeg_with_thumbnail(scene(1), scene(1)))
    other = tmp_path / "other.jpg"
    other.write_bytes(jpeg_with_thumbnail(scene(1), scene(5)[::-1]))
    assert "metadata.thumbnail_mismatch" not in codes(same)
    f = codes(other)["metadata.thumbnail_mismatch"]
    assert f["severity"] == "medium"
    assert f["evidence"]["correlation"] < 0.55 or f["evidence"]["block_residual_p99"] > 0.2


def test_rotated_thumbnail_is_not_a_different_picture() -> None:
    main = scene(2)
    buf = io.BytesIO()
    Image.fromarray(np.rot90(main)).resize((120, 160)).save(buf, "JPEG")
    cmp = thumbnail_comparison(buf.getvalue(), main, side=64)
    assert cmp is not None and cmp["correlation"] > 0.9 and cmp["reading"] != "as_stored"


def test_picture_difference_identity() -> None:
    a = scene(3)
    diff = picture_difference(a, a, side=32)
    assert diff["correlation"] == 1.0 and diff["mean_residual"] == 0.0 and diff["region"] is None


def test_local_change_is_found_and_located() -> None:
    a = scene(3, (320, 240))
    b = a.copy()
    b[20:90, 200:300] = 30  # a pasted dark object in the top right
    diff = picture_difference(a, b, side=64)
    assert diff["block_residual_p99"] > 0.2
    x0, y0, x1, y1 = diff["region"]
    assert 0.55 < x0 < 0.7 and x1 > 0.9 and y0 < 0.15 and 0.3 < y1 < 0.45


def test_png_generator_parameters_are_ai_markers(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("parameters", "drone wreckage in snow, Steps: 30, Sampler: Euler a, Seed: 1")
    path = tmp_path / "render.png"
    Image.fromarray(scene(4)).save(path, pnginfo=info)
    f = codes(path)["metadata.ai_generated"]
    assert f["severity"] == "high"
    assert f["evidence"]["markers"][0]["field"] == "PNG:parameters"


def test_iptc_digital_source_type_in_xmp_is_explicit(tmp_path: Path) -> None:
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
           '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:Iptc4xmpExt='
           '"http://iptc.org/std/Iptc4xmpExt/2008-02-29/" Iptc4xmpExt:DigitalSourceType="http://'
           'cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"/>'
           "</rdf:RDF></x:xmpmeta>")
    path = tmp_path / "composite.jpg"
    Image.fromarray(scene(6)).save(path, "JPEG", xmp=xmp.encode())
    f = codes(path)["metadata.ai_generated"]
    assert f["confidence"] == "high"
    assert "composite" in f["evidence"]["markers"][0]["meaning"]


def test_date_conflicts_rules() -> None:
    dates = {"EXIF:DateTimeOriginal": "2025-12-29T22:10:00+03:00",
             "EXIF:ModifyDate": "2025-12-31T10:00:00+03:00",
             "XMP:xmp:CreateDate": "2025-12-29T22:10:00+03:00"}
    out = date_conflicts(dates, "2025-12-29T19:10:30+00:00", tolerance_s=60, gps_tolerance_s=600)
    assert [c["kind"] for c in out] == ["modified_after_capture"]
    # GPS 5 h away from the camera clock with a recorded offset is a conflict.
    out = date_conflicts(dates, "2025-12-30T00:10:00+00:00", tolerance_s=60, gps_tolerance_s=600)
    assert "gps_time_disagrees" in [c["kind"] for c in out]
    # Without an offset, a whole time-zone shift is allowed.
    local = {"EXIF:DateTimeOriginal": "2025-12-29T22:10:00"}
    assert date_conflicts(local, "2025-12-29T19:10:00+00:00", tolerance_s=60,
                          gps_tolerance_s=600) == []


# ----------------------------------------------------------------- unusable GPS positions

GPS_PHOTO = EXIF / "exif-py" / "jpg" / "gps" / "DSCN0010.jpg"  # Nikon Coolpix P6000, GPS fix


def _with_gps(tmp_path: Path, name: str, changes: dict[int, object]) -> Path:
    """A copy of the corpus GPS photo (in tmp_path) with some GPS tags replaced."""
    data = GPS_PHOTO.read_bytes()
    exif = piexif.load(data)
    exif["GPS"].update(changes)
    out = tmp_path / name
    out.write_bytes(data)
    piexif.insert(piexif.dump(exif), str(out))
    return out


def _place_assessment(path: Path) -> dict:
    from provenancekit.forensics.case.assess import assess_place
    from provenancekit.forensics.case.casefile import Place

    item = scan_file(str(path)).to_dict()
    return assess_place(item, Place(name="Kyiv", lat=50.45, lon=30.52, radius_km=5))


@needs_corpus
def test_gps_fix_of_the_original_is_a_position() -> None:
    item = scan_file(str(GPS_PHOTO)).to_dict()
    summary = item["metadata"]["summary"]
    assert summary["gps"]["lat"] == pytest.approx(43.4674483)
    assert summary["gps_unusable"] is None
    assert "metadata.gps_unusable" not in {f["code"] for f in item["findings"]}
    assert _place_assessment(GPS_PHOTO)["status"] == "inconsistent"  # Tuscany is not Kyiv


@needs_corpus
def test_zeroed_gps_is_no_position_not_the_gulf_of_guinea(tmp_path: Path) -> None:
    zero = ((0, 1), (0, 1), (0, 1))
    path = _with_gps(tmp_path, "zeroed.jpg", {
        piexif.GPSIFD.GPSLatitude: zero, piexif.GPSIFD.GPSLongitude: zero,
        piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLongitudeRef: b"E"})
    item = scan_file(str(path)).to_dict()
    summary = item["metadata"]["summary"]
    assert summary["gps"] is None
    assert summary["gps_unusable"]["reason"] == "zero"
    finding = {f["code"]: f for f in item["findings"]}["metadata.gps_unusable"]
    assert finding["severity"] == "info"
    assert finding["evidence"]["values"]["GPSLatitude"] == ["0/1", "0/1", "0/1"]
    assert "null island" in finding["message"]
    place = _place_assessment(path)
    assert place["status"] == "cannot_tell"
    assert "null island" in place["summary"]
    assert place["findings"][0]["evidence"]["gps_unusable"]["reason"] == "zero"


@needs_corpus
def test_void_gps_measurement_is_no_position(tmp_path: Path) -> None:
    path = _with_gps(tmp_path, "void.jpg", {piexif.GPSIFD.GPSStatus: b"V"})
    summary = scan_file(str(path)).to_dict()["metadata"]["summary"]
    assert summary["gps"] is None
    assert summary["gps_unusable"]["reason"] == "void"
    assert summary["gps_unusable"]["values"]["GPSStatus"] == "V"
    place = _place_assessment(path)
    assert place["status"] == "cannot_tell" and "void" in place["summary"]


@needs_corpus
def test_out_of_range_latitude_is_no_position(tmp_path: Path) -> None:
    path = _with_gps(tmp_path, "range.jpg", {
        piexif.GPSIFD.GPSLatitude: ((95, 1), (0, 1), (0, 1))})
    summary = scan_file(str(path)).to_dict()["metadata"]["summary"]
    assert summary["gps"] is None and summary["gps_unusable"]["reason"] == "out_of_range"


@needs_corpus
def test_phone_that_wrote_zero_gps() -> None:
    """A Samsung Galaxy S original whose GPS IFD holds 0/0 (no fix when it was taken)."""
    path = EXIF / "metadata-extractor-images" / "jpg" / "Samsung GT-I9000 (Galaxy S).jpg"
    item = scan_file(str(path)).to_dict()
    assert item["metadata"]["summary"]["gps"] is None
    assert item["metadata"]["summary"]["gps_unusable"]["reason"] == "zero"
    assert "metadata.gps_unusable" in {f["code"] for f in item["findings"]}
