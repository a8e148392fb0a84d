"""Copy-move rule (f), repeated print: two instances of one design (the same digit printed
twice on a sign) share their shape but not their fine noise, a pixel copy carries its noise
along (project issue 14, item 6).

Real files from ``../shared/corpus`` (skipped when absent): the camera original of a road
sign whose "62-42" was called a clone before the rule, and real copy-move forgeries that must
still be found, including the CASIA one whose noise correlation is the lowest of those kept.
Generated: :func:`samples.copymove_synthetic.printed_sign`. (A digit copied as pixels over
its neighbour on that sign is *not* asserted: re-saved as JPEG 92 its noise correlation is
0.29-0.32, at the threshold; the benchmark measures it, see the module docstring of
``benchmarks.copymove_accuracy``.)"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from provenancekit.forensics.checks.copy_move import CopyMoveCheck
from provenancekit.forensics.editing.copymove import (
    PRINT_REASON,
    CopyMoveParams,
    detect_copy_move,
)
from provenancekit.forensics.scan import scan_file
from provenancekit.samples.copymove_synthetic import jpeg_roundtrip, printed_sign

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SIGN = CORPUS / "exif" / "metadata-extractor-images" / "jpg" / "Sony DSC-HX5V (2).jpg"
"""A Sony DSC-HX5V photo of a road sign, "Alt Hammoor" over the plates "62-42" and "38-1"
(camera metadata, no editor named)."""
P = CopyMoveParams()


def _scan(path: Path, **params: object) -> dict:
    check = CopyMoveCheck().with_params(**params) if params else CopyMoveCheck()
    item = scan_file(str(path), checks=[check]).to_dict()
    assert item["checks"] and item["checks"][0]["status"] in ("ok", "flagged"), item
    return item


def _medium_plus(item: dict) -> list[dict]:
    return [f for f in item["findings"] if f["code"].startswith("copy_move.")
            and f["severity"] in ("medium", "high")]


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"corpus file not available: {path}")
    return path


# --------------------------------------------------------------------------- the real sign


def test_camera_sign_with_repeated_digits_is_discounted_not_flagged() -> None:
    item = _scan(_need(SIGN))
    assert not _medium_plus(item), [f["message"] for f in _medium_plus(item)]
    assert item["checks"][0]["status"] == "ok"
    assert item["checks"][0]["score"] < P.report_score
    info = [f for f in item["findings"] if f["code"] == "copy_move.repeated_structure"]
    assert len(info) == 1 and info[0]["severity"] == "info"
    ev = info[0]["evidence"]
    assert ev["discounted_as_print"] >= 1
    disc = [r for r in ev["set_aside"] if r["discounted"]]
    assert disc and disc[0]["reason"] == PRINT_REASON
    top = max(disc, key=lambda r: r["score"])
    # it would have been reported: a strong, verified match, refused only by rule (f)
    assert top["score"] >= P.report_score and top["zncc_median"] >= 0.95
    assert top["noise_correlation"] is not None
    assert top["noise_correlation"] < P.noise_max_correlation
    assert top["noise_pixels"] >= P.noise_min_pixels
    # both regions lie on the lower sign plates (y 225-300 of 547), a digit's width apart
    for box in (top["source_bbox"], top["target_bbox"]):
        assert 215 <= box[1] and box[3] <= 305, box
    assert 30 <= abs(top["translation"][0]) <= 70 and abs(top["translation"][1]) <= 10
    msg = info[0]["message"]
    assert "discounted as repeated print" in msg and "would have been reported" in msg


def test_without_the_rule_the_sign_is_flagged_and_the_message_says_the_noise_differs() -> None:
    """The same file with ``noise_rule=False``: the high finding the issue reported."""
    item = _scan(_need(SIGN), noise_rule=False)
    found = [f for f in item["findings"] if f["code"] == "copy_move.cloned_region"]
    assert found and found[0]["severity"] == "high"
    r = found[0]["evidence"]["noise_correlation"]
    assert r is not None and r < P.noise_max_correlation
    assert "fine noise is not alike" in found[0]["message"]
    assert "alike too" not in found[0]["message"]


# --------------------------------------------------------------------------- real forgeries


def _casia_row(name: str) -> dict[str, str]:
    base = CORPUS / "forgery" / "casia-v1"
    if not (base / "labels.csv").is_file():
        pytest.skip("CASIA corpus not available")
    with open(base / "labels.csv", encoding="utf-8") as fh:
        rows = {Path(r["image"]).name: r for r in csv.DictReader(fh)}
    return rows[name]


@pytest.mark.parametrize("group,name", [
    ("casia", "Sp_S_NNN_R_txt0091_txt0091_0091.jpg"),  # lowest noise r kept (0.51)
    ("casia", "Sp_S_NNN_A_ani0089_ani0089_0200.jpg"),
    ("noso", "03_mod.png"),
    ("noso", "12_mod.png"),
])
def test_real_copy_move_forgeries_are_still_found_with_their_noise(group: str,
                                                                   name: str) -> None:
    if group == "casia":
        row = _casia_row(name)
        base = CORPUS / "forgery" / "casia-v1"
        path, mask = base / row["image"], base / row["mask"]
    else:
        base = CORPUS / "forgery" / "noso-copymove"
        path, mask = _need(base / name), base / name.replace(".png", "_gt.png")
    item = _scan(path)
    found = [f for f in item["findings"] if f["code"] == "copy_move.cloned_region"]
    assert found, (name, [f["message"][:200] for f in item["findings"]])
    with Image.open(mask) as im:
        gt = np.asarray(im.convert("L")) >= 128
    on_gt = []
    for f in found:
        ev = f["evidence"]
        hit = max(gt[b[1]:b[3], b[0]:b[2]].mean() for b in (ev["source_bbox"], ev["target_bbox"]))
        on_gt.append((hit, ev["noise_correlation"]))
    hit, r = max(on_gt)
    assert hit > 0.3, on_gt
    # the copy carried its fine noise along (or it could not be measured: kept anyway)
    assert r is None or r >= P.noise_max_correlation, on_gt
    if r is not None:
        assert "fine noise is alike too" in found[0]["message"]


# --------------------------------------------------------------------------- generated


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_printed_sign_is_discounted_and_found_without_the_rule(seed: int) -> None:
    """A generated sign ("62-42", independent sensor noise on every pixel, JPEG 92): the two
    printed 2s match in shape (the rule off reports them) but not in noise."""
    from dataclasses import replace

    img = jpeg_roundtrip(printed_sign(seed=seed), 92)
    plain = detect_copy_move(img)
    assert not plain.matches
    prints = [r for r in plain.rejected if r["discounted"]]
    assert prints and max(r["score"] for r in prints) >= P.report_score
    assert all(r["noise_correlation"] < P.noise_max_correlation for r in prints)
    off = detect_copy_move(img, params=replace(P, noise_rule=False))
    assert off.matches and off.matches[0].noise_correlation is not None
    assert off.matches[0].noise_correlation < P.noise_max_correlation
    assert abs(off.matches[0].translation[1]) <= 2  # along the line of print
