"""JPEG marker walk and quality estimate on files we write with known settings."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from provenancekit.forensics.editing.dct import _walk_header
from provenancekit.forensics.editing.jpeg_tables import read_dqt
from provenancekit.forensics.metadata.exif import exif_block_present
from provenancekit.forensics.metadata.jpeg import (
    MAX_SEGMENTS,
    SOF_MARKERS,
    estimate_quality,
    iter_segments,
    walk_segments,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


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


def _with_segments(data: bytes, extra: bytes) -> bytes:
    """``data`` with ``extra`` (raw bytes) inserted right after SOI."""
    return data[:2] + extra + data[2:]


def test_one_walk_strict_stops_lenient_skips_junk() -> None:
    """The one marker walk: junk between segments ends the strict walk with a problem;
    the lenient walk (libjpeg's rule) skips it and still reaches the frame and the SOS."""
    data = _with_segments(_jpeg(80), b"\x00\x13junk")
    strict = walk_segments(data)
    assert strict["problems"][0] == "expected a marker at offset 2"
    assert strict["width"] is None
    problems: list[str] = []
    lenient = list(iter_segments(data, lenient=True, problems=problems))
    assert [s.name for s in lenient][-1] == "SOS"
    assert any(s.marker in SOF_MARKERS for s in lenient)
    assert problems == ["6 bytes that are no marker at offset 2"]
    header = _walk_header(data)
    assert header is not None and (header.width, header.height) == (96, 64)


def test_walk_is_bounded() -> None:
    comment = b"\xff\xfe\x00\x03x"
    data = _with_segments(_jpeg(80), comment * (MAX_SEGMENTS + 100))
    for lenient in (False, True):
        segments = list(iter_segments(data, lenient=lenient))
        assert len(segments) == MAX_SEGMENTS
        assert all(s.name in ("SOI", "COM") for s in segments)
    assert len(walk_segments(data)["segments"]) == MAX_SEGMENTS


def test_lenient_takes_declared_length_past_the_end() -> None:
    data = _jpeg(80)
    dqt = next(s for s in iter_segments(data) if s.name == "DQT")
    cut = data[:dqt.offset + 30]  # inside the first DQT
    problems: list[str] = []
    segments = list(iter_segments(cut, lenient=True, problems=problems))
    assert segments[-1].name == "DQT" and segments[-1].end > len(cut)
    assert len(segments[-1].body(cut)) < segments[-1].length - 2
    assert "runs past the end" in problems[-1]
    assert walk_segments(cut)["segments"][-1]["marker"] != "DQT"  # strict: not taken


def test_walkers_agree_on_real_files() -> None:
    """The segment walk, the DQT reader and the DCT reader's header walk see the same frame
    on every JPEG of the corpus."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    seen = 0
    for path in sorted(CORPUS.glob("exif/**/*.jpg")) + sorted(CORPUS.glob("c2pa/**/*.jpg")):
        data = path.read_bytes()
        if not data.startswith(b"\xff\xd8"):
            continue
        walk = walk_segments(data)
        header = _walk_header(data)
        if walk["problems"] or header is None:
            continue
        seen += 1
        assert (header.width, header.height) == (walk["width"], walk["height"]), path
        assert [list(f) for f in header.sampling] == walk["sampling"], path
        dqt = read_dqt(data)
        assert dqt["sampling"] == "".join(f"{h:x}{v:x}" for h, v in header.sampling), path
        assert not dqt["problems"]
    assert seen > 50


def test_exif_inside_a_c2pa_thumbnail_is_not_the_files_exif() -> None:
    """c2pa-rs identity fixtures carry, inside their APP11 manifest store, a thumbnail JPEG
    with its own EXIF APP1. A byte search called that the file's EXIF block (and, as no tag
    could be read from the file, ``corrupt_exif``); the segment walk does not."""
    path = CORPUS / "c2pa/c2pa-rs/identity-fixtures/validation_method/extra_field.jpg"
    if not path.is_file():
        pytest.skip("corpus file absent")
    data = path.read_bytes()
    inner = data.find(b"\xff\xe1")
    app11 = [s for s in iter_segments(data) if s.name == "APP11"]
    assert any(s.offset < inner < s.end for s in app11)
    assert data[inner + 4:inner + 9] == b"Exif\x00"
    assert exif_block_present(data, "image/jpeg", None) is False
