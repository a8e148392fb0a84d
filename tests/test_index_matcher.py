"""The in-memory multi-index-hashing matcher returns exactly what a brute-force scan does."""

from __future__ import annotations

import numpy as np
import pytest

from provenancekit.forensics.index.matcher import HashMatcher, popcount
from provenancekit.forensics.index.store import HashArrays


def _arrays(n: int, seed: int, ids: np.ndarray | None = None) -> HashArrays:
    rng = np.random.default_rng(seed)

    def u64(*shape: int) -> np.ndarray:
        return rng.integers(0, 2**32, shape, dtype=np.uint64) << np.uint64(32) | \
            rng.integers(0, 2**32, shape, dtype=np.uint64)

    return HashArrays(ids=np.arange(1, n + 1) if ids is None else ids, phash=u64(n),
                      dhash=u64(n), pdq=u64(n, 4), pdq_quality=np.full(n, 90, np.uint8))


def _flip(words: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    out = words.copy()
    for b in rng.choice(64 * out.size, size=k, replace=False):
        out.flat[b // 64] ^= np.uint64(1) << np.uint64(int(b % 64))
    return out


@pytest.fixture(scope="module")
def planted() -> tuple[HashMatcher, HashArrays, list[tuple]]:
    arrays = _arrays(20000, 1)
    m = HashMatcher(arrays)
    rng = np.random.default_rng(2)
    queries = []
    for k_pdq, k_ph in [(0, 0), (15, 3), (31, 7), (32, 8), (40, 12), (5, 20), (60, 2)]:
        row = int(rng.integers(0, 20000))
        qp = rng.integers(0, 2**63, (8, 4), dtype=np.uint64)
        qh = rng.integers(0, 2**63, 8, dtype=np.uint64)
        v = int(rng.integers(0, 8))
        qp[v] = _flip(arrays.pdq[row], k_pdq, rng)
        qh[v] = _flip(arrays.phash[row:row + 1], k_ph, rng)[0]
        queries.append((row, k_pdq, k_ph, qp, qh, qh.copy()))
    return m, arrays, queries


def test_search_equals_brute_force_at_the_radius_boundaries(planted) -> None:
    m, _, queries = planted
    for row, k_pdq, k_ph, qp, qh, qd in queries:
        got = np.sort(m.search(qp, qh, qd).rows)
        assert np.array_equal(got, m.brute_force(qp, qh)), (k_pdq, k_ph)
        expected = k_pdq <= 31 or k_ph <= 7
        assert (row in got) is expected, (k_pdq, k_ph)


def test_distances_report_the_best_variant(planted) -> None:
    m, arrays, queries = planted
    row, k_pdq, k_ph, qp, qh, qd = queries[1]
    c = m.search(qp, qh, qd)
    i = int(np.flatnonzero(c.rows == row)[0])
    assert c.pdq[i] == k_pdq and c.phash[i] == k_ph
    want = int(popcount(arrays.pdq[row] ^ qp[c.pdq_variant[i]]).sum())
    assert want == k_pdq


def test_batch_search_equals_single_searches(planted) -> None:
    m, _, queries = planted
    qp = np.stack([q[3] for q in queries])
    qh = np.stack([q[4] for q in queries])
    batch = m.search_batch(qp, qh, block=3)
    for (_row, _, _, p, h, d), rows in zip(queries, batch, strict=True):
        assert np.array_equal(rows, np.sort(m.search(p, h, d).rows))


def test_memory_per_image_is_bounded() -> None:
    arrays = _arrays(200_000, 3)
    m = HashMatcher(arrays)
    per_image = (m.nbytes() - 20 * 65537 * 4) / 200_000  # fixed bucket offsets aside
    assert per_image <= 110


def test_non_contiguous_ids_and_empty_index() -> None:
    ids = np.array([3, 7, 8, 100, 4000], np.int64)
    arrays = _arrays(5, 4, ids)
    m = HashMatcher(arrays)
    assert np.array_equal(m.ids(np.arange(5)), ids)
    assert list(m.rows_of(np.array([100, 5, 3]))) == [3, -1, 0]
    c = m.search(arrays.pdq[[3]], arrays.phash[[3]], arrays.dhash[[3]])
    assert list(m.ids(c.rows)) == [100] and c.pdq[0] == 0
    empty = HashMatcher(_arrays(0, 5))
    assert len(empty.search(arrays.pdq[:1], arrays.phash[:1], arrays.dhash[:1]).rows) == 0
