"""The ``provenance.scan/1`` result contract, for every registered check, on awkward inputs.

Every input is generated at test time with Pillow/numpy (nothing is committed). The checks are
taken from :data:`forensics.checks.CHECKS`, so a newly registered check is covered here
automatically. The shape of every item is the JSON Schema's (``assert_valid_item`` in
``conftest.py``); this module adds the exact key sets of today. The same contract on real
corpus files, with determinism and empty inputs, is ``test_checks_behaviour.py``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import CONTAINER_KEYS, ITEM_KEYS, assert_valid_item, assert_valid_scan, run_one_check
from PIL import Image

from provenancekit.forensics.checks import CHECKS, Check
from provenancekit.forensics.context import AnalysisContext
from provenancekit.forensics.errors import DecodeError, IntakeError
from provenancekit.forensics.intake import read_evidence
from provenancekit.forensics.model import SCHEMA
from provenancekit.forensics.scan import scan, scan_file

SUMMARY_KEYS = {"make", "model", "software", "datetime_original", "datetime_original_source",
                "gps", "gps_unusable", "width", "height", "orientation"}
CHECK_KEYS = {"name", "version", "status", "seconds", "params", "error", "score", "working_size",
              "artifacts"}
FINDING_KEYS = {"code", "check", "severity", "confidence", "message", "evidence"}
LIBRARIES = ("pillow", "exifread", "imagehash", "opencv-python-headless")


# --------------------------------------------------------------------------- inputs


def _noise(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def _animated(fmt: str) -> Callable[[Path], None]:
    colours = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
    frames = [Image.new("RGB", (24, 16), c) for c in colours]

    def build(path: Path) -> None:
        frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=100,
                       loop=0)

    return build


def _rgba(path: Path) -> None:
    im = _noise(33, 21, 1).convert("RGBA")
    alpha = np.zeros((21, 33), dtype=np.uint8)
    alpha[5:15, 5:25] = 255
    im.putalpha(Image.fromarray(alpha))
    im.save(path, "PNG")


def _palette(path: Path) -> None:
    im = _noise(30, 20, 2).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    im.save(path, "PNG", transparency=0)


def _i16(path: Path) -> None:
    ramp = np.linspace(0, 65535, 64 * 48).astype(np.uint16).reshape(48, 64)
    Image.fromarray(ramp).save(path, "PNG")


@dataclass(frozen=True)
class Awkward:
    filename: str
    build: Callable[[Path], None]
    size: tuple[int, int]
    mode: str | None = None
    frames: int = 1


AWKWARD = {
    "jpeg_1x1": Awkward("tiny_1x1.jpg", lambda p: Image.new("RGB", (1, 1), (9, 99, 199))
                        .save(p, "JPEG"), (1, 1)),
    "jpeg_7x5": Awkward("tiny_7x5.jpg", lambda p: _noise(7, 5).save(p, "JPEG"), (7, 5)),
    "png_1x1": Awkward("tiny_1x1.png", lambda p: Image.new("RGB", (1, 1), (1, 2, 3))
                       .save(p, "PNG"), (1, 1)),
    "png_7x5": Awkward("tiny_7x5.png", lambda p: _noise(7, 5).save(p, "PNG"), (7, 5)),
    # 48 MP: far over any preview size, under Pillow's MAX_IMAGE_PIXELS (~179 MP).
    "jpeg_huge": Awkward("huge_8000x6000.jpg", lambda p: Image.new("RGB", (8000, 6000),
                                                                   (90, 120, 150))
                         .save(p, "JPEG", quality=50), (8000, 6000)),
    "jpeg_gray": Awkward("gray.jpg", lambda p: _noise(40, 30).convert("L").save(p, "JPEG"),
                         (40, 30), "L"),
    "jpeg_cmyk": Awkward("cmyk.jpg", lambda p: _noise(40, 30).convert("CMYK").save(p, "JPEG"),
                         (40, 30), "CMYK"),
    "png_16bit": Awkward("gray16.png", _i16, (64, 48), "I;16"),
    "gif_animated": Awkward("animated.gif", _animated("GIF"), (24, 16), frames=3),
    "webp_animated": Awkward("animated.webp", _animated("WEBP"), (24, 16), frames=3),
    "apng_animated": Awkward("animated.png", _animated("PNG"), (24, 16), frames=3),
    "png_rgba": Awkward("transparent.png", _rgba, (33, 21), "RGBA"),
    "png_palette": Awkward("palette.png", _palette, (30, 20), "P"),
    "tiff": Awkward("plain.tif", lambda p: _noise(40, 30).save(p, "TIFF"), (40, 30)),
    "webp": Awkward("still.webp", lambda p: _noise(40, 30).save(p, "WEBP"), (40, 30)),
    "heic": Awkward("photo.heic", lambda p: _noise(64, 48).save(p, "HEIF"), (64, 48)),
}


@pytest.fixture(scope="session")
def awkward_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding every :data:`AWKWARD` input that could be written."""
    root = tmp_path_factory.mktemp("awkward")
    for case in AWKWARD.values():
        path = root / case.filename
        try:
            case.build(path)
        except Exception:  # noqa: BLE001 - e.g. no HEIF encoder: that case is skipped
            path.unlink(missing_ok=True)
            continue
        with Image.open(path) as im:  # the input really is what the case says
            assert im.size == case.size, case.filename
            assert getattr(im, "n_frames", 1) == case.frames, case.filename
            if case.mode:
                assert im.mode == case.mode, case.filename
    return root


@pytest.fixture(scope="session")
def damaged_dir(tmp_path_factory: pytest.TempPathFactory, good_jpeg, corrupt_exif_jpeg,
                png_bomb) -> Path:
    """Damaged and non-image inputs: the checks must still keep to the contract on them."""
    root = tmp_path_factory.mktemp("damaged")
    data = good_jpeg.data
    (root / "truncated.jpg").write_bytes(data[:len(data) // 2])
    (root / "corrupt_exif.jpg").write_bytes(corrupt_exif_jpeg)
    (root / "bomb.png").write_bytes(png_bomb())
    (root / "empty.jpg").write_bytes(b"")
    (root / "doc.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    buf = io.BytesIO()
    _noise(60, 40).save(buf, "PNG")
    (root / "truncated.png").write_bytes(buf.getvalue()[:len(buf.getvalue()) // 2])
    buf = io.BytesIO()
    try:
        _noise(64, 48).save(buf, "HEIF")
        (root / "truncated.heic").write_bytes(buf.getvalue()[:len(buf.getvalue()) // 2])
    except Exception:  # noqa: BLE001 - no HEIF encoder
        pass
    return root


DAMAGED = ("truncated.jpg", "corrupt_exif.jpg", "bomb.png", "empty.jpg", "doc.pdf",
           "truncated.png", "truncated.heic")


def _awkward_path(awkward_dir: Path, name: str) -> Path:
    path = awkward_dir / AWKWARD[name].filename
    if not path.exists():
        pytest.skip(f"{name}: this Pillow/pillow-heif build cannot write it")
    return path


def _damaged_path(damaged_dir: Path, name: str) -> Path:
    path = damaged_dir / name
    if not path.exists():
        pytest.skip(f"{name}: this Pillow/pillow-heif build cannot write it")
    return path


# --------------------------------------------------------------------------- contract helpers


def assert_item_contract(item: dict) -> None:
    """Everything ``provenance.scan/1`` promises about one item (the schema and its
    semantics), with exactly today's keys (the schema lets later versions add some)."""
    assert_valid_item(item)
    assert set(item) - CONTAINER_KEYS == ITEM_KEYS
    assert set(item["metadata"]["summary"]) == SUMMARY_KEYS
    assert all(set(result) == CHECK_KEYS for result in item["checks"])
    assert all(set(finding) == FINDING_KEYS for finding in item["findings"])


def _run_one(check: Check, path: Path) -> dict:
    _, item = run_one_check(check, path)
    assert_item_contract(item)
    return item


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", list(AWKWARD))
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_every_check_keeps_the_contract_on_awkward_input(check: Check, case: str,
                                                         awkward_dir: Path) -> None:
    item = _run_one(check, _awkward_path(awkward_dir, case))
    assert item["metadata"]["summary"]["width"] == AWKWARD[case].size[0]
    assert item["metadata"]["summary"]["height"] == AWKWARD[case].size[1]


@pytest.mark.parametrize("case", DAMAGED)
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_every_check_keeps_the_contract_on_damaged_input(check: Check, case: str,
                                                         damaged_dir: Path) -> None:
    _run_one(check, _damaged_path(damaged_dir, case))


def test_scan_document_contract(awkward_dir: Path) -> None:
    doc = scan([awkward_dir])
    assert_valid_scan(doc)
    assert set(doc) == {"schema", "tool", "items", "release"}  # several files: a release
    assert doc["schema"] == SCHEMA == "provenance.scan/1"
    tool = doc["tool"]
    assert tool["name"] == "provenance" and tool["version"]
    for lib in LIBRARIES:
        assert isinstance(tool["libraries"].get(lib), str) and tool["libraries"][lib], lib
    expected = {c.filename: c for c in AWKWARD.values() if (awkward_dir / c.filename).exists()}
    by_name = {os.path.basename(i["path"]): i for i in doc["items"]}
    assert set(by_name) == set(expected)
    for name, item in by_name.items():
        assert_item_contract(item)
        assert [c["name"] for c in item["checks"]] == [c.name for c in CHECKS]
        # Valid files, however odd, are not reported as damaged.
        assert item["status"] == "ok", (name, item["error"])
        assert all(c["status"] != "error" for c in item["checks"]), (name, item["checks"])
        summary = item["metadata"]["summary"]
        assert (summary["width"], summary["height"]) == expected[name].size, name
        assert item["metadata"]["File"]["frames"] == expected[name].frames, name
        assert item["size"] == (awkward_dir / name).stat().st_size


class BoomCheck(Check):
    name = "boom"
    version = "0.0.1"
    description = "always fails (test only)"

    def applies_to(self, item) -> bool:
        return True

    def run(self, ctx) -> list:
        raise RuntimeError("boom: deliberate failure")


class BoomAppliesCheck(BoomCheck):
    name = "boom_applies"

    def applies_to(self, item) -> bool:
        raise RuntimeError("boom: applies_to failed")


def test_a_failing_check_does_not_drop_the_file(tmp_path: Path, good_jpeg) -> None:
    path = tmp_path / "good.jpg"
    path.write_bytes(good_jpeg.data)
    result = scan_file(str(path), checks=(BoomCheck(), *CHECKS)).to_dict()
    assert_item_contract(result)
    boom, *others = result["checks"]
    assert boom["name"] == "boom" and boom["status"] == "error"
    assert "RuntimeError" in boom["error"] and "deliberate failure" in boom["error"]
    assert [c["name"] for c in others] == [c.name for c in CHECKS]
    assert all(c["status"] in ("ok", "flagged", "not_applicable") for c in others), others
    assert result["sha256"] and result["metadata"]["summary"]["make"] == good_jpeg.make
    # and in a folder scan every file is still there
    (tmp_path / "second.png").write_bytes(path.read_bytes())
    doc = scan([tmp_path], checks=(BoomCheck(), *CHECKS))
    assert_valid_scan(doc)
    assert sorted(os.path.basename(i["path"]) for i in doc["items"]) == ["good.jpg",
                                                                        "second.png"]


def test_a_check_failing_in_applies_to_does_not_drop_the_file(tmp_path: Path,
                                                              good_jpeg) -> None:
    path = tmp_path / "good.jpg"
    path.write_bytes(good_jpeg.data)
    result = scan_file(str(path), checks=(BoomAppliesCheck(), *CHECKS)).to_dict()
    assert_item_contract(result)
    assert result["checks"][0]["status"] == "error"
    assert "applies_to failed" in result["checks"][0]["error"]
    assert all(c["status"] in ("ok", "flagged", "not_applicable") for c in result["checks"][1:])


class PreviewFirstCheck(Check):
    """A pixel check as future checks will be: it only asks for the shared preview."""

    name = "preview_first"
    version = "0.0.1"

    def applies_to(self, item) -> bool:
        return True

    def run(self, ctx) -> list:
        assert ctx.preview.dtype == np.uint8
        return []


def test_a_check_using_the_preview_does_not_change_what_others_see(tmp_path: Path) -> None:
    path = tmp_path / "camera.jpg"
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif.get_ifd(0x8769).update({0xA002: 4000, 0xA003: 3000})  # ExifImageWidth/Length
    Image.new("RGB", (4000, 3000), (120, 80, 40)).save(path, "JPEG", quality=40,
                                                        exif=exif.tobytes())
    alone = scan_file(str(path)).to_dict()
    assert "metadata.dimensions_mismatch" not in {f["code"] for f in alone["findings"]}
    item = scan_file(str(path), checks=(PreviewFirstCheck(), *CHECKS)).to_dict()
    assert item["checks"][0]["status"] == "ok"
    summary = item["metadata"]["summary"]
    assert (summary["width"], summary["height"]) == (4000, 3000)
    assert item["metadata"]["File"]["width"] == 4000
    assert "metadata.dimensions_mismatch" not in {f["code"] for f in item["findings"]}


def test_evidence_is_never_modified(tmp_path: Path, awkward_dir: Path, damaged_dir: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    sources = sorted([*awkward_dir.iterdir(), *damaged_dir.iterdir()])
    for i, src in enumerate(sources):
        (folder / f"{i:02d}_{src.name}").write_bytes(src.read_bytes())
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    doc = scan([folder])
    assert_valid_scan(doc)
    assert len(doc["items"]) == len(before)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after.keys() == before.keys()  # nothing created, nothing removed
    for name in before:
        assert after[name][0] == before[name][0], f"{name}: bytes changed"
        assert after[name][1] == before[name][1], f"{name}: mtime changed"


# --------------------------------------------------------------------------- shared decode


@pytest.mark.parametrize("case", [*AWKWARD, *DAMAGED])
def test_shared_preview_is_rgb_uint8_or_a_decode_error(case: str, awkward_dir: Path,
                                                       damaged_dir: Path) -> None:
    """Pixel checks share ``ctx.preview``: it gives RGB uint8 or raises ``DecodeError``."""
    path = (_awkward_path(awkward_dir, case) if case in AWKWARD
            else _damaged_path(damaged_dir, case))
    try:
        item, data = read_evidence(str(path))
    except IntakeError:
        return  # nothing to decode (an empty file); intake errors are tested elsewhere
    ctx = AnalysisContext(item, data)
    if not ctx.is_image:
        return
    try:
        preview = ctx.preview
    except DecodeError as err:
        assert err.code in ("corrupt_image", "truncated", "decompression_bomb")
        return
    assert preview.dtype == np.uint8 and preview.ndim == 3 and preview.shape[2] == 3
    assert max(preview.shape[:2]) <= ctx.options.preview_max_side
    if case in AWKWARD:
        w, h = AWKWARD[case].size
        side = ctx.options.preview_max_side
        if max(w, h) <= side:
            assert preview.shape[:2] == (h, w)
        else:
            assert max(preview.shape[:2]) == side
            assert abs(preview.shape[1] / preview.shape[0] - w / h) < 0.02


def test_16bit_preview_keeps_the_picture(awkward_dir: Path) -> None:
    path = _awkward_path(awkward_dir, "png_16bit")
    item, data = read_evidence(str(path))
    preview = AnalysisContext(item, data).preview[..., 0].astype(float)
    with Image.open(path) as im:
        source = np.asarray(im, dtype=float)
    assert np.unique(preview).size > 64
    assert np.corrcoef(preview.ravel(), source.ravel())[0, 1] > 0.99
