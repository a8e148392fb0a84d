"""Smaller metadata blocks read with Pillow: IPTC IIM, ICC profile, PNG text chunks and the
PNG chunk order (:func:`read_png_chunks`, part of the writer's fingerprint)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image, ImageCms, IptcImagePlugin, PngImagePlugin

# IPTC IIM record 2 dataset numbers -> names (IPTC-NAA IIM 4.2).
IIM_NAMES = {
    5: "ObjectName", 7: "EditStatus", 10: "Urgency", 15: "Category", 20: "SupplementalCategories",
    25: "Keywords", 40: "SpecialInstructions", 55: "DateCreated", 60: "TimeCreated",
    62: "DigitalCreationDate", 63: "DigitalCreationTime", 65: "OriginatingProgram",
    70: "ProgramVersion", 80: "By-line", 85: "By-lineTitle", 90: "City", 92: "Sub-location",
    95: "Province-State", 100: "Country-PrimaryLocationCode", 101: "Country-PrimaryLocationName",
    103: "OriginalTransmissionReference", 105: "Headline", 110: "Credit", 115: "Source",
    116: "CopyrightNotice", 118: "Contact", 120: "Caption-Abstract", 122: "Writer-Editor",
    0: "RecordVersion",
}
MAX_TEXT = 4000
# PNG text keys written by image generators (AUTOMATIC1111, ComfyUI, InvokeAI, NovelAI...).
GENERATOR_PNG_KEYS = ("parameters", "prompt", "workflow", "negative_prompt", "sd-metadata",
                      "invokeai_metadata", "Dream", "comfyui", "generation_data")


def _decode(raw: Any) -> str:
    if isinstance(raw, (bytes, bytearray)):
        for enc in ("utf-8", "latin-1"):
            try:
                return bytes(raw).decode(enc)[:MAX_TEXT]
            except UnicodeDecodeError:
                continue
    return str(raw)[:MAX_TEXT]


def read_iptc(image: Image.Image) -> dict[str, Any] | None:
    """IPTC IIM datasets (record:dataset -> name) via Pillow, or ``None`` when absent."""
    try:
        info = IptcImagePlugin.getiptcinfo(image)
    except Exception as exc:  # noqa: BLE001 - hostile IRB blocks
        return {"error": f"unreadable IPTC: {exc}"[:300]}
    if not info:
        return None
    out: dict[str, Any] = {}
    for (record, dataset), value in list(info.items())[:2000]:
        name = IIM_NAMES.get(dataset, f"{record}:{dataset}") if record == 2 else (
            f"{record}:{dataset}")
        values = value if isinstance(value, list) else [value]
        decoded = [_decode(v) for v in values]
        out[name] = decoded[0] if len(decoded) == 1 else decoded
    return out


def read_icc(image: Image.Image) -> dict[str, Any] | None:
    """ICC profile description, manufacturer, model and size; ``None`` when absent."""
    raw = image.info.get("icc_profile")
    if not raw:
        return None
    out: dict[str, Any] = {"bytes": len(raw),
                           "sha256": hashlib.sha256(bytes(raw)).hexdigest()}
    try:
        prof = ImageCms.ImageCmsProfile(io.BytesIO(raw)).profile
        out.update({
            "description": (prof.profile_description or "").strip()[:MAX_TEXT] or None,
            "manufacturer": (prof.manufacturer or "").strip()[:200] or None,
            "model": (prof.model or "").strip()[:200] or None,
            "copyright": (prof.copyright or "").strip()[:MAX_TEXT] or None,
            "color_space": (prof.xcolor_space or "").strip() or None,
        })
    except Exception as exc:  # noqa: BLE001
        out["error"] = f"unreadable ICC profile: {exc}"[:300]
    return out


def read_png_text(image: Image.Image) -> dict[str, Any] | None:
    """PNG tEXt/zTXt/iTXt chunks (key -> text), or ``None`` for non-PNG / no text."""
    if image.format != "PNG":
        return None
    try:
        chunks = dict(getattr(image, "text", {}) or {})
    except Exception as exc:  # noqa: BLE001
        return {"error": f"unreadable PNG text: {exc}"[:300]}
    out = {}
    for key, value in list(chunks.items())[:1000]:
        if key == "XML:com.adobe.xmp":
            continue  # parsed as XMP
        out[str(key)[:200]] = _decode(value)
    return out or None


MAX_PNG_CHUNKS = 10_000


def read_png_chunks(data: bytes) -> dict[str, Any] | None:
    """A PNG's chunk types in file order (Pillow's ``ChunkStream`` reads the headers, no
    chunk is decoded), a run of one type (12 IDAT, 48 tEXt) listed once, at most
    :data:`MAX_PNG_CHUNKS` chunks: ``{"order": [...], "chunks": n, "idat": n,
    "truncated": bool}``. Each encoder writes its own order and ancillary chunks (pHYs, gAMA,
    sRGB, tIME, tEXt...), which the release analysis compares. ``None`` for a non-PNG."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    fp = io.BytesIO(data)
    fp.seek(8)
    stream = PngImagePlugin.ChunkStream(fp)
    types: list[str] = []
    truncated = False
    try:
        while len(types) < MAX_PNG_CHUNKS:
            cid, pos, length = stream.read()
            types.append(cid.decode("latin-1"))
            if cid == b"IEND":
                break
            fp.seek(pos + length + 4)  # data and CRC
            if pos + length + 4 > len(data):
                truncated = True
                break
    except Exception:  # noqa: BLE001 - a damaged chunk header ends the walk
        truncated = True
    order = [t for i, t in enumerate(types) if i == 0 or types[i - 1] != t]
    return {"order": order, "chunks": len(types), "idat": types.count("IDAT"),
            "truncated": truncated}
