"""``provenance release show``: the page and the CLI on a real scan of corpus pictures whose
copies bear hostile file names (the page must escape them and run nothing)."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assert_valid_scan

from provenancekit.cli.main import cli

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GPS = CORPUS / "exif" / "exif-py" / "jpg" / "gps"
HOSTILE = '<script>alert(1)<img src=x onerror=y>"&<b>'

pytestmark = pytest.mark.skipif(not GPS.is_dir(), reason="shared corpus absent")


@pytest.fixture(scope="module")
def scan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kit")
    for n in ("DSCN0010.jpg", "DSCN0021.jpg", "DSCN0027.jpg"):
        shutil.copy(GPS / n, root / n)
    shutil.copy(GPS / "DSCN0042.jpg", root / f"DSCN0042{HOSTILE}.jpg")
    out = root / "scan.json"
    res = CliRunner().invoke(cli, ["scan", str(root), "--profile", "quick", "--format", "json",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_scan_json_has_the_release_section(scan_file: Path) -> None:
    doc = json.loads(scan_file.read_text(encoding="utf-8"))
    assert_valid_scan(doc)
    rel = doc["release"]
    assert rel["items"] == 4
    [dev] = [c for c in rel["clusters"] if c["kind"] == "device"]
    assert any(HOSTILE in m for m in dev["members"])


def test_page_is_self_contained_and_escaped(scan_file: Path, tmp_path: Path) -> None:
    page = tmp_path / "release.html"
    res = CliRunner().invoke(cli, ["release", "show", str(scan_file), "--html", str(page)])
    assert res.exit_code == 0, res.output
    html = page.read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    policy = unescape(csp.group(1)) if csp else ""
    assert "default-src 'none'" in policy
    assert "script-src" not in policy or "script-src 'none'" in policy
    assert "<script" not in html and HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;img src=x onerror=y&gt;" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # loads nothing
    for part in ("device-1", "pipeline-1", "Counters and capture times", "COOLPIX P6000"):
        assert part in html
    assert html.count("<tr><td class=\"mono\"") >= 4  # the counter table's rows


def test_cli_json_and_sources(scan_file: Path, tmp_path: Path) -> None:
    doc = json.loads(scan_file.read_text(encoding="utf-8"))
    res = CliRunner().invoke(cli, ["release", "show", str(scan_file), "--json"])
    assert res.exit_code == 0
    assert json.loads(res.output) == doc["release"]
    sources = tmp_path / "sources.csv"
    sources.write_text("path,source\n" + "".join(f'"{i["path"]}",site {n}\n'
                                                 for n, i in enumerate(doc["items"])),
                       encoding="utf-8")
    res = CliRunner().invoke(cli, ["release", "show", str(scan_file), "--json",
                                   "--sources", str(sources)])
    rel = json.loads(res.output)
    [f] = [f for f in rel["findings"] if f["code"] == "release.place_time_cluster"]
    assert f["severity"] == "medium" and len(f["evidence"]["sources"]) >= 3


def test_jsonl_run_is_analysed_from_its_items(scan_file: Path, tmp_path: Path) -> None:
    doc = json.loads(scan_file.read_text(encoding="utf-8"))
    run = tmp_path / "run.jsonl"
    run.write_text("".join(json.dumps(i) + "\n" for i in doc["items"]), encoding="utf-8")
    res = CliRunner().invoke(cli, ["release", "show", str(run), "--json"])
    assert res.exit_code == 0
    assert json.loads(res.output) == doc["release"]
