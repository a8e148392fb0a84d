"""Hash functions, border trimming, version compatibility and predates()."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from provenancekit.forensics.index import predates
from provenancekit.forensics.index.features import extract, pack, unpack, verify, words
from provenancekit.forensics.index.hashing import (
    DIHEDRAL_OPS,
    dhash,
    dhash_dihedral,
    dihedral_hashes,
    hamming64,
    hamming_bytes,
    incompatibilities,
    information,
    pdq,
    pdq_dihedral,
    phash,
    phash_dihedral,
    trim_uniform_border,
)


def scene(seed: int = 0, size: tuple[int, int] = (480, 360)) -> np.ndarray:
    """A generated picture with edges and corners (shapes on a gradient, light noise)."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 200 // w, y * 200 // h, (x + y) * 100 // (w + h)], 2) + 30
    im = Image.fromarray(base.astype(np.uint8))
    d = ImageDraw.Draw(im)
    for _ in range(40):
        x0, y0 = int(rng.integers(0, w - 20)), int(rng.integers(0, h - 20))
        x1, y1 = x0 + int(rng.integers(10, w // 3)), y0 + int(rng.integers(10, h // 3))
        col = tuple(int(c) for c in rng.integers(0, 256, 3))
        [d.rectangle, d.ellipse][int(rng.integers(0, 2))]((x0, y0, x1, y1), fill=col)
    arr = np.asarray(im).astype(np.int16) + rng.integers(-6, 7, (h, w, 3))
    return np.clip(arr, 0, 255).astype(np.uint8)


def jpeg_roundtrip(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def test_pdq_dihedral_variants_are_exact() -> None:
    rgb = scene(1)
    codes, quality = pdq_dihedral(rgb)
    assert quality >= 50
    for k, op in enumerate(DIHEDRAL_OPS):
        direct, _ = pdq(np.ascontiguousarray(op(rgb)))
        assert hamming_bytes(direct, codes[k]) <= 4, k


def test_phash_and_dhash_dihedral_agree_with_hashing_the_turned_image() -> None:
    rgb = scene(2)
    ph, dh = phash_dihedral(rgb), dhash_dihedral(rgb)
    for k, op in enumerate(DIHEDRAL_OPS):
        turned = np.ascontiguousarray(op(rgb))
        assert hamming64(ph[k], phash(turned)) <= 2, k
        assert dh[k] == dhash(turned), k
    assert ph[0] == phash(rgb)


def test_hashes_survive_reencoding_but_separate_different_pictures() -> None:
    a, b = scene(3), scene(4)
    ha, hb = dihedral_hashes(a).identity, dihedral_hashes(b).identity
    hq = dihedral_hashes(jpeg_roundtrip(a, 40)).identity
    assert hamming_bytes(ha.pdq, hq.pdq) <= 31
    assert hamming64(ha.phash, hq.phash) <= 8
    assert hamming_bytes(ha.pdq, hb.pdq) > 64
    assert hamming64(ha.phash, hb.phash) > 8


def test_flat_picture_has_no_information_and_low_quality() -> None:
    flat = np.full((100, 120, 3), 128, np.uint8)
    assert information(flat) < 1.0
    assert pdq(flat)[1] < 50
    assert information(scene(5)) > 20


def test_trim_uniform_border_finds_a_letterbox() -> None:
    rgb = scene(6, (400, 300))
    canvas = np.zeros((450, 400, 3), np.uint8)  # black bars above and below
    canvas[75:375] = rgb
    trimmed, box = trim_uniform_border(jpeg_roundtrip(canvas, 90))
    left, top, right, bottom = box
    assert (left, right) == (0, 400)
    assert abs(top - 75) <= 3 and abs(bottom - 375) <= 3
    again, box2 = trim_uniform_border(rgb)
    assert box2 == (0, 0, 400, 300) and again is rgb


def test_incompatible_hash_versions_are_named() -> None:
    base = {"scheme": "s/1", "working_side": "512", "imagehash": "4.3.2", "pdqhash": "0.2.8"}
    assert incompatibilities(base, dict(base, imagehash="4.3.9")) == []
    problems = incompatibilities(base, dict(base, pdqhash="0.3.0"))
    assert len(problems) == 1 and "pdqhash" in problems[0]
    assert incompatibilities(base, dict(base, scheme="s/2"))


def test_features_pack_roundtrip_and_words() -> None:
    f = extract(scene(7))
    assert 100 <= len(f) <= 256
    g = unpack(pack(f))
    assert g.size == f.size and np.array_equal(g.descriptors, f.descriptors)
    assert np.abs(g.points - f.points).max() < 1e-4
    w = words(f.descriptors)
    assert w.dtype == np.int64 and len(w) > 100 and len(np.unique(w)) == len(w)
    with pytest.raises(ValueError):
        unpack(pack(f)[:-3])


def test_verification_accepts_a_crop_and_rejects_another_picture() -> None:
    rgb = scene(8, (512, 384))
    crop = np.ascontiguousarray(rgb[40:340, 60:460])
    v = verify(extract(crop), extract(rgb))
    assert v.reason == "verified" and v.inliers >= 16
    x0, y0, x1, y1 = v.region
    assert abs(x0 - 60 / 512) < 0.03 and abs(x1 - 460 / 512) < 0.03
    assert abs(y0 - 40 / 384) < 0.03 and abs(y1 - 340 / 384) < 0.03
    assert abs(v.scale - 1.0) < 0.05
    other = verify(extract(scene(9, (512, 384))), extract(rgb))
    assert other.reason != "verified"


@pytest.mark.parametrize("first_seen, claim, expected", [
    ("2019-02-14", "2025-12-29", True),
    ("2019", "2019-06-01", None),          # the year overlaps the claim date
    ("2018", "2019-06-01", True),
    ("2025-12-29", "2025-12-29", None),     # same day: cannot tell
    ("2026-01-02", "2025-12-29", False),
    ("2025-12-29T10:00:00+00:00", "2025-12-29T12:00:00+00:00", True),
    ("2025-12-29T14:00:00+03:00", "2025-12-29T12:00:00+00:00", True),
    ("2025-12", "2025-12-29", None),
    ("not a date", "2025-12-29", None),
    (None, "2025-12-29", None),
    ("2019-02-14", None, None),
])
def test_predates(first_seen: str | None, claim: str | None, expected: bool | None) -> None:
    assert predates(first_seen, claim) is expected
