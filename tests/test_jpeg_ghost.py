"""JPEG ghosts (Farid 2009, DCT domain): localisation, quiet originals, bad input.

Pictures are generated at test time with Pillow (a region pasted from a low-quality JPEG),
plus real camera originals and CASIA v1 forgeries under ``../shared/corpus`` when present.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_double_jpeg import texture

from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.editing.dct import read_coefficients
from provenancekit.forensics.editing.ghost import _ijg_tables, analyse_ghosts, ghost_curves
from provenancekit.forensics.scan import scan_file

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CAMERA = CORPUS / "exif" / "metadata-extractor-images" / "jpg"
CASIA = CORPUS / "forgery" / "casia-v1"
CHECK = get_checks(["jpeg_ghost"])


def grainy(width: int, height: int, seed: int) -> np.ndarray:
    """:func:`texture` with sensor-like grain (sigma 10 grey levels): busy enough that
    requantising near an earlier quality changes every window (flat windows carry no ghost
    either way and are left out by design)."""
    rng = np.random.default_rng(seed + 100)
    out = texture(width, height, seed).astype(np.float64) + rng.normal(0, 10, (height, width, 3))
    return np.clip(out, 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int, **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


BOX = (160, 96, 320, 224)  # x0, y0, x1, y1 of the pasted region (on the 8x8 grid)


def overlap(a: list[int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / small


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ghost")
    x0, y0, x1, y1 = BOX
    # a region from a q60 JPEG pasted into a q95-saved picture, saved at q90
    low = decode(jpeg(texture(512, 384, 2), 60))
    host = decode(jpeg(texture(512, 384, 1), 95)).copy()
    host[y0:y1, x0:x1] = low[y0:y1, x0:x1]
    pasted = root / "pasted_q60_into_q95_saved_q90.jpg"
    pasted.write_bytes(jpeg(host, 90))
    # the other way round: a q70 picture with a never-compressed region, saved at q92
    first = decode(jpeg(grainy(512, 384, 3), 70)).copy()
    first[y0:y1, x0:x1] = grainy(512, 384, 4)[y0:y1, x0:x1]
    missing = root / "q70_with_fresh_region_saved_q92.jpg"
    missing.write_bytes(jpeg(first, 92))
    once = root / "once_q90.jpg"
    once.write_bytes(jpeg(texture(512, 384, 5), 90))
    data = pasted.read_bytes()
    (root / "truncated.jpg").write_bytes(data[:len(data) // 2])
    Image.fromarray(host).save(root / "picture.png")
    return {"pasted": pasted, "missing": missing, "once": once,
            "truncated": root / "truncated.jpg", "png": root / "picture.png"}


def findings(path: Path) -> tuple[dict, list[dict]]:
    item = scan_file(str(path), checks=CHECK).to_dict()
    return item, [f for f in item["findings"] if f["check"] == "jpeg_ghost"]


def test_dct_domain_errors_equal_direct_requantisation(pictures: dict[str, Path]) -> None:
    coefs = read_coefficients(pictures["pasted"].read_bytes())
    qualities = np.array([50, 60, 75, 88])
    sums, counts = ghost_curves(coefs, qualities, cell=2, band_rows=6)
    d = coefs.blocks[:coefs.decoded_block_rows].reshape(-1, 64) * coefs.table.reshape(64)
    direct = [((d - np.round(d / t) * t) ** 2).sum() for t in _ijg_tables()[qualities - 1]]
    assert np.allclose(sums.reshape(-1, 4).sum(axis=0), direct, rtol=1e-4)
    assert counts.sum() == coefs.decoded_block_rows * coefs.blocks.shape[1]


def test_region_pasted_from_low_quality_jpeg_is_localised(pictures: dict[str, Path]) -> None:
    res = analyse_ghosts(read_coefficients(pictures["pasted"].read_bytes()))
    assert res is not None and res.file_quality == 90
    x0, y0, x1, y1 = (v // (8 * res.cell) for v in BOX)
    inside = res.own_quality[y0:y1, x0:x1]
    assert np.median(np.abs(inside - 60)) <= 2  # the patch's own ghost sits at q60
    item, found = findings(pictures["pasted"])
    regions = [f for f in found if f["code"] == "jpeg_ghost.region"]
    assert len(regions) == 1 and regions[0]["evidence"]["mode"] == "own"
    box = regions[0]["evidence"]["regions"][0]["bbox"]
    assert overlap(box, BOX) > 0.6
    assert abs(regions[0]["evidence"]["regions"][0]["ghost_quality"] - 60) <= 3
    check = next(c for c in item["checks"] if c["name"] == "jpeg_ghost")
    names = {a["name"] for a in check["artifacts"]}
    assert {"jpeg_ghost_difference", "jpeg_ghost_region_mask"} <= names
    assert check["score"] > 0.5


def test_region_lacking_the_pictures_ghost_is_localised(pictures: dict[str, Path]) -> None:
    _item, found = findings(pictures["missing"])
    ghost = [f for f in found if f["code"] == "jpeg_ghost.ghost"]
    assert ghost and abs(ghost[0]["evidence"]["ghost_quality"] - 70) <= 3
    regions = [f for f in found if f["code"] == "jpeg_ghost.region"]
    assert regions and regions[0]["evidence"]["mode"] == "missing"
    assert overlap(regions[0]["evidence"]["regions"][0]["bbox"], BOX) > 0.6


def test_single_compression_is_quiet(pictures: dict[str, Path]) -> None:
    item, found = findings(pictures["once"])
    assert item["status"] == "ok"
    assert not [f for f in found if f["severity"] in ("medium", "high")]


def test_png_is_not_applicable(pictures: dict[str, Path]) -> None:
    item, found = findings(pictures["png"])
    assert not found
    assert next(c for c in item["checks"] if c["name"] == "jpeg_ghost")["status"] == \
        "not_applicable"


def test_truncated_file_is_analysed_as_far_as_it_goes(pictures: dict[str, Path]) -> None:
    item, found = findings(pictures["truncated"])
    check = next(c for c in item["checks"] if c["name"] == "jpeg_ghost")
    assert check["status"] != "error", check["error"]
    assert any(f["code"] == "jpeg_ghost.partial" for f in found)


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grayscale_and_cmyk(tmp_path: Path, mode: str) -> None:
    rgb = grainy(256, 192, 6)
    first = np.asarray(Image.open(io.BytesIO(jpeg(rgb, 70))).convert(mode))
    path = tmp_path / f"{mode}.jpg"
    Image.fromarray(first, mode).save(path, "JPEG", quality=92)
    item, found = findings(path)
    check = next(c for c in item["checks"] if c["name"] == "jpeg_ghost")
    assert check["status"] != "error", check["error"]
    assert check["score"] is not None
    if mode == "L":  # one channel: the ghost of the q70 save is plain
        assert any(f["code"] == "jpeg_ghost.ghost" for f in found)


@pytest.mark.parametrize("size", [(4, 4), (8, 8), (30, 20)])
def test_tiny_pictures(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "tiny.jpg"
    Image.new("RGB", size, (120, 80, 40)).save(path, "JPEG", quality=90)
    item, found = findings(path)
    check = next(c for c in item["checks"] if c["name"] == "jpeg_ghost")
    assert check["status"] != "error", check["error"]
    assert [f["code"] for f in found] == ["jpeg_ghost.too_small"]


def test_progressive_matches_baseline(pictures: dict[str, Path], tmp_path: Path) -> None:
    rgb = decode(pictures["pasted"].read_bytes())
    path = tmp_path / "progressive.jpg"
    path.write_bytes(jpeg(rgb, 90, progressive=True))
    base = tmp_path / "baseline.jpg"
    base.write_bytes(jpeg(rgb, 90))
    a = analyse_ghosts(read_coefficients(path.read_bytes()))
    b = analyse_ghosts(read_coefficients(base.read_bytes()))
    assert a is not None and b is not None
    assert a.global_curve == b.global_curve


@pytest.mark.skipif(not CAMERA.is_dir(), reason="corpus not present")
def test_camera_originals_are_not_flagged_high() -> None:
    names = ["Canon EOS 7D.jpg", "Apple iPhone 4.jpg", "FLIR.jpg", "Kodak DC3400.jpg",
             "HP PhotoSmart 735.jpg"]
    for name in names:
        path = CAMERA / name
        if not path.exists():
            continue
        item, found = findings(path)
        assert item["status"] == "ok"
        assert not [f for f in found if f["severity"] == "high"], (name, found)


@pytest.mark.skipif(not CASIA.is_dir(), reason="corpus not present")
def test_casia_splice_lacks_the_host_ghost() -> None:
    with open(CASIA / "labels.csv", encoding="utf-8") as fh:
        rows = {r["image"]: r for r in csv.DictReader(fh)}
    row = rows["Tp/Sp_D_NNN_A_art0072_cha0060_0107.jpg"]  # host q80, donor rescaled in
    _item, found = findings(CASIA / row["image"])
    regions = [f for f in found if f["code"] == "jpeg_ghost.region"]
    assert regions and regions[0]["evidence"]["mode"] == "missing"
    gt = np.asarray(Image.open(CASIA / row["mask"]).convert("L")) >= 128
    x0, y0, x1, y1 = regions[0]["evidence"]["regions"][0]["bbox"]
    assert gt[y0:y1, x0:x1].mean() > 0.3  # the box sits on the spliced object
    for name in ("Au_ani_0009.jpg", "Au_art_0001.jpg", "Au_pla_0005.jpg"):
        path = CASIA / "Au" / name
        if path.exists():
            _i, found = findings(path)
            assert not [f for f in found if f["code"] == "jpeg_ghost.region"], name
