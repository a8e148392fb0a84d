"""End-to-end matching: transformed copies are found and described; others are not.

Runs on generated pictures always, and on real photos from ``../shared/corpus`` when present
(the full accuracy run is ``python -m benchmarks.index_accuracy``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from test_index_hashing import scene

from provenancekit.forensics.index import open_index

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus absent")


def jpeg(im: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="module")
def generated_index(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("gen")
    originals = {}
    with open_index(d / "known.sqlite") as idx:
        for seed in range(20, 26):
            path = d / f"orig{seed}.jpg"
            Image.fromarray(scene(seed, (640, 480))).save(path, "JPEG", quality=92)
            r = idx.add_image(path, url=f"https://example.org/{seed}", first_seen="2019-02-14")
            originals[seed] = (path, r.sha256)
        yield idx, originals


def _only_match(idx, data: bytes, sha: str):
    res = idx.query_path(data, name="query.jpg")
    assert res.error is None
    assert [m.record.sha256 for m in res.matches] == [sha], [
        (c.sha256[:8], c.pdq, c.reasons) for c in res.rejected[:3]]
    return res.matches[0]


def test_flip_rotation_and_resize_are_found_and_named(generated_index) -> None:
    idx, originals = generated_index
    path, sha = originals[20]
    im = Image.open(path).convert("RGB")
    m = _only_match(idx, jpeg(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), sha)
    assert m.transformation["orientation"] == "flip_horizontal"
    m = _only_match(idx, jpeg(im.transpose(Image.Transpose.ROTATE_90)), sha)
    assert m.transformation["orientation"] == "rotate_90"
    m = _only_match(idx, jpeg(im.resize((320, 240)), 60), sha)
    assert abs(m.transformation["scale"] - 0.5) < 0.03
    assert m.record.first_seen == "2019-02-14" and m.record.url == "https://example.org/20"
    assert m.confidence in ("medium", "high")
    assert m.candidate.distances()["pdq"] <= 31


def test_crop_overlay_and_letterbox_are_found(generated_index) -> None:
    idx, originals = generated_index
    path, sha = originals[21]
    im = Image.open(path).convert("RGB")
    m = _only_match(idx, jpeg(im.crop((120, 60, 640, 440))), sha)  # 64 % of the area
    tr = m.transformation
    assert tr["cropped"] is True and "local_features" in m.candidate.method
    x0, y0, x1, y1 = tr["crop_box"]
    assert abs(x0 - 120 / 640) < 0.03 and abs(y1 - 440 / 480) < 0.03
    logo = im.copy()
    ImageDraw.Draw(logo).rectangle((200, 150, 420, 330), fill=(220, 20, 20))
    _only_match(idx, jpeg(logo), sha)
    box = Image.new("RGB", (640, 640), (0, 0, 0))
    box.paste(im, (0, 80))
    m = _only_match(idx, jpeg(box), sha)
    assert m.transformation["borders_added"] is True


def test_flipped_crop_is_found_with_the_mirrored_pass(generated_index) -> None:
    idx, originals = generated_index
    path, sha = originals[22]
    im = Image.open(path).convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    m = _only_match(idx, jpeg(im.crop((0, 0, 520, 400))), sha)
    assert m.transformation["orientation"] == "flip_horizontal"
    assert m.candidate.verification.mirrored


def test_unrelated_pictures_match_nothing(generated_index) -> None:
    idx, _ = generated_index
    for seed in (40, 41, 42):
        res = idx.query_path(jpeg(Image.fromarray(scene(seed, (640, 480)))), name="x.jpg")
        assert res.matches == []
    flat = idx.query_path(jpeg(Image.new("RGB", (300, 200), (90, 90, 90))), name="flat.jpg")
    assert flat.matches == []


def test_identical_bytes_are_a_match_with_high_confidence(generated_index) -> None:
    idx, originals = generated_index
    path, sha = originals[23]
    m = _only_match(idx, path.read_bytes(), sha)
    assert m.candidate.method.startswith("identical_bytes") or m.candidate.identical
    assert m.confidence == "high"


@needs_corpus
def test_threatexchange_bridge_variants_are_found_with_their_orientation(tmp_path: Path) -> None:
    nd = CORPUS / "neardup" / "threatexchange-pdq" / "pdq" / "data"
    dih = nd / "reg-test-input" / "dih"
    with open_index(tmp_path / "k.sqlite") as idx:
        ref = idx.add_image(dih / "bridge-1-original.jpg", first_seen="2015")
        for q in sorted((CORPUS / "forgery/casia-v1/Au").glob("*.jpg"))[:20]:
            idx.add_image(q)  # distractors
        want = {"bridge-2-rotate-90.jpg": "rotate_90", "bridge-3-rotate-180.jpg": "rotate_180",
                "bridge-4-rotate-270.jpg": "rotate_270", "bridge-5-flipx.jpg": "flip_vertical",
                "bridge-6-flipy.jpg": "flip_horizontal", "bridge-7-flip-plus-1.jpg": "transpose",
                "bridge-8-flip-minus-1.jpg": "transverse"}
        for name, orientation in want.items():
            res = idx.query_path(dih / name)
            assert [m.record.sha256 for m in res.matches] == [ref.sha256], name
            assert res.matches[0].transformation["orientation"] == orientation, name
        letterboxed = next((CORPUS / "neardup").rglob("letterboxed_sample-b.jpg"))
        res = idx.query_path(letterboxed)
        assert [m.record.sha256 for m in res.matches] == [ref.sha256]


@needs_corpus
def test_imagededup_pairs_and_the_corrupted_copy(tmp_path: Path) -> None:
    nd = CORPUS / "neardup"
    rows = list(csv.DictReader((nd / "pairs.csv").open(encoding="utf-8")))
    base = nd / "imagededup" / "tests" / "data" / "base_images"
    with open_index(tmp_path / "k.sqlite") as idx:
        shas = {p.name: idx.add_image(p).sha256 for p in sorted(base.glob("*.jpg"))}
        for row in rows:
            if not row["file"].startswith("imagededup/") or row["relation"] == "distinct":
                continue
            res = idx.query_path(nd / row["file"])
            ref_name = Path(row["reference"]).name
            if row["relation"] == "corrupted copy":
                assert res.error is not None and res.matches == []
                continue
            got = [m.record.sha256 for m in res.matches]
            assert got == [shas[ref_name]], (row["file"], got)


def test_frame_in_the_colour_of_the_pictures_own_margin(tmp_path: Path) -> None:
    """A picture on a wide white margin, re-published with a white frame added: the query
    trims margin and frame together, which only the indexed 'inside the margin' hashes
    match."""
    inner = Image.fromarray(scene(50, (400, 300)))
    page = Image.new("RGB", (640, 480), (255, 255, 255))
    page.paste(inner, (120, 90))
    path = tmp_path / "page.png"
    page.save(path)
    with open_index(tmp_path / "k.sqlite") as idx:
        ref = idx.add_image(path)
        for seed in (51, 52):
            idx.add_image(jpeg(Image.fromarray(scene(seed, (640, 480)))), name=f"d{seed}.jpg")
        assert idx.stats()["with_margin_hashes"] == 1
        framed = Image.new("RGB", (760, 600), (255, 255, 255))
        framed.paste(page, (60, 60))
        m = _only_match(idx, jpeg(framed.resize((380, 300))), ref.sha256)
        assert m.candidate.trimmed
        assert int(idx.matcher.ids(np.array([idx.matcher.n - 1]))[0]) == ref.id  # alias row
