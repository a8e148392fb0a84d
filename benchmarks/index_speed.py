"""Speed and memory of the known-imagery index.

    python -m benchmarks.index_speed [--max-n 10000000] [--queries 200]

1. Hashing a 12-megapixel JPEG: the bare reduced (JPEG draft) decode, the scan's working
   decode, the global hashes on top, and a whole ``index add`` (plus ORB features). Uses
   ``neardup/.../exif-rotn-1.jpg`` (4032 x 3024) from ``../shared/corpus`` when present and a
   generated 4000 x 3000 JPEG otherwise.
2. Query time of the in-memory matcher (all 8 dihedral variants of PDQ and pHash, dHash
   compared on the rows found) for 10^4 .. 10^7 indexed images with synthetic random hashes,
   a batch of 1,000 queries at 10^6, memory per indexed image, and a brute-force NumPy scan
   as the baseline. Results are checked against the brute force on a sample of queries.

3. The local-feature stage (``--words-max``, default 10^6): the word vote of one query
   (751 feature words, 58 of them shared with the indexed image it was cropped from) against
   10^4 .. 10^6 indexed images, with synthetic posting lists calibrated on real ORB words
   (see :func:`word_vote_scale`), the time to add one image's words at that size, and the
   posting lists' size per image.

Uniform random hashes are the best case for the bucket tables (real pHash bits are biased,
so real buckets are less even); the figures are a scale test, not an accuracy test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from provenancekit.forensics.index.hashing import WORKING_SIDE, global_hashes
from provenancekit.forensics.index.known import decode_working
from provenancekit.forensics.index.matcher import HashMatcher, popcount
from provenancekit.forensics.index.store import HashArrays

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BIG = CORPUS / "neardup/threatexchange-pdq/pdq/data/reg-test-input/exif-rotn/exif-rotn-1.jpg"


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def hashing(runs: int = 15) -> dict[str, float]:
    if BIG.exists():
        data, label = BIG.read_bytes(), str(BIG.relative_to(CORPUS))
    else:
        rng = np.random.default_rng(0)
        y, x = np.mgrid[0:3000, 0:4000]
        img = ((np.sin(x / 37.0) + np.cos(y / 23.0)) * 60 + 128).astype(np.uint8)
        rgb = np.stack([img, np.roll(img, 50, 1), np.roll(img, 90, 0)], 2)
        rgb = np.clip(rgb.astype(np.int16) + rng.integers(-20, 20, rgb.shape), 0, 255)
        buf = io.BytesIO()
        Image.fromarray(rgb.astype(np.uint8)).save(buf, "JPEG", quality=90)
        data, label = buf.getvalue(), "generated 4000x3000 JPEG"
    with Image.open(io.BytesIO(data)) as im:
        size = im.size

    def bare() -> None:
        im = Image.open(io.BytesIO(data))
        im.draft("RGB", (WORKING_SIDE, WORKING_SIDE))
        im.load()

    def full() -> None:
        Image.open(io.BytesIO(data)).load()

    def working() -> np.ndarray:
        return decode_working(data)[2]

    rgb = working()

    def hashes() -> None:
        global_hashes(working())

    from provenancekit.forensics.index import features as feat

    def add_pipeline() -> None:
        r = working()
        global_hashes(r)
        feat.extract(r)

    out = {
        "bare_draft_decode_ms": _median_ms(bare, runs),
        "working_decode_ms": _median_ms(working, runs),
        "decode_plus_hashes_ms": _median_ms(hashes, runs),
        "hashes_only_ms": _median_ms(lambda: global_hashes(rgb), runs),
        "decode_hashes_orb_ms": _median_ms(add_pipeline, runs),
        "full_size_decode_ms": _median_ms(full, max(3, runs // 3)),
    }
    print(f"hashing a {size[0]}x{size[1]} JPEG ({label}), median of {runs} runs:")
    print(f"  bare reduced decode (JPEG draft to <= {WORKING_SIDE} px) "
          f"{out['bare_draft_decode_ms']:7.1f} ms")
    print(f"  working decode (the scan's ctx.rgb({WORKING_SIDE}))            "
          f"{out['working_decode_ms']:7.1f} ms")
    print(f"  decode + pHash + dHash + PDQ (index add hashing)     "
          f"{out['decode_plus_hashes_ms']:7.1f} ms  "
          f"(hashes alone {out['hashes_only_ms']:.1f} ms)")
    print(f"  decode + hashes + ORB features (whole index add)     "
          f"{out['decode_hashes_orb_ms']:7.1f} ms")
    print(f"  for reference: full-size decode (never done)          "
          f"{out['full_size_decode_ms']:7.1f} ms")
    return out


def synthetic(n: int, rng: np.random.Generator) -> HashArrays:
    return HashArrays(ids=np.arange(1, n + 1, dtype=np.int64),
                      phash=rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2)
                      + rng.integers(0, 2, n, dtype=np.uint64),
                      dhash=rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2),
                      pdq=rng.integers(0, 2**63, (n, 4), dtype=np.uint64) * np.uint64(2)
                      + rng.integers(0, 2, (n, 4), dtype=np.uint64),
                      pdq_quality=np.full(n, 100, np.uint8))


def _flip_bits(words: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    out = words.copy()
    nbits = 64 * out.size
    for b in rng.choice(nbits, size=k, replace=False):
        out.flat[b // 64] ^= np.uint64(1) << np.uint64(b % 64)
    return out


def queries(arrays: HashArrays, count: int, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``count`` queries of 8 variants each: half are indexed hashes with 0-24 PDQ bits and
    0-5 pHash bits flipped in one variant (hits), the rest random (misses)."""
    v = 8
    qp = rng.integers(0, 2**63, (count, v, 4), dtype=np.uint64) * np.uint64(2)
    qh = rng.integers(0, 2**63, (count, v), dtype=np.uint64) * np.uint64(2)
    qd = rng.integers(0, 2**63, (count, v), dtype=np.uint64) * np.uint64(2)
    n = len(arrays.ids)
    for i in range(0, count, 2):
        row = int(rng.integers(0, n))
        k = int(rng.integers(0, v))
        qp[i, k] = _flip_bits(arrays.pdq[row], int(rng.integers(0, 25)), rng)
        qh[i, k] = _flip_bits(arrays.phash[row:row + 1], int(rng.integers(0, 6)), rng)[0]
    return qp, qh, qd


def scale(sizes: list[int], n_queries: int, batch: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(1)
    rows = []
    print("\nquery time, in-memory matcher (8 dihedral variants x PDQ + pHash, dHash on rows "
          "found; one core):")
    print(f"  {'indexed':>10} {'build s':>8} {'bytes/img':>9} {'query ms p50':>12} "
          f"{'p95':>7} {'brute 64-bit ms':>15} {'brute 256-bit ms':>16} {'checked':>8}")
    for n in sizes:
        arrays = synthetic(n, rng)
        t = time.perf_counter()
        m = HashMatcher(arrays)
        build = time.perf_counter() - t
        qp, qh, qd = queries(arrays, n_queries, rng)
        lat = []
        hits = 0
        for i in range(n_queries):
            t = time.perf_counter()
            c = m.search(qp[i], qh[i], qd[i])
            lat.append(time.perf_counter() - t)
            hits += bool(len(c.rows))
        # brute force baseline: one 64-bit hash and one 256-bit hash against all rows
        def brute64(ph: np.ndarray = m.phash, q: np.uint64 = qh[0, 0]) -> np.ndarray:
            return np.flatnonzero(popcount(ph ^ q) <= 7)

        def brute256(pdq: np.ndarray = m.pdq, q: np.ndarray = qp[0, 0]) -> np.ndarray:
            return np.flatnonzero(popcount(pdq ^ q).sum(axis=1) <= 31)

        b64 = _median_ms(brute64, 5)
        b256 = _median_ms(brute256, 3)
        checked = 0
        for i in range(0, min(n_queries, 6 if n >= 10**7 else 20)):
            want = m.brute_force(qp[i], qh[i])
            got = np.sort(m.search(qp[i], qh[i], qd[i]).rows)
            assert np.array_equal(want, got), f"multi-index search differs at n={n}"
            checked += 1
        row = {"n": n, "build_s": build, "bytes_per_image": m.nbytes() / n,
               "query_ms_p50": 1000 * float(np.percentile(lat, 50)),
               "query_ms_p95": 1000 * float(np.percentile(lat, 95)),
               "brute64_ms": b64, "brute256_ms": b256, "hits": hits}
        rows.append(row)
        print(f"  {n:>10,} {build:>8.1f} {row['bytes_per_image']:>9.1f} "
              f"{row['query_ms_p50']:>12.2f} {row['query_ms_p95']:>7.2f} {b64:>15.2f} "
              f"{b256:>16.2f} {checked:>8}")
        if n == 10**6 or (n == sizes[-1] and 10**6 not in sizes):
            bp, bh, _ = queries(arrays, batch, rng)
            t = time.perf_counter()
            res = m.search_batch(bp, bh)
            dt = time.perf_counter() - t
            row["batch_s"] = dt
            print(f"  batch of {batch} queries against {n:,}: {dt:.2f} s "
                  f"({1000 * dt / batch:.2f} ms per query, {sum(bool(len(r)) for r in res)} "
                  "with a hit)")
    return rows


WORDS_PER_IMAGE = 751
"""Distinct feature words per indexed image (3 tables x ~250 of the 256 keypoints; the mean
measured on the corpus originals by ``python -m benchmarks.index_accuracy``)."""
SHARED_WORDS_DISTINCT = 0.61
"""Mean words shared by two *distinct* photos, measured on the corpus originals
(``python -m benchmarks.index_accuracy`` prints it). It is also the fraction of the index a
query's posting lists cover: a query reads ``SHARED_WORDS_DISTINCT x N`` postings."""
HOT_FRACTION = 0.3
"""Share of each image's words drawn from a small common vocabulary (ORB bits are biased:
flat edges and corners give the same words everywhere); the vocabulary's size is set so that
two synthetic images share :data:`SHARED_WORDS_DISTINCT` words on average."""


def _bulk_postings(store, n: int, rng: np.random.Generator, hot: int) -> None:
    """Write the posting lists of ``n`` synthetic images straight into ``store``'s table,
    one slice of the word space at a time: the same rows ``add`` would have written one image
    at a time (sealed rows of ``POSTING_SEALED`` ids, then an open row of 1..``POSTING_CHUNK``)."""
    from provenancekit.forensics.index.features import WORD_BITS, WORD_TABLES
    from provenancekit.forensics.index.store import POSTING_CHUNK, POSTING_SEALED

    space = WORD_TABLES << WORD_BITS
    n_hot = round(WORDS_PER_IMAGE * HOT_FRACTION)
    n_uniform = WORDS_PER_IMAGE - n_hot
    conn = store._conn
    slices = 64
    step = -(-space // slices)
    ids_all = np.arange(n, dtype=np.uint32)
    for k in range(slices + 1):
        if k < slices:  # uniform words falling in this slice of the space
            per = rng.binomial(n_uniform, 1.0 / slices, n)
            ids = np.repeat(ids_all, per)
            words = rng.integers(k * step, min(space, (k + 1) * step), len(ids))
        else:  # the common vocabulary, placed just past the real word space
            ids = np.repeat(ids_all, n_hot)
            words = space + rng.integers(0, hot, len(ids))
        order = np.lexsort((ids, words))
        words, ids = words[order], ids[order]
        keep = np.ones(len(ids), bool)
        keep[1:] = (words[1:] != words[:-1]) | (ids[1:] != ids[:-1])
        words, ids = words[keep], ids[keep]
        bounds = np.flatnonzero(np.diff(words)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(words)]])
        rows = []
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            w = int(words[a])
            tail = b - ((b - a - 1) % POSTING_CHUNK + 1)  # the open row: the last 1..CHUNK
            for c, lo in enumerate(range(a, tail, POSTING_SEALED), start=1):
                rows.append((w, c, ids[lo:min(tail, lo + POSTING_SEALED)].tobytes()))
            rows.append((w, 0, ids[tail:b].tobytes()))
        conn.executemany("INSERT INTO postings (word, chunk, ids) VALUES (?, ?, ?)", rows)
    conn.commit()


def word_vote_scale(sizes: list[int], n_queries: int = 50) -> list[dict[str, float]]:
    """Median time of one word vote (the keypoint stage's retrieval) per index size.

    Synthetic posting lists calibrated on real ORB words (:data:`SHARED_WORDS_DISTINCT`):
    each image has :data:`WORDS_PER_IMAGE` words, :data:`HOT_FRACTION` of them from a common
    vocabulary. A query is a new synthetic image's words plus the words of one indexed image
    it was cropped from (58 shared, the corpus median for crops and captions), which must come
    out first.
    """
    import os
    import tempfile

    from provenancekit.forensics.index.features import WORD_BITS, WORD_TABLES
    from provenancekit.forensics.index.hashing import hash_versions
    from provenancekit.forensics.index.store import SQLiteStore

    n_hot_words = round(WORDS_PER_IMAGE * HOT_FRACTION)
    hot = max(1, round(n_hot_words ** 2 / SHARED_WORDS_DISTINCT))
    space = WORD_TABLES << WORD_BITS
    rng = np.random.default_rng(5)
    out = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="prov-words-") as tmp:
            path = os.path.join(tmp, "words.sqlite")
            store = SQLiteStore(path, create=True, hash_versions=hash_versions())
            t = time.perf_counter()
            _bulk_postings(store, n, rng, hot)
            load_s = time.perf_counter() - t
            from provenancekit.forensics.index.store import IndexRecord

            def synthetic_words(k: int) -> np.ndarray:
                k_hot = round(k * HOT_FRACTION)
                return np.unique(np.concatenate([rng.integers(0, space, k - k_hot),
                                                 space + rng.integers(0, hot, k_hot)]))

            targets, add_times = [], []
            for j in range(n_queries):  # through the real add path, at this scale
                w = synthetic_words(WORDS_PER_IMAGE)
                rec = IndexRecord(sha256=f"{n:016x}{j:048x}", phash=j, dhash=j, pdq=bytes(32),
                                  pdq_quality=100, width=8, height=8)
                t = time.perf_counter()
                _, image_id = store.add(rec, None, w.tolist())
                add_times.append(time.perf_counter() - t)
                targets.append((image_id, w))
            times, read, first = [], [], 0
            for image_id, w in targets:
                q = np.union1d(rng.choice(w, 58, replace=False),
                               synthetic_words(WORDS_PER_IMAGE - 58)).tolist()
                t = time.perf_counter()
                votes = store.vote(q, limit=8, min_votes=4)
                times.append(time.perf_counter() - t)
                read.append(sum(int(r[0] or 0) for i in range(0, len(q), 900)
                                for r in store._conn.execute(
                    f"SELECT sum(length(ids)) / 4 FROM postings WHERE word IN "  # noqa: S608
                    f"({','.join('?' * len(q[i:i + 900]))})", q[i:i + 900])))
                first += bool(votes) and votes[0][0] == image_id
            store.close()
            size = os.path.getsize(path)
        out.append({"n": n, "vote_ms_p50": 1000 * statistics.median(times),
                    "bytes_per_image": size / n, "load_s": load_s,
                    "postings_p50": statistics.median(read),
                    "add_ms_p50": 1000 * statistics.median(add_times),
                    "first": first / n_queries})
        print(f"  word vote at {n:>9,} images: p50 {out[-1]['vote_ms_p50']:.1f} ms per query "
              f"({statistics.median(read):,.0f} postings read), the cropped-from image first "
              f"in {first}/{n_queries}; add one image's words p50 "
              f"{out[-1]['add_ms_p50']:.1f} ms; postings {size / n:.0f} B/image "
              f"(bulk load {load_s:.1f} s)")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-n", type=int, default=10**7)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--words-max", type=int, default=10**6,
                    help="largest index size for the local-feature word vote (0: skip)")
    args = ap.parse_args(argv)
    hashing(args.runs)
    sizes = [n for n in (10**4, 10**5, 10**6, 10**7) if n <= args.max_n]
    rows = scale(sizes, args.queries, args.batch)
    print("\ntargets: < 10 ms per query at 10^6, < 3 s per 1,000-query batch at 10^6, "
          "< 100 ms per query at 10^7, < 120 bytes per indexed image")
    for r in rows:
        print(f"  {r['n']:>10,}: p50 {r['query_ms_p50']:.2f} ms, "
              f"{r['bytes_per_image']:.1f} B/image" +
              (f", batch {r['batch_s']:.2f} s" if "batch_s" in r else ""))
    wsizes = [n for n in (10**4, 10**5, 10**6) if n <= args.words_max]
    if wsizes:
        print("\nlocal-feature stage (crops, overlays): posting-list vote per query")
        word_vote_scale(wsizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
