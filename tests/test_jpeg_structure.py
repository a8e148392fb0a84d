"""JPEG marker walk and quality estimate on files we write with known settings."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from provenancekit.forensics.metadata.jpeg import estimate_quality, walk_segments


def _jpeg(quality: int, subsampling: int = 2, progressive: bool = False) -> bytes:
    rng = np.random.default_rng(1)
    arr = rng.integers(0, 255, (64, 96, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=quality, subsampling=subsampling,
                              progressive=progressive, comment=b"hello")
    return buf.getvalue()


@pytest.mark.parametrize("quality", [10, 35, 50, 75, 90, 95, 100])
def test_quality_estimate_recovers_ijg_quality(quality: int) -> None:
    data = _jpeg(quality)
    im = Image.open(io.BytesIO(data))
    est = estimate_quality({k: list(v) for k, v in im.quantization.items()})
    assert est is not None and est["quality"] == quality and est["exact"] is True


def test_segments_sof_and_comment() -> None:
    info = walk_segments(_jpeg(80, subsampling=2, progressive=True))
    markers = [s["marker"] for s in info["segments"]]
    assert markers[0] == "SOI" and "DQT" in markers and "SOS" in markers
    assert info["process"] == "progressive"
    assert (info["width"], info["height"]) == (96, 64)
    assert info["subsampling"] == "4:2:0"
    assert info["comments"] == ["hello"]
    assert info["trailing_bytes"] == 0 and not info["problems"]


def test_truncation_and_trailer_detected() -> None:
    data = _jpeg(80, subsampling=0)
    assert walk_segments(data)["subsampling"] == "4:4:4"
    cut = walk_segments(data[: len(data) // 2])
    assert any("truncated" in p for p in cut["problems"])
    tail = walk_segments(data + b"PK\x03\x04 appended zip")
    assert tail["trailing_bytes"] == len(b"PK\x03\x04 appended zip")


def test_not_a_jpeg() -> None:
    assert walk_segments(b"\x89PNG\r\n")["problems"] == ["no SOI marker"]
