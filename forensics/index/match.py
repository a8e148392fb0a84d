"""Deciding whether a candidate is the same photo, and describing the transformation.

The decision combines three kinds of evidence, strongest first:

1. identical bytes (same SHA-256);
2. geometric verification of local features (:func:`~forensics.index.features.verify`):
   at least ``min_inliers`` keypoint matches obey one similarity transform, spread over the
   picture. This is what finds crops (up to 30 % of the area and more) and large overlays;
3. global hashes: PDQ within ``pdq_match`` bits with both PDQ qualities at least
   ``pdq_quality_min``, or all three hashes agreeing loosely (PDQ within ``pdq_loose``,
   pHash within ``phash_agree`` and dHash within ``dhash_agree``). A low-quality PDQ hash is
   never trusted alone, and near-flat pictures (``min_information``) are never matched by
   hashes at all.

Every threshold lives in :class:`MatchParams`; ``benchmarks/index_accuracy.py`` measures the
recall and the false matches they give on real images.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .features import Verification
from .hashing import DIHEDRAL, DIHEDRAL_INVERSE, PDQ_QUALITY_MIN
from .region import RegionSettings


@dataclass(frozen=True)
class MatchParams:
    """Every threshold of known-image matching (the one place they live)."""

    pdq_match: int = 31
    """PDQ bits (of 256) within which two trusted hashes are called the same picture."""
    pdq_quality_min: int = PDQ_QUALITY_MIN
    """PDQ quality (0..100) below which a PDQ hash is flagged and not trusted alone."""
    pdq_loose: int = 63
    """PDQ bits within which the three hashes may agree jointly."""
    phash_agree: int = 10
    """pHash bits (of 64) for the joint agreement."""
    dhash_agree: int = 10
    """dHash bits (of 64) for the joint agreement."""
    min_information: float = 4.0
    """Grey-level standard deviation (64 x 64 reduction) below which hashes say nothing."""
    search_pdq_radius: int = 31
    """PDQ bits within which the in-memory index returns candidates (exhaustive up to 31)."""
    search_phash_radius: int = 7
    """pHash bits within which the in-memory index returns candidates (exhaustive up to 7)."""
    max_hash_candidates: int = 8
    """Global-hash candidates verified per query (closest first)."""
    word_candidates: int = 8
    """Local-feature vote candidates verified per query (most votes first)."""
    min_votes: int = 4
    """Shared feature words a vote candidate needs."""
    min_inliers: int = 16
    """RANSAC inliers that verify a candidate (see benchmarks/index_accuracy.py for the
    most a plausible transform between distinct originals reaches)."""
    ratio: float = 0.8
    """Lowe's ratio test for descriptor matches."""
    reprojection: float = 0.015
    """RANSAC inlier tolerance, fraction of the indexed image's longest working side."""
    min_spread: float = 0.2
    """Fraction of the query's width and height the inliers must span."""
    mirrored_pass: bool = True
    """Also verify with the mirrored query's features when nothing else matched."""
    alternate_margin: float = 0.05
    """Indexed pictures inside a flat uniform margin (grey levels within 4) at least this
    wide (fraction of width or height) also get the hashes of the picture inside it, so a
    frame added in the same colour is still found."""
    cropped_below: float = 0.97
    """Visible fraction of the indexed image below which a match is called cropped."""
    region_search: bool = True
    """Also hash the picture found inside a screenshot or a social-media card
    (:mod:`~forensics.index.region`), at both depths."""
    region_candidates: int = 3
    """Rectangles hashed per query when the frame looks like a screenshot or card."""
    region_contrast: int = 8
    """Grey levels (per channel) that make the edge of a picture placed on a page."""
    region_min_coverage: float = 0.6
    """Fraction of each side of a found rectangle its edge must cover."""
    region_min_side: float = 0.1
    """Smallest found rectangle's side, fraction of the frame's side."""
    region_max_area: float = 0.92
    """Largest found rectangle, fraction of the frame (beyond: the picture is the frame)."""

    def region_settings(self) -> RegionSettings | None:
        """The region detector's settings, or ``None`` when region search is off."""
        if not self.region_search or self.region_candidates <= 0:
            return None
        return RegionSettings(contrast=self.region_contrast,
                              min_coverage=self.region_min_coverage,
                              min_side=self.region_min_side, max_area=self.region_max_area,
                              limit=self.region_candidates)


@dataclass
class Candidate:
    """One indexed image compared with a query, and the verdict."""

    id: int
    sha256: str
    pdq: int | None = None
    pdq_variant: int | None = None
    phash: int | None = None
    phash_variant: int | None = None
    dhash: int | None = None
    dhash_variant: int | None = None
    pdq_quality: int | None = None
    query_pdq_quality: int | None = None
    trimmed: bool = False
    """The distances are those of the border-trimmed query (or of a region inside it)."""
    region: tuple[float, float, float, float] | None = None
    """When the distances are those of a picture found inside the query (a screenshot, a
    card): its box relative to the query frame (left, top, right, bottom, 0..1)."""
    identical: bool = False
    votes: int = 0
    verification: Verification | None = None
    accepted: bool = False
    method: str | None = None
    reasons: list[str] = field(default_factory=list)

    def distances(self) -> dict[str, Any]:
        return {"pdq": self.pdq, "phash": self.phash, "dhash": self.dhash,
                "pdq_bits": 256, "phash_bits": 64, "dhash_bits": 64}


def judge(c: Candidate, p: MatchParams, *, query_information: float,
          ref_information: float | None = None) -> Candidate:
    """Set ``accepted``, ``method`` and ``reasons`` of a candidate (see the module doc)."""
    reasons: list[str] = []
    flat = query_information < p.min_information or (
        ref_information is not None and ref_information < p.min_information)
    low_q = (c.pdq_quality is not None and c.pdq_quality < p.pdq_quality_min) or (
        c.query_pdq_quality is not None and c.query_pdq_quality < p.pdq_quality_min)
    hash_method = None
    if c.pdq is not None and not flat:
        if c.pdq <= p.pdq_match and not low_q:
            hash_method = "pdq"
        elif (c.pdq <= p.pdq_loose and c.phash is not None and c.phash <= p.phash_agree
              and c.dhash is not None and c.dhash <= p.dhash_agree):
            hash_method = "hash_agreement"
    if flat:
        reasons.append("near-flat picture: hashes not trusted")
    elif low_q:
        reasons.append("low PDQ quality: PDQ not trusted alone")
    v = c.verification
    verified = v is not None and v.reason == "verified"
    if v is not None and not verified:
        reasons.append(f"local features: {v.reason}")
    if c.identical:
        c.method = "identical_bytes"
    elif verified:
        c.method = "local_features" if hash_method is None else f"{hash_method}+local_features"
    else:
        c.method = hash_method
    c.accepted = c.method is not None
    if not c.accepted and not reasons:
        reasons.append("hash distances above the thresholds")
    c.reasons = reasons
    return c


def confidence(c: Candidate, p: MatchParams) -> str:
    """high: identical bytes, or two independent kinds of evidence agree, or many inliers;
    medium: one kind of evidence; low: never for an accepted match."""
    if c.method is None:
        return "low"
    if c.method == "identical_bytes" or "+" in c.method:
        return "high"
    v = c.verification
    if c.method == "local_features" and v is not None and v.inliers >= 3 * p.min_inliers:
        return "high"
    if c.method == "pdq" and c.pdq is not None and c.pdq <= p.pdq_match // 2:
        return "high"
    return "medium"


def _snap90(deg: float, tol: float = 8.0) -> int | None:
    k = round(deg / 90.0)
    return (k % 4) * 90 if abs(deg - k * 90.0) <= tol else None


def describe_transformation(c: Candidate, *, query_size: tuple[int, int],
                            ref_size: tuple[int, int], params: MatchParams,
                            trim_box: tuple[int, int, int, int] | None = None,
                            working_size: tuple[int, int] | None = None) -> dict[str, Any]:
    """What the release did to the known image, as far as the evidence tells.

    ``orientation`` names the dihedral operation taking the known image to the release;
    ``scale`` is the release's linear size over the known image's; ``crop_box`` gives the
    part of the known image the release shows, as fractions (x0, y0, x1, y1).
    """
    out: dict[str, Any] = {"orientation": None, "scale": None, "rotation_deg": None,
                           "cropped": None, "crop_box": None, "visible_fraction": None,
                           "borders_added": None, "aspect_changed": None, "source": None}
    v = c.verification
    if v is not None and v.reason == "verified":
        out["source"] = "local_features"
        rot = v.rotation_deg if v.rotation_deg is not None else 0.0
        snapped = _snap90(rot)
        out["rotation_deg"] = round(rot, 1)
        if snapped is not None:
            quarter = {0: 0, 90: 1, 180: 2, 270: 3}[snapped]
            if v.mirrored:
                # mirrored then turned: the dihedral name of the combined operation
                names = {0: "flip_horizontal", 1: "transverse", 2: "flip_vertical",
                         3: "transpose"}
                out["orientation"] = names[quarter]
            else:
                out["orientation"] = DIHEDRAL[quarter]
        elif v.mirrored:
            out["orientation"] = "mirrored"
        out["scale"] = v.scale
        region = v.region
        if region is not None:
            x0, y0, x1, y1 = region
            vis = v.visible_fraction or 0.0
            out["visible_fraction"] = round(vis, 3)
            out["cropped"] = vis < params.cropped_below
            out["crop_box"] = [round(max(0.0, x0), 3), round(max(0.0, y0), 3),
                               round(min(1.0, x1), 3), round(min(1.0, y1), 3)]
            out["borders_added"] = bool(min(x0, y0) < -0.02 or max(x1, y1) > 1.02)
        return out
    if c.pdq_variant is not None or c.phash_variant is not None:
        out["source"] = "global_hashes"
        k = c.pdq_variant if c.pdq_variant is not None else c.phash_variant
        k = int(k) % 8  # type: ignore[arg-type]
        out["orientation"] = DIHEDRAL[DIHEDRAL_INVERSE[k]]
        qw, qh = query_size
        if trim_box is not None and c.trimmed and working_size is not None:
            # scale from the picture inside the border
            fx = (trim_box[2] - trim_box[0]) / working_size[0]
            fy = (trim_box[3] - trim_box[1]) / working_size[1]
            qw, qh = qw * fx, qh * fy
            out["borders_added"] = True
        rw, rh = ref_size
        if k in (1, 3, 6, 7):
            rw, rh = rh, rw
        sx, sy = qw / rw, qh / rh
        out["scale"] = round(math.sqrt(sx * sy), 4)
        out["aspect_changed"] = bool(abs(math.log(sx / sy)) > 0.05)
        out["cropped"] = False if not out["aspect_changed"] else None
        if c.region is not None:
            out["inside_region"] = list(c.region)
    if c.identical:
        out["source"] = "identical_bytes"
        out.update(orientation="identity", scale=1.0, cropped=False, borders_added=False,
                   aspect_changed=False)
    return out


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_when(value: str | None) -> tuple[date, date] | tuple[datetime, datetime] | None:
    """The earliest and latest moment an ISO 8601 value can mean, or ``None``.

    ``2022`` -> (2022-01-01, 2022-12-31); ``2022-03`` -> the month; ``2022-03-14`` -> that
    day; a date-time -> itself twice.
    """
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    m = _DATE.match(s)
    try:
        if m:
            y = int(m.group(1))
            if m.group(3):
                d = date(y, int(m.group(2)), int(m.group(3)))
                return d, d
            if m.group(2):
                mo = int(m.group(2))
                first = date(y, mo, 1)
                nxt = date(y + (mo == 12), mo % 12 + 1, 1)
                return first, date.fromordinal(nxt.toordinal() - 1)
            return date(y, 1, 1), date(y, 12, 31)
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return t, t
    except ValueError:
        return None


def _as_days(r: tuple[Any, Any]) -> tuple[date, date]:
    return tuple(x.date() if isinstance(x, datetime) else x for x in r)  # type: ignore[return-value]


def predates(first_seen: str | None, claim_date: str | None) -> bool | None:
    """Whether an image first seen at ``first_seen`` existed before ``claim_date``.

    Both are ISO 8601 dates (``2019``, ``2019-02``, ``2019-02-14``) or date-times. ``True``
    when first_seen is certainly earlier, ``False`` when it is certainly not earlier, ``None``
    when either is missing or unparseable or the two periods overlap (e.g. the same day
    given as a bare date, or ``2022`` against ``2022-06-01``). Date-times are compared
    exactly when both carry a time zone or both lack one; otherwise on calendar days.
    """
    a, b = parse_when(first_seen), parse_when(claim_date)
    if a is None or b is None:
        return None
    if isinstance(a[0], datetime) and isinstance(b[0], datetime) and \
            (a[0].tzinfo is None) == (b[0].tzinfo is None):
        return a[0] < b[0]
    (a_lo, a_hi), (b_lo, b_hi) = _as_days(a), _as_days(b)
    if a_hi < b_lo:
        return True
    if a_lo > b_hi:
        return False
    return None
