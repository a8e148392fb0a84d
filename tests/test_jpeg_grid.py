"""JPEG block grid of the pixels: crop offset of an earlier compression, former JPEGs saved
as PNG, false alarms on real camera originals, bad input.

Inputs are generated at test time (textured pictures from ``test_double_jpeg``), plus the
real camera originals under ``../shared/corpus`` when present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import decode_rgb, jpeg_bytes
from PIL import Image
from test_double_jpeg import texture

from provenancekit.forensics.checks.jpeg_grid import JpegGridCheck
from provenancekit.forensics.editing.dct import read_coefficients
from provenancekit.forensics.editing.grid import crop_boxes, grid_of_coefficients
from provenancekit.forensics.scan import scan_file

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CAMERA = CORPUS / "exif" / "metadata-extractor-images" / "jpg"
CHECK = (JpegGridCheck(),)


def _scan(path: Path) -> tuple[str, dict[str, dict]]:
    item = scan_file(str(path), checks=CHECK).to_dict()
    check = item["checks"][0]
    assert check["status"] != "error", check.get("error")
    return check["status"], {f["code"]: f for f in item["findings"]}


@pytest.mark.parametrize(("dx", "dy", "q1", "q2"), [(3, 5, 75, 92), (6, 1, 70, 85)])
def test_crop_after_jpeg_is_reported_with_its_offset(tmp_path: Path, dx: int, dy: int,
                                                     q1: int, q2: int) -> None:
    first = decode_rgb(jpeg_bytes(texture(512, 384, 11), q1))
    path = tmp_path / "cropped.jpg"
    path.write_bytes(jpeg_bytes(np.ascontiguousarray(first[dy:, dx:]), q2))
    _, found = _scan(path)
    f = found["jpeg_grid.shifted_grid"]
    assert f["severity"] == "low"
    assert f["evidence"]["crop_offset"] == [dx, dy]


def test_single_save_is_not_called_shifted(tmp_path: Path) -> None:
    path = tmp_path / "once.jpg"
    path.write_bytes(jpeg_bytes(texture(512, 384, 12), 85))
    _, found = _scan(path)
    assert "jpeg_grid.shifted_grid" not in found


def test_png_from_jpeg_decode_is_a_former_jpeg(tmp_path: Path) -> None:
    base = texture(512, 384, 13)
    was_jpeg = tmp_path / "was_jpeg.png"
    Image.fromarray(decode_rgb(jpeg_bytes(base, 80))[2:, 5:]).save(was_jpeg)
    _, found = _scan(was_jpeg)
    assert found["jpeg_grid.former_jpeg"]["evidence"]["crop_offset"] == [5, 2]
    never = tmp_path / "never.png"
    Image.fromarray(base).save(never)
    _, found = _scan(never)
    assert "jpeg_grid.former_jpeg" not in found


def test_crops_are_bounded_and_on_the_block_grid() -> None:
    boxes = crop_boxes(4000, 3000, crop_px=256, max_crops=4)
    assert len(boxes) == 4
    assert all(x0 % 8 == 0 and y0 % 8 == 0 and x1 - x0 <= 264 and y1 - y0 <= 264
               for x0, y0, x1, y1 in boxes)
    assert crop_boxes(20, 20, crop_px=256, max_crops=4) == []


@pytest.mark.skipif(not CAMERA.is_dir(), reason="corpus not present")
def test_camera_originals_are_not_flagged() -> None:
    files = sorted(CAMERA.glob("*.jpg"))[:12]
    assert files
    for path in files:
        res = grid_of_coefficients(read_coefficients(path.read_bytes()))
        assert res is not None
        assert res.z < JpegGridCheck.params.min_z_jpeg, path.name


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grayscale_and_cmyk(tmp_path: Path, mode: str) -> None:
    path = tmp_path / f"{mode}.jpg"
    Image.fromarray(texture(256, 192, 14)).convert(mode).save(path, "JPEG", quality=85)
    status, _ = _scan(path)
    assert status in ("ok", "flagged")


def test_tiny_and_truncated(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.jpg"
    tiny.write_bytes(jpeg_bytes(texture(16, 16, 15), 90))
    _, found = _scan(tiny)
    assert "jpeg_grid.too_small" in found
    first = decode_rgb(jpeg_bytes(texture(512, 384, 16), 70))
    data = jpeg_bytes(np.ascontiguousarray(first[5:, 3:]), 92)
    cut = tmp_path / "truncated.jpg"
    cut.write_bytes(data[:len(data) * 2 // 3])
    status, _ = _scan(cut)
    assert status in ("ok", "flagged")
