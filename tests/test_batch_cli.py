"""`provenance scan` as a batch: exit codes, outputs, interruption and resume, odd names."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_valid_item, assert_valid_scan, noise_jpeg
from PIL import Image

from provenancekit.forensics.batch import BatchOptions, checks_for, run_batch
from provenancekit.forensics.store import ResultStore

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _cli(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "provenancekit.cli", *args], cwd=cwd,
                          capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "kit"
    d.mkdir()
    for i in range(4):
        (d / f"photo_{i}.jpg").write_bytes(noise_jpeg(i))
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("parameters", "a drone, Steps: 20, Sampler: Euler a")
    Image.new("RGB", (32, 32), "white").save(d / "render.png", pnginfo=info)
    (d / "empty.jpg").write_bytes(b"")
    return d


def test_outputs_and_fail_on(folder: Path, tmp_path: Path) -> None:
    proc = _cli(tmp_path, "scan", str(folder), "--workers", "2", "--csv", "run.csv",
                "--html", "triage.html", "--jsonl", "run.jsonl", "--format", "json",
                "--fail-on", "high")
    assert proc.returncode == 1, proc.stderr  # the AI-marked render is high
    doc = json.loads(proc.stdout)
    assert_valid_scan(doc)
    assert len(doc["items"]) == 6
    assert [os.path.basename(i["path"]) for i in doc["items"]] == sorted(
        os.listdir(folder))  # input order
    rows = list(csv.DictReader(open(tmp_path / "run.csv", encoding="utf-8")))
    assert len(rows) == 6 and rows[0]["triage_level"] == "high"  # ranked
    assert len((tmp_path / "run.jsonl").read_text().splitlines()) == 6
    for line in (tmp_path / "run.jsonl").read_text().splitlines():
        assert_valid_item(json.loads(line))
    page = (tmp_path / "triage.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in page and "data:image/jpeg;base64," in page
    assert "http://" not in page and "https://" not in page
    for n in range(1, 7):  # every row links to its item's detail section, and back
        assert f'href="#detail-{n}"' in page and f'id="detail-{n}"' in page
        assert f'href="#item-{n}"' in page
    detail = page[page.index('id="detail-1"'):page.index('id="detail-2"')]
    assert "<h4>Findings</h4>" in detail and "<h4>Checks</h4>" in detail  # shared macros
    assert "6 file(s): 6 analysed" in proc.stderr
    ok = _cli(tmp_path, "scan", str(folder / "photo_0.jpg"), "--fail-on", "high")
    assert ok.returncode == 0
    # streamed output: --fail-on reads the levels back from the store, nothing held at once
    streamed = _cli(tmp_path, "scan", str(folder), "--format", "jsonl", "--results",
                    "streamed.sqlite", "--fail-on", "high")
    assert streamed.returncode == 1 and len(streamed.stdout.splitlines()) == 6
    for line in streamed.stdout.splitlines():
        assert_valid_item(json.loads(line))


def test_usage_errors_exit_2(folder: Path, tmp_path: Path) -> None:
    proc = _cli(tmp_path, "scan", str(folder), "--resume")
    assert proc.returncode == 2 and "--results" in proc.stderr
    proc = _cli(tmp_path, "scan", str(folder), "--checks", "nope")
    assert proc.returncode == 2 and "unknown check" in proc.stderr
    assert "Traceback" not in proc.stderr


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if text.encode() in fh.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def test_kill_9_then_resume_loses_nothing(tmp_path: Path) -> None:
    kit = tmp_path / "big"
    kit.mkdir()
    data = [noise_jpeg(i, (1600, 1200)) for i in range(4)]
    n = 160
    for i in range(n):
        (kit / f"p{i:03d}.jpg").write_bytes(data[i % 4] + bytes([i % 251]) * (i + 1))
    db = tmp_path / "run.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "provenancekit.cli", "scan", str(kit),
                             "--results",
                             str(db), "--format", "jsonl", "--workers", "2",
                             "--checks", "metadata"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if db.exists():
            try:
                done = sqlite3.connect(db).execute("SELECT COUNT(*) FROM items").fetchone()[0]
            except sqlite3.Error:
                continue
            if done >= 10:
                break
    os.kill(proc.pid, signal.SIGKILL)  # the main process, mid-run
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10  # its workers must not outlive it
    while _processes_mentioning(str(db)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_mentioning(str(db)), "orphaned workers survived kill -9"
    partial = sqlite3.connect(db).execute("SELECT COUNT(*) FROM items").fetchone()[0]
    assert 0 < partial < n
    res = _cli(tmp_path, "scan", str(kit), "--results", str(db), "--resume", "--format",
               "jsonl", "--checks", "metadata")
    assert res.returncode == 0, res.stderr
    assert f"{partial} already done (resume)" in res.stderr
    assert len(res.stdout.splitlines()) == n - partial  # only the rest was analysed
    for line in res.stdout.splitlines():
        assert_valid_item(json.loads(line))
    with ResultStore(str(db)) as store:
        assert store.count() == n


def test_odd_names_links_and_vanishing_files(tmp_path: Path) -> None:
    kit = tmp_path / "odd"
    kit.mkdir()
    (kit / "new\nline <script>.jpg").write_bytes(noise_jpeg(1))
    fd = os.open(os.path.join(os.fsencode(kit), b"latin1-\xe9t\xe9.jpg"),
                 os.O_WRONLY | os.O_CREAT)
    os.write(fd, noise_jpeg(2))
    os.close(fd)
    (kit / "loop").symlink_to(kit, target_is_directory=True)
    (kit / "dangling.jpg").symlink_to(tmp_path / "nowhere.jpg")
    (kit / "gone.jpg").write_bytes(noise_jpeg(3))
    seen: list[dict] = []

    def vanish(total: int) -> None:  # called after listing, before analysis
        (kit / "gone.jpg").unlink()

    with ResultStore(str(tmp_path / "r.sqlite")) as store:
        summary = run_batch([kit], checks=checks_for("quick", None),
                            options=BatchOptions(workers=2), store=store,
                            on_item=seen.append, on_total=vanish)
        assert store.count() == summary.inputs == len(seen) == 5
    for item in seen:
        assert_valid_item(item)
    codes = {os.path.basename(i["path"]): (i["error"] or {}).get("code") for i in seen}
    assert codes["loop"] == "symlink_not_followed"
    assert codes["dangling.jpg"] == "not_found"
    assert codes["gone.jpg"] == "not_found"
    assert codes["new\nline <script>.jpg"] is None
    assert any(k.startswith("latin1-") and v is None for k, v in codes.items())
    proc = _cli(tmp_path, "scan", str(kit), "--format", "jsonl", "--html", "t.html",
                "--csv", "t.csv")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 4  # gone.jpg is gone now
    for line in proc.stdout.splitlines():
        assert_valid_item(json.loads(line))
    page = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "<script>.jpg" not in page and "&lt;script&gt;.jpg" in page


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    kit.mkdir()
    data = noise_jpeg(5, (1600, 1200))
    n = 300  # enough work left after the first stored result that the signal lands mid-run
    for i in range(n):
        (kit / f"p{i:03d}.jpg").write_bytes(data + bytes([i % 251]) * (i + 1))
    db = tmp_path / "run.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "provenancekit.cli", "scan", str(kit),
                             "--results",
                             str(db), "--format", "jsonl", "--checks", "metadata"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # interrupt as soon as the first results are stored
        time.sleep(0.02)
        try:
            if sqlite3.connect(db).execute("SELECT COUNT(*) FROM items").fetchone()[0] >= 1:
                break
        except sqlite3.Error:
            continue
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "--resume" in err
    res = _cli(tmp_path, "scan", str(kit), "--results", str(db), "--resume", "--format",
               "jsonl", "--checks", "metadata")
    assert res.returncode == 0, res.stderr
    for line in res.stdout.splitlines():
        assert_valid_item(json.loads(line))
    with ResultStore(str(db)) as store:
        assert store.count() == n


def test_batch_finds_duplicates_in_release_and_refuses_a_bad_index(tmp_path: Path) -> None:
    from provenancekit.forensics.index import open_index

    kit = tmp_path / "release"
    kit.mkdir()
    rng = np.random.default_rng(3)
    small = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    photo = np.asarray(Image.fromarray(small).resize((640, 480), Image.Resampling.BICUBIC))
    Image.fromarray(photo).save(kit / "a.jpg", quality=92)
    Image.fromarray(photo).resize((320, 240)).save(kit / "b_resized.jpg", quality=70)
    Image.fromarray(255 - photo[::-1]).save(kit / "c_other.jpg", quality=90)
    index = tmp_path / "known.sqlite"
    with open_index(str(index)) as idx:  # an empty but valid index
        assert idx is not None
    proc = _cli(tmp_path, "scan", str(kit), "--index", str(index), "--workers", "2",
                "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert_valid_scan(doc)
    dup = {os.path.basename(i["path"]) for i in doc["items"]
           if any(f["code"] == "known_image.duplicate_in_release" for f in i["findings"])}
    assert dup and dup <= {"a.jpg", "b_resized.jpg"}
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 10)
    proc = _cli(tmp_path, "scan", str(kit), "--index", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
