"""Regression tests for the failures the hostile-file generator (``generator.py``) found.

Each was written and seen failing before its fix. Tests marked ``xfail(strict=True)`` are
failures in files owned by the lead (``forensics/batch.py``); the marker comes off with the
fix, and strictness makes the suite say so when it lands.
(The fuzz harness's own regressions, some in the same code, are in
``test_fuzz_regressions.py``.)
"""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path

import pytest

from provenancekit.forensics.intake import expand_paths
from provenancekit.forensics.scan import scan_file

from .generator import (
    build_tiff,
    put,
    remove_tree,
    seed_files,
    tiff_byte_order,
    tiff_fields,
)

# --------------------------------------------------------------------------- intake


def _chain(root: Path, levels: int) -> bytes:
    """``levels`` nested folders named ``d`` with one file at the bottom; its path."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(levels):
            os.mkdir("d", dir_fd=fd)
            new = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = new
        out = os.open("bottom.jpg", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, b"\xff\xd8\xff")
        os.close(out)
    finally:
        os.close(fd)
    return os.path.join(os.fsencode(root), *[b"d"] * levels, b"bottom.jpg")


@pytest.mark.parametrize("levels", [1200, 1900])
def test_very_deep_folder_is_walked_not_a_recursion_error(tmp_path: Path, levels: int) -> None:
    """Found by the ``deep_dirs`` family: Python 3.11's ``os.walk`` recurses once per level,
    so a folder 1,000 levels deep (a 2 kB path, well within PATH_MAX) raised RecursionError
    out of ``expand_paths``: the whole scan died, not just one item."""
    root = tmp_path / "deep"
    root.mkdir()
    try:
        bottom = _chain(root, levels)
        (root / "top.jpg").write_bytes(b"x")
        inputs = list(expand_paths([root]))
        assert [os.fsencode(i.path) for i in inputs] == [os.fsencode(root / "top.jpg"), bottom]
        assert all(i.error is None for i in inputs)
    finally:
        remove_tree(root)


def test_walk_keeps_its_order_and_reports(tmp_path: Path) -> None:
    """The iterative walk keeps what the recursive one did: files of a folder sorted, then its
    subfolders in sorted order, folder links reported and not followed."""
    for rel in ("b/2.jpg", "b/1.jpg", "a/z/9.jpg", "a/0.jpg", "c.jpg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    os.symlink("..", tmp_path / "a" / "up")
    got = [(os.path.relpath(i.path, tmp_path), i.error.code if i.error else None)
           for i in expand_paths([tmp_path])]
    assert got == [("c.jpg", None), ("a/up", "symlink_not_followed"), ("a/0.jpg", None),
                   ("a/z/9.jpg", None), ("b/1.jpg", None), ("b/2.jpg", None)]


# --------------------------------------------------------------------------- pixel decoding

def tiff_ifd_cycle() -> bytes:
    """The TIFF seed whose IFD0 next pointer goes to its Exif IFD, and whose Exif IFD's next
    pointer comes back to IFD0 (``ifd_loops/seed_cycle.tif``)."""
    data = seed_files("small")["seed.tif"]
    bo = tiff_byte_order(data, 0)
    fields = tiff_fields(data, 0)
    ifd0 = struct.unpack(bo + "I", data[4:8])[0]
    exif_ptr = next(f for f in fields if f.kind == "sub_ifd" and f.tag == 0x8769)
    exif_ifd = struct.unpack(bo + "I", data[exif_ptr.pos:exif_ptr.pos + 4])[0]
    next0 = next(f for f in fields if f.kind == "next_ifd" and f.ifd_start == ifd0)
    next_exif = next(f for f in fields if f.kind == "next_ifd" and f.ifd_start == exif_ifd)
    data = put(data, next0.pos, struct.pack(bo + "I", exif_ifd))
    return put(data, next_exif.pos, struct.pack(bo + "I", ifd0))


def tiff_huge_tiles() -> bytes:
    """A 16x16 RGB TIFF whose TileWidth and TileLength are 2^31-16 (``tiff_strips``)."""
    return build_tiff([(0x0100, 3, 16), (0x0101, 3, 16), (0x0102, 3, [8, 8, 8]),
                       (0x0103, 3, 1), (0x0106, 3, 2), (0x0115, 3, 3),
                       (0x0142, 4, 0x7FFFFFF0), (0x0143, 4, 0x7FFFFFF0), (0x0144, 4, 8),
                       (0x0145, 4, 768)], strips=bytes(768))


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("name", "make"), [("ifd_cycle.tif", tiff_ifd_cycle),
                                            ("huge_tiles.tif", tiff_huge_tiles)])
def test_tiff_decoder_exceptions_do_not_escape_scan_file(tmp_path: Path, name, make) -> None:
    """Found by the ``ifd_loops`` and ``tiff_strips`` families: ``AnalysisContext.rgb()``
    turned only some exception types into ``DecodeError``; Pillow raised ``TypeError``
    ("Missing dimensions", counting the pages of a looping IFD chain) and ``OverflowError``
    (tiles of 2^31 pixels), so ``scan_file`` raised and the file had no item of its own
    (``worker_error`` in a batch). Fixed in ``forensics/context.py`` by the lead: the first
    page is analysed, and what does not decode is ``corrupt_image``."""
    path = tmp_path / name
    path.write_bytes(make())
    item = scan_file(str(path)).to_dict()
    json.dumps(item, allow_nan=False)
    assert item["status"] in ("ok", "error")
    if item["status"] == "error":
        assert item["error"]["code"] == "corrupt_image" and name in item["error"]["message"]
    assert all(c["status"] != "error" or c["error"].startswith("corrupt_image")
               for c in item["checks"]), item["checks"]


# --------------------------------------------------------------------------- batch


def _cli_jsonl(tmp_path: Path, target: Path) -> list[dict]:
    import subprocess

    out = tmp_path / "run.jsonl"
    proc = subprocess.run([sys.executable, "-m", "provenancekit.cli", "scan", str(target),
                           "--workers", "2",
                           "--checks", "metadata", "--format", "jsonl", "-o", str(out)],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]




@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_unreadable_link_chain_does_not_hide_the_real_file(tmp_path: Path) -> None:
    """Found by the ``symlinks`` family: ``chain00 -> chain01 -> ... -> chain50 ->
    real.png``. The kernel stops after 40 links, so chain00..chain10 cannot be opened; Python's
    realpath() follows all 51, so the batch took chain00 (unreadable) as *the* copy of
    real.png and dropped real.png itself: the one readable picture got no analysis."""
    from .generator import _tiny_images

    case = tmp_path / "case"
    (case / "sub").mkdir(parents=True)
    (case / "sub" / "real.png").write_bytes(_tiny_images()[0])
    for i in range(50):
        os.symlink(f"chain{i + 1:02d}", case / f"chain{i:02d}")
    os.symlink("sub/real.png", case / "chain50")
    items = _cli_jsonl(tmp_path, case)
    analysed = [i for i in items if i["status"] == "ok"]
    assert len(analysed) == 1 and analysed[0]["media_type"] == "image/png", \
        [(os.path.basename(i["path"]), (i["error"] or {}).get("code")) for i in items]
    # the 11 names the kernel cannot open are not the same file: each is reported
    unreadable = {os.path.basename(i["path"]) for i in items if i["status"] == "error"}
    assert unreadable == {f"chain{i:02d}" for i in range(11)}


# --------------------------------------------------------------------------- double JPEG

_RSS_CHILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
from provenancekit.forensics.scan import scan_file
from provenancekit.forensics.checks import get_checks
scan_file(sys.argv[2], checks=get_checks(["double_jpeg"]))  # imports and warms up
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
item = scan_file(sys.argv[1]).to_dict()
print(json.dumps({"grew_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024,
                  "seconds": time.perf_counter() - start, "error": item["error"],
                  "checks": {c["name"]: c["error"] for c in item["checks"]}}))
"""


def test_jpeg_in_the_bomb_warning_band_is_not_decoded_by_libjpeg(tmp_path: Path) -> None:
    """Found by the ``pixel_bomb`` family (peak 743 MiB for a 9 kB file): a JPEG whose SOF
    claims 11585x11585 (134 Mpx: over Pillow's limit, under twice it, where Pillow only warns)
    is refused as ``decompression_bomb`` by the context, but the double-JPEG check still had
    libjpeg read all its DCT coefficients (jpeglib's guard is at twice the limit)."""
    from PIL import Image

    from .generator import _set_jpeg_size

    limit = Image.MAX_IMAGE_PIXELS or 89_478_485
    side = int((1.5 * limit) ** 0.5)
    seed = seed_files("small")["seed.jpg"]
    bomb, good = tmp_path / "warn_band.jpg", tmp_path / "good.jpg"
    bomb.write_bytes(_set_jpeg_size(seed, side, side))
    good.write_bytes(seed)
    proc = __import__("subprocess").run(
        [sys.executable, "-c", _RSS_CHILD, str(bomb), str(good)], capture_output=True,
        text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["error"]["code"] == "decompression_bomb"
    assert out["checks"]["double_jpeg"] and "decompression_bomb" in out["checks"]["double_jpeg"]
    assert out["grew_mb"] < 150, out
