"""The known_image check, the release-level duplicate pass and the ``index`` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import assert_valid_item, assert_valid_scan
from PIL import Image
from test_index_hashing import scene

from provenancekit.cli.main import cli
from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.context import ScanOptions
from provenancekit.forensics.index import KnownIndexError, open_index
from provenancekit.forensics.scan import scan, scan_file, scan_paths


@pytest.fixture()
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.delenv("PROVENANCE_INDEX", raising=False)
    archive = tmp_path / "archive"
    release = tmp_path / "release"
    archive.mkdir()
    release.mkdir()
    old = archive / "strike_2019.jpg"
    Image.fromarray(scene(30, (640, 480))).save(old, "JPEG", quality=92)
    Image.fromarray(scene(31, (640, 480))).save(archive / "other.jpg", "JPEG", quality=92)
    im = Image.open(old).convert("RGB")
    im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).crop((40, 0, 600, 430)).save(
        release / "a_recycled.jpg", "JPEG", quality=80)
    im.resize((480, 360)).save(release / "b_same_again.jpg", "JPEG", quality=70)
    Image.fromarray(scene(32, (640, 480))).save(release / "c_new.jpg", "JPEG", quality=90)
    index = tmp_path / "known.sqlite"
    with open_index(index) as idx:
        idx.add_image(old, url="https://example.org/2019/strike", first_seen="2019-02-14",
                      caption="[bold]Strike[/bold] \x1b[31m 2019", credit="Agency")
        idx.add_image(archive / "other.jpg")
    return {"index": index, "release": release, "old": old}


def _codes(item) -> list[str]:
    return [f.code for f in item.findings]


def test_check_is_not_applicable_without_an_index(case: dict[str, Path]) -> None:
    checks = get_checks(["known_image"])
    item = scan_file(str(case["release"] / "a_recycled.jpg"), checks=checks)
    assert_valid_item(item.to_dict())
    assert [c.status for c in item.checks] == ["not_applicable"]
    assert "known_image.match" not in _codes(item)


def test_match_finding_carries_entry_distances_verification_and_transform(
        case: dict[str, Path]) -> None:
    checks = get_checks(["known_image"])
    opts = ScanOptions(index_path=str(case["index"]))
    item = scan_file(str(case["release"] / "a_recycled.jpg"), options=opts, checks=checks)
    assert_valid_item(item.to_dict())
    assert item.checks[0].status == "flagged"
    f = next(f for f in item.findings if f.code == "known_image.match")
    ev = f.to_dict()["evidence"]
    assert ev["entry"]["url"] == "https://example.org/2019/strike"
    assert ev["entry"]["caption"] == "[bold]Strike[/bold] \x1b[31m 2019"  # data, verbatim
    assert ev["entry"]["credit"] == "Agency" and len(ev["entry"]["sha256"]) == 64
    assert ev["first_seen"] == "2019-02-14" and ev["predates_claim"] is None
    assert set(ev["distances"]) >= {"pdq", "phash", "dhash"}
    assert ev["verification"]["verified"] and ev["verification"]["mirrored"]
    assert ev["transformation"]["orientation"] == "flip_horizontal"
    assert ev["transformation"]["cropped"] is True
    assert "2019-02-14" in f.message and f.severity == "medium"
    other = scan_file(str(case["release"] / "c_new.jpg"), options=opts, checks=checks)
    assert_valid_item(other.to_dict())
    assert other.checks[0].status == "ok" and not other.findings


def test_release_pass_finds_the_same_photo_twice(case: dict[str, Path]) -> None:
    doc = scan([str(case["release"])], checks=get_checks(["known_image"]))
    assert_valid_scan(doc)
    by_name = {Path(i["path"]).name: i for i in doc["items"]}
    dup = [f for f in by_name["b_same_again.jpg"]["findings"]
           if f["code"] == "known_image.duplicate_in_release"]
    assert len(dup) == 1
    assert dup[0]["evidence"]["other_path"].endswith("a_recycled.jpg")
    assert dup[0]["evidence"]["transformation"]["orientation"] in ("flip_horizontal",
                                                                  "mirrored")
    assert not by_name["c_new.jpg"]["findings"]
    assert not by_name["a_recycled.jpg"]["findings"]


def test_broken_index_stops_a_library_scan_clearly(case: dict[str, Path],
                                                   tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"\x00garbage" * 64)
    with pytest.raises(KnownIndexError) as err:
        list(scan_paths([str(case["release"])], options=ScanOptions(index_path=str(bad))))
    assert err.value.code == "corrupt_index"


def test_index_commands(case: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    idx = str(tmp_path / "cli.sqlite")
    csv_path = tmp_path / "archive.csv"
    csv_path.write_text("path,url,first_seen,caption,credit\n"
                        f"{case['old']},https://example.org/x,2019-02-14,cap,cred\n",
                        encoding="utf-8")
    (tmp_path / "archive" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    r = runner.invoke(cli, ["index", "add", str(tmp_path / "archive"), "--source-csv",
                            str(csv_path), "--index", idx])
    assert r.exit_code == 0, r.output
    assert "2 added" in r.output and "1 skipped" in r.output and "broken.jpg" in r.output
    r = runner.invoke(cli, ["index", "add", str(case["old"]), "--index", idx])
    assert r.exit_code == 0 and "1 exists" in r.output
    r = runner.invoke(cli, ["index", "stats", "--index", idx, "--json"])
    stats = json.loads(r.output)
    assert stats["images"] == 2 and stats["with_first_seen"] == 1
    assert stats["hash_versions"]["pdqhash"]
    r = runner.invoke(cli, ["index", "query", str(case["release"] / "b_same_again.jpg"),
                            "--index", idx, "--json"])
    res = json.loads(r.output)["results"][0]
    assert res["matches"][0]["entry"]["url"] == "https://example.org/x"
    r = runner.invoke(cli, ["index", "query", str(case["release"] / "a_recycled.jpg"),
                            "--index", idx])
    assert r.exit_code == 0 and "verified" in r.output and "flip" in r.output, r.output


def test_cli_reports_a_corrupt_index_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 100)
    img = tmp_path / "x.jpg"
    Image.fromarray(scene(33)).save(img)
    proc = subprocess.run([sys.executable, "-m", "provenancekit.cli", "index", "query", str(img),
                           "--index",
                           str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "error [corrupt_index]" in proc.stderr and "Traceback" not in proc.stderr


def test_quick_depth_matches_by_global_hashes_alone(case: dict[str, Path]) -> None:
    """local_features=False (the quick profile): a resized copy is still found by its hashes,
    without any ORB work; the flipped crop needs the local features (full depth)."""
    from provenancekit.forensics.batch import checks_key, profile_scan_options

    checks = get_checks(["known_image"])
    quick = ScanOptions(index_path=str(case["index"]), local_features=False)
    full = ScanOptions(index_path=str(case["index"]))
    same = scan_file(str(case["release"] / "b_same_again.jpg"), options=quick, checks=checks)
    assert_valid_item(same.to_dict())
    f = next(f for f in same.findings if f.code == "known_image.match")
    assert f.evidence["method"] in ("pdq", "hash_agreement")
    assert f.evidence["verification"] is None  # no local features were used
    crop = str(case["release"] / "a_recycled.jpg")
    assert "known_image.match" not in _codes(scan_file(crop, options=quick, checks=checks))
    assert "known_image.match" in _codes(scan_file(crop, options=full, checks=checks))
    assert profile_scan_options("quick", None) == {"local_features": False}
    assert profile_scan_options("quick", ["known_image"]) == {}
    assert checks_key(checks, quick) != checks_key(checks, full)  # resume redoes the depth


def test_release_word_postings_count_like_a_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    """The release pass's NumPy posting lists (buffer, sorted runs, merges) count exactly what
    a word -> images dict counts, and take 8 bytes per posting."""
    from provenancekit.forensics.index.release import WordPostings

    monkeypatch.setattr(WordPostings, "BUFFER", 500)  # many flushes and merges
    rng = np.random.default_rng(3)
    postings, ref, sets = WordPostings(), {}, []
    for j in range(300):
        words = np.unique(rng.integers(0, 3 << 24, 120))
        if sets and j % 5 == 0:  # share some words with the previous image
            words = np.union1d(words, sets[-1][:40])
        sets.append(words)
        postings.add(words, j)
        for w in words.tolist():
            ref.setdefault(w, []).append(j)
    assert len(postings._runs) > 1 and postings._buffered > 0
    stored = sum(a.nbytes + b.nbytes for a, b in postings._runs)
    assert stored == 8 * (sum(len(s) for s in sets) - postings._buffered)
    for _ in range(20):
        q = np.union1d(sets[int(rng.integers(0, 300))][:60], rng.integers(0, 3 << 24, 50))
        expected = np.zeros(300, np.int64)
        for w in q.tolist():
            for j in ref.get(w, ()):
                expected[j] += 1
        assert postings.counts(q, 300).tolist() == expected.tolist()
    assert postings.counts(np.array([5], np.int64), 300).sum() == 0


def test_the_checks_own_params_decide_the_index_match(case: dict[str, Path]) -> None:
    """Issue 13.4: a scan with non-default known_image params is judged by them (not by the
    index's defaults), and the result records the params that were used."""
    from provenancekit.forensics.index import MatchParams, load_index

    check = get_checks(["known_image"])[0]
    quick = ScanOptions(index_path=str(case["index"]), local_features=False)
    same = str(case["release"] / "b_same_again.jpg")
    item = scan_file(same, options=quick, checks=[check])
    f = next(f for f in item.findings if f.code == "known_image.match")
    d = f.evidence["distances"]["pdq"]
    assert f.evidence["method"] in ("pdq", "hash_agreement") and d is not None
    strict = check.with_params(pdq_match=d - 1, pdq_loose=d - 1)
    item = scan_file(same, options=quick, checks=[strict])
    assert_valid_item(item.to_dict())
    assert "known_image.match" not in _codes(item) and item.checks[0].status == "ok"
    assert item.checks[0].params["pdq_match"] == d - 1  # the params used are those recorded
    assert item.checks[0].params["pdq_loose"] == d - 1
    # one load of the file whatever the rules: the views share the matcher
    base = load_index(case["index"])
    view = load_index(case["index"], params=strict.params)
    assert view.params == strict.params and base.params == MatchParams()
    assert view.matcher is base.matcher and view.store is base.store
    assert load_index(case["index"], params=MatchParams()) is base
    # a looser quality floor is what the evidence's low-quality flag follows too
    loose_q = check.with_params(pdq_quality_min=101)
    item = scan_file(same, options=quick, checks=[loose_q])
    f = next(f for f in item.findings if f.code == "known_image.match")
    assert f.evidence["low_quality_pdq"] is True and f.evidence["method"] == "hash_agreement"


def test_the_checks_own_params_decide_the_release_pass(case: dict[str, Path]) -> None:
    """The release tracker is built from the check's params: with an unreachable inlier
    count and no hash tolerance, the flipped crop and its resized copy are no longer the
    same photo."""
    check = get_checks(["known_image"])[0]
    strict = check.with_params(min_inliers=10**6, pdq_match=-1, pdq_loose=-1)
    assert strict.release_pass(ScanOptions()).params == strict.params
    default = scan([str(case["release"])], checks=[check])
    doc = scan([str(case["release"])], checks=[strict])
    assert_valid_scan(doc)

    def dups(d: dict) -> list[str]:
        return [Path(i["path"]).name for i in d["items"] for f in i["findings"]
                if f["code"] == "known_image.duplicate_in_release"]

    assert dups(default) == ["b_same_again.jpg"] and dups(doc) == []
    assert all(c["params"]["min_inliers"] == 10**6 for i in doc["items"] for c in i["checks"])


def test_one_working_side_for_the_index_and_the_scan_preview() -> None:
    """The index's working size is decided in hashing.py and is the scan's preview size (one
    decode serves both); the index records it among its hash versions."""
    from provenancekit.forensics.index.hashing import WORKING_SIDE, hash_versions

    assert ScanOptions().preview_max_side == WORKING_SIDE
    assert hash_versions()["working_side"] == str(WORKING_SIDE)
