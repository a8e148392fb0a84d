"""Incremental updates of a PDF: where each revision ends, and what each one changed.

A PDF saved again "incrementally" keeps its earlier bytes and appends the changed objects,
a new cross-reference section and a new ``%%EOF``. The file up to an earlier ``%%EOF`` is
that earlier revision, byte for byte (what a reader showed before the update). A press
release whose date or caption changed after it was first published shows it here.

Lab notes:

* A revision ends at ``startxref <n> %%EOF`` plus its end-of-line (CR, LF or CRLF).
  ``%%EOF`` inside a stream (an embedded PDF) is not followed by a trailer's ``startxref``
  within the 64 bytes before it, and is ignored.
* A linearized file has a first-page trailer ending in ``%%EOF`` near its start: not a
  revision. Its ``/Linearized`` dictionary's ``/L`` is the length of the file as it was
  linearized; ends before ``/L`` are the linearization's own (ISO 32000-1 Annex F).
* Comparing revisions: each revision is opened with pikepdf from its prefix; Info and XMP
  fields, page count, and per page the content streams (decoded, bounded) and the images
  it uses (raw-stream digests) are compared. Text is compared with pypdf on changed pages.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from .pdf_streams import InflateBudget, StreamCapError, read_stream, to_text

_EOF = re.compile(rb"startxref\s*(\d+)\s*%%EOF[ \t]*(\r\n|\r|\n)?")
_LINEARIZED = re.compile(rb"/Linearized\s+[\d.]+.{0,200}?/L\s+(\d+)", re.S)


@dataclass
class Revisions:
    ends: list[int] = field(default_factory=list)
    """Byte offset just past each revision's ``%%EOF`` line, first revision first."""
    trailing_bytes: int = 0
    """Bytes after the last ``%%EOF`` (whitespace aside): appended data, not a revision."""
    linearized_ends: int = 0

    @property
    def count(self) -> int:
        return len(self.ends)

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "ends": self.ends, "trailing_bytes": self.trailing_bytes,
                "linearization_sections": self.linearized_ends}


def find_revisions(data: bytes) -> Revisions:
    """The revisions of a PDF by its ``%%EOF`` markers (no parsing of objects)."""
    ends = [m.end() for m in _EOF.finditer(data)]
    out = Revisions()
    head = _LINEARIZED.search(data[:4096])
    if head and ends:
        length = int(head.group(1))
        first = [e for e in ends if e < length - 64]
        out.linearized_ends = len(first)
        ends = [e for e in ends if e >= length - 64] or ends[-1:]
    out.ends = ends
    if ends:
        tail = data[ends[-1]:]
        out.trailing_bytes = len(tail.strip(b"\x00\r\n\t \x0c"))
    return out


def _fingerprint(data: bytes, inflate: InflateBudget, max_pages: int) -> dict[str, Any] | None:
    """What is compared between revisions, read from one revision's bytes."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data), password="")
    except Exception:  # noqa: BLE001 - an earlier revision may not open on its own
        return None
    try:
        info: dict[str, str | None] = {}
        docinfo = pdf.trailer.get("/Info")
        if docinfo is not None:
            for k in list(docinfo.keys())[:100]:
                info[str(k).lstrip("/")] = to_text(docinfo.get(k))
        xmp: dict[str, Any] = {}
        meta = pdf.Root.get("/Metadata")
        if meta is not None:
            from ..metadata.xmp import parse_xmp

            try:
                xmp = parse_xmp(read_stream(meta, inflate)).get("properties", {})
            except (StreamCapError, Exception):  # noqa: BLE001
                xmp = {}
        pages = []
        for page in itertools.islice(pdf.pages, max_pages):  # pages[i] walks the tree
            pages.append(_page_digest(page, inflate))
        try:
            attached = sorted(str(k) for k in pdf.attachments.keys())[:200]
        except Exception:  # noqa: BLE001 - a damaged name tree
            attached = []
        return {"info": info, "xmp": xmp, "pages": pages, "npages": len(pdf.pages),
                "objects": len(pdf.objects), "attachments": attached}
    finally:
        pdf.close()


def _page_digest(page: Any, inflate: InflateBudget) -> dict[str, Any]:
    h = hashlib.sha256()
    try:
        contents = page.obj.get("/Contents")
        streams = list(contents) if contents is not None and not hasattr(
            contents, "read_raw_bytes") else [contents]
        for s in streams:
            if s is None:
                continue
            try:
                h.update(read_stream(s, inflate))
            except StreamCapError:
                h.update(s.read_raw_bytes())
    except Exception:  # noqa: BLE001
        h.update(b"?")
    images = {}
    try:
        for name, obj in page.get_images().items():
            images[str(name)] = hashlib.sha256(obj.read_raw_bytes()).hexdigest()[:16]
    except Exception:  # noqa: BLE001
        pass
    annots = 0
    try:
        a = page.obj.get("/Annots")
        annots = len(a) if a is not None else 0
    except Exception:  # noqa: BLE001
        pass
    return {"content": h.hexdigest()[:16], "images": images, "annotations": annots}


def _dict_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k in sorted(set(old) | set(new)):
        if old.get(k) != new.get(k):
            out[k] = {"from": _brief(old.get(k)), "to": _brief(new.get(k))}
    return out


def _brief(value: Any) -> Any:
    if isinstance(value, str):
        return value[:300]
    if isinstance(value, (list, dict)):
        text = str(value)
        return text if len(text) <= 300 else text[:300] + "..."
    return value


def compare_revisions(data: bytes, revisions: Revisions, inflate: InflateBudget,
                      max_revisions: int, max_pages: int) -> list[dict[str, Any]]:
    """What changed from each revision to the next (the last ``max_revisions`` + 1 of them):
    Info and XMP fields (from/to), pages added/removed, pages whose content, images or
    annotations changed, and page text added/removed on those pages."""
    ends = revisions.ends[-(max_revisions + 1):]
    first_index = revisions.count - len(ends) + 1
    prints = [_fingerprint(data[:e], inflate, max_pages) for e in ends]
    out = []
    for i in range(1, len(ends)):
        old, new = prints[i - 1], prints[i]
        entry: dict[str, Any] = {"from": first_index + i - 1, "to": first_index + i,
                                 "bytes_added": ends[i] - ends[i - 1]}
        if old is None or new is None:
            entry["error"] = "a revision could not be opened on its own"
            out.append(entry)
            continue
        info = _dict_changes(old["info"], new["info"])
        xmp = _dict_changes(old["xmp"], new["xmp"])
        if info:
            entry["info_changed"] = info
        if xmp:
            entry["xmp_changed"] = xmp
        changed, images_changed, annots_changed = [], [], []
        for pno, (a, b) in enumerate(zip(old["pages"], new["pages"], strict=False), start=1):
            if a["content"] != b["content"]:
                changed.append(pno)
            if a["images"] != b["images"]:
                images_changed.append(pno)
            if a["annotations"] != b["annotations"]:
                annots_changed.append(pno)
        pages_changed = sorted(set(changed) | set(images_changed))
        if pages_changed:
            entry["pages_changed"] = pages_changed
        if images_changed:
            entry["pages_images_changed"] = images_changed
        if annots_changed:
            entry["pages_annotations_changed"] = annots_changed
        if new["npages"] > old["npages"]:
            entry["pages_added"] = new["npages"] - old["npages"]
        if new["npages"] < old["npages"]:
            entry["pages_removed"] = old["npages"] - new["npages"]
        added = sorted(set(new["attachments"]) - set(old["attachments"]))
        removed = sorted(set(old["attachments"]) - set(new["attachments"]))
        if added:
            entry["attachments_added"] = added
        if removed:
            entry["attachments_removed"] = removed
        if changed:
            entry.update(_text_changes(data[:ends[i - 1]], data[:ends[i]], changed[:20]))
        entry["objects"] = {"from": old["objects"], "to": new["objects"]}
        only_sig = not (info or xmp or pages_changed or entry.get("pages_added")
                        or entry.get("pages_removed") or added or removed) \
            and bool(annots_changed)
        if only_sig:
            entry["signature_only"] = _adds_signature(data[ends[i - 1]:ends[i]])
        out.append(entry)
    return out


def _adds_signature(appended: bytes) -> bool:
    return b"/ByteRange" in appended and b"/Sig" in appended


def _text_changes(old: bytes, new: bytes, pages: list[int]) -> dict[str, Any]:
    """Lines of text added and removed on the given pages (pypdf), at most 40 each."""
    from .pdf_text import text_of_pages

    a = text_of_pages(old, pages)
    b = text_of_pages(new, pages)
    if a is None or b is None:
        return {}
    added, removed = [], []
    for p in pages:
        la = [s.strip() for s in (a.get(p) or "").splitlines() if s.strip()]
        lb = [s.strip() for s in (b.get(p) or "").splitlines() if s.strip()]
        sa, sb = set(la), set(lb)
        added += [{"page": p, "text": s[:300]} for s in lb if s not in sa]
        removed += [{"page": p, "text": s[:300]} for s in la if s not in sb]
    out: dict[str, Any] = {}
    if added:
        out["text_added"] = added[:40]
    if removed:
        out["text_removed"] = removed[:40]
    return out
