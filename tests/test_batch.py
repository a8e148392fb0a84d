"""Batch screening: hangs, crashes and memory hogs cost only their own file; resume redoes
only what changed; every input is in the store."""

from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_valid_item, noise_jpeg
from PIL import Image

from provenancekit.forensics.batch import BatchOptions, checks_for, run_batch
from provenancekit.forensics.checks import CHECKS, Check
from provenancekit.forensics.context import AnalysisContext
from provenancekit.forensics.model import EvidenceItem, Finding
from provenancekit.forensics.store import ResultStore

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


class Hostile(Check):
    """Behaves badly on files whose name says so (stands in for a crafted file that makes a
    library hang, crash or eat memory)."""

    name = "hostile"
    version = "1"

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type.startswith("image/")  # else notes.txt would count as analysed

    def run(self, ctx: AnalysisContext) -> list[Finding]:
        name = os.path.basename(ctx.item.path)
        if name.startswith("hang"):
            time.sleep(600)
        if name.startswith("crash"):
            os.kill(os.getpid(), signal.SIGSEGV)
        if name.startswith("hog"):
            block = np.ones((1200, 1024, 1024), dtype=np.uint8)  # 1.2 GB, touched
            n = int(block[0, 0, 0])
            return [Finding("hostile.hog", self.name, "info", "low", "ate", {"n": n})]
        return []


@pytest.fixture()
def release(tmp_path: Path) -> Path:
    d = tmp_path / "release"
    d.mkdir()
    for i in range(6):
        (d / f"ok_{i}.jpg").write_bytes(noise_jpeg(i))
    (d / "hang_1.jpg").write_bytes(noise_jpeg(10))
    (d / "crash_1.jpg").write_bytes(noise_jpeg(11))
    (d / "hog_1.jpg").write_bytes(noise_jpeg(12))
    (d / "empty.jpg").write_bytes(b"")
    (d / "notes.txt").write_text("not an image")
    return d


def test_hangs_crashes_and_hogs_are_contained(release: Path, tmp_path: Path) -> None:
    items: list[dict] = []
    with ResultStore(str(tmp_path / "run.sqlite")) as store:
        summary = run_batch([release], checks=(Hostile(), *CHECKS),
                            options=BatchOptions(workers=2, timeout_s=8, memory_mb=700),
                            store=store, on_item=items.append)
        assert store.count() == summary.inputs == 11
    by_name = {os.path.basename(i["path"]): i for i in items}
    assert len(by_name) == 11
    for item in items:
        assert_valid_item(item)
    assert by_name["hang_1.jpg"]["error"]["code"] == "timeout"
    assert by_name["crash_1.jpg"]["error"]["code"] == "worker_crashed"
    assert "SIGSEGV" in by_name["crash_1.jpg"]["error"]["message"]
    assert by_name["hog_1.jpg"]["error"]["code"] == "out_of_memory"
    assert by_name["empty.jpg"]["error"]["code"] == "empty_file"
    assert by_name["notes.txt"]["error"]["code"] == "unsupported_format"
    for i in range(6):
        assert by_name[f"ok_{i}.jpg"]["status"] == "ok"
        assert by_name[f"ok_{i}.jpg"]["triage"]["level"] in ("none", "info", "low", "medium")
    assert summary.errors_by_code["timeout"] == 1


def test_resume_redoes_only_changed_files_and_new_check_versions(release: Path,
                                                                 tmp_path: Path) -> None:
    for bad in ("hang_1.jpg", "crash_1.jpg", "hog_1.jpg"):
        (release / bad).unlink()
    db = str(tmp_path / "run.sqlite")
    checks = checks_for("full", None)
    with ResultStore(db) as store:
        first = run_batch([release], checks=checks, options=BatchOptions(workers=2),
                          store=store)
        assert first.analysed == 8
        again = run_batch([release], checks=checks,
                          options=BatchOptions(workers=2, resume=True), store=store)
        assert (again.analysed, again.skipped_resume) == (0, 8)
        (release / "ok_0.jpg").write_bytes(noise_jpeg(99))  # changed content
        os.utime(release / "ok_0.jpg", ns=(time.time_ns(), time.time_ns() + 10**9))
        redo = run_batch([release], checks=checks, options=BatchOptions(resume=True),
                         store=store)
        assert (redo.analysed, redo.skipped_resume) == (1, 7)
        newer = run_batch([release], checks=(Hostile(), *checks),
                          options=BatchOptions(resume=True), store=store)
        assert newer.analysed == 8  # another check set: everything is redone
        assert store.count() == 8
        for item in store.items():
            assert_valid_item(item)


def test_duplicate_inputs_are_reported_once(release: Path) -> None:
    seen: list[dict] = []
    summary = run_batch([release / "ok_1.jpg", release / "ok_1.jpg", str(release / "ok_2.jpg")],
                        checks=checks_for("quick", None), options=BatchOptions(workers=1),
                        on_item=seen.append)
    assert summary.duplicates_ignored == 1 and len(seen) == 2
    for item in seen:
        assert_valid_item(item)


def test_quick_profile_is_a_subset_of_full() -> None:
    quick = {c.name for c in checks_for("quick", None)}
    full = {c.name for c in checks_for("full", None)}
    assert "metadata" in quick and quick <= full


def test_thumbnails_come_from_the_shared_preview(tmp_path: Path) -> None:
    """Triage thumbnails are made from the scan's own preview (no second decode): a small
    JPEG of the picture's aspect; a file whose pixels cannot be decoded gets none."""
    kit = tmp_path / "kit"
    kit.mkdir()
    rng = np.random.default_rng(3)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (600, 900, 3), np.uint8)).save(buf, "JPEG")
    (kit / "wide.jpg").write_bytes(buf.getvalue())
    (kit / "broken.jpg").write_bytes(buf.getvalue()[:300])
    db = str(tmp_path / "run.sqlite")
    with ResultStore(db) as store:
        run_batch([kit], checks=checks_for("quick", None),
                  options=BatchOptions(thumbnails=True), store=store)
        thumbs = {Path(p).name: t for p, t in store.thumbnails().items()}
    assert set(thumbs) == {"wide.jpg"}
    with Image.open(io.BytesIO(thumbs["wide.jpg"])) as im:
        assert im.format == "JPEG" and im.size == (112, 75)


def test_resumed_run_still_finds_duplicates_of_files_stored_before(tmp_path: Path) -> None:
    """The release pass learns the signatures the interrupted run stored: a copy added after
    the interruption is reported as a duplicate of a file analysed before it."""
    kit = tmp_path / "kit"
    kit.mkdir()
    rng = np.random.default_rng(11)
    photo = Image.fromarray(rng.integers(0, 255, (30, 40, 3), np.uint8)).resize(
        (640, 480), Image.Resampling.BICUBIC)
    photo.save(kit / "a_first.jpg", quality=92)
    Image.fromarray(rng.integers(0, 255, (480, 640, 3), np.uint8)).save(kit / "b_other.jpg")
    db = str(tmp_path / "run.sqlite")
    checks = checks_for("quick", None)
    with ResultStore(db) as store:
        run_batch([kit], checks=checks, options=BatchOptions(), store=store)
        photo.resize((480, 360)).save(kit / "c_copy.jpg", quality=70)  # arrives later
        again = run_batch([kit], checks=checks, options=BatchOptions(resume=True), store=store)
        assert (again.analysed, again.skipped_resume) == (1, 2)
        items = {Path(i["path"]).name: i for i in store.items()}
    for item in items.values():
        assert_valid_item(item)
    dup = [f for f in items["c_copy.jpg"]["findings"]
           if f["code"] == "known_image.duplicate_in_release"]
    assert len(dup) == 1 and dup[0]["evidence"]["other_path"].endswith("a_first.jpg")
