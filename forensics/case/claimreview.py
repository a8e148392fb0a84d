"""schema.org ClaimReview and MediaReview (JSON-LD) from the fact-checker's confirmed ratings.

Only what the fact-checker confirmed in the case file (``review.rating``,
``review.media``) becomes a rating: the tool's suggestions never do. Without a confirmed
rating the document is marked ``creativeWorkStatus: "Draft"`` and carries no rating.

One MediaReview per distinct image (SHA-256): byte-identical evidence entries are one media
item with an appearance each (``mediaItemAppearance``), rated by the first entry's confirmed
category, else by the first copy's that has one (issue 14, item 4).
"""

from __future__ import annotations

from typing import Any

from .assess import RATING_VALUES
from .casefile import Case

RATING_NAMES = {"verified": "Verified", "likely": "Likely", "possible": "Possible",
                "unverified": "Unverified", "false": "False"}


def _org(case: Case) -> dict[str, Any] | None:
    r = case.review
    if r.organization:
        org: dict[str, Any] = {"@type": "Organization", "name": r.organization}
        if r.organization_url:
            org["url"] = r.organization_url
        return org
    if r.reviewer:
        return {"@type": "Person", "name": r.reviewer}
    return None


def build_claimreview(case: Case, evidence: list[dict[str, Any]], *,
                      generated_at: str) -> dict[str, Any]:
    """The JSON-LD document (``@graph`` of one ClaimReview and one MediaReview per image)."""
    r = case.review
    author = _org(case)
    published = r.published or None
    claim: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": case.claim.author_type, "name": case.claim.author},
    }
    if case.claim.date:
        claim["datePublished"] = case.claim.date
    if case.claim.appearances:
        claim["appearance"] = [
            {k: v for k, v in (("@type", "CreativeWork"), ("url", a.url),
                               ("headline", a.title), ("datePublished", a.published)) if v}
            for a in case.claim.appearances]
        claim["firstAppearance"] = claim["appearance"][0]
    review: dict[str, Any] = {"@type": "ClaimReview", "claimReviewed": case.claim.text,
                              "itemReviewed": claim}
    if r.url:
        review["url"] = r.url
    if author:
        review["author"] = author
    review["datePublished"] = published or generated_at[:10]
    if r.rating:
        review["reviewRating"] = {
            "@type": "Rating", "ratingValue": RATING_VALUES[r.rating], "bestRating": 5,
            "worstRating": 1, "alternateName": RATING_NAMES[r.rating]}
        if r.rating_explanation:
            review["reviewRating"]["ratingExplanation"] = r.rating_explanation
    else:
        review["creativeWorkStatus"] = "Draft"
    graph = [review]
    by_sha: dict[str, dict[str, Any]] = {}
    for ev in evidence:
        if ev.get("kind") != "image" or not ev.get("sha256"):
            continue
        media: dict[str, Any] = {
            "@type": "ImageObject", "sha256": ev["sha256"], "name": ev["file"],
        }
        if ev.get("media_type"):
            media["encodingFormat"] = ev["media_type"]
        if ev.get("obtained_from"):
            media["contentUrl"] = ev["obtained_from"]
        category = r.media.get(ev["id"])
        known = by_sha.get(ev["sha256"])
        if known is not None:  # the same bytes: one media item, appearing once more
            known["itemReviewed"]["mediaItemAppearance"].append(media)
            if category and "mediaAuthenticityCategory" not in known:
                known["mediaAuthenticityCategory"] = category
                known.pop("creativeWorkStatus", None)
            continue
        mr: dict[str, Any] = {
            "@type": "MediaReview",
            "itemReviewed": {"@type": "MediaReviewItem", "mediaItemAppearance": [media]},
            "datePublished": review["datePublished"],
        }
        if ev.get("purports"):
            mr["originalMediaContextDescription"] = ev["purports"]
        if author:
            mr["author"] = author
        if category:
            mr["mediaAuthenticityCategory"] = category
        else:
            mr["creativeWorkStatus"] = "Draft"
        by_sha[ev["sha256"]] = mr
        graph.append(mr)
    return {"@context": "https://schema.org", "@graph": graph}
