"""JPEG quantization tables: raw DQT parsing, ExifTool-compatible digests, encoder family.

The tables say which encoder wrote the file, independently of any metadata text:

* ``ijg_standard``: the tables equal the IJG (libjpeg) tables at some quality
  (ITU-T T.81 Annex K tables scaled by ``jpeg_quality_scaling``). Many programs (GIMP,
  ImageMagick, Pillow, web platforms) and also some cameras and phones write these.
* ``editor``: the tables match a signature recorded for an editor (Adobe Photoshop,
  Lightroom; :mod:`forensics.editing.jpeg_signatures`, after ExifTool's JPEGDigest).
* ``camera``: the tables match a camera firmware signature.
* ``custom``: none of these; most camera and phone firmware writes tables of its own, so an
  unknown table is *consistent* with a camera original, not proof of one.

Everything here reads only marker segments (no entropy-coded data), so it costs well under a
millisecond.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..metadata.jpeg import SOF_MARKERS, estimate_quality, iter_segments
from .jpeg_signatures import SIGNATURES

# Zig-zag scan order: ZIGZAG[k] is the natural (row-major) index of the k-th coefficient.
ZIGZAG = (
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34,
    27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44,
    51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
)

_BY_DIGEST: dict[str, list[tuple[str, str]]] = {}
for _digest, _family, _label in SIGNATURES:
    _BY_DIGEST.setdefault(_digest, []).append((_family, _label))


def read_dqt(data: bytes) -> dict[str, Any]:
    """The DQT segments and frame header of a JPEG, up to the first SOS (the strict walk of
    :func:`forensics.metadata.jpeg.iter_segments`).

    Returns ``segments`` (the raw DQT payloads, keyed as ExifTool keys them: by the table
    index of the first table in the segment), ``tables`` ({index: 64 values in natural
    row-major order}), ``precision`` ({index: 8 or 16 bits}), ``sampling`` (the SOF
    component sampling bytes as ExifTool prints them, e.g. ``"221111"``) and
    ``problems`` (strings).
    """
    out: dict[str, Any] = {"segments": {}, "tables": {}, "precision": {}, "sampling": None,
                           "problems": []}
    for seg in iter_segments(data, problems=out["problems"]):
        body = seg.body(data)
        if seg.marker == 0xDB and body:
            out["segments"][body[0] & 0x0F] = body
            _parse_tables(body, out)
        elif seg.marker in SOF_MARKERS and len(body) >= 6:
            ncomp = body[5]
            out["sampling"] = "".join(f"{body[7 + 3 * i]:02x}" for i in range(ncomp)
                                      if 7 + 3 * i < len(body))
    return out


def _parse_tables(body: bytes, out: dict[str, Any]) -> None:
    i = 0
    while i < len(body):
        pq, tq = body[i] >> 4, body[i] & 0x0F
        size = 128 if pq else 64
        raw = body[i + 1:i + 1 + size]
        if len(raw) < size:
            out["problems"].append(f"DQT table {tq} is cut short")
            return
        zz = ([int.from_bytes(raw[2 * k:2 * k + 2], "big") for k in range(64)] if pq
              else list(raw))
        natural = [0] * 64
        for k, v in enumerate(zz):
            natural[ZIGZAG[k]] = v
        out["tables"][tq] = natural
        out["precision"][tq] = 16 if pq else 8
        i += 1 + size


def jpeg_digest(segments: Mapping[int, bytes], sampling: str | None) -> tuple[str, str]:
    """ExifTool's JPEGDigest: ``(md5, md5 + ":" + sampling)``.

    The MD5 is over the raw DQT payloads in table-index order joined by one zero byte
    (``Image::ExifTool::JPEGDigest::Calculate``).
    """
    joined = b"\x00".join(segments[k] for k in sorted(segments) if k < 4)
    md5 = hashlib.md5(joined, usedforsecurity=False).hexdigest()
    return md5, f"{md5}:{sampling or ''}"


def _layouts(segments: Mapping[int, bytes],
             tables: Mapping[int, Sequence[int]]) -> list[dict[int, bytes]]:
    """The file's own DQT layout, then the same 8-bit tables re-laid as one segment (as
    Photoshop writes them) and as one segment per table (as libjpeg writes them), so that a
    lossless re-mux of the markers does not hide a signature."""
    out = [dict(segments)]
    if tables and all(max(v) <= 255 for v in tables.values()):
        raw = {k: bytes([k]) + bytes(v[ZIGZAG[i]] for i in range(64))
               for k, v in sorted(tables.items())}
        first = min(raw)
        for layout in ({first: b"".join(raw.values())}, raw):
            if layout not in out:
                out.append(layout)
    return out


def identify_tables(segments: Mapping[int, bytes], sampling: str | None,
                    tables: Mapping[int, Sequence[int]]) -> dict[str, Any]:
    """Name the encoder family of a JPEG from its quantization tables.

    Returns ``family`` (``ijg_standard`` / ``editor`` / ``camera`` / ``custom`` / ``none``),
    ``matches`` (signature labels), ``digest`` (ExifTool JPEGDigest of the file's own DQT
    layout) and ``estimated_quality`` (:func:`forensics.metadata.jpeg.estimate_quality`).
    """
    if not tables:
        return {"family": "none", "matches": [], "digest": None, "estimated_quality": None}
    md5, with_sampling = jpeg_digest(segments, sampling)
    hits: list[tuple[str, str]] = []
    for layout in _layouts(segments, tables):
        alt, alt_sampling = jpeg_digest(layout, sampling)
        hits += _BY_DIGEST.get(alt, []) + _BY_DIGEST.get(alt_sampling, [])
    quality = estimate_quality({k: list(v) for k, v in tables.items()})
    families = {f for f, _ in hits}
    if quality and quality["exact"]:
        family = "ijg_standard"
    elif "editor" in families:
        family = "editor"
    elif "camera" in families:
        family = "camera"
    else:
        family = "custom"
    return {"family": family, "matches": sorted({label for _, label in hits}),
            "digest": with_sampling if not _BY_DIGEST.get(md5) else md5,
            "estimated_quality": quality}
