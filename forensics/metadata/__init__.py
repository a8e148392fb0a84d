"""Read every metadata block of an evidence file, grouped like ``exiftool -G``.

Groups in the JSON: ``File``, ``EXIF`` (IFD0, ExifIFD, GPS, Interop, IFD1, MakerNote),
``XMP``, ``IPTC``, ``ICC``, ``PNG``, ``JPEG``, ``C2PA`` and the normalised ``summary``; a PNG
also has ``PNGChunks`` (its chunk order, :func:`~.containers.read_png_chunks`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ..model import EvidenceItem
from ..sniff import extension_agrees
from .c2pa import read_c2pa
from .containers import read_icc, read_iptc, read_png_chunks, read_png_text
from .exif import ExifData, read_exif
from .jpeg import estimate_quality
from .summary import summarise
from .xmp import read_xmp


@dataclass
class Metadata:
    """All metadata of one file. ``to_dict()`` is the item's ``metadata`` in the contract."""

    file: dict[str, Any]
    exif: ExifData
    xmp: dict[str, Any] | None
    iptc: dict[str, Any] | None
    icc: dict[str, Any] | None
    png: dict[str, Any] | None
    jpeg: dict[str, Any] | None
    c2pa: dict[str, Any] | None
    summary: dict[str, Any]
    png_chunks: dict[str, Any] | None = None

    @property
    def xmp_props(self) -> dict[str, Any]:
        return (self.xmp or {}).get("properties", {})

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "File": self.file,
            "EXIF": self.exif.to_dict(),
            "XMP": self.xmp,
            "IPTC": self.iptc,
            "ICC": self.icc,
            "PNG": self.png,
            "JPEG": self.jpeg,
            "C2PA": self.c2pa,
            **({"PNGChunks": self.png_chunks} if self.png_chunks is not None else {}),
        }


def stored_size(image: Image.Image | None) -> tuple[int, int] | None:
    """Pixel size as stored in the file. libheif (pillow-heif) applies the HEIF ``irot``
    rotation on decoding and records it as ``original_orientation``; undo it for the size."""
    if image is None:
        return None
    w, h = image.size
    if image.info.get("original_orientation") in (5, 6, 7, 8):
        return h, w
    return w, h


def frame_count(image: Image.Image) -> int | None:
    """Number of frames (pages), or ``None`` when the frame list is damaged: Pillow walks
    every frame to count them and raises many types on a broken one (a TIFF IFD without a
    size raises ``TypeError``). The image is put back on its first frame."""
    try:
        return int(getattr(image, "n_frames", 1))
    except Exception:  # noqa: BLE001 - hostile containers; the count is only informative
        with contextlib.suppress(Exception):
            image.seek(0)
        return None


def extract_metadata(item: EvidenceItem, data: bytes, image: Image.Image | None,
                     jpeg_info: dict[str, Any] | None, *,
                     trust_anchors_pem: str | None = None) -> Metadata:
    """Read every block; a block that fails records its error and the others are still read."""
    file_group: dict[str, Any] = {
        "name": item.path.replace("\\", "/").rsplit("/", 1)[-1],
        "size": item.size,
        "sha256": item.sha256,
        "media_type": item.media_type,
        "extension_media_type": item.extension_media_type,
        "extension_agrees": extension_agrees(item.media_type, item.extension_media_type),
    }
    if image is not None:
        file_group.update({
            "format": image.format, "mode": image.mode, "width": image.size[0],
            "height": image.size[1], "frames": frame_count(image),
        })
    exif = read_exif(data, item.media_type, image)
    pillow_xmp = image.info.get("xmp") if image is not None else None
    xmp = read_xmp(data, pillow_xmp,
                   jpeg_info["segments"] if jpeg_info is not None else None)
    iptc = read_iptc(image) if image is not None else None
    icc = read_icc(image) if image is not None else None
    png = read_png_text(image) if image is not None else None
    jpeg = None
    if jpeg_info is not None:
        jpeg = dict(jpeg_info)
        tables = getattr(image, "quantization", None) if image is not None else None
        if tables:
            jpeg["quantization_tables"] = {str(k): list(v) for k, v in tables.items()}
            jpeg["estimated_quality"] = estimate_quality({k: list(v) for k, v in tables.items()})
    c2pa = read_c2pa(item.path, data, item.media_type, trust_anchors_pem=trust_anchors_pem,
                     jpeg_segments=jpeg_info["segments"] if jpeg_info is not None else None)
    props = (xmp or {}).get("properties", {})
    summary = summarise(exif.tags, props, stored_size(image), iptc=iptc, data=data,
                        jpeg_segments=jpeg_info["segments"] if jpeg_info is not None else None)
    return Metadata(file=file_group, exif=exif, xmp=xmp, iptc=iptc, icc=icc, png=png,
                    jpeg=jpeg, c2pa=c2pa, summary=summary,
                    png_chunks=read_png_chunks(data) if item.media_type == "image/png" else None)
