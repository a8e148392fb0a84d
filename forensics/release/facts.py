"""What the release analysis reads from one stored item (a scan item dict), once.

Lab notes. Everything comes from the item's ``metadata`` blocks and findings as the scan wrote
them; no file is read again. Device identity (serials, owner, model + firmware) and the
writer's fingerprint (pipeline) are kept as ``(field, value)`` pairs so a cluster can say
exactly which values its members share. Serial numbers that carry no identity (empty, all
one character, shorter than 3) are ignored: cameras without a serial write ``0000000``.
The camera's firmware is read from the maker note or XMP; EXIF Software counts as the
firmware or phone build only when it names no editor or transfer program (Nikon Transfer
rewrites it), and Nikon's ``NikonCaptureVersion`` only when it starts with the model name
(Coolpix bodies write their own version there, Capture NX its own name).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..checks.metadata_check import EDITORS, match_terms

NOT_FIRMWARE = EDITORS + (
    "transfer", "viewnx", "capture nx", "zoombrowser", "digital photo professional",
    "windows", "microsoft", "iphoto", "shotwell", "digikam", "exiftool", "f-spot", "aperture",
    "irfanview", "xnview", "google", "instagram", "facebook", "whatsapp", "telegram")
"""Software names that are no camera firmware (matched as lower-case substrings)."""

SERIAL_FIELDS = (
    ("body", "ExifIFD", "BodySerialNumber"), ("body", "MakerNote", "SerialNumber"),
    ("body", "XMP", "aux:SerialNumber"), ("body", "XMP", "exifEX:BodySerialNumber"),
    ("internal", "MakerNote", "InternalSerialNumber"),
    ("lens", "ExifIFD", "LensSerialNumber"), ("lens", "XMP", "aux:LensSerialNumber"),
    ("lens", "XMP", "exifEX:LensSerialNumber"),
)
OWNER_FIELDS = (("ExifIFD", "CameraOwnerName"), ("MakerNote", "OwnerName"),
                ("XMP", "aux:OwnerName"))
FIRMWARE_FIELDS = (("MakerNote", "FirmwareVersion"), ("MakerNote", "FirmwareRevision"),
                   ("XMP", "aux:Firmware"))
COUNTER_FIELDS = (
    ("MakerNote", "ShutterCount"), ("MakerNote", "TotalShutterReleases"),
    ("MakerNote", "MechanicalShutterCount"), ("MakerNote", "ImageCount"),
    ("MakerNote", "ImageNumber"), ("MakerNote", "ShotNumber"), ("XMP", "aux:ImageNumber"),
)
"""Camera counters, by where they are read (exifread's maker-note names; XMP aux)."""
FILE_COUNTER = re.compile(r"^(?P<prefix>[A-Za-z_]{1,8}[_-]?)(?P<num>\d{3,8})(?!\d)")
"""DSC_0412, DSCN0010, IMG_1234, _MG_5678, P1010001, GOPR0042, DJI_0007 ..."""


@dataclass
class Facts:
    """One item as the release analysis sees it."""

    index: int
    path: str
    sha256: str | None
    media_type: str | None
    name: str
    make: str | None = None
    model: str | None = None
    serials: list[tuple[str, str, str]] = field(default_factory=list)
    """(class, field, value): class body / internal / lens."""
    owner: tuple[str, str] | None = None
    firmware: tuple[str, str] | None = None
    pipeline: dict[str, Any] | None = None
    signer: dict[str, Any] | None = None
    claim_generator: str | None = None
    pdf_signers: list[str] = field(default_factory=list)
    time: str | None = None
    epoch: float | None = None
    gps: tuple[float, float] | None = None
    counters: list[tuple[str, int]] = field(default_factory=list)
    xmp: dict[str, Any] = field(default_factory=dict)
    c2pa_label: str | None = None
    ingredients: list[dict[str, Any]] = field(default_factory=list)
    parent: dict[str, Any] | None = None
    relation: str | None = None
    locator: dict[str, Any] | None = None
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    unique_id: str | None = None

    @property
    def camera(self) -> tuple[str, str] | None:
        """(make, model) as claimed, normalised for comparison; None without a model."""
        if not self.model:
            return None
        return ((self.make or "").strip().lower(), self.model.strip().lower())


def _get(md: dict[str, Any], group: str, name: str) -> str | None:
    if group == "XMP":
        block = ((md.get("XMP") or {}).get("properties") or {})
    else:
        block = (md.get("EXIF") or {}).get(group) or {}
    value = block.get(name)
    if value is None and group == "MakerNote":
        value = block.get(name + " ")  # exifread's Canon 'InternalSerialNumber '
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if value is None or isinstance(value, dict):
        return None
    text = str(value).strip().strip("[]").strip()
    return text or None


def _meaningful_serial(value: str) -> bool:
    v = value.strip()
    return len(v) >= 3 and len(set(v)) > 1


def _epoch(iso: str | None) -> float | None:
    """Seconds of the camera's clock as written (a UTC offset is not applied)."""
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso[:19]).timestamp() if len(iso) >= 19 else None
    except ValueError:
        return None


TABLE_PARTS = ("dqt", "thumbnail_dqt")
"""Fingerprint parts left out of the pipeline key: many cameras (Nikon, Sony, phones) choose
quantization tables per picture, so the tables are shown when shared, never required."""


def pipeline_key(f: Facts) -> str | None:
    """The writer fingerprint's digest (its parts but :data:`TABLE_PARTS`)."""
    if not f.pipeline:
        return None
    return digest({k: v for k, v in f.pipeline.items() if k not in TABLE_PARTS})


def digest(value: Any) -> str:
    """A short exact digest of a JSON value (SHA-1, 16 hex digits)."""
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def norm_id(value: Any) -> str | None:
    """An XMP/C2PA document or instance id reduced to its core (prefixes such as
    ``xmp.iid:``, ``xmp:iid:``, ``uuid:`` dropped, lower case, no dashes)."""
    if not isinstance(value, str) or not value.strip():
        return None
    core = value.strip().rsplit(":", 1)[-1].replace("-", "").lower()
    return core if len(core) >= 8 else value.strip().lower()


def _segments_order(segments: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for s in segments:
        name = s.get("marker", "?")
        ident = s.get("identifier")
        label = f"{name}:{ident}" if ident else name
        if not out or out[-1] != label:
            out.append(label)
    return out


def _jpeg_pipeline(md: dict[str, Any]) -> dict[str, Any]:
    jpeg = md.get("JPEG") or {}
    tables = jpeg.get("tables_sha1") or {}
    exif = md.get("EXIF") or {}
    layout = exif.get("layout") or None
    if layout:
        ifds = {k: [t for t in v if t != 0x8825] for k, v in (layout.get("ifds") or {}).items()
                if k not in ("GPS", "Interop")}
        layout_value: Any = {"byte_order": layout.get("byte_order"),
                             "tags": {k: len(v) for k, v in ifds.items()},
                             "digest": digest(ifds)}
    else:
        layout_value = "no EXIF" if not exif.get("present") else "unread"
    thumb = exif.get("thumbnail")
    if thumb:
        t_tables = thumb.get("tables_sha1") or {}
        thumb_value: Any = f"{thumb.get('width')}x{thumb.get('height')} {thumb.get('format')}"
        thumb_dqt = t_tables.get("dqt")
    else:
        thumb_value, thumb_dqt = "none", None
    xmp = md.get("XMP") or {}
    style = xmp.get("style")
    xmp_value = ("none" if not xmp else
                 f"{style.get('toolkit')}; xpacket={style.get('xpacket')}; "
                 f"{style.get('properties_as')}" if style else "present")
    icc = md.get("ICC") or {}
    qt = jpeg.get("quantization_tables")
    return {
        "dqt": tables.get("dqt") or (digest(qt) if qt else None),
        "dht": tables.get("dht"),
        "segments": " ".join(_segments_order(jpeg.get("segments") or [])),
        "frame": f"{jpeg.get('process')} {jpeg.get('subsampling')}",
        "exif_layout": layout_value,
        "thumbnail": thumb_value,
        "thumbnail_dqt": thumb_dqt,
        "xmp_style": xmp_value,
        "icc": icc.get("sha256") or (icc.get("description") if icc else "none"),
    }


def _pipeline(md: dict[str, Any], media_type: str | None) -> dict[str, Any] | None:
    summary = md.get("summary") or {}
    if md.get("JPEG") and (md["JPEG"].get("segments")):
        return {"format": "JPEG", **_jpeg_pipeline(md)}
    if media_type == "image/png":
        chunks = md.get("PNGChunks") or {}
        icc = md.get("ICC") or {}
        return {"format": "PNG", "chunks": " ".join(chunks.get("order") or []) or None,
                "mode": (md.get("File") or {}).get("mode"),
                "text_keys": sorted((md.get("PNG") or {}).keys()) or None,
                "icc": icc.get("sha256") or ("none" if not icc else icc.get("description"))}
    pdf = md.get("PDF")
    if pdf:
        info = pdf.get("info") or {}
        fonts = sorted({str(f.get("name", "")).split("+", 1)[-1] for f in pdf.get("fonts") or []
                        if isinstance(f, dict)})
        return {"format": "PDF", "producer": info.get("Producer"),
                "creator": info.get("Creator"), "version": pdf.get("pdf_version"),
                "fonts": fonts or None}
    if media_type and media_type.startswith("video/"):
        return {"format": media_type, "encoder": summary.get("software"),
                "codec": summary.get("codec")}
    return None


def _firmware(md: dict[str, Any], model: str | None) -> tuple[str, str] | None:
    for group, name in FIRMWARE_FIELDS:
        v = _get(md, group, name)
        if v:
            return (f"{group}:{name}", v)
    v = _get(md, "MakerNote", "NikonCaptureVersion")
    if v and model and v.lower().startswith(model.lower()):
        return ("MakerNote:NikonCaptureVersion", v)
    soft = (md.get("summary") or {}).get("software")
    if soft and not match_terms(soft, NOT_FIRMWARE):
        return ("EXIF:Software", soft)
    return None


def _counters(md: dict[str, Any], name: str, is_child: bool) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for group, tag in COUNTER_FIELDS:
        v = _get(md, group, tag)
        if v and re.fullmatch(r"\d{1,12}", v) and int(v) > 0:
            out.append((f"{group}:{tag}", int(v)))
    m = FILE_COUNTER.match(name) if not is_child else None
    if m and int(m["num"]) > 0:
        out.append((f"file_name:{m['prefix'].upper()}#{len(m['num'])}", int(m["num"])))
    return out


def item_facts(index: int, item: dict[str, Any]) -> Facts | None:
    """The facts of one scan item, or ``None`` for an item that could not be read."""
    if item.get("status") != "ok":
        return None
    md = item.get("metadata") or {}
    summary = md.get("summary") or {}
    path = str(item.get("path"))
    name = (md.get("File") or {}).get("name") or path.replace("\\", "/").rsplit("/", 1)[-1]
    f = Facts(index=index, path=path, sha256=item.get("sha256"),
              media_type=item.get("media_type"), name=str(name),
              make=summary.get("make"), model=summary.get("model"))
    for cls, group, tag in SERIAL_FIELDS:
        v = _get(md, group, tag)
        if v and _meaningful_serial(v) and all(s[2] != v or s[0] != cls for s in f.serials):
            f.serials.append((cls, f"{group}:{tag}", v))
    for group, tag in OWNER_FIELDS:
        v = _get(md, group, tag)
        if v:
            f.owner = (f"{group}:{tag}", v)
            break
    f.firmware = _firmware(md, f.model)
    f.pipeline = _pipeline(md, f.media_type)
    c2pa = md.get("C2PA") or {}
    if c2pa.get("state") not in (None, "no_manifest"):
        f.signer = c2pa.get("signer")
        f.claim_generator = c2pa.get("claim_generator")
        f.c2pa_label = c2pa.get("active_manifest")
        f.ingredients = [i for i in c2pa.get("ingredients") or [] if isinstance(i, dict)]
    for sig in ((md.get("PDF") or {}).get("signatures") or []):
        if isinstance(sig, dict) and sig.get("signer"):
            f.pdf_signers.append(f"{sig['signer']} (issuer {sig.get('issuer')}, "
                                 f"serial {sig.get('serial')})")
    f.time = summary.get("datetime_original")
    f.epoch = _epoch(f.time)
    gps = summary.get("gps")
    if isinstance(gps, dict) and gps.get("lat") is not None and gps.get("lon") is not None:
        f.gps = (float(gps["lat"]), float(gps["lon"]))
    f.parent = item.get("parent") if isinstance(item.get("parent"), dict) else None
    f.relation, f.locator = item.get("relation"), item.get("locator")
    f.counters = _counters(md, f.name, f.parent is not None)
    props = (md.get("XMP") or {}).get("properties") or {}
    derived = props.get("xmpMM:DerivedFrom")
    f.xmp = {
        "DocumentID": props.get("xmpMM:DocumentID"),
        "OriginalDocumentID": props.get("xmpMM:OriginalDocumentID"),
        "InstanceID": props.get("xmpMM:InstanceID"),
        "DerivedFrom": derived if isinstance(derived, dict) else None,
        "History": [h for h in props.get("xmpMM:History") or [] if isinstance(h, dict)]
        if isinstance(props.get("xmpMM:History"), list) else [],
    }
    uid = ((md.get("EXIF") or {}).get("ExifIFD") or {}).get("ImageUniqueID")
    f.unique_id = str(uid).strip() if uid and _meaningful_serial(str(uid)) else None
    f.duplicates = [x for x in item.get("findings") or []
                    if x.get("code") == "known_image.duplicate_in_release"]
    return f
