"""Bad input: every bad file becomes an item with status ``error``, a stable code and a message,
and the rest of the scan goes on. All inputs are generated at test time."""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import CONTAINER_KEYS, ITEM_KEYS, assert_valid_item, assert_valid_scan
from PIL import Image

from provenancekit.forensics import intake
from provenancekit.forensics.intake import expand_paths
from provenancekit.forensics.scan import scan, scan_file

GPX = (b'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
       b'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="48.1" lon="11.5">'
       b"<time>2024-05-01T10:00:00Z</time></trkpt></trkseg></trk></gpx>\n")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# Over MAX_IMAGE_PIXELS but under twice it: Pillow only *warns* here, it does not raise.
WARN_SIDE = int((1.5 * Image.MAX_IMAGE_PIXELS) ** 0.5)

# (file name, expected item error code, expected sniffed media type)
BAD = [
    ("empty.jpg", "empty_file", None),
    ("truncated.jpg", "truncated", "image/jpeg"),
    ("corrupt_exif.jpg", "corrupt_exif", "image/jpeg"),
    ("bomb.png", "decompression_bomb", "image/png"),
    ("bomb_warning.png", "decompression_bomb", "image/png"),
    ("notes.txt", "unsupported_format", "text/plain"),
    ("report.pdf", "corrupt_pdf", "application/pdf"),  # opened since issue 15: no page tree
    ("track.gpx", "corrupt_track", "application/gpx+xml"),  # analysed since the track check
]
@pytest.fixture(scope="module")
def bad_bytes(good_jpeg, corrupt_exif_jpeg, png_bomb) -> dict[str, bytes]:
    data = good_jpeg.data
    return {
        "empty.jpg": b"",
        "truncated.jpg": data[:len(data) // 2],
        "corrupt_exif.jpg": corrupt_exif_jpeg,
        "bomb.png": png_bomb(100_000, 100_000),
        "bomb_warning.png": png_bomb(WARN_SIDE, WARN_SIDE),
        "notes.txt": b"Notes from the call.\nNothing to see here.\n",
        "report.pdf": PDF,
        "track.gpx": GPX[:-20],  # cut short: a valid one is analysed (tests/test_track_check)
    }


def _scan_with_good(folder: Path, name: str, data: bytes, good: bytes) -> dict[str, dict]:
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    (folder / "good.jpg").write_bytes(good)
    doc = scan([folder])
    assert_valid_scan(doc)
    by_name = {os.path.basename(i["path"]): i for i in doc["items"]}
    assert sorted(by_name) == sorted([name, "good.jpg"])
    for item in doc["items"]:
        assert set(item) - CONTAINER_KEYS == ITEM_KEYS
    good_item = by_name["good.jpg"]
    assert good_item["status"] == "ok" and good_item["error"] is None, good_item["error"]
    return by_name


@pytest.mark.parametrize(("name", "code", "media_type"), BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_an_error_item_and_the_scan_goes_on(tmp_path: Path, bad_bytes, good_jpeg,
                                                        name: str, code: str,
                                                        media_type: str | None) -> None:
    item = _scan_with_good(tmp_path / "case", name, bad_bytes[name], good_jpeg.data)[name]
    assert item["status"] == "error"
    assert item["error"]["code"] == code, item["error"]
    assert isinstance(item["error"]["message"], str) and item["error"]["message"].strip()
    assert item["media_type"] == media_type
    if media_type is not None:
        assert item["sha256"] and item["size"] == len(bad_bytes[name])
        assert item["metadata"]["File"]["media_type"] == media_type


@pytest.mark.parametrize("name", [b[0] for b in BAD])
def test_error_message_names_the_file(tmp_path: Path, bad_bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bad_bytes[name])
    item = scan_file(str(path))
    assert_valid_item(item.to_dict())
    assert item.status == "error"
    assert name in item.error.message, item.error.message


def test_truncated_jpeg_still_reads_metadata(tmp_path: Path, bad_bytes, good_jpeg) -> None:
    path = tmp_path / "truncated.jpg"
    path.write_bytes(bad_bytes["truncated.jpg"])
    item = scan_file(str(path)).to_dict()
    assert_valid_item(item)
    assert item["error"]["code"] == "truncated"
    summary = item["metadata"]["summary"]
    assert (summary["width"], summary["height"]) == good_jpeg.size
    assert summary["make"] == good_jpeg.make and summary["model"] == good_jpeg.model
    assert all(c["status"] != "error" for c in item["checks"]), item["checks"]


def test_corrupt_exif_still_reads_the_rest(tmp_path: Path, bad_bytes, good_jpeg) -> None:
    path = tmp_path / "corrupt_exif.jpg"
    path.write_bytes(bad_bytes["corrupt_exif.jpg"])
    item = scan_file(str(path)).to_dict()
    assert_valid_item(item)
    assert item["error"]["code"] == "corrupt_exif"
    assert item["metadata"]["EXIF"]["present"] is True
    summary = item["metadata"]["summary"]
    assert (summary["width"], summary["height"]) == good_jpeg.size
    assert "metadata.exif_absent" not in {f["code"] for f in item["findings"]}


def test_jpeg_without_exif_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "stripped.jpg"
    Image.new("RGB", (32, 24), (10, 200, 30)).save(path, "JPEG")
    item = scan_file(str(path)).to_dict()
    assert_valid_item(item)
    assert item["status"] == "ok" and item["error"] is None
    absent = [f for f in item["findings"] if f["code"] == "metadata.exif_absent"]
    assert len(absent) == 1 and absent[0]["severity"] == "info"


@pytest.mark.parametrize("name", ["bomb.png", "bomb_warning.png"])
def test_decompression_bomb_keeps_pillows_limit(tmp_path: Path, bad_bytes, name: str) -> None:
    limit = Image.MAX_IMAGE_PIXELS
    assert limit is not None
    path = tmp_path / name
    path.write_bytes(bad_bytes[name])
    item = scan_file(str(path))
    assert_valid_item(item.to_dict())
    assert item.error is not None and item.error.code == "decompression_bomb"
    assert Image.MAX_IMAGE_PIXELS == limit


@pytest.mark.parametrize("ext, fmt", [
    (ext, fmt) for ext, fmt in [("png", "PNG"), ("gif", "GIF"), ("tif", "TIFF"), ("bmp", "BMP"),
                     ("heic", "HEIF"), ("webp", "WEBP")]])
def test_truncated_image_of_any_format_is_an_error(tmp_path: Path, ext: str, fmt: str) -> None:
    rng = np.random.default_rng(5)
    buf = io.BytesIO()
    try:
        Image.fromarray(rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)).save(buf, fmt)
    except Exception:  # noqa: BLE001 - no encoder for this format here
        pytest.skip(f"cannot write {fmt}")
    path = tmp_path / f"half.{ext}"
    path.write_bytes(buf.getvalue()[:len(buf.getvalue()) // 2])
    item = scan_file(str(path))
    assert_valid_item(item.to_dict())
    assert item.status == "error"
    assert item.error.code in ("truncated", "corrupt_image"), item.error


# --------------------------------------------------------------------------- unreadable


def _skip_unless_chmod_denies(tmp_path: Path) -> None:
    """Skip when chmod 000 does not stop this process (root, or CAP_DAC_OVERRIDE)."""
    probe_file, probe_dir = tmp_path / "probe_file", tmp_path / "probe_dir"
    probe_file.write_bytes(b"x")
    probe_dir.mkdir()
    probe_file.chmod(0)
    probe_dir.chmod(0)
    try:
        probe_file.read_bytes()
        os.listdir(probe_dir)
    except PermissionError:
        return
    finally:
        probe_file.chmod(0o644)
        probe_dir.chmod(0o755)
        probe_file.unlink()
        probe_dir.rmdir()
    pytest.skip(f"chmod 000 does not stop this process (euid {os.geteuid()}: root or "
                "CAP_DAC_OVERRIDE); the *_simulated tests cover the same code path")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_file_chmod(tmp_path: Path, good_jpeg) -> None:
    _skip_unless_chmod_denies(tmp_path)
    locked = tmp_path / "locked.jpg"
    locked.write_bytes(good_jpeg.data)
    (tmp_path / "good.jpg").write_bytes(good_jpeg.data)
    locked.chmod(0)
    try:
        doc = scan([tmp_path])
        by_name = {os.path.basename(i["path"]): i for i in doc["items"]}
    finally:
        locked.chmod(0o644)
    assert_valid_scan(doc)
    assert sorted(by_name) == ["good.jpg", "locked.jpg"]
    assert by_name["locked.jpg"]["error"]["code"] == "unreadable"
    assert "locked.jpg" in by_name["locked.jpg"]["error"]["message"]
    assert by_name["good.jpg"]["status"] == "ok"


def test_unreadable_file_simulated(tmp_path: Path, good_jpeg, monkeypatch) -> None:
    """The OS refusing the read (EACCES), injected at intake's ``open``: works as root too."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    locked = folder / "locked.jpg"
    locked.write_bytes(good_jpeg.data)
    (folder / "good.jpg").write_bytes(good_jpeg.data)

    def fake_open(file, *args, **kwargs):
        if os.fspath(file) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(intake, "open", fake_open, raising=False)
    doc = scan([folder])
    assert_valid_scan(doc)
    by_name = {os.path.basename(i["path"]): i for i in doc["items"]}
    assert sorted(by_name) == ["good.jpg", "locked.jpg"]
    err = by_name["locked.jpg"]["error"]
    assert by_name["locked.jpg"]["status"] == "error" and err["code"] == "unreadable"
    assert "locked.jpg" in err["message"] and "Permission denied" in err["message"]
    assert by_name["good.jpg"]["status"] == "ok"


def _deny_listing(monkeypatch, denied: set[str]) -> None:
    """Make ``os.scandir`` (used by ``os.walk``) refuse the given directories with EACCES."""
    real = os.scandir

    def fake_scandir(path="."):
        if os.fspath(path) in denied:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)


def test_unreadable_directory_simulated(tmp_path: Path, good_jpeg, monkeypatch) -> None:
    root = tmp_path / "evidence"
    (root / "a_locked").mkdir(parents=True)
    (root / "a_locked" / "hidden.jpg").write_bytes(good_jpeg.data)
    (root / "b_open").mkdir()
    (root / "b_open" / "good.jpg").write_bytes(good_jpeg.data)
    (root / "top.jpg").write_bytes(good_jpeg.data)
    top_locked = tmp_path / "top_locked"
    top_locked.mkdir()
    locked = str(root / "a_locked")
    _deny_listing(monkeypatch, {locked, str(top_locked)})

    inputs = list(expand_paths([root, top_locked]))
    errors = {i.path: i.error for i in inputs if i.error is not None}
    assert set(errors) == {locked, str(top_locked)}
    assert all(e.code == "unreadable_directory" for e in errors.values())
    assert all(path in e.message for path, e in errors.items())
    files = {i.path for i in inputs if i.error is None}
    assert files == {str(root / "b_open" / "good.jpg"), str(root / "top.jpg")}

    doc = scan([root, top_locked])
    assert_valid_scan(doc)
    by_path = {i["path"]: i for i in doc["items"]}
    assert set(by_path) == set(errors) | files
    assert by_path[locked]["status"] == "error"
    assert by_path[locked]["error"]["code"] == "unreadable_directory"
    assert all(by_path[f]["status"] == "ok" for f in files)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_directory_chmod(tmp_path: Path, good_jpeg) -> None:
    _skip_unless_chmod_denies(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.jpg").write_bytes(good_jpeg.data)
    (tmp_path / "good.jpg").write_bytes(good_jpeg.data)
    locked.chmod(0)
    try:
        doc = scan([tmp_path])
    finally:
        locked.chmod(0o755)
    assert_valid_scan(doc)
    by_path = {i["path"]: i for i in doc["items"]}
    assert by_path[str(locked)]["error"]["code"] == "unreadable_directory"
    assert by_path[str(tmp_path / "good.jpg")]["status"] == "ok"


# --------------------------------------------------------------------------- misnamed / missing


def test_jpeg_renamed_png_is_ok_with_extension_mismatch(tmp_path: Path, good_jpeg) -> None:
    path = tmp_path / "really_a_jpeg.png"
    path.write_bytes(good_jpeg.data)
    item = scan_file(str(path)).to_dict()
    assert_valid_item(item)
    assert item["status"] == "ok" and item["media_type"] == "image/jpeg"
    mismatch = [f for f in item["findings"] if f["code"] == "metadata.extension_mismatch"]
    assert len(mismatch) == 1
    assert mismatch[0]["evidence"]["media_type_from_bytes"] == "image/jpeg"
    assert mismatch[0]["evidence"]["media_type_from_extension"] == "image/png"


def test_missing_path_on_the_command_line(tmp_path: Path, good_jpeg) -> None:
    (tmp_path / "good.jpg").write_bytes(good_jpeg.data)
    missing = str(tmp_path / "gone" / "nowhere.jpg")
    doc = scan([missing, tmp_path])
    assert_valid_scan(doc)
    assert [i["path"] for i in doc["items"]] == [missing, str(tmp_path / "good.jpg")]
    item = doc["items"][0]
    assert item["status"] == "error" and item["error"]["code"] == "not_found"
    assert missing in item["error"]["message"]
    assert set(item["metadata"]["summary"]) >= {"width", "height"}
    assert doc["items"][1]["status"] == "ok"


# --------------------------------------------------------------------------- CLI


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the console entry point (``provenance``) exactly as installed."""
    code = "from provenancekit.cli.main import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture
def cli_folder(tmp_path: Path, bad_bytes, good_jpeg) -> tuple[Path, list[str]]:
    """``evidence/`` with a good JPEG and bad files; returns (cwd, expected item paths)."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "good.jpg").write_bytes(good_jpeg.data)
    for name in ("empty.jpg", "truncated.jpg", "bomb.png", "notes.txt"):
        (folder / name).write_bytes(bad_bytes[name])
    expected = sorted(f"evidence/{p.name}" for p in folder.iterdir()) + ["missing.jpg"]
    return tmp_path, expected


def test_cli_scan_json(cli_folder) -> None:
    cwd, expected = cli_folder
    proc = _cli(cwd, "scan", "evidence", "missing.jpg", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert_valid_scan(doc)
    assert doc["schema"] == "provenance.scan/1"
    assert [i["path"] for i in doc["items"]] == expected
    by_path = {i["path"]: i for i in doc["items"]}
    assert by_path["evidence/good.jpg"]["status"] == "ok"
    assert by_path["missing.jpg"]["error"]["code"] == "not_found"
    assert by_path["evidence/empty.jpg"]["error"]["code"] == "empty_file"


def test_cli_scan_jsonl(cli_folder) -> None:
    cwd, expected = cli_folder
    proc = _cli(cwd, "scan", "evidence", "missing.jpg", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(expected)
    items = [json.loads(line) for line in lines]
    for item in items:
        assert_valid_item(item)
    assert all(set(i) - CONTAINER_KEYS == ITEM_KEYS for i in items)
    # JSONL is written as each file finishes (completion order), so compare as sets.
    assert sorted(i["path"] for i in items) == sorted(expected)


def test_cli_scan_table_has_no_traceback(cli_folder) -> None:
    cwd, expected = cli_folder
    proc = _cli(cwd, "scan", "evidence", "missing.jpg")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for path in expected:
        assert os.path.basename(path) in proc.stdout


@pytest.mark.parametrize(("name", "code"), [("empty.jpg", "empty_file"),
                                            ("missing.jpg", "not_found"),
                                            ("bomb.png", "decompression_bomb")])
def test_cli_metadata_of_a_bad_file_prints_a_clear_message(cli_folder, name: str,
                                                           code: str) -> None:
    cwd, _ = cli_folder
    target = name if name == "missing.jpg" else f"evidence/{name}"
    proc = _cli(cwd, "metadata", target)
    out = proc.stdout + proc.stderr
    assert proc.returncode in (0, 2), out
    assert "Traceback" not in out and "internal error" not in out
    assert code in out and name in out
