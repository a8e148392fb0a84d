"""PDF press releases opened with pikepdf (qpdf): metadata, pages, pasted photos, attachments.

What is read (``metadata.PDF`` unless said otherwise):

* the Info dictionary (Producer, Creator, dates as ISO 8601) and the XMP packet
  (``metadata.XMP``, parsed by :func:`forensics.metadata.xmp.parse_xmp`: xmp:CreateDate,
  xmpMM:DocumentID / InstanceID / History); ``summary.software`` is Producer (Creator
  when there is no Producer), ``summary.datetime_original`` the creation date;
* PDF version, page count, page sizes (points), language, fonts (BaseFont names: a subset
  prefix ``ABCDEF+`` and the font names tell the producing program), encryption, whether
  qpdf had to repair the file, linearization;
* incremental revisions, signatures and active content (:mod:`.pdf_revisions`,
  :mod:`.pdf_signatures`, :mod:`.pdf_active`), and page text (:mod:`.pdf_text`).

Children, in this order: every image XObject of the pages (images inside form XObjects
too; an image used on several pages once, ``locator`` naming its first page), embedded
files (the EmbeddedFiles name tree and FileAttachment annotations), then each earlier
revision (the file up to that revision's ``%%EOF``, byte for byte). A DCTDecode image is
the JPEG that was pasted in, **byte-exact** (its lossless filters, e.g. FlateDecode around
it, are undone; its SHA-256 is the camera file's when it was pasted unchanged); any other
image is decoded by pikepdf and written losslessly as PNG (``relation: decoded_image``,
the PNG's bytes are ours, the pixels are the PDF's).

Bounded: streams inflate through :mod:`.pdf_streams` (``max_stream_inflate`` each,
``max_file_inflate`` together), per-page work stops after ``max_pages`` pages, images over
Pillow's decompression-bomb limit are not decoded, and the container caps
(:class:`~forensics.containers.base.ContainerLimits`) bound the children.

Lab notes:

* pikepdf opens a damaged file by reconstructing its xref (qpdf's repair) and says so in
  ``Pdf.get_warnings()``; the read is reported (``pdf.repaired``) rather than trusted
  silently. A page-tree loop raises on ``pages`` (qpdf: "Loop detected in /Pages").
* An encrypted PDF with an empty user password (permissions only) opens; one that needs a
  password does not: the item is an error ``encrypted`` naming the file.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..context import AnalysisContext
from ..errors import DecodeError
from ..metadata.xmp import parse_xmp
from .base import Child, ContainerBudget, Extraction, Extractor
from .pdf_streams import (
    GENERAL_FILTERS,
    InflateBudget,
    StreamCapError,
    filters,
    pdf_date,
    read_stream,
    to_text,
)

MAX_XMP_BYTES = 4 * 1024 * 1024
INFO_KEYS = ("Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate",
             "ModDate", "Trapped")
_SUBSET = re.compile(r"^[A-Z]{6}\+")


@dataclass(frozen=True)
class PdfParams:
    """Parameters of the PDF extractor (recorded in its check result)."""

    max_pages: int = 2_000
    """Pages whose images, fonts and text are read; the page count is always given."""
    max_stream_inflate: int = 64 * 1024 * 1024
    """Bytes one stream may inflate to (a FlateDecode bomb is refused past it)."""
    max_file_inflate: int = 512 * 1024 * 1024
    """Bytes all streams of one PDF may inflate to together."""
    max_fonts: int = 500
    max_revisions: int = 32
    """Earlier revisions recovered as children (the count is always given)."""
    max_objects: int = 50_000
    """Objects walked for active content (JavaScript, Launch, ...)."""
    text: bool = True
    """Extract page text (pypdf) for the report and for dates the release states."""
    max_text_pages: int = 200
    max_text_chars: int = 4_000
    """Characters of text kept per page."""
    signatures: bool = True
    """Validate signatures offline (pyHanko)."""


class PdfExtractor(Extractor):
    name = "pdf"
    version = "1.0.0"
    description = ("PDF: Info/XMP metadata, pages, fonts, encryption, revisions, signatures, "
                   "active content, page text; pasted images (byte-exact JPEG), attachments "
                   "and earlier revisions as children")
    media_types = frozenset({"application/pdf"})

    def __init__(self, params: PdfParams | None = None):
        self.params = params or PdfParams()

    def extract(self, ctx: AnalysisContext, budget: ContainerBudget) -> Extraction:
        import pikepdf

        p = self.params
        path = ctx.item.path
        data = ctx.data
        info: dict[str, Any] = {"pdf_version": None, "header_offset": data.find(b"%PDF-")}
        findings = []
        from .pdf_revisions import find_revisions

        revisions = find_revisions(data)
        try:
            pdf = pikepdf.open(io.BytesIO(data), password="")
        except pikepdf.PasswordError as exc:
            ctx.problem("encrypted", f"{path}: the PDF is encrypted and needs a password to "
                        "open; its pages, images and metadata cannot be read")
            info["encryption"] = {"encrypted": True, "password_required": True}
            info["revisions"] = revisions.to_dict()
            return Extraction(metadata={"summary": {}, "PDF": info}, state=None,
                              findings=[self.finding(
                                  "pdf.encrypted", "info", "high",
                                  "The PDF needs a password to open: nothing inside it was "
                                  "checked", {"password_required": True,
                                              "error": str(exc)[:200]})])
        except pikepdf.PdfError as exc:
            raise DecodeError(f"{path}: not a readable PDF ({_clean(exc, path)})", path=path,
                              code="corrupt_pdf") from exc
        inflate = InflateBudget(p.max_stream_inflate, p.max_file_inflate)
        state = _State(pdf=pdf, inflate=inflate, revisions=revisions)
        info["pdf_version"] = pdf.pdf_version
        info["linearized"] = bool(pdf.is_linearized)
        info["encryption"] = _encryption(pdf)
        if pdf.is_encrypted:
            findings.append(self.finding(
                "pdf.encrypted", "info", "high",
                "The PDF is encrypted with an empty user password (it opens for anyone; "
                "permissions restrict printing/copying)", info["encryption"]))
        docinfo = _docinfo(pdf)
        info["info"] = docinfo
        xmp = _xmp(pdf, inflate)
        try:
            npages = len(pdf.pages)
            # iterating is linear; pikepdf's pages[i] and slices walk the tree each time
            pages = list(itertools.islice(pdf.pages, p.max_pages))
        except Exception as exc:  # noqa: BLE001 - page tree loops and damage
            pdf.close()
            raise DecodeError(f"{path}: the page tree cannot be read ({_clean(exc, path)})",
                              path=path, code="corrupt_pdf") from exc
        state.pages = pages
        info["pages"] = npages
        info["language"] = to_text(pdf.Root.get("/Lang"), 64)
        info["page_sizes"] = _page_sizes(pages, p.max_pages)
        info["fonts"] = _fonts(pages, p.max_pages, p.max_fonts)
        if npages > p.max_pages:
            info["pages_read"] = p.max_pages
            budget.skip("max_pages", npages - p.max_pages)
        warnings = [_clean(w, path) for w in pdf.get_warnings()][:20]
        if warnings:
            info["repaired"] = warnings
            findings.append(self.finding(
                "pdf.repaired", "low", "high",
                "The PDF is damaged: qpdf had to repair it to read it (the cross-reference "
                "table is wrong or missing); what is reported was read from the repair",
                {"warnings": warnings}))
        from .pdf_active import active_content

        active, active_findings = active_content(self, pdf, p.max_objects)
        info["active_content"] = active
        findings.extend(active_findings)
        info["revisions"] = revisions.to_dict()
        summary = {"software": docinfo.get("Producer") or docinfo.get("Creator"),
                   "datetime_original": docinfo.get("CreationDate"),
                   "datetime_original_source": "PDF:Info:CreationDate"
                   if docinfo.get("CreationDate") else None}
        if summary["datetime_original"] is None and xmp:
            created = _xmp_date((xmp.get("properties") or {}).get("xmp:CreateDate"))
            if created:
                summary.update(datetime_original=created,
                               datetime_original_source="XMP:xmp:CreateDate")
        metadata: dict[str, Any] = {"summary": summary, "PDF": info, "XMP": xmp}
        earlier_state = budget.relation == "revision"  # its file's extraction compares them
        if p.text and not earlier_state:  # the text an update changed is in its changes
            from .pdf_text import page_texts

            if npages <= p.max_pages:
                info["text"] = page_texts(data, min(p.max_text_pages, p.max_pages),
                                          p.max_text_chars)
            else:  # pypdf reads the whole page tree before the first page
                info["text"] = {"error": f"not extracted: {npages} pages, over max_pages "
                                         f"{p.max_pages}"}
        if revisions.count > 1 and not earlier_state:
            from .pdf_revisions import compare_revisions

            info["revisions"]["changes"] = compare_revisions(data, revisions, inflate,
                                                            p.max_revisions, p.max_pages)
            findings.extend(_revision_findings(self, info["revisions"]))
        if p.signatures and not earlier_state:
            from .pdf_signatures import signature_findings, signatures

            sigs = signatures(data, ctx.options.trust_anchors_pem)
            if sigs is not None:
                info["signatures"] = sigs
                findings.extend(signature_findings(self, sigs, len(data)))
        from .pdf_dates import date_findings

        findings.extend(date_findings(self, metadata))
        state.earlier_state = earlier_state
        state.info = info
        return Extraction(metadata=metadata, findings=findings,
                          children=self._children(ctx, state, budget), state=state)

    def review(self, extraction: Extraction, container: Any, children: list[Any]) -> list[Any]:
        from .pdf_dates import photo_date_findings

        return photo_date_findings(self, container, children)

    # ----------------------------------------------------------------- children

    def _children(self, ctx: AnalysisContext, state: _State,
                  budget: ContainerBudget) -> Iterator[Child]:
        try:
            yield from self._images(ctx, state, budget)
            yield from self._attachments(ctx, state, budget)
            if not state.earlier_state:
                yield from self._revisions(ctx, state, budget)
        finally:
            state.pdf.close()
            # what only the children's extraction learns (the dict is the item's block)
            if state.info is not None:
                state.info["inflated_bytes"] = state.inflate.used
                if state.inflate.refused:
                    state.info["streams_refused"] = state.inflate.refused
                if state.attachments:
                    state.info["attachments"] = state.attachments
                if state.undecodable:
                    state.info["undecodable_images"] = state.undecodable[:50]

    def _images(self, ctx: AnalysisContext, state: _State,
                budget: ContainerBudget) -> Iterator[Child]:
        seen: set[tuple[int, int]] = set()
        for pno, page in enumerate(state.pages, start=1):
            try:
                images = dict(page.get_images())
            except Exception:  # noqa: BLE001 - a damaged resource dictionary
                budget.skip("unreadable_resources")
                continue
            for name, obj in images.items():
                key = tuple(obj.objgen)
                if key != (0, 0) and key in seen:
                    continue
                seen.add(key)
                if not budget.admit(None):
                    return
                child = self._image(ctx, state, budget, pno, str(name).lstrip("/"), obj)
                if child is not None:
                    yield child

    def _image(self, ctx: AnalysisContext, state: _State, budget: ContainerBudget,
               pno: int, name: str, obj: Any) -> Child | None:
        import pikepdf
        from PIL import Image

        chain = filters(obj)
        details: dict[str, Any] = {
            "page": pno, "name": name, "object": list(obj.objgen), "filters": chain,
            "width": _int(obj.get("/Width")), "height": _int(obj.get("/Height")),
            "bits_per_component": _int(obj.get("/BitsPerComponent")),
            "color_space": _short(obj.get("/ColorSpace")),
            "soft_mask": obj.get("/SMask") is not None}
        locator = (("page", pno), ("image", name))
        if chain and chain[-1] in ("/DCTDecode", "/DCT") and all(
                f in GENERAL_FILTERS for f in chain[:-1]):
            try:
                raw = read_stream(obj, state.inflate, general_only=True) if len(chain) > 1 \
                    else obj.read_raw_bytes()
            except StreamCapError:
                budget.skip("stream_inflate_cap")
                return None
            except Exception:  # noqa: BLE001 - damaged stream
                budget.skip("unreadable_image")
                return None
            details["extraction"] = ("the DCTDecode stream as stored (byte-exact JPEG)"
                                     if len(chain) == 1 else
                                     "the DCTDecode stream with its lossless filters "
                                     f"({', '.join(chain[:-1])}) undone (byte-exact JPEG)")
            return Child(raw, locator, "embedded_image", details=details)
        w, h = details["width"] or 0, details["height"] or 0
        limit = Image.MAX_IMAGE_PIXELS or float("inf")
        if w * h > limit or w <= 0 or h <= 0:
            budget.skip("image_pixel_limit" if w * h > limit else "unreadable_image")
            return None
        bpc = details["bits_per_component"] or 8
        if w * h * 4 * max(bpc, 8) // 8 > min(state.inflate.per_stream, state.inflate.left()):
            state.inflate.refused += 1
            budget.skip("stream_inflate_cap")
            return None
        try:
            if chain:
                from .pdf_streams import decoded_size_bound

                bound = decoded_size_bound(obj, state.inflate.per_stream)
                if bound > min(state.inflate.per_stream, state.inflate.left()):
                    state.inflate.refused += 1
                    budget.skip("stream_inflate_cap")
                    return None
            pil = pikepdf.PdfImage(obj).as_pil_image()
            buf = io.BytesIO()
            if pil.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
                pil = pil.convert("RGB")
            pil.save(buf, format="PNG", compress_level=1)
            state.inflate.used += w * h
        except Exception as exc:  # noqa: BLE001 - unsupported filters (JBIG2), damage
            budget.skip("undecodable_image")
            state.undecodable.append({"page": pno, "image": name, "filters": chain,
                                      "error": f"{type(exc).__name__}: {exc}"[:200]})
            return None
        details["extraction"] = (f"decoded from {', '.join(chain) or 'unfiltered'} "
                                 f"{details['color_space'] or ''} pixels and written "
                                 "losslessly as PNG (the PNG's bytes are not in the PDF; "
                                 "its pixels are)").replace("  ", " ")
        return Child(buf.getvalue(), locator, "decoded_image", details=details)

    def _attachments(self, ctx: AnalysisContext, state: _State,
                     budget: ContainerBudget) -> Iterator[Child]:
        for spec, where in _file_specs(state.pdf, state.pages):
            name = _spec_name(spec) or f"attachment{len(state.attachments) + 1}"
            entry: dict[str, Any] = {"name": name, "where": where}
            state.attachments.append(entry)
            try:
                stream = _embedded_stream(spec)
            except Exception:  # noqa: BLE001
                stream = None
            if stream is None:
                entry["error"] = "no embedded file stream"
                continue
            params = stream.get("/Params")
            if params is not None:
                entry["created"] = pdf_date(params.get("/CreationDate"))
                entry["modified"] = pdf_date(params.get("/ModDate"))
                entry["declared_size"] = _int(params.get("/Size"))
            entry["subtype"] = _short(stream.get("/Subtype"))
            entry["description"] = to_text(spec.get("/Desc"), 300) if hasattr(spec, "get") \
                else None
            if not budget.admit(None):
                return
            try:
                data = read_stream(stream, state.inflate)
            except StreamCapError:
                entry["error"] = "over the inflate cap"
                budget.skip("stream_inflate_cap")
                continue
            except Exception as exc:  # noqa: BLE001
                entry["error"] = f"{type(exc).__name__}: {exc}"[:200]
                continue
            entry["size"] = len(data)
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            yield Child(data, (("attachment", name),), "attachment", name=name,
                        details={k: v for k, v in entry.items() if v is not None})

    def _revisions(self, ctx: AnalysisContext, state: _State,
                   budget: ContainerBudget) -> Iterator[Child]:
        revs = state.revisions
        earlier = revs.ends[:-1]
        for i, end in enumerate(earlier[: self.params.max_revisions], start=1):
            if not budget.admit(end):
                return
            yield Child(ctx.data[:end], (("revision", i),), "revision",
                        details={"revision": i, "of": revs.count, "bytes": end,
                                 "extraction": f"the file's first {end} bytes (up to this "
                                               "revision's %%EOF), byte for byte"})
        if len(earlier) > self.params.max_revisions:
            budget.skip("max_revisions", len(earlier) - self.params.max_revisions)


@dataclass
class _State:
    pdf: Any
    inflate: InflateBudget
    revisions: Any
    attachments: list[dict[str, Any]] | None = None
    undecodable: list[dict[str, Any]] | None = None
    earlier_state: bool = False
    pages: list[Any] | None = None
    info: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.attachments = [] if self.attachments is None else self.attachments
        self.undecodable = [] if self.undecodable is None else self.undecodable


# --------------------------------------------------------------------------- helpers


def _clean(exc: Any, path: str) -> str:
    """qpdf's message without the in-memory stream name it puts first."""
    text = str(exc)
    text = re.sub(r"^(?:memory|<[^>]*>|[^:]*BytesIO[^:]*|empty PDF)\s*(?:\([^)]*\))?:\s*", "",
                  text)
    return text[:300]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except Exception:  # noqa: BLE001
        return None


def _short(value: Any) -> Any:
    """A name, or an array's first name (``[/ICCBased <stream>]`` -> ``/ICCBased``)."""
    import pikepdf

    if value is None:
        return None
    try:
        if isinstance(value, pikepdf.Array):
            return str(value[0]) if len(value) else None
        if isinstance(value, (pikepdf.Name, pikepdf.String)):
            return str(value)
    except Exception:  # noqa: BLE001
        return None
    return type(value).__name__


def _encryption(pdf: Any) -> dict[str, Any]:
    if not pdf.is_encrypted:
        return {"encrypted": False}
    out: dict[str, Any] = {"encrypted": True, "password_required": False}
    try:
        enc = pdf.encryption
        out.update(R=enc.R, V=enc.V, bits=enc.bits, stream_method=str(enc.stream),
                   string_method=str(enc.string))
    except Exception:  # noqa: BLE001
        pass
    try:
        allow = pdf.allow
        out["permissions"] = {k: bool(getattr(allow, k)) for k in
                              ("print_highres", "modify_other", "extract", "modify_annotation",
                               "modify_form")}
    except Exception:  # noqa: BLE001
        pass
    return out


def _docinfo(pdf: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        info = pdf.trailer.get("/Info")
        if info is None:
            return out
        for key in list(info.keys())[:100]:
            name = str(key).lstrip("/")
            raw = info.get(key)
            if name in ("CreationDate", "ModDate"):
                out[name] = pdf_date(raw)
                out[f"{name}_raw"] = to_text(raw, 64)
            else:
                out[name] = to_text(raw)
    except Exception:  # noqa: BLE001 - a damaged Info dictionary
        out["error"] = "the Info dictionary cannot be read"
    return out


def _xmp(pdf: Any, inflate: InflateBudget) -> dict[str, Any] | None:
    try:
        stream = pdf.Root.get("/Metadata")
        if stream is None:
            return None
        raw = read_stream(stream, inflate)
    except StreamCapError:
        return {"error": "the XMP stream inflates past the cap"}
    except Exception as exc:  # noqa: BLE001
        return {"error": f"the XMP stream cannot be read: {exc}"[:200]}
    if len(raw) > MAX_XMP_BYTES:
        return {"error": f"the XMP packet is {len(raw)} bytes, over {MAX_XMP_BYTES}"}
    parsed = parse_xmp(raw)
    return {"packets": 1, **parsed}


_XMP_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?"
                       r"(Z|[+-]\d{2}:\d{2})?$")


def _xmp_date(value: Any) -> str | None:
    """An XMP date (ISO 8601, fractions dropped) in the summary's form, or ``None``."""
    if not isinstance(value, str):
        return None
    m = _XMP_DATE.match(value.strip())
    return (m.group(1) + (m.group(2) or "")) if m else None


def _page_sizes(pages: Any, max_pages: int) -> list[dict[str, Any]]:
    """Distinct page sizes (MediaBox width x height in points, rotation) with counts."""
    counts: dict[tuple[float, float, int], list[int]] = {}
    for i, page in enumerate(pages[:max_pages], start=1):  # a list: see extract()
        try:
            box = [float(x) for x in page.mediabox]
            rot = int(page.obj.get("/Rotate", 0)) % 360
            key = (round(abs(box[2] - box[0]), 2), round(abs(box[3] - box[1]), 2), rot)
        except Exception:  # noqa: BLE001
            key = (0.0, 0.0, 0)
        counts.setdefault(key, []).append(i)
    return [{"width_pt": w, "height_pt": h, "rotate": r, "pages": len(ps), "first_page": ps[0]}
            for (w, h, r), ps in list(counts.items())[:50]]


def _fonts(pages: Any, max_pages: int, max_fonts: int) -> list[dict[str, Any]]:
    """The fonts the pages use (their own resources), by object: name, type, embedded,
    subset (an ``ABCDEF+`` prefix: the producer embedded only the glyphs it used)."""
    out: dict[Any, dict[str, Any]] = {}
    for page in pages[:max_pages]:
        try:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            items = list(fonts.items())
        except Exception:  # noqa: BLE001
            continue
        for _name, font in items:
            try:
                key = tuple(font.objgen) if font.objgen != (0, 0) else id(font)
                if key in out:
                    continue
                base = to_text(font.get("/BaseFont"), 128) or ""
                desc = font.get("/FontDescriptor")
                if desc is None and font.get("/DescendantFonts") is not None:
                    desc = font.DescendantFonts[0].get("/FontDescriptor")
                embedded = desc is not None and any(
                    desc.get(k) is not None for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                out[key] = {"name": base.lstrip("/"), "type": _short(font.get("/Subtype")),
                            "embedded": bool(embedded), "subset": bool(_SUBSET.match(
                                base.lstrip("/")))}
            except Exception:  # noqa: BLE001
                continue
            if len(out) >= max_fonts:
                return list(out.values())
    return list(out.values())


def _file_specs(pdf: Any, pages: list[Any]) -> Iterator[tuple[Any, str]]:
    """(file specification, where) of every embedded file: the EmbeddedFiles name tree,
    then FileAttachment annotations of the pages."""
    import pikepdf

    seen: set[Any] = set()
    try:
        for _name, spec in pdf.attachments.items():
            obj = spec.obj
            seen.add(tuple(obj.objgen) if obj.objgen != (0, 0) else id(obj))
            yield obj, "EmbeddedFiles"
    except Exception:  # noqa: BLE001 - a damaged name tree
        pass
    for pno, page in enumerate(pages, start=1):
        try:
            annots = page.obj.get("/Annots")
            if not isinstance(annots, pikepdf.Array):
                continue
            for a in list(annots)[:1000]:
                if a.get("/Subtype") != pikepdf.Name.FileAttachment:
                    continue
                fs = a.get("/FS")
                if fs is None:
                    continue
                key = tuple(fs.objgen) if fs.objgen != (0, 0) else id(fs)
                if key in seen:
                    continue
                seen.add(key)
                yield fs, f"page {pno} annotation"
        except Exception:  # noqa: BLE001
            continue


def _spec_name(spec: Any) -> str | None:
    for key in ("/UF", "/F", "/DOS", "/Unix"):
        try:
            value = spec.get(key)
        except Exception:  # noqa: BLE001
            return None
        text = to_text(value, 255)
        if text:
            return text.replace("\\", "/").rsplit("/", 1)[-1] or text
    return None


def _embedded_stream(spec: Any) -> Any:
    ef = spec.get("/EF")
    if ef is None:
        return None
    for key in ("/UF", "/F"):
        s = ef.get(key)
        if s is not None:
            return s
    return None


def _revision_findings(ex: PdfExtractor, revisions: dict[str, Any]) -> list[Any]:
    """``pdf.revised`` for a document changed after it was first saved, with what changed."""
    changes = revisions.get("changes") or []
    if not changes:
        return []
    out = []
    for ch in changes:
        what = []
        if ch.get("info_changed"):
            what.append("Info " + ", ".join(sorted(ch["info_changed"])))
        if ch.get("xmp_changed"):
            what.append("XMP " + ", ".join(sorted(ch["xmp_changed"])))
        if ch.get("pages_changed"):
            what.append("pages " + ", ".join(str(p) for p in ch["pages_changed"][:20]))
        if ch.get("pages_added") or ch.get("pages_removed"):
            what.append(f"{ch.get('pages_added', 0)} page(s) added, "
                        f"{ch.get('pages_removed', 0)} removed")
        if ch.get("text_added") or ch.get("text_removed"):
            what.append("page text")
        if ch.get("attachments_added") or ch.get("attachments_removed"):
            what.append("attached files " + ", ".join(
                [f"+{n}" for n in ch.get("attachments_added") or []]
                + [f"-{n}" for n in ch.get("attachments_removed") or []]))
        content = bool(ch.get("pages_changed") or ch.get("pages_added")
                       or ch.get("pages_removed") or ch.get("text_added")
                       or ch.get("text_removed") or ch.get("attachments_added")
                       or ch.get("attachments_removed"))
        dates = any(k in ("CreationDate", "ModDate") for k in ch.get("info_changed") or {}) or \
            any("Date" in k for k in ch.get("xmp_changed") or {})
        severity = "medium" if (content or dates) else "info" if not what else "low"
        if ch.get("signature_only") and not content:
            severity = "info"
        out.append(ex.finding(
            "pdf.revised", severity, "high",
            f"Revision {ch['to']} of {revisions.get('count')} changed the document saved as "
            f"revision {ch['from']}: " + ("; ".join(what) or "objects only (no page, text or "
                                           "metadata change found)"), ch))
    return out
