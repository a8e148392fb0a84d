"""Duplicates inside one release: two supposedly different images that are the same photo.

A :class:`ReleaseTracker` lives for one scan. Each image is compared with every image seen
before it in one vectorised operation (all 8 dihedral variants against all earlier hashes),
and its local-feature words vote among the earlier images (an in-memory inverted list). Only
candidates within the search radius of a hash, or with enough shared words, are verified with
local features, like an index match, so an unrelated picture costs no RANSAC at all. The
finding goes on the later image and names the earlier one, so results can still be streamed
item by item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model import Finding
from . import features as feat
from .match import Candidate, MatchParams, confidence, describe_transformation, judge
from .matcher import pdq_words, popcount
from .signature import Signature

CODE = "known_image.duplicate_in_release"
CHECK = "known_image"
_NO_FEATURES = feat.empty((0, 0))


@dataclass
class _Seen:
    path: str
    sha256: str | None
    full_size: tuple[int, int]
    features: feat.LocalFeatures
    quality: int


class WordPostings:
    """Feature word -> indices of the images having it, for one release, in NumPy.

    A log-structured merge: new postings go to a small buffer; a full buffer becomes a
    sorted run, and runs of similar size are merged, so there are O(log n) runs and each
    posting is re-sorted O(log n) times. 8 bytes per posting (the word fits 32 bits; a
    Python dict of lists took ~140 KB per image of ~750 words).
    """

    BUFFER = 65_536

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._buf_words: list[np.ndarray] = []
        self._buf_ids: list[np.ndarray] = []
        self._buffered = 0

    def add(self, words: np.ndarray, index: int) -> None:
        """Record that image ``index`` has ``words`` (unique; indices added in order)."""
        self._buf_words.append(np.asarray(words, np.uint32))
        self._buf_ids.append(np.full(len(words), index, np.uint32))
        self._buffered += len(words)
        if self._buffered >= self.BUFFER:
            self._flush()

    def _flush(self) -> None:
        words, ids = np.concatenate(self._buf_words), np.concatenate(self._buf_ids)
        self._buf_words, self._buf_ids, self._buffered = [], [], 0
        while self._runs and len(self._runs[-1][0]) <= 2 * len(words):
            w, i = self._runs.pop()
            words, ids = np.concatenate([w, words]), np.concatenate([i, ids])
        order = np.argsort(words, kind="stable")
        self._runs.append((words[order], ids[order]))

    def counts(self, words: np.ndarray, n: int) -> np.ndarray:
        """How many of ``words`` each of the images ``0 .. n-1`` has."""
        q = np.unique(np.asarray(words, np.uint32))
        parts = []
        for run_words, run_ids in self._runs:
            lo = np.searchsorted(run_words, q, "left")
            hi = np.searchsorted(run_words, q, "right")
            lengths = hi - lo
            total = int(lengths.sum())
            if total:
                starts = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
                parts.append(run_ids[np.arange(total) + starts])
        if self._buf_words:
            buf_words = np.concatenate(self._buf_words)
            parts.append(np.concatenate(self._buf_ids)[np.isin(buf_words, q)])
        if not parts:
            return np.zeros(n, np.int64)
        return np.bincount(np.concatenate(parts), minlength=n)[:n]


@dataclass
class SignatureSink:
    """Stands in for a :class:`ReleaseTracker` inside a worker process: keeps the signature
    of the file just scanned (as bytes) so the worker can send it to the parent, whose
    tracker runs the release pass over all workers' files."""

    local_features: bool = True
    """Send the local features too (``False``: global hashes only, none computed)."""
    data: bytes | None = None

    def observe(self, path: str, sig: Signature) -> list[Finding]:
        self.data = sig.to_bytes(features=self.local_features)
        return []


@dataclass
class ReleaseTracker:
    """Hashes of the images scanned so far in one release."""

    params: MatchParams
    """The rules duplicates are judged with: the ``known_image`` check's own (no default
    here, so a scan's release pass cannot drift from its index matching)."""
    max_verify: int = 8
    """Earlier images verified with local features per new image (closest first)."""
    local_features: bool = True
    """Also use ORB local features (votes and RANSAC); ``False``: the global hashes alone."""
    _seen: list[_Seen] = field(default_factory=list)
    _hashes: np.ndarray = field(default_factory=lambda: np.zeros((64, 6), np.uint64))
    """Rows of (PDQ as 4 words, pHash, dHash) of the images seen, grown by doubling (one
    array, so each comparison is a slice, not a rebuild)."""
    _postings: WordPostings = field(default_factory=WordPostings)
    """Feature word -> indices of the earlier images having it."""

    def observe_bytes(self, path: str, data: bytes | None, *,
                      compare: bool = True) -> list[Finding]:
        """:meth:`observe` for a signature sent as :meth:`Signature.to_bytes` (e.g. by a
        worker process); ``None`` or malformed bytes are ignored."""
        if not data:
            return []
        try:
            sig = Signature.from_bytes(data)
        except (ValueError, KeyError, TypeError):
            return []
        return self.observe(path, sig, compare=compare)

    def observe(self, path: str, sig: Signature, *, compare: bool = True) -> list[Finding]:
        """Compare one image with the earlier ones, then remember it. ``compare=False``
        only remembers it (images whose findings were reported before, e.g. on resume)."""
        findings = self._compare(path, sig) if self._seen and compare else []
        self._seen.append(_Seen(path, sig.sha256, sig.full_size,
                                sig.features if self.local_features else _NO_FEATURES,
                                sig.hashes.pdq_quality))
        n = len(self._seen) - 1
        if n >= len(self._hashes):
            self._hashes = np.concatenate([self._hashes, np.zeros_like(self._hashes)])
        self._hashes[n, :4] = pdq_words([sig.hashes.pdq[0]])[0]
        self._hashes[n, 4] = np.uint64(sig.hashes.phash[0])
        self._hashes[n, 5] = np.uint64(sig.hashes.dhash[0])
        j = len(self._seen) - 1
        if self.local_features:
            self._postings.add(feat.words(sig.features.descriptors), j)
        return findings

    def _votes(self, features: feat.LocalFeatures) -> list[int]:
        """Earlier images sharing at least ``min_votes`` feature words, most first."""
        p = self.params
        counts = self._postings.counts(feat.words(features.descriptors), len(self._seen))
        hit = np.flatnonzero(counts >= p.min_votes)
        order = np.lexsort((hit, -counts[hit]))[:p.word_candidates]
        return [int(hit[k]) for k in order]

    def _compare(self, path: str, sig: Signature) -> list[Finding]:
        p = self.params
        q_pdq, q_ph, q_dh = sig.probe_arrays()
        seen = self._hashes[:len(self._seen)]
        pdq, ph, dh = seen[:, :4], seen[:, 4], seen[:, 5]
        d_pdq = popcount(pdq[None, :, :] ^ q_pdq[:, None, :]).sum(axis=2)  # (v, n)
        d_ph = popcount(ph[None, :] ^ q_ph[:, None])
        d_dh = popcount(dh[None, :] ^ q_dh[:, None])
        vp, vph, vdh = d_pdq.argmin(0), d_ph.argmin(0), d_dh.argmin(0)
        cols = np.arange(len(self._seen))
        bp, bph, bdh = d_pdq[vp, cols], d_ph[vph, cols], d_dh[vdh, cols]
        near_idx = np.flatnonzero((bp <= p.search_pdq_radius) | (bph <= p.search_phash_radius))
        near = {int(j) for j in near_idx}
        order = [int(j) for j in
                 near_idx[np.lexsort((bph[near_idx], bp[near_idx]))][:self.max_verify]]
        local = self.local_features
        if local:
            order += [j for j in self._votes(sig.features) if j not in order]
        mirror_votes = self._votes(sig.mirrored_features) if p.mirrored_pass and local else []
        mirrored = [j for j in mirror_votes if j not in order]
        findings = []
        for j in order + mirrored:
            seen = self._seen[int(j)]
            pv = int(vp[j])
            c = Candidate(id=int(j), sha256=seen.sha256 or "", pdq=int(bp[j]), pdq_variant=pv,
                          phash=int(bph[j]), phash_variant=int(vph[j]), dhash=int(bdh[j]),
                          dhash_variant=int(vdh[j]), pdq_quality=seen.quality,
                          query_pdq_quality=sig.sets[min(pv // 8, len(sig.sets) - 1)]
                          .pdq_quality, trimmed=pv >= 8, region=sig.region(pv),
                          identical=bool(sig.sha256 and sig.sha256 == seen.sha256))
            c.verification = None if j in mirrored or not local else feat.verify(
                sig.features, seen.features, ratio=p.ratio, reprojection=p.reprojection,
                min_spread=p.min_spread, min_inliers=p.min_inliers,
                query_full_size=sig.full_size, ref_full_size=seen.full_size)
            judge(c, p, query_information=sig.information(pv))
            if not c.accepted and p.mirrored_pass and local and \
                    (j in mirror_votes or j in near):
                v = feat.verify(sig.mirrored_features, seen.features, ratio=p.ratio,
                                reprojection=p.reprojection, min_spread=p.min_spread,
                                min_inliers=p.min_inliers, query_full_size=sig.full_size,
                                ref_full_size=seen.full_size, mirrored=True)
                if v.reason == "verified":
                    c.verification = v
                    judge(c, p, query_information=sig.information(pv))
            if not c.accepted:
                continue
            tr = describe_transformation(c, query_size=sig.full_size, ref_size=seen.full_size,
                                         params=p, trim_box=sig.box(pv),
                                         working_size=sig.working_size)
            v = c.verification
            how = {"identical_bytes": "identical bytes"}.get(
                c.method or "", f"PDQ distance {c.pdq}/256" + (
                    f", {v.inliers} matching keypoints in one geometry"
                    if v is not None and v.reason == "verified" else ""))
            findings.append(Finding(
                code=CODE, check=CHECK, severity="low", confidence=confidence(c, p),  # type: ignore[arg-type]
                message=f"{path} shows the same photo as {seen.path}, scanned earlier in this "
                        f"release ({how}). Two releases of one picture may be presented as "
                        "different events or moments.",
                evidence={"other_path": seen.path, "other_sha256": seen.sha256,
                          "method": c.method, "distances": c.distances(),
                          "verification": None if v is None else {
                              "verified": v.reason == "verified", "inliers": v.inliers,
                              "mirrored": v.mirrored, "scale": v.scale,
                              "rotation_deg": v.rotation_deg, "region": v.region,
                              "reason": v.reason},
                          "transformation": tr}))
        return findings
