"""Hostile files through the scanner (issue 7), at the generator's ``small`` scale.

* Every generated file goes through ``forensics.scan.scan_file`` (every registered check, the
  normal library API): it returns an item (``ok``, or ``error`` with a code and a message that
  names the file), never raises, never takes more than a few seconds, and leaves the evidence
  file's bytes and modification time as they were.
* The bomb families run in a child process whose peak memory (``ru_maxrss``) is measured.
* The folder families (thousands of tiny files, deep folders, symlink loops, hostile names) go
  through the batch command, ``provenance scan DIR --workers 2 --results ... --jsonl ...``:
  every path gets exactly one item in the store, the JSON Lines and the JSON document.

``python -m benchmarks.hostile --scale full`` runs the full set through the batch and prints
the figures.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from provenancekit.forensics.model import ItemResult
from provenancekit.forensics.scan import scan_file
from provenancekit.forensics.sniff import extension_agrees, extension_media_type, sniff_media_type
from provenancekit.forensics.store import db_path

from .generator import (
    BOMB_FAMILIES,
    FILE_FAMILIES,
    FolderCase,
    HostileFile,
    build_deep_dirs,
    build_many_tiny,
    build_odd_names,
    build_symlinks,
    generate_files,
    remove_tree,
    seed_files,
)

SCALE = "small"
PER_FILE_LIMIT_S = 8.0
"""Seconds one hostile file may take (in practice well under 1 s; room for a loaded CI)."""
BOMB_RSS_LIMIT_MB = 1200
"""Peak resident memory of the process that scanned every bomb (the libraries alone take
about 300 MiB; a bomb that got through would take gigabytes)."""
REPO = Path(__file__).resolve().parents[2]

IN_PROCESS = [f for f in FILE_FAMILIES if f not in BOMB_FAMILIES]
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def by_family() -> dict[str, list[HostileFile]]:
    """The in-process families' inputs (the bomb families are made in the child process)."""
    out: dict[str, list[HostileFile]] = defaultdict(list)
    for f in generate_files(SCALE, IN_PROCESS):
        out[f.family].append(f)
    return out


def scan_record(path: Path, f: HostileFile) -> dict[str, Any]:
    """Scan one written hostile file and describe what happened (JSON-serialisable)."""
    os.utime(path, ns=(1_600_000_000_000_000_000,) * 2)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
              sorted(os.listdir(path.parent)))
    start = time.perf_counter()
    record: dict[str, Any] = {"family": f.family, "name": f.name, "note": f.note,
                              "raised": None, "item": None}
    try:
        result = scan_file(str(path))
        if not isinstance(result, ItemResult):
            raise TypeError(f"scan_file returned {type(result).__name__}")
        record["item"] = result.to_dict()
        json.dumps(record["item"], allow_nan=False)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - this is what the test looks for
        record["raised"] = f"{type(exc).__name__}: {exc}"[:300]
    record["seconds"] = time.perf_counter() - start
    after = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
             sorted(os.listdir(path.parent)))
    record["unchanged"] = before == after
    return record


def problems(record: dict[str, Any]) -> list[str]:
    """What is wrong with one record (nothing, for a robust scanner)."""
    who = f"{record['family']}/{record['name']} ({record['note']})"
    out = []
    if record["raised"]:
        out.append(f"{who}: scan_file raised {record['raised']}")
    if not record["unchanged"]:
        out.append(f"{who}: the evidence file or its folder changed")
    if record["seconds"] > PER_FILE_LIMIT_S:
        out.append(f"{who}: took {record['seconds']:.1f} s")
    item = record["item"]
    if item is None:
        return out
    if item["status"] not in ("ok", "error"):
        out.append(f"{who}: status {item['status']!r}")
    if item["status"] == "error":
        err = item["error"] or {}
        if not (isinstance(err.get("code"), str) and err["code"]):
            out.append(f"{who}: error without a code: {err}")
        if record["name"] not in (err.get("message") or ""):
            out.append(f"{who}: the error message does not name the file: {err}")
    elif item["error"] is not None:
        out.append(f"{who}: status ok with an error {item['error']}")
    return out


def _scan_family(tmp_path: Path, files: list[HostileFile]) -> list[dict[str, Any]]:
    records = []
    for f in files:
        path = tmp_path / f.name
        path.write_bytes(f.data)
        records.append(scan_record(path, f))
        path.unlink()
    return records


@pytest.mark.parametrize("family", IN_PROCESS)
def test_every_hostile_file_gives_an_item(family: str, by_family, tmp_path: Path) -> None:
    files = by_family[family]
    assert files, f"the generator made no {family} input"
    records = _scan_family(tmp_path, files)
    found = [p for r in records for p in problems(r)]
    assert not found, f"{len(found)} problem(s) in {len(files)} {family} inputs:\n" + \
        "\n".join(found[:40])
    _family_expectations(family, records, {f.name: f for f in files})


def _family_expectations(family: str, records: list[dict[str, Any]],
                         files: dict[str, HostileFile]) -> None:
    """What specific families must come out as (beyond not breaking)."""
    items = {r["name"]: r["item"] for r in records if r["item"] is not None}
    if family == "tiny":
        assert all(i["status"] == "error" for i in items.values()), \
            [n for n, i in items.items() if i["status"] != "error"]
        assert all(items[n]["error"]["code"] == "empty_file" for n in items
                   if n.startswith("zero."))
    elif family == "wrong_extension":
        seeds = seed_files(SCALE)
        for name, item in items.items():
            source = files[name].source
            if not source:
                continue
            assert item["media_type"] == sniff_media_type(seeds[source][:4096]), name
            if item["status"] == "ok":
                codes = {f["code"] for f in item["findings"]}
                agree = extension_agrees(item["media_type"], extension_media_type(name))
                assert ("metadata.extension_mismatch" in codes) == (not agree), (name, codes)
    elif family == "polyglot":
        assert items["jpeg_zip.jpg"]["media_type"] == "image/jpeg"
        assert items["jpeg_zip.jpg"]["status"] == "ok"
        for name in ("zip_jpeg.jpg", "html_png.png", "svg_named.jpg", "html_named.jpg"):
            assert items[name]["status"] == "error", name
            assert items[name]["error"]["code"] == "unsupported_format", name
        # a PDF header with a JPEG after it is typed as the PDF it starts as, and refused as
        # a damaged one (no xref, no objects), not read as a picture
        pdf = items["pdf_jpeg.jpg"]
        assert pdf["media_type"] == "application/pdf" and pdf["status"] == "error"
        assert pdf["error"]["code"] == "corrupt_pdf", pdf["error"]
    elif family == "xmp_hostile":
        for name, item in items.items():
            text = json.dumps(item)
            assert "root:x:0" not in text and "lollollol" not in text, name
            if name.startswith(("billion_laughs", "xxe_file", "quadratic_blowup")):
                # refused by defusedxml, or (when the DTD sits outside the x:xmpmeta element
                # the packet search keeps) an undefined entity: never expanded either way
                xmp = item["metadata"].get("XMP") or {}
                assert any("refused" in e or "undefined entity" in e
                           for e in xmp.get("errors", [])), (name, xmp)


# --------------------------------------------------------------------------- background
# The bomb child and the batch run each take a process of their own: they start when the
# module does and run beside the in-process tests above (two cores), then are checked below.

_CHILD = r"""
import json, os, resource, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[1])
from adversarial.generator import generate_files
from adversarial.test_hostile_files import scan_record
tmp = Path(sys.argv[2])
for f in generate_files(sys.argv[3], sys.argv[4].split(",")):
    path = tmp / f.name
    path.write_bytes(f.data)
    print(json.dumps(scan_record(path, f)), flush=True)
    path.unlink()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
from adversarial.test_hostile_files import digest
print(json.dumps({"maxrss_mb": rss, "digest": digest(generate_files(sys.argv[3]))}))
"""


def digest(files: Iterator[HostileFile]) -> str:
    """One hash of every generated file (family, name and bytes), to compare two runs."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.family}/{f.name}/{len(f.data)}\n".encode())
        h.update(hashlib.sha256(f.data).digest())
    return h.hexdigest()


@dataclass
class Background:
    bombs: subprocess.Popen | None
    batch: subprocess.Popen | None
    work: Path
    cases: list[FolderCase]

    @staticmethod
    def wait(proc: subprocess.Popen | None, timeout: float = 900) -> tuple[str, str]:
        assert proc is not None
        try:
            return proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"{proc.args[:3]} did not finish in {timeout:.0f} s")


@pytest.fixture(scope="module", autouse=True)
def background(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Background]:
    """Starts the bomb child and the batch run, if their tests are selected."""
    selected = {item.name for item in request.session.items}
    work = tmp_path_factory.mktemp("hostile")
    (work / "bombs").mkdir()
    root = work / "evidence"
    root.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "env": env}
    bombs = batch = None
    cases: list[FolderCase] = []
    if "test_bombs_do_not_allocate_gigabytes" in selected:
        bombs = subprocess.Popen([sys.executable, "-c", _CHILD, str(REPO / "tests"),
                                  str(work / "bombs"), SCALE, ",".join(BOMB_FAMILIES)],
                                 cwd=REPO, **pipes)
    if "test_folder_families_lose_nothing_in_the_batch" in selected:
        cases = [build_many_tiny(root, SCALE), build_deep_dirs(root, SCALE),
                 build_symlinks(root, SCALE, link_chain=False), build_odd_names(root, SCALE)]
        batch = subprocess.Popen([sys.executable, "-m", "provenancekit.cli", "scan", str(root),
                                  "--workers", "2", "--timeout", "60", "--results", "run.sqlite",
                                  "--jsonl", "run.jsonl", "--format", "json", "-o", "scan.json"],
                                 cwd=work, **pipes)
    try:
        yield Background(bombs, batch, work, cases)
    finally:
        for proc in (bombs, batch):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()
        remove_tree(root)


def test_bombs_do_not_allocate_gigabytes(background: Background) -> None:
    """Pixel bombs, zlib bombs and huge text chunks, scanned by ``scan_file`` in a child
    process: every one is an item, the pixel bombs are refused as ``decompression_bomb``, and
    the process never grew past ``BOMB_RSS_LIMIT_MB``."""
    out, err = background.wait(background.bombs)
    assert background.bombs is not None and background.bombs.returncode == 0, err[-3000:]
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    records, rss = lines[:-1], lines[-1]["maxrss_mb"]
    assert {r["family"] for r in records} == set(BOMB_FAMILIES)
    # the generator is deterministic: another process made byte-identical inputs
    assert lines[-1]["digest"] == digest(generate_files(SCALE))
    found = [p for r in records for p in problems(r)]
    assert not found, "\n".join(found)
    assert rss < BOMB_RSS_LIMIT_MB, f"peak RSS {rss:.0f} MiB"
    limit = Image.MAX_IMAGE_PIXELS or 0
    refused = 0
    for r in records:
        if r["family"] != "pixel_bomb":
            continue
        assert r["item"]["status"] == "error", r["name"]
        claimed = r["name"].rsplit("_", 1)[-1].split(".")[0]
        if "x" in claimed and r["name"].startswith(("png_", "jpeg_", "tiff_", "bmp_")):
            w, h = (int(v) for v in claimed.split("x"))
            if w * h > limit:  # over Pillow's limit, or in its warning band (kept as an error)
                assert r["item"]["error"]["code"] == "decompression_bomb", r
                refused += 1
    assert refused >= 10


def test_folder_families_lose_nothing_in_the_batch(background: Background) -> None:
    """Thousands of tiny files in one folder, 200 nested folders plus a chain past PATH_MAX,
    symlink loops, a FIFO, a 3 GiB sparse file and hostile names, scanned by
    ``provenance scan DIR --workers 2 --results run.sqlite --jsonl run.jsonl``: one item per
    path, in the store, the JSON Lines and the JSON document."""
    _, err = background.wait(background.batch)
    work, cases = background.work, background.cases
    assert background.batch is not None and background.batch.returncode == 0, err[-3000:]
    assert "Traceback" not in err
    expected = {p for c in cases for p in c.expected}
    assert len(expected) == sum(len(c.expected) for c in cases)
    lines = (work / "run.jsonl").read_text(encoding="utf-8").splitlines()
    jsonl = [os.fsencode(json.loads(line)["path"]) for line in lines]
    doc = json.loads((work / "scan.json").read_text(encoding="utf-8"))
    with sqlite3.connect(work / "run.sqlite") as db:
        stored = {row[0] for row in db.execute("SELECT path FROM items")}
    for case in cases:
        mine = [p for p in jsonl if p.startswith(case.root + b"/")]
        missing = set(case.expected) - set(mine)
        extra = [p for p in mine if p not in case.expected]
        assert not missing and not extra and len(mine) == len(case.expected), (
            f"{case.family}: {len(case.expected)} expected, {len(mine)} reported; "
            f"missing {sorted(missing)[:5]}, unexpected {extra[:5]}")
    assert len(jsonl) == len(expected) == len(doc["items"]) == len(stored)
    assert stored == {db_path(os.fsdecode(p)) for p in expected}
    by_path = {os.fsencode(i["path"]): i for i in doc["items"]}
    assert by_path.keys() == expected
    for path, item in by_path.items():
        assert item["status"] in ("ok", "error")
        if item["status"] == "error":
            assert item["error"]["code"] not in ("worker_crashed", "worker_error",
                                                 "timeout", "out_of_memory"), item["error"]
            assert item["error"]["message"], path
    _folder_expectations(cases, by_path)


def _folder_expectations(cases: list[FolderCase], by_path: dict[bytes, dict[str, Any]]) -> None:
    codes = {p: (i["error"] or {}).get("code") for p, i in by_path.items()}
    deep = next(c for c in cases if c.family == "deep_dirs")
    assert [codes[p] for p in deep.expected if p.endswith(b"bottom.jpg")] == [None]
    assert any(codes[p] == "unreadable_directory" for p in deep.expected)
    links = next(c for c in cases if c.family == "symlinks")
    name = {os.path.basename(p): codes[p] for p in links.expected}
    assert name[b"parent_loop"] == name[b"outside_dir"] == "symlink_not_followed"
    assert name[b"self_loop"] == name[b"ping"] == name[b"pong"] == "unreadable"
    assert name[b"dangling.jpg"] == "not_found"
    assert name[b"dev_zero.jpg"] == name[b"fifo.jpg"] == "not_a_file"
    assert name[b"sparse_3gib.jpg"] == "too_large"
    assert name[b"real.png"] is None
    odd = next(c for c in cases if c.family == "odd_names")
    assert all(codes[p] is None for p in odd.expected), \
        [(p, codes[p]) for p in odd.expected if codes[p] is not None]
