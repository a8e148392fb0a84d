"""Known imagery: is a released image a copy of a previously published one?

Findings (codes are stable):

* ``known_image.match`` - the image matches an entry of the known-imagery index given to the
  scan (``--index`` / ``ScanOptions.index_path`` / ``$PROVENANCE_INDEX``): which entry
  (sha256, url, first_seen, caption, credit), the distance per hash, the local-feature
  verification (inliers, transform) and the transformation it looks like (flip, rotation,
  scale, crop box, borders). ``first_seen`` is in the evidence so a claim date can be
  compared with :func:`forensics.index.predates`; ``predates_claim`` stays ``null`` until a
  scan carries a claim date.
* ``known_image.duplicate_in_release`` - two images of the same scan are the same photo
  (added by the scanner's release pass, :mod:`forensics.index.release`, on the later one).

Without an index the check is ``not_applicable`` (the scanner asks
:meth:`KnownImageCheck.applies_to_context`); the release pass runs regardless. Its
:class:`~forensics.index.MatchParams` (``params``, changed with ``with_params``) are the ones
the index matcher and the release pass use: the index is loaded with them
(``load_index(path, params=...)``), the release tracker is built from them, and they are what
the result records. The working image is :data:`~forensics.index.hashing.WORKING_SIDE` px,
decided there and recorded once, as the result's ``working_size``.
A match is evidence that the picture existed before, under the entry's provenance; it says
nothing about whether the release's caption is false unless the dates are compared.
"""

from __future__ import annotations

from typing import Any

from ..context import AnalysisContext, ScanOptions
from ..index import MatchParams, load_index, predates, scan_index_path
from ..index.known import Match
from ..index.release import ReleaseTracker
from ..index.signature import context_signature
from ..model import CheckOutput, EvidenceItem, Finding
from ..sniff import IMAGE_TYPES
from .base import Check

NAME = "known_image"
MAX_FINDINGS = 5


def describe(m: Match) -> str:
    """A plain-language account of how the match was established and what changed."""
    c, tr, v = m.candidate, m.transformation, m.candidate.verification
    parts = []
    if c.method == "identical_bytes":
        parts.append("identical bytes (same SHA-256)")
    if c.pdq is not None and c.method and ("pdq" in c.method or "hash_agreement" in c.method):
        parts.append(f"PDQ distance {c.pdq}/256, pHash {c.phash}/64, dHash {c.dhash}/64")
    if v is not None and v.reason == "verified":
        parts.append(f"{v.inliers} keypoints matching under one geometric transform")
    changes = []
    if tr.get("orientation") not in (None, "identity"):
        changes.append(str(tr["orientation"]).replace("_", " "))
    if tr.get("cropped"):
        vis = tr.get("visible_fraction")
        changes.append(f"cropped to {vis:.0%} of the known image" if vis else "cropped")
    if tr.get("borders_added"):
        changes.append("borders added")
    s = tr.get("scale")
    if s is not None and abs(s - 1) > 0.05:
        changes.append(f"scaled x{s:.2f}")
    if tr.get("aspect_changed"):
        changes.append("aspect ratio changed")
    return "; ".join(parts) + (f". Looks {', '.join(changes)}." if changes else ".")


class KnownImageCheck(Check):
    """Matches each image against a known-imagery index (recycled and altered copies)."""

    name = NAME
    version = "1.0.0"
    description = ("Matches each image against a known-imagery index (pHash, dHash, PDQ, "
                   "ORB + RANSAC): recycled, resized, cropped, flipped copies")
    params = MatchParams()
    screening = True
    uses_index = True
    has_release_pass = True

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in IMAGE_TYPES

    def applies_to_context(self, ctx: AnalysisContext) -> bool:
        """Applicable only when the scan has an index to match against."""
        return scan_index_path(ctx.options.index_path) is not None

    def prepare(self, options: ScanOptions) -> None:
        """Open the index once per process: a missing or corrupt index stops the scan here,
        with a clear error, instead of failing every file."""
        path = scan_index_path(options.index_path)
        if path is not None:
            load_index(path, params=self.params)

    def release_record(self, ctx: AnalysisContext) -> bytes | None:
        if not ctx.is_image or ctx.image_or_none is None:
            return None
        sig = context_signature(ctx, self.params.region_settings())
        return sig.to_bytes(features=ctx.options.local_features)

    def release_pass(self, options: ScanOptions) -> ReleaseTracker:
        return ReleaseTracker(local_features=options.local_features, params=self.params)

    def run(self, ctx: AnalysisContext) -> CheckOutput:
        path = scan_index_path(ctx.options.index_path)
        if path is None:
            return CheckOutput()
        index = load_index(path, params=self.params)  # this check's rules, not the defaults
        sig = context_signature(ctx, self.params.region_settings())
        matches, _ = index.match(sig, local_features=ctx.options.local_features)
        findings = []
        for m in matches[:MAX_FINDINGS]:
            findings.append(self._finding(m, index.path, len(matches)))
        return CheckOutput(findings=tuple(findings), working_size=sig.working_size)

    def _finding(self, m: Match, index_path: str | None, n: int) -> Finding:
        rec = m.record
        seen = f" first seen {rec.first_seen}" if rec.first_seen else ""
        where = f" at {rec.url}" if rec.url else ""
        msg = (f"This image matches a known image{seen}{where}: {describe(m)} "
               "A match shows the picture existed before under that provenance; compare "
               "first_seen with the claimed date.")
        evidence: dict[str, Any] = m.to_dict()
        evidence.update({
            "first_seen": rec.first_seen,
            "url": rec.url,
            "claim_date": None,
            "predates_claim": predates(rec.first_seen, None),
            "index": {"path": index_path, "matches": n},
        })
        return Finding(code="known_image.match", check=NAME, severity="medium",
                       confidence=m.confidence, message=msg,  # type: ignore[arg-type]
                       evidence=evidence)
