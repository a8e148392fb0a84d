"""Dates a PDF states about itself, compared: Info, XMP, signatures, revisions, photos.

``pdf.date_inconsistent`` says which of the document's own dates disagree (Info
CreationDate vs XMP xmp:CreateDate, ModDate vs xmp:ModifyDate, a modification before the
creation, a signature made before the document was created); ``pdf.photo_after_document``
says a photo pasted in it was taken after the document says it was created (the photo
came with a later edit, or a date was set back).

Lab notes:

* Dates with an offset are compared as instants; when either has none (PDF dates without
  an offset are local time) they are compared as wall-clock times and a gap is only
  reported beyond :data:`UNKNOWN_OFFSET_SLACK_S` (14 h, the widest offset), so an
  unknown time zone is never mistaken for an edit.
* Writers copy Info and XMP from one clock in one save; a gap under
  :data:`SAME_SAVE_SLACK_S` is the same save.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

SAME_SAVE_SLACK_S = 120.0
UNKNOWN_OFFSET_SLACK_S = 14 * 3600.0


def parse_iso(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def gap_s(a: datetime, b: datetime) -> tuple[float, bool]:
    """Seconds from ``a`` to ``b`` and whether both were instants (had offsets)."""
    if a.tzinfo is not None and b.tzinfo is not None:
        return (b - a).total_seconds(), True
    return (b.replace(tzinfo=None) - a.replace(tzinfo=None)).total_seconds(), False


def _slack(exact: bool) -> float:
    return SAME_SAVE_SLACK_S if exact else UNKNOWN_OFFSET_SLACK_S


def _xmp(props: dict[str, Any], key: str) -> datetime | None:
    value = props.get(key)
    return parse_iso(value.strip()) if isinstance(value, str) else None


def date_findings(ex: Any, metadata: dict[str, Any]) -> list[Any]:
    """``pdf.date_inconsistent`` for the document's own dates (one finding listing each
    disagreement)."""
    pdf = metadata.get("PDF") or {}
    info = pdf.get("info") or {}
    props = ((metadata.get("XMP") or {}).get("properties")) or {}
    created, modified = parse_iso(info.get("CreationDate")), parse_iso(info.get("ModDate"))
    x_created, x_modified = _xmp(props, "xmp:CreateDate"), _xmp(props, "xmp:ModifyDate")
    problems: list[dict[str, Any]] = []

    def differ(name_a: str, a: datetime | None, name_b: str, b: datetime | None) -> None:
        if a is None or b is None:
            return
        gap, exact = gap_s(a, b)
        if abs(gap) > _slack(exact):
            problems.append({"between": [name_a, name_b], "values": [a.isoformat(),
                             b.isoformat()], "gap_s": gap, "offsets_known": exact})

    def before(name_a: str, a: datetime | None, name_b: str, b: datetime | None,
               what: str) -> None:
        if a is None or b is None:
            return
        gap, exact = gap_s(a, b)
        if gap < -_slack(exact):
            problems.append({"between": [name_a, name_b], "values": [a.isoformat(),
                             b.isoformat()], "gap_s": gap, "offsets_known": exact,
                             "problem": what})

    differ("Info:CreationDate", created, "XMP:xmp:CreateDate", x_created)
    differ("Info:ModDate", modified, "XMP:xmp:ModifyDate", x_modified)
    before("Info:CreationDate", created, "Info:ModDate", modified,
           "modified before it was created")
    for s in pdf.get("signatures") or []:
        t = parse_iso(s.get("signing_time"))
        before("Info:CreationDate", created or x_created, f"signature {s.get('field')}", t,
               "signed before the document was created")
    if not problems:
        return []
    return [ex.finding(
        "pdf.date_inconsistent", "low", "high",
        "The PDF's own dates disagree: " + "; ".join(
            f"{p['between'][0]} {p['values'][0]} vs {p['between'][1]} {p['values'][1]}"
            + (f" ({p['problem']})" if p.get("problem") else "") for p in problems),
        {"disagreements": problems})]


def photo_date_findings(ex: Any, container: dict[str, Any],
                        children: list[dict[str, Any]]) -> list[Any]:
    """``pdf.photo_after_document``: a pasted photo's capture time (EXIF, from the child's
    summary) is later than the document's creation date."""
    summary = ((container.get("metadata") or {}).get("summary")) or {}
    created = parse_iso(summary.get("datetime_original"))
    if created is None:
        return []
    late = []
    for c in children:
        if c.get("relation") not in ("embedded_image", "decoded_image"):
            continue
        taken = parse_iso(((c.get("metadata") or {}).get("summary") or {}).get(
            "datetime_original"))
        if taken is None:
            continue
        gap, exact = gap_s(created, taken)
        if gap > _slack(exact):
            late.append({"child_path": c.get("path"), "taken": taken.isoformat(),
                         "document_created": created.isoformat(), "gap_s": gap,
                         "offsets_known": exact})
    if not late:
        return []
    first = late[0]
    return [ex.finding(
        "pdf.photo_after_document", "medium", "high",
        f"{len(late)} photo(s) in the PDF were taken after the document says it was created "
        f"(e.g. {first['child_path']} taken {first['taken']}, document created "
        f"{first['document_created']}): the photo was added later, or a date is wrong",
        {"photos": late[:20]})]
