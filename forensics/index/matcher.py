"""The in-memory matcher: every global hash of an index, searchable in sub-linear time.

Loaded once per process from a store (:meth:`HashMatcher.from_arrays`). Searching is
multi-index hashing (Norouzi, Punjani & Fleet, *Fast Search in Hamming Space with
Multi-Index Hashing*, CVPR 2012): a hash is cut into 16-bit chunks, and by the pigeonhole
principle any hash within distance ``r`` of the query agrees with it to within
``floor(r / m)`` bits on at least one of the ``m`` chunks. Each chunk has a bucket table
(``65536 + 1`` offsets into a row permutation), so a query probes the buckets of its chunks
and of their 1-bit neighbours, and computes full distances only for the rows found there.

* PDQ (256 bits): 16 chunks, 1-bit neighbours: every row within 31 bits is found.
* pHash (64 bits): 4 chunks, 1-bit neighbours: every row within 7 bits is found.
* dHash is not searched; it is compared on the rows found.

All 8 dihedral variants of a query (and of its border-trimmed version) are probed in one
vectorised pass, and :meth:`HashMatcher.search_batch` does the same for many queries at
once; no Python loop runs per indexed image. Memory per indexed image: 32 (PDQ) + 8 (pHash)
+ 8 (dHash) + 1 (PDQ quality) + 20 x 3 (24-bit row permutations, 20 chunks) = 109 bytes,
plus 4 when store ids are not contiguous, plus 5.2 MB of bucket offsets in all; an image
with an alternate row (its picture inside a wide uniform margin) costs one more row + 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .store import HashArrays

PDQ_CHUNKS = 16
PHASH_CHUNKS = 4
_MASKS1 = np.array([0] + [1 << b for b in range(16)], np.uint16)
"""The chunk itself and its 16 one-bit neighbours."""

if hasattr(np, "bitwise_count"):
    def popcount(x: np.ndarray) -> np.ndarray:
        """Number of set bits of each uint64."""
        return np.bitwise_count(x)
else:  # pragma: no cover - numpy < 2.0
    _LUT = np.array([bin(i).count("1") for i in range(256)], np.uint8)

    def popcount(x: np.ndarray) -> np.ndarray:
        """Number of set bits of each uint64."""
        b = np.ascontiguousarray(x).view(np.uint8).reshape(*x.shape, 8)
        return _LUT[b].sum(axis=-1, dtype=np.uint16)


def pdq_words(codes: list[bytes] | tuple[bytes, ...]) -> np.ndarray:
    """PDQ hashes (32 bytes each) as ``(n, 4)`` uint64, most significant word first."""
    if not codes:
        return np.zeros((0, 4), np.uint64)
    return np.frombuffer(b"".join(codes), ">u8").reshape(-1, 4).astype(np.uint64)


def _chunks(words: np.ndarray, n_chunks: int) -> np.ndarray:
    """Split ``(..., k)`` uint64 words into ``(..., 4k)`` 16-bit chunks (MSB first)."""
    shifts = np.array([48, 32, 16, 0], np.uint64)
    parts = (words[..., None] >> shifts) & np.uint64(0xFFFF)
    return parts.reshape(*words.shape[:-1], n_chunks).astype(np.uint16)


def _chunk_column(words: np.ndarray, j: int) -> np.ndarray:
    """16-bit chunk ``j`` (MSB first) of ``(n, k)`` uint64 words, as uint16."""
    shift = np.uint64(48 - 16 * (j % 4))
    return ((words[:, j // 4] >> shift) & np.uint64(0xFFFF)).astype(np.uint16)


class _Table:
    """Bucket tables of one hash: per chunk, offsets (65537) and a 24/32-bit row order."""

    def __init__(self, words: np.ndarray, m: int):
        n = len(words)
        self.n, self.m = n, m
        self.offsets = np.empty((m, 65537), np.uint32 if n < 2**32 else np.uint64)
        self.wide = n >= 2**24
        # Row permutations, flat (chunk j occupies [j * n, (j + 1) * n)): 24-bit row numbers
        # as a low uint16 plane and a high uint8 plane, or plain uint32 beyond 2^24 rows.
        if self.wide:
            self.order_lo = np.empty(m * n, np.uint32)
            self.order_hi = None
        else:
            self.order_lo = np.empty(m * n, np.uint16)
            self.order_hi = np.empty(m * n, np.uint8)
        for j in range(m):
            col = _chunk_column(words, j)
            order = np.argsort(col, kind="stable").astype(np.uint32)
            counts = np.bincount(col, minlength=65536)
            self.offsets[j, 0] = 0
            np.cumsum(counts, out=self.offsets[j, 1:])
            if self.wide:
                self.order_lo[j * n:(j + 1) * n] = order
            else:
                self.order_lo[j * n:(j + 1) * n] = (order & 0xFFFF).astype(np.uint16)
                self.order_hi[j * n:(j + 1) * n] = (order >> 16).astype(np.uint8)

    def nbytes(self) -> int:
        hi = 0 if self.order_hi is None else self.order_hi.nbytes
        return int(self.offsets.nbytes + self.order_lo.nbytes + hi)

    def probe(self, qchunks: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows in the buckets of ``qchunks ^ masks``.

        ``qchunks``: ``(p, m)`` uint16 for ``p`` probing hashes. Returns ``(rows, owner)``:
        the rows found and, for each, the index of the probing hash that found it.
        """
        p, m = qchunks.shape
        keys = (qchunks[:, :, None] ^ masks[None, None, :]).astype(np.int64)  # (p, m, k)
        j = np.broadcast_to(np.arange(m)[None, :, None], keys.shape)
        starts = self.offsets[j, keys].astype(np.int64).ravel()
        ends = self.offsets[j, keys + 1].astype(np.int64).ravel()
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        owner_probe = np.repeat(np.arange(len(starts)), lengths)
        first = np.cumsum(lengths) - lengths
        pos = np.arange(total, dtype=np.int64) - np.repeat(first - starts, lengths)
        pos += np.repeat(j.ravel().astype(np.int64) * self.n, lengths)
        rows = self.order_lo[pos].astype(np.int64)
        if self.order_hi is not None:
            rows |= self.order_hi[pos].astype(np.int64) << 16
        owner = owner_probe // (m * len(masks))
        return rows, owner


def _sorted(rows: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidates ordered by row, so the hash gathers walk memory forwards (several times
    faster than random order once the index outgrows the CPU caches)."""
    if len(rows) < 4096:
        return rows, owner
    key = np.sort((rows << 24) | owner)
    return key >> 24, key & ((1 << 24) - 1)


@dataclass(frozen=True)
class Candidates:
    """Rows within the search radii of one query, with the best distance per hash.

    ``*_variant`` is the index (into the query's probing hashes) of the variant at that
    distance. Arrays are aligned with ``rows``.
    """

    rows: np.ndarray
    pdq: np.ndarray
    pdq_variant: np.ndarray
    phash: np.ndarray
    phash_variant: np.ndarray
    dhash: np.ndarray
    dhash_variant: np.ndarray


class HashMatcher:
    """Global hashes of a whole index in memory, searchable by multi-index hashing."""

    def __init__(self, arrays: HashArrays):
        n = len(arrays.ids)
        self.n = n
        self.pdq = np.ascontiguousarray(arrays.pdq, np.uint64).reshape(n, 4)
        self.phash = np.ascontiguousarray(arrays.phash, np.uint64)
        self.dhash = np.ascontiguousarray(arrays.dhash, np.uint64)
        self.quality = np.ascontiguousarray(arrays.pdq_quality, np.uint8)
        ids = np.asarray(arrays.ids, np.int64)
        self.n_main = n if arrays.n_main is None else int(arrays.n_main)
        main = ids[:self.n_main]
        self._first = int(main[0]) if self.n_main else 0
        self._alias_ids = ids[self.n_main:].astype(np.uint32 if not len(ids) or
                                                    ids.max() < 2**32 else np.int64)
        if self.n_main and np.array_equal(main, np.arange(self._first,
                                                          self._first + self.n_main)):
            self._ids: np.ndarray | None = None  # contiguous: row i is id first + i
        else:
            self._ids = main.astype(np.uint32) if len(main) and main.max() < 2**32 else main
        self._pdq_table = _Table(self.pdq, PDQ_CHUNKS)
        self._ph_table = _Table(self.phash[:, None], PHASH_CHUNKS)

    @classmethod
    def from_arrays(cls, arrays: HashArrays) -> HashMatcher:
        return cls(arrays)

    def nbytes(self) -> int:
        """Bytes of memory held (arrays and tables)."""
        ids = 0 if self._ids is None else self._ids.nbytes
        return int(self.pdq.nbytes + self.phash.nbytes + self.dhash.nbytes
                   + self.quality.nbytes + ids + self._alias_ids.nbytes
                   + self._pdq_table.nbytes() + self._ph_table.nbytes())

    def ids(self, rows: np.ndarray) -> np.ndarray:
        """Store ids of rows (alternate rows give the id of their image)."""
        rows = np.asarray(rows, np.int64)
        alias = rows >= self.n_main
        if self._ids is None:
            out = rows + self._first
        else:
            out = self._ids[np.minimum(rows, max(0, self.n_main - 1))].astype(np.int64) \
                if self.n_main else np.zeros(len(rows), np.int64)
        if alias.any():
            out[alias] = self._alias_ids[rows[alias] - self.n_main]
        return out

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Rows holding the images' own hashes for store ids (-1 when absent)."""
        ids = np.asarray(ids, np.int64)
        if self.n_main == 0:
            return np.full(len(ids), -1, np.int64)
        if self._ids is None:
            rows = ids - self._first
            return np.where((rows >= 0) & (rows < self.n_main), rows, -1)
        order = np.asarray(self._ids, np.int64)
        pos = np.clip(np.searchsorted(order, ids), 0, self.n_main - 1)
        return np.where(order[pos] == ids, pos, -1)

    # -- distances -------------------------------------------------------------------------
    def distances(self, rows: np.ndarray, q_pdq: np.ndarray, q_phash: np.ndarray,
                  q_dhash: np.ndarray) -> Candidates:
        """Best distance per hash over the query's variants for the given rows.

        ``q_pdq``: ``(v, 4)`` uint64, ``q_phash`` / ``q_dhash``: ``(v,)`` uint64.
        """
        rows = np.asarray(rows, np.int64)
        dp = popcount(self.pdq[rows][None, :, :] ^ q_pdq[:, None, :]).sum(axis=2)  # (v, c)
        dph = popcount(self.phash[rows][None, :] ^ q_phash[:, None])
        ddh = popcount(self.dhash[rows][None, :] ^ q_dhash[:, None])
        vp, vph, vdh = dp.argmin(0), dph.argmin(0), ddh.argmin(0)
        cols = np.arange(len(rows))
        return Candidates(rows, dp[vp, cols].astype(np.int64), vp, dph[vph, cols].astype(
            np.int64), vph, ddh[vdh, cols].astype(np.int64), vdh)

    # -- search ----------------------------------------------------------------------------
    def search(self, q_pdq: np.ndarray, q_phash: np.ndarray, q_dhash: np.ndarray, *,
               pdq_radius: int = 31, phash_radius: int = 7) -> Candidates:
        """Rows within ``pdq_radius`` (PDQ) or ``phash_radius`` (pHash) of any variant.

        The radii are capped at what the tables find exhaustively (31 and 7 bits).
        """
        if self.n == 0:
            return self.distances(np.zeros(0, np.int64), q_pdq, q_phash, q_dhash)
        rows = self._search_rows(q_pdq[None], q_phash[None], pdq_radius, phash_radius)[0]
        return self.distances(rows, q_pdq, q_phash, q_dhash)

    def search_batch(self, q_pdq: np.ndarray, q_phash: np.ndarray, *, pdq_radius: int = 31,
                     phash_radius: int = 7, block: int = 64) -> list[np.ndarray]:
        """Rows within the radii for each of many queries at once.

        ``q_pdq``: ``(b, v, 4)``, ``q_phash``: ``(b, v)`` (``v`` variants per query).
        Returns one sorted row array per query.
        """
        out: list[np.ndarray] = []
        for start in range(0, len(q_pdq), block):
            out.extend(self._search_rows(q_pdq[start:start + block],
                                         q_phash[start:start + block], pdq_radius,
                                         phash_radius))
        return out

    def _search_rows(self, q_pdq: np.ndarray, q_phash: np.ndarray, pdq_radius: int,
                     phash_radius: int) -> list[np.ndarray]:
        b, v = q_pdq.shape[:2]
        if self.n == 0:
            return [np.zeros(0, np.int64) for _ in range(b)]
        pdq_radius = min(int(pdq_radius), 2 * PDQ_CHUNKS - 1)
        phash_radius = min(int(phash_radius), 2 * PHASH_CHUNKS - 1)
        flat_pdq = q_pdq.reshape(b * v, 4).astype(np.uint64)
        flat_ph = q_phash.reshape(b * v).astype(np.uint64)
        found_q: list[np.ndarray] = []
        found_r: list[np.ndarray] = []
        if pdq_radius >= 0:
            rows, owner = _sorted(*self._pdq_table.probe(_chunks(flat_pdq, PDQ_CHUNKS),
                                                         _MASKS1))
            x = popcount(self.pdq[rows] ^ flat_pdq[owner])
            d = x[:, 0].astype(np.int16) + x[:, 1] + x[:, 2] + x[:, 3]
            keep = d <= pdq_radius
            found_q.append(owner[keep] // v)
            found_r.append(rows[keep])
        if phash_radius >= 0:
            rows, owner = _sorted(*self._ph_table.probe(_chunks(flat_ph[:, None],
                                                                PHASH_CHUNKS), _MASKS1))
            d = popcount(self.phash[rows] ^ flat_ph[owner])
            keep = d <= phash_radius
            found_q.append(owner[keep] // v)
            found_r.append(rows[keep])
        qs = np.concatenate(found_q)
        rs = np.concatenate(found_r)
        key = np.unique(qs * np.int64(self.n) + rs)
        qk, rk = key // self.n, key % self.n
        bounds = np.searchsorted(qk, np.arange(b + 1))
        return [rk[bounds[i]:bounds[i + 1]] for i in range(b)]

    def brute_force(self, q_pdq: np.ndarray, q_phash: np.ndarray, *, pdq_radius: int = 31,
                    phash_radius: int = 7) -> np.ndarray:
        """The same rows as :meth:`search`, by scanning every row (baseline and test oracle)."""
        dp = np.full(self.n, 10**6, np.int64)
        dph = np.full(self.n, 10**6, np.int64)
        for k in range(len(q_pdq)):
            dp = np.minimum(dp, popcount(self.pdq ^ q_pdq[k]).sum(axis=1))
            dph = np.minimum(dph, popcount(self.phash ^ q_phash[k]))
        return np.flatnonzero((dp <= pdq_radius) | (dph <= phash_radius))
