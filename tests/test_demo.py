"""The demo case end to end: `provenance demo` builds the samples and the scan surfaces each
planted property; the package (wheel) carries everything the demo needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from samples.generate import build_samples

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo") / "case"
    # Run from an unrelated folder, through the console entry point's module.
    proc = subprocess.run([sys.executable, "-m", "cli", "demo", "--out", str(out)],
                          cwd=tmp_path_factory.mktemp("elsewhere"), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    doc = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    return out, doc


def test_demo_surfaces_every_planted_property(demo_run: tuple[Path, dict],
                                              tmp_path: Path) -> None:
    out, doc = demo_run
    assert doc["schema"] == "provenance.scan/1"
    by_name = {os.path.basename(i["path"]): i for i in doc["items"]}
    expected = build_samples(tmp_path)  # same seed: same files, same expectations
    assert set(by_name) == {f.name for f in expected.files}
    for f in expected.files:
        item = by_name[f.name]
        got = {x["code"] for x in item["findings"]}
        if item["error"]:
            got.add(item["error"]["code"])
        for code in f.expect:
            assert code in got, (f.name, code, got)
        if not f.expect:  # files planted as clean raise nothing above information
            assert item["status"] == "ok"
            assert all(x["severity"] == "info" for x in item["findings"]), (f.name, got)
        assert item["sha256"] is None or item["sha256"] == _sha256(out / "evidence" / f.name)


def test_demo_reads_the_camera_original_as_a_fact_checker_would(
        demo_run: tuple[Path, dict]) -> None:
    _, doc = demo_run
    item = next(i for i in doc["items"] if i["path"].endswith("IMG_0412.jpg"))
    s = item["metadata"]["summary"]
    assert (s["make"], s["model"]) == ("Canon", "Canon EOS 90D")
    assert s["datetime_original"] == "2025-12-29T23:47:12+03:00"
    assert s["gps"] and abs(s["gps"]["lat"] - 61.52) < 0.01 and abs(s["gps"]["lon"] - 34.18) < 0.02
    assert (s["width"], s["height"]) == (1600, 1200)
    assert item["metadata"]["JPEG"]["estimated_quality"]["quality"] == 92


def test_thumbnail_mismatch_points_at_the_pasted_region(demo_run: tuple[Path, dict]) -> None:
    _, doc = demo_run
    item = next(i for i in doc["items"] if i["path"].endswith("wreckage_edited.jpg"))
    f = next(x for x in item["findings"] if x["code"] == "metadata.thumbnail_mismatch")
    x0, y0, x1, y1 = f["evidence"]["region"]
    assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and (x1 - x0) * (y1 - y0) < 0.5


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wheel_carries_the_demo_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    """Build the wheel, unpack it elsewhere and run the demo from it (not from the checkout)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr[-300:]}")
    wheel = next((tmp_path / "dist").glob("provenance-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("samples/generate.py", "samples/demo.py", "cli/main.py",
                   "reports/terminal.py", "forensics/checks/metadata_check.py"):
        assert needed in names, needed
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import sys, forensics, samples; "
            f"assert forensics.__file__.startswith({str(site)!r}), forensics.__file__; "
            "sys.argv = ['provenance', 'demo', '--out', 'out']; "
            "from cli.main import main; main()")
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "out" / "scan.json").is_file()
    assert (tmp_path / "out" / "evidence" / "IMG_0412.jpg").is_file()
