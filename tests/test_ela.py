"""Error level analysis: a visual aid with a caveat, never more than information."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.editing.ela import ela_map, ela_statistics, normalise
from provenancekit.forensics.scan import scan_file

CHECK = get_checks(["ela"])


def _smooth(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 16 + 1, w // 16 + 1, 3), dtype=np.uint8)
    big = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
    return np.asarray(big)


@pytest.fixture(scope="module")
def resaved_with_patch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A picture saved at q90, decoded, a noisy uncompressed patch pasted, saved at q90."""
    root = tmp_path_factory.mktemp("ela")
    buf = io.BytesIO()
    Image.fromarray(_smooth(320, 240, 1)).save(buf, "JPEG", quality=90)
    pic = np.asarray(Image.open(buf).convert("RGB")).copy()
    patch = np.random.default_rng(2).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    pic[80:144, 120:216] = patch
    Image.fromarray(pic).save(root / "patched.png")  # lossless, so the patch stays fresh
    return root / "patched.png"


def test_fresh_patch_stands_out_in_the_map(resaved_with_patch: Path) -> None:
    rgb = np.asarray(Image.open(resaved_with_patch).convert("RGB"))
    level = ela_map(rgb, quality=90, block=8)
    assert level.shape == (30, 40)
    inside = level[10:18, 15:27].mean()
    outside = np.delete(level, np.s_[9:19], axis=0).mean()
    assert inside > 4 * outside
    stats = ela_statistics(level)
    assert stats["p99"] >= stats["median"] and stats["contrast"] > 1
    norm = normalise(level)
    assert 0 <= norm.min() and norm.max() <= 1


def test_check_is_information_only_with_caveat(resaved_with_patch: Path) -> None:
    item = scan_file(str(resaved_with_patch), checks=CHECK).to_dict()
    (finding,) = item["findings"]
    assert finding["code"] == "ela.map" and finding["severity"] == "info"
    assert "visual aid, not evidence" in finding["message"]
    assert "not a JPEG" in finding["message"]  # a PNG says nothing about JPEG history
    result = item["checks"][0]
    assert result["status"] == "ok" and 0 <= result["score"] <= 1
    assert result["working_size"] == [320, 240]
    (art,) = result["artifacts"]
    with Image.open(io.BytesIO(base64.b64decode(art["data_base64"]))) as im:
        assert im.format == "PNG" and im.size == (320, 240)
    assert "never a verdict" in art["description"]


def test_large_pictures_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "wide.jpg"
    Image.fromarray(_smooth(5000, 400, 3)).save(path, "JPEG", quality=85)
    item = scan_file(str(path), checks=CHECK).to_dict()
    result = item["checks"][0]
    assert max(result["working_size"]) == 4096
    assert "reduced" in item["findings"][0]["message"]
    with Image.open(io.BytesIO(base64.b64decode(result["artifacts"][0]["data_base64"]))) as im:
        assert max(im.size) <= 512


@pytest.mark.parametrize("mode", ["L", "CMYK", "I;16", "RGBA"])
def test_odd_modes(tmp_path: Path, mode: str) -> None:
    rgb = _smooth(64, 48, 4)
    if mode == "I;16":
        im = Image.fromarray(rgb[..., 0].astype(np.uint16) * 257)
        path = tmp_path / "i16.png"
        im.save(path)
    elif mode == "CMYK":
        path = tmp_path / "cmyk.jpg"
        Image.fromarray(rgb).convert("CMYK").save(path, "JPEG")
    elif mode == "RGBA":
        path = tmp_path / "rgba.png"
        Image.fromarray(rgb).convert("RGBA").save(path)
    else:
        path = tmp_path / "grey.jpg"
        Image.fromarray(rgb).convert("L").save(path, "JPEG")
    item = scan_file(str(path), checks=CHECK).to_dict()
    assert item["checks"][0]["status"] == "ok", item["checks"][0]["error"]
    assert [f["severity"] for f in item["findings"]] == ["info"]


def test_pure_function_rejects_wrong_arrays() -> None:
    with pytest.raises(ValueError):
        ela_map(np.zeros((8, 8), np.uint8))
