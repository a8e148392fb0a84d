"""Metadata forensics: what the file's own metadata says about its history.

Findings (codes are stable):

* ``metadata.software_edited`` - an editor is named in EXIF Software, XMP CreatorTool or
  History, IPTC OriginatingProgram or a PNG Software chunk.
* ``metadata.date_inconsistent`` - DateTimeOriginal, ModifyDate, XMP dates and GPS time
  disagree (one finding per disagreeing pair).
* ``metadata.exif_absent`` / ``metadata.makernote_missing`` - information, not accusation:
  platforms strip EXIF routinely.
* ``metadata.thumbnail_mismatch`` - the embedded thumbnail shows a different picture.
* ``metadata.dimensions_mismatch`` - EXIF pixel dimensions disagree with the stored size.
* ``metadata.extension_mismatch`` - the bytes are another format than the extension says.
* ``metadata.ai_generated`` - IPTC DigitalSourceType, C2PA or PNG generator markers.
* ``metadata.c2pa_invalid`` / ``metadata.c2pa_valid_untrusted`` / ``metadata.c2pa_trusted`` /
  ``metadata.c2pa_remote_not_fetched`` - Content Credentials state: the C2PA SDK's own
  validation state (see :mod:`forensics.metadata.c2pa`).
* ``metadata.c2pa_ingredient_invalid`` (low) - the file's credentials validate, but an
  ingredient's (an earlier version's) fail; ``metadata.c2pa_identity_invalid`` (medium) -
  they validate, but their CAWG identity assertion does not.
* ``metadata.xmp_unreadable`` - an XMP packet was refused or could not be parsed.
* ``metadata.gps_unusable`` (info) - GPS tags are present but hold no usable position (all
  zero, a void measurement, out of range, unreadable); ``summary.gps`` is null for it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from PIL import Image

from ..context import AnalysisContext
from ..metadata import Metadata
from ..metadata.exif import raw_value
from ..metadata.summary import exif_datetime, text, xmp_datetime
from ..metadata.xmp import digital_source_types, history
from ..model import EvidenceItem, Finding
from ..sniff import IMAGE_TYPES, extension_agrees
from .base import Check

NAME = "metadata"

# Editors and generators are data, matched case-insensitively as substrings.
EDITORS = (
    "photoshop", "lightroom", "gimp", "affinity photo", "pixelmator", "paint.net", "paintshop",
    "snapseed", "picsart", "canva", "facetune", "luminar", "capture one", "darktable",
    "rawtherapee", "acdsee", "photoscape", "fotor", "befunky", "photopea", "krita",
    "imagemagick", "graphicsmagick", "painttool", "paint tool", "corel", "photodirector",
    "meitu", "vsco", "faceapp", "picasa", "photo editor", "photoworks", "inpixio", "pixlr",
)
GENERATORS = (
    "stable diffusion", "midjourney", "dall-e", "dall·e", "dalle", "firefly", "imagen",
    "novelai", "comfyui", "automatic1111", "invokeai", "flux", "leonardo.ai", "ideogram",
    "openai", "gpt-4o", "bing image creator", "sora",
)
AI_SOURCE_TYPES = {
    "trainedalgorithmicmedia": "trained algorithmic media (generative AI)",
    "compositewithtrainedalgorithmicmedia": "composite including generative-AI content",
    "algorithmicmedia": "algorithmic media (created by an algorithm, no camera)",
    "compositesynthetic": "composite of synthetic elements",
}
# Makers whose cameras always write a maker note; its absence suggests an EXIF rewrite.
MAKERNOTE_MAKERS = ("canon", "nikon", "sony", "olympus", "om digital", "fujifilm", "panasonic",
                    "pentax", "ricoh", "apple", "leica", "casio", "minolta", "konica")
EDIT_ACTIONS = ("saved", "edited", "converted", "derived", "modified", "cropped", "produced")
PNG_GENERATOR_KEYS = ("parameters", "prompt", "workflow", "negative_prompt", "sd-metadata",
                      "invokeai_metadata", "dream", "comfyui", "generation_data")


@dataclass(frozen=True)
class MetadataParams:
    """Parameters of the metadata check (the one place they live)."""

    date_tolerance_s: int = 60
    """Seconds two clocks may differ before dates are called inconsistent."""
    gps_tolerance_s: int = 600
    """Seconds the GPS clock may differ from the camera clock after the time-zone shift."""
    thumbnail_size: int = 64
    """Long side, in pixels, both pictures are reduced to before comparing."""
    thumbnail_min_correlation: float = 0.55
    """Below this correlation of the reduced grey images the thumbnail is called different."""
    thumbnail_max_block_residual: float = 0.2
    """Above this 99th-percentile cell residual (0..1 grey levels, after a tone fit) it is
    called different too. Camera originals in the corpus stay under 0.16."""


# --------------------------------------------------------------------------- pure functions


def match_terms(value: str | None, terms: tuple[str, ...]) -> str | None:
    """The first term found (case-insensitive) in ``value``."""
    if not value:
        return None
    low = value.lower()
    return next((t for t in terms if t in low), None)


def editing_software(md: Metadata) -> list[dict[str, Any]]:
    """Every place an editor is named: ``{"field", "value", "editor"}``."""
    hits: list[dict[str, Any]] = []

    def add(fieldname: str, value: Any) -> None:
        val = text(value)
        term = match_terms(val, EDITORS)
        if term:
            hits.append({"field": fieldname, "value": val, "editor": term})

    add("EXIF:IFD0:Software", raw_value(md.exif.tags, "Image Software"))
    add("EXIF:IFD0:ProcessingSoftware", raw_value(md.exif.tags, "Image ProcessingSoftware"))
    props = md.xmp_props
    add("XMP:xmp:CreatorTool", props.get("xmp:CreatorTool"))
    for i, ev in enumerate(history(props)):
        add(f"XMP:xmpMM:History[{i}].softwareAgent", ev.get("softwareAgent"))
    if md.iptc:
        add("IPTC:OriginatingProgram", md.iptc.get("OriginatingProgram"))
    if md.png:
        add("PNG:Software", md.png.get("Software"))
    return hits


def _parse(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def date_conflicts(dates: dict[str, str | None], gps_utc: str | None, *,
                   tolerance_s: int, gps_tolerance_s: int) -> list[dict[str, Any]]:
    """Compare named ISO dates pairwise with :data:`DateTimeOriginal` as the reference.

    ``dates`` maps a source name to an ISO 8601 time (offset optional). Times without an
    offset are compared as local wall-clock times. ``gps_utc`` is the GPS date/time (UTC).
    Returns conflicts as ``{"kind", "a", "b", "difference_s", ...}``.
    """
    out: list[dict[str, Any]] = []
    ref_name = "EXIF:DateTimeOriginal"
    ref = _parse(dates.get(ref_name))
    if ref is None:
        return out

    def diff(a: datetime, b: datetime) -> float:
        if (a.tzinfo is None) != (b.tzinfo is None):
            a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
        return (a - b).total_seconds()

    modify = _parse(dates.get("EXIF:ModifyDate"))
    if modify is not None:
        d = diff(modify, ref)
        if d > tolerance_s:
            out.append({"kind": "modified_after_capture", "a": "EXIF:ModifyDate",
                        "b": ref_name, "difference_s": d})
        elif d < -tolerance_s:
            out.append({"kind": "modified_before_capture", "a": "EXIF:ModifyDate",
                        "b": ref_name, "difference_s": d})
    for name in ("EXIF:CreateDate", "XMP:exif:DateTimeOriginal", "XMP:xmp:CreateDate",
                 "XMP:photoshop:DateCreated"):
        other = _parse(dates.get(name))
        if other is None:
            continue
        d = diff(other, ref)
        if abs(d) > tolerance_s and not (name == "XMP:photoshop:DateCreated" and
                                         other.time() == datetime.min.time()):
            out.append({"kind": "capture_times_disagree", "a": name, "b": ref_name,
                        "difference_s": d})
    for name in ("XMP:xmp:ModifyDate", "XMP:xmp:MetadataDate"):
        other = _parse(dates.get(name))
        if other is not None and diff(other, ref) > tolerance_s:
            out.append({"kind": "modified_after_capture", "a": name, "b": ref_name,
                        "difference_s": diff(other, ref)})
    gps = _parse(gps_utc)
    if gps is not None:
        if ref.tzinfo is not None:
            d = (gps - ref).total_seconds()
            if abs(d) > gps_tolerance_s:
                out.append({"kind": "gps_time_disagrees", "a": "EXIF:GPS DateTime (UTC)",
                            "b": ref_name, "difference_s": d})
        else:
            d = (gps.replace(tzinfo=None) - ref).total_seconds()
            # Without a recorded offset the camera clock may be in any zone (UTC-12..+14),
            # whose offsets are multiples of 15 minutes.
            zone = round(d / 900) * 900
            if abs(d) > 14 * 3600 + gps_tolerance_s or abs(d - zone) > gps_tolerance_s:
                out.append({"kind": "gps_time_disagrees", "a": "EXIF:GPS DateTime (UTC)",
                            "b": ref_name, "difference_s": d,
                            "note": "no time-zone offset recorded; any zone was allowed"})
    return out


def gps_datetime(tags: dict[str, Any]) -> str | None:
    """GPSDateStamp + GPSTimeStamp as an ISO UTC time, or ``None``."""
    date = text(raw_value(tags, "GPS GPSDate")) or text(raw_value(tags, "GPS GPSDateStamp"))
    stamp = raw_value(tags, "GPS GPSTimeStamp")
    if not date or not isinstance(stamp, (list, tuple)) or len(stamp) < 3:
        return None
    try:
        h, m, s = (float(v.numerator) / float(v.denominator) if hasattr(v, "denominator")
                   else float(v) for v in stamp[:3])
        base = exif_datetime(date.replace("-", ":")[:10] + " 00:00:00")
        if base is None:
            return None
        when = datetime.fromisoformat(base) + timedelta(hours=h, minutes=m, seconds=int(s))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return when.isoformat() + "+00:00"


def collect_dates(md: Metadata) -> dict[str, str | None]:
    tags, props = md.exif.tags, md.xmp_props
    return {
        "EXIF:DateTimeOriginal": exif_datetime(raw_value(tags, "EXIF DateTimeOriginal"),
                                               raw_value(tags, "EXIF OffsetTimeOriginal")),
        "EXIF:CreateDate": exif_datetime(raw_value(tags, "EXIF DateTimeDigitized"),
                                         raw_value(tags, "EXIF OffsetTimeDigitized")),
        "EXIF:ModifyDate": exif_datetime(raw_value(tags, "Image DateTime"),
                                         raw_value(tags, "EXIF OffsetTime")),
        "XMP:exif:DateTimeOriginal": xmp_datetime(props.get("exif:DateTimeOriginal")),
        "XMP:xmp:CreateDate": xmp_datetime(props.get("xmp:CreateDate")),
        "XMP:xmp:ModifyDate": xmp_datetime(props.get("xmp:ModifyDate")),
        "XMP:xmp:MetadataDate": xmp_datetime(props.get("xmp:MetadataDate")),
        "XMP:photoshop:DateCreated": xmp_datetime(props.get("photoshop:DateCreated")),
    }


def trim_dark_borders(arr: np.ndarray, level: int = 16) -> np.ndarray:
    """Cut the near-black letterbox bars cameras add to fit a 4:3 thumbnail."""
    grey = arr.mean(axis=2) if arr.ndim == 3 else arr
    rows = np.where(grey.max(axis=1) > level)[0]
    cols = np.where(grey.max(axis=0) > level)[0]
    if rows.size == 0 or cols.size == 0:
        return arr
    return arr[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def picture_difference(a: np.ndarray, b: np.ndarray, *, side: int,
                       block: int = 4) -> dict[str, Any]:
    """How far picture ``b`` is from picture ``a`` (both RGB ``uint8``).

    Both are reduced to grey at ``a``'s aspect ratio with ``side`` pixels on the long side;
    ``b`` is fitted to ``a`` by a linear tone map (so brightness, contrast and the different
    processing of thumbnails do not count), and the residual is measured:
    ``correlation`` of the two, ``mean_residual`` (0..1 grey levels) and ``block_residual_p99``,
    the 99th percentile of the residual averaged over ``block``x``block`` cells, which rises
    when one region changed even if the rest is identical. ``region`` is the bounding box,
    as fractions of the frame (x0, y0, x1, y1), of the cells above 0.15.
    """
    h, w = a.shape[:2]
    scale = side / max(h, w)
    size = (max(block * 2, round(w * scale)), max(block * 2, round(h * scale)))
    ga = np.asarray(Image.fromarray(a).convert("L").resize(size, Image.Resampling.BOX),
                    dtype=np.float64) / 255.0
    gb = np.asarray(Image.fromarray(b).convert("L").resize(size, Image.Resampling.BOX),
                    dtype=np.float64) / 255.0
    design = np.stack([gb.ravel(), np.ones(gb.size)], axis=1)
    coef, *_ = np.linalg.lstsq(design, ga.ravel(), rcond=None)
    resid = np.abs(ga - (design @ coef).reshape(ga.shape))
    sa, sb = ga.std(), gb.std()
    corr = float(((ga - ga.mean()) * (gb - gb.mean())).mean() / (sa * sb)) if sa * sb > 1e-9 \
        else (1.0 if resid.mean() < 0.02 else 0.0)
    bh, bw = resid.shape[0] // block, resid.shape[1] // block
    cells = resid[:bh * block, :bw * block].reshape(bh, block, bw, block).mean(axis=(1, 3))
    hot = np.argwhere(cells > 0.15)
    region = None
    if hot.size:
        (r0, c0), (r1, c1) = hot.min(axis=0), hot.max(axis=0) + 1
        region = [round(c0 / bw, 3), round(r0 / bh, 3), round(c1 / bw, 3), round(r1 / bh, 3)]
    return {"correlation": round(corr, 4), "mean_residual": round(float(resid.mean()), 4),
            "block_residual_p99": round(float(np.percentile(cells, 99)), 4), "region": region}


DIHEDRAL = {
    "as_stored": lambda a: a,
    "rotated_90": lambda a: np.rot90(a, 1),
    "rotated_180": lambda a: np.rot90(a, 2),
    "rotated_270": lambda a: np.rot90(a, 3),
    "mirrored": lambda a: a[:, ::-1],
    "mirrored_rotated_90": lambda a: np.rot90(a[:, ::-1], 1),
    "flipped": lambda a: a[::-1],
    "transposed": lambda a: np.transpose(a, (1, 0, 2)),
}


def thumbnail_comparison(thumb_bytes: bytes, preview: np.ndarray, *,
                         side: int) -> dict[str, Any] | None:
    """Compare an embedded thumbnail with the main picture under all 8 rotations/flips.

    Thumbnails are normally stored unrotated like the main image, but viewers that rotate a
    photo losslessly often leave the thumbnail as it was; such a rotation is reported in
    ``reading`` rather than counted as a different picture. ``None`` when the thumbnail does
    not decode.
    """
    try:
        with Image.open(io.BytesIO(thumb_bytes)) as t:
            t.load()
            thumb = np.asarray(t.convert("RGB"))
    except Exception:  # noqa: BLE001 - thumbnails are untrusted bytes
        return None
    thumb = trim_dark_borders(thumb)
    main = trim_dark_borders(preview)
    best: dict[str, Any] | None = None
    for name, transform in DIHEDRAL.items():
        diff = picture_difference(thumb, np.ascontiguousarray(transform(main)), side=side)
        diff["region_frame"] = "thumbnail"
        if best is None or diff["correlation"] > best["correlation"]:
            best = {**diff, "reading": name}
    assert best is not None
    best["thumbnail_size"] = [int(thumb.shape[1]), int(thumb.shape[0])]
    best["aspect_ratio_thumbnail"] = round(thumb.shape[1] / max(1, thumb.shape[0]), 3)
    best["aspect_ratio_image"] = round(main.shape[1] / max(1, main.shape[0]), 3)
    return best


def ai_markers(md: Metadata) -> list[dict[str, Any]]:
    """Every generative-AI marker: DigitalSourceType, C2PA assertions, PNG chunks, software."""
    out: list[dict[str, Any]] = []
    for value in digital_source_types(md.xmp_props):
        term = value.rstrip("/").rsplit("/", 1)[-1]
        if term.lower() in AI_SOURCE_TYPES:
            out.append({"field": "XMP:Iptc4xmpExt:DigitalSourceType", "value": value,
                        "meaning": AI_SOURCE_TYPES[term.lower()], "strength": "explicit"})
    c2 = md.c2pa or {}
    for value in c2.get("digital_source_types") or []:
        term = str(value).rstrip("/").rsplit("/", 1)[-1]
        if term.lower() in AI_SOURCE_TYPES:
            out.append({"field": "C2PA:actions.digitalSourceType", "value": value,
                        "meaning": AI_SOURCE_TYPES[term.lower()], "strength": "explicit"})
    gen = match_terms(text(c2.get("claim_generator")), GENERATORS)
    if gen:
        out.append({"field": "C2PA:claim_generator", "value": c2.get("claim_generator"),
                    "meaning": f"generator named ({gen})", "strength": "explicit"})
    for key, value in (md.png or {}).items():
        if key.lower() in PNG_GENERATOR_KEYS:
            out.append({"field": f"PNG:{key}", "value": str(value)[:300],
                        "meaning": "image-generator parameter chunk", "strength": "strong"})
    for fieldname, value in (("EXIF:IFD0:Software", raw_value(md.exif.tags, "Image Software")),
                             ("XMP:xmp:CreatorTool", md.xmp_props.get("xmp:CreatorTool"))):
        gen = match_terms(text(value), GENERATORS)
        if gen:
            out.append({"field": fieldname, "value": text(value),
                        "meaning": f"generator named ({gen})", "strength": "strong"})
    return out


# --------------------------------------------------------------------------- the check


class MetadataCheck(Check):
    name = NAME
    version = "1.0.0"
    description = ("EXIF/XMP/IPTC/ICC/PNG/C2PA metadata: editing software, date conflicts, "
                   "stripped EXIF, thumbnail and size mismatches, AI markers, Content Credentials")
    params = MetadataParams()
    screening = True

    def applies_to(self, item: EvidenceItem) -> bool:
        return item.media_type in IMAGE_TYPES

    def run(self, ctx: AnalysisContext) -> list[Finding]:
        md = ctx.metadata
        p: MetadataParams = self.params
        found: list[Finding] = []
        found += self._extension(ctx)
        found += self._software(md)
        found += self._dates(md, p)
        found += self._exif_presence(ctx, md)
        found += self._thumbnail(ctx, md, p)
        found += self._dimensions(ctx, md)
        found += self._ai(md)
        found += self._c2pa(md)
        found += self._gps(md)
        if md.xmp and md.xmp.get("errors"):
            found.append(self._f("metadata.xmp_unreadable", "low", "high",
                                 "An XMP packet could not be read: " + "; ".join(md.xmp["errors"]),
                                 {"errors": md.xmp["errors"]}))
        return found


    def _extension(self, ctx: AnalysisContext) -> list[Finding]:
        item = ctx.item
        if extension_agrees(item.media_type, item.extension_media_type):
            return []
        ext = item.path.rsplit(".", 1)[-1] if "." in item.path else ""
        return [self._f(
            "metadata.extension_mismatch", "low", "high",
            f"The file's bytes are {item.media_type} but its extension '.{ext}' suggests "
            f"{item.extension_media_type}. The file was renamed or mislabelled somewhere "
            "along the way.",
            {"media_type_from_bytes": item.media_type,
             "media_type_from_extension": item.extension_media_type, "extension": ext})]

    def _software(self, md: Metadata) -> list[Finding]:
        hits = editing_software(md)
        if not hits:
            return []
        events = history(md.xmp_props)
        edits = [e for e in events if any(a in str(e.get("action", "")).lower()
                                          for a in EDIT_ACTIONS)]
        editors = sorted({h["value"] for h in hits})
        severity = "medium" if edits else "low"
        msg = (f"Editing software is recorded in the metadata ({'; '.join(editors)}). The file "
               "passed through an editor; this does not show what, if anything, was changed.")
        if edits:
            msg += f" The XMP history records {len(edits)} editing/saving step(s)."
        return [self._f("metadata.software_edited", severity, "high", msg,
                        {"fields": hits, "history": events[:50]})]

    def _dates(self, md: Metadata, p: MetadataParams) -> list[Finding]:
        dates = collect_dates(md)
        gps = gps_datetime(md.exif.tags)
        out = []
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for c in date_conflicts(dates, gps, tolerance_s=p.date_tolerance_s,
                                gps_tolerance_s=p.gps_tolerance_s):
            by_kind.setdefault(c["kind"], []).append(c)
        for kind, group in by_kind.items():
            c = max(group, key=lambda g: abs(g["difference_s"]))
            hours = c["difference_s"] / 3600
            if c["kind"] == "modified_after_capture":
                sev, conf = "low", "high"
                msg = (f"{c['a']} is {hours:+.2f} h from {c['b']}: the file was written again "
                       "after the picture was taken (editing, export or re-save).")
            elif c["kind"] == "gps_time_disagrees":
                sev, conf = "low", "low"
                msg = (f"The GPS clock ({c['a']}) and the camera clock disagree by "
                       f"{hours:+.2f} h beyond any time-zone shift. A stale GPS fix is common; "
                       "a location or time taken from elsewhere is also possible.")
            else:
                sev, conf = "medium", "medium"
                msg = (f"{c['a']} and {c['b']} disagree by {hours:+.2f} h. Two records of the "
                       "same moment should agree; one of them was changed or comes from "
                       "another file.")
            if len(group) > 1:
                msg += " Also: " + ", ".join(g["a"] for g in group if g is not c) + "."
            values = {name: dates.get(name, gps) for g in group for name in (g["a"], g["b"])}
            out.append(self._f("metadata.date_inconsistent", sev, conf, msg,
                               {"kind": kind, "pairs": group, "values": values}))
        return out

    def _exif_presence(self, ctx: AnalysisContext, md: Metadata) -> list[Finding]:
        out = []
        if not md.exif.present:
            out.append(self._f(
                "metadata.exif_absent", "info", "high",
                "The file carries no EXIF block. Social networks and messaging apps strip it "
                "routinely, so this is not evidence of manipulation, but the file cannot "
                "speak for its own camera, time or place.",
                {"media_type": ctx.item.media_type, "xmp_present": md.xmp is not None}))
            return out
        make = text(raw_value(md.exif.tags, "Image Make"))
        has_exif_ifd = any(k.startswith("EXIF ") for k in md.exif.tags)
        has_note = md.exif.makernote_bytes > 0 or "MakerNote" in md.exif.groups or \
            "EXIF MakerNote" in md.exif.tags
        maker = match_terms(make, MAKERNOTE_MAKERS)
        if maker and has_exif_ifd and not has_note:
            out.append(self._f(
                "metadata.makernote_missing", "info", "medium",
                f"The camera make is '{make}', whose cameras write a maker note, but there is "
                "none. Programs that rewrite EXIF (editors, resizers) often drop it; this is "
                "information, not an accusation.",
                {"make": make, "makernote_bytes": md.exif.makernote_bytes}))
        return out

    def _thumbnail(self, ctx: AnalysisContext, md: Metadata, p: MetadataParams) -> list[Finding]:
        if not md.exif.thumbnail:
            return []
        cmp = thumbnail_comparison(md.exif.thumbnail, ctx.preview, side=p.thumbnail_size)
        if cmp is None:
            return [self._f("metadata.thumbnail_unreadable", "info", "high",
                            "The embedded EXIF thumbnail does not decode.",
                            {"thumbnail_bytes": len(md.exif.thumbnail)})]
        differs = (cmp["correlation"] < p.thumbnail_min_correlation
                   or cmp["block_residual_p99"] > p.thumbnail_max_block_residual)
        if not differs:
            return []
        return [self._f(
            "metadata.thumbnail_mismatch", "medium", "medium",
            "The embedded EXIF thumbnail does not match the main image (correlation "
            f"{cmp['correlation']:.2f}, strongest local difference "
            f"{cmp['block_residual_p99']:.2f}): the picture was cropped, re-framed or altered "
            "after the thumbnail was made, and editors that do not regenerate the thumbnail "
            "leave the earlier picture in it. Compare the two by eye.",
            {**cmp, "min_correlation": p.thumbnail_min_correlation,
             "max_block_residual": p.thumbnail_max_block_residual})]

    def _dimensions(self, ctx: AnalysisContext, md: Metadata) -> list[Finding]:
        tags = md.exif.tags
        w = raw_value(tags, "EXIF ExifImageWidth")
        h = raw_value(tags, "EXIF ExifImageLength")
        size = (md.summary.get("width"), md.summary.get("height"))
        try:
            ew = int(w[0] if isinstance(w, (list, tuple)) else w)
            eh = int(h[0] if isinstance(h, (list, tuple)) else h)
        except (TypeError, ValueError, IndexError):
            return []
        if None in size or ew <= 0 or eh <= 0 or (ew, eh) in (size, size[::-1]):
            return []
        return [self._f(
            "metadata.dimensions_mismatch", "low", "high",
            f"EXIF records {ew}x{eh} pixels but the stored image is {size[0]}x{size[1]}: it was "
            "resized or cropped after the EXIF was written.",
            {"exif_size": [ew, eh], "stored_size": list(size)})]

    def _ai(self, md: Metadata) -> list[Finding]:
        markers = ai_markers(md)
        if not markers:
            return []
        explicit = any(m["strength"] == "explicit" for m in markers)
        return [self._f(
            "metadata.ai_generated", "high", "high" if explicit else "medium",
            "The metadata declares or suggests AI generation: "
            + "; ".join(f"{m['field']} ({m['meaning']})" for m in markers[:5])
            + ". Markers can be removed, so their absence proves nothing.",
            {"markers": markers})]

    def _c2pa(self, md: Metadata) -> list[Finding]:
        c2 = md.c2pa or {}
        state = c2.get("state")
        ev = {k: c2.get(k) for k in ("state", "sdk_validation_state", "validation_codes",
                                     "claim_generator", "signer", "actions", "active_manifest",
                                     "remote_manifest_url", "unverifiable_offline",
                                     "ingredient_failures", "identity_failures")}
        offline = c2.get("unverifiable_offline") or []
        note = (" Part of it could not be checked offline (" + ", ".join(offline) + ")."
                if offline else "")
        if state == "invalid":
            codes = list(dict.fromkeys(
                str(v.get("code")) + (" in an ingredient" if v.get("scope") == "ingredient"
                                      else "")
                for v in c2.get("validation_codes") or []
                if v.get("code") != "signingCredential.untrusted"))
            return [self._f(
                "metadata.c2pa_invalid", "high", "high",
                "The Content Credentials (C2PA) do not validate ("
                + ", ".join(str(c) for c in codes[:6])
                + "): the file or its manifest was changed after signing, or the "
                "signature is broken.", ev)]
        out = self._c2pa_chain(c2, ev) if state in ("valid_untrusted", "trusted") else []
        if state == "valid_untrusted":
            return out + [self._f(
                "metadata.c2pa_valid_untrusted", "info", "high",
                "Content Credentials (C2PA) are present and intact, but the signer is not on "
                f"a trust list you supplied (claim generator: {c2.get('claim_generator')})."
                + note, ev)]
        if state == "trusted":
            return out + [self._f(
                "metadata.c2pa_trusted", "info", "high",
                "Content Credentials (C2PA) validate and the signer chains to a trust anchor "
                "you supplied." + note, ev)]
        if state == "remote_not_fetched":
            return [self._f(
                "metadata.c2pa_remote_not_fetched", "info", "high",
                "The file points to a remote C2PA manifest, which is not fetched (the tool "
                f"works offline): {c2.get('remote_manifest_url')}", ev)]
        return []

    def _gps(self, md: Metadata) -> list[Finding]:
        bad = md.summary.get("gps_unusable")
        if not bad:
            return []
        return [self._f(
            "metadata.gps_unusable", "info", "high",
            f"The file carries {bad['source']} GPS tags but no usable position: {bad['why']}. "
            "The file cannot speak for its place; it is not located where the tags point.",
            dict(bad))]

    def _c2pa_chain(self, c2: dict[str, Any], ev: dict[str, Any]) -> list[Finding]:
        """Failures that do not make valid credentials invalid: an ingredient's (an earlier
        version's credentials) and the identity assertion's the SDK did not count."""
        out = []
        failed = c2.get("ingredient_failures") or []
        if failed:
            names = "; ".join(f"{f.get('title') or 'untitled'} ({', '.join(f['codes'][:3])})"
                              for f in failed[:4])
            out.append(self._f(
                "metadata.c2pa_ingredient_invalid", "low", "high",
                "The file's own Content Credentials validate, but an earlier version's "
                f"credentials fail: {names}. A file used to make this one (a parent or a "
                "component) was already altered or broken when it was used; the file itself "
                "was not changed after signing.",
                {**ev, "ingredients": failed}))
        identity = c2.get("identity_failures") or []
        if identity:
            codes = ", ".join(dict.fromkeys(str(c.get("code")) for c in identity))
            out.append(self._f(
                "metadata.c2pa_identity_invalid", "medium", "high",
                "The Content Credentials validate, but the identity assertion they carry "
                f"(CAWG) does not ({codes}): the person or organisation it names is not "
                "confirmed.", ev))
        return out

