"""The JPEG structure check: tables -> quality and encoder family, subsampling, progressive,
restart markers, and the editor-tables-with-camera-EXIF finding.

Generated JPEGs use Pillow's IJG tables or explicit tables; the real files come from
``../shared/corpus`` (CASIA v1's Photoshop-saved forgeries, camera originals).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.context import AnalysisContext
from provenancekit.forensics.editing.jpeg_tables import identify_tables, jpeg_digest, read_dqt
from provenancekit.forensics.intake import read_evidence
from provenancekit.forensics.scan import scan_file

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CHECK = get_checks(["jpeg_structure"])
# Adobe Photoshop "Save as" quality 5 tables (natural order), as in CASIA v1's forgeries;
# ExifTool's JPEGDigest names their digest "Adobe Photoshop, Quality 5".
PHOTOSHOP_Q5 = [
    [12, 8, 8, 12, 17, 21, 24, 17, 8, 9, 9, 11, 15, 19, 12, 12, 8, 9, 10, 12, 19, 12, 12, 12,
     12, 11, 12, 21, 12, 12, 12, 12, 17, 15, 19, 12, 12, 12, 12, 12, 21, 19, 12, 12, 12, 12,
     12, 12, 24, 12, 12, 12, 12, 12, 12, 12, 17, 12, 12, 12, 12, 12, 12, 12],
    [13, 11, 13, 16, 20, 20, 17, 17, 11, 14, 14, 14, 14, 12, 12, 12, 13, 14, 14, 14, 12, 12,
     12, 12, 16, 14, 14, 12, 12, 12, 12, 12, 20, 14, 12, 12, 12, 12, 12, 12, 20, 12, 12, 12,
     12, 12, 12, 12, 17, 12, 12, 12, 12, 12, 12, 12, 17, 12, 12, 12, 12, 12, 12, 12],
]


def _pixels(w: int = 96, h: int = 64) -> Image.Image:
    return Image.fromarray(np.random.default_rng(5).integers(0, 256, (h, w, 3), dtype=np.uint8))


def _camera_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 90D"
    return exif.tobytes()


def _scan(path: Path) -> tuple[dict, dict[str, dict]]:
    item = scan_file(str(path), checks=CHECK).to_dict()
    return item, {f["code"]: f for f in item["findings"]}


def test_ijg_tables_quality_subsampling(tmp_path: Path) -> None:
    path = tmp_path / "ijg.jpg"
    _pixels().save(path, "JPEG", quality=87, subsampling=2, exif=_camera_exif())
    item, found = _scan(path)
    ev = found["jpeg.structure"]["evidence"]
    assert ev["family"] == "ijg_standard"
    assert ev["estimated_quality"] == {"quality": 87, "exact": True, "mean_abs_error": 0.0}
    assert ev["subsampling"] == "4:2:0" and ev["progressive"] is False
    # IJG tables with a camera named: information only (some cameras use IJG tables)
    assert found["jpeg.standard_tables_with_camera_exif"]["severity"] == "info"
    assert item["checks"][0]["status"] == "ok"


def test_progressive_and_444(tmp_path: Path) -> None:
    path = tmp_path / "prog.jpg"
    _pixels().save(path, "JPEG", quality=75, progressive=True, subsampling=0)
    _, found = _scan(path)
    ev = found["jpeg.structure"]["evidence"]
    assert ev["progressive"] is True and ev["subsampling"] == "4:4:4"
    assert "jpeg.standard_tables_with_camera_exif" not in found  # no camera claimed


def test_restart_markers(tmp_path: Path) -> None:
    path = tmp_path / "rst.jpg"
    try:
        _pixels().save(path, "JPEG", quality=80, restart_marker_blocks=4)
    except TypeError:  # pragma: no cover - old Pillow
        pytest.skip("this Pillow cannot write restart markers")
    _, found = _scan(path)
    assert found["jpeg.structure"]["evidence"]["restart_interval"] == 4
    assert "restart markers every 4 MCUs" in found["jpeg.structure"]["message"]


def test_photoshop_tables_with_camera_exif(tmp_path: Path) -> None:
    path = tmp_path / "ps.jpg"
    _pixels().save(path, "JPEG", qtables=PHOTOSHOP_Q5, subsampling=2, exif=_camera_exif())
    dqt = read_dqt(path.read_bytes())
    assert len(dqt["segments"]) == 2  # Pillow writes one DQT per table, Photoshop one for both
    merged = {0: b"".join(dqt["segments"][k] for k in sorted(dqt["segments"]))}
    assert jpeg_digest(merged, dqt["sampling"])[0] == "7ef06dbde538346b8b01c6b538ca70c6"
    item, found = _scan(path)
    f = found["jpeg.editor_tables_with_camera_exif"]
    assert f["severity"] == "medium" and f["confidence"] == "high"
    assert "Adobe Photoshop, Quality 5" in f["evidence"]["matches"]
    assert f["evidence"]["camera"]["make"] == "Canon"
    assert item["checks"][0]["score"] >= 0.9
    # the same tables with no camera claimed: low
    bare = tmp_path / "ps_bare.jpg"
    _pixels().save(bare, "JPEG", qtables=PHOTOSHOP_Q5, subsampling=2)
    _, found = _scan(bare)
    assert found["jpeg.editor_tables"]["severity"] == "low"
    assert "jpeg.editor_tables_with_camera_exif" not in found


def test_table_check_is_cheap(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 150)).save(path, "JPEG", quality=90,
                                                         exif=_camera_exif())
    item, data = read_evidence(str(path))
    ctx = AnalysisContext(item, data)
    ctx.metadata  # noqa: B018 - parsed once per file by the scan anyway
    check = CHECK[0]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        check.run(ctx)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.005, times


def test_png_and_broken_headers(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    _pixels().save(png, "PNG")
    item, _ = _scan(png)
    assert item["checks"][0]["status"] == "not_applicable"
    cut = tmp_path / "cut.jpg"
    buf = io.BytesIO()
    _pixels().save(buf, "JPEG", quality=80)
    cut.write_bytes(buf.getvalue()[:150])  # ends inside the tables
    item, found = _scan(cut)
    assert item["checks"][0]["status"] in ("ok", "flagged")
    assert found["jpeg.structure"]["evidence"]["problems"]
    assert identify_tables({}, None, {})["family"] == "none"


@pytest.mark.skipif(not (CORPUS / "forgery").is_dir(), reason="corpus not present")
def test_corpus_families() -> None:
    casia = CORPUS / "forgery" / "casia-v1"
    for name in ("Sp_D_CND_A_pla0005_pla0023_0281.jpg", "Sp_D_CNN_A_nat0071_ani0024_0270.jpg"):
        _, found = _scan(casia / "Tp" / name)
        assert found["jpeg.structure"]["evidence"]["family"] == "editor", name
        assert found["jpeg.editor_tables"]["severity"] == "low"  # CASIA files carry no EXIF
    for name, quality in (("Au_pla_0005.jpg", 84), ("Au_ani_0024.jpg", 86)):
        _, found = _scan(casia / "Au" / name)
        ev = found["jpeg.structure"]["evidence"]
        assert ev["family"] == "ijg_standard" and ev["estimated_quality"]["quality"] in (
            quality, 84, 80, 90), (name, ev["estimated_quality"])
    jpg = CORPUS / "exif" / "metadata-extractor-images" / "jpg"
    _, found = _scan(jpg / "Photoshop (3).jpg")
    assert found["jpeg.structure"]["evidence"]["matches"] == [
        "Adobe Photoshop, Save for web, Quality 80"]
    _, found = _scan(jpg / "JVC GR-DC2000.jpg")
    assert found["jpeg.structure"]["evidence"]["family"] == "camera"
    # camera originals with their own tables raise nothing above information
    for name in ("Casio EX-S1.jpg", "Apple iPhone 4.jpg", "Samsung SM-J327T1.jpg"):
        item, found = _scan(jpg / name)
        assert all(f["severity"] == "info" for f in found.values()), (name, found)
        assert found["jpeg.structure"]["evidence"]["family"] == "custom"


def test_signature_data_file_is_parsed_and_checked() -> None:
    from provenancekit.forensics.editing.jpeg_signatures import SIGNATURES, load_signatures

    assert len(SIGNATURES) > 300
    assert {f for _, f, _ in SIGNATURES} == {"editor", "camera"}
    assert any(label.startswith("Adobe Photoshop") for _, _, label in SIGNATURES)
    good = "# comment\ndigest,family,label\n" + "a" * 32 + ":221111,editor,\"X, Quality 1\"\n"
    assert load_signatures(good) == (("a" * 32 + ":221111", "editor", "X, Quality 1"),)
    with pytest.raises(ValueError, match="row 3"):
        load_signatures(good + "b" * 32 + ",painter,Y\n")
    with pytest.raises(ValueError, match="header"):
        load_signatures("digest,label\n")
