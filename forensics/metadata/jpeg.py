"""JPEG structure: the marker segment list, quantization tables and an estimated quality.

Only marker headers are walked (cheap: no entropy-coded data is decoded). Quantization tables
are taken from Pillow, which parses them without decoding pixels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

# ITU-T T.81 Annex K tables (natural order), the base of the IJG quality scaling.
IJG_LUMINANCE = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)
IJG_CHROMINANCE = (
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
)

_MARKER_NAMES = {
    0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2", 0xC3: "SOF3", 0xC4: "DHT", 0xC5: "SOF5",
    0xC6: "SOF6", 0xC7: "SOF7", 0xC9: "SOF9", 0xCA: "SOF10", 0xCB: "SOF11", 0xCC: "DAC",
    0xCD: "SOF13", 0xCE: "SOF14", 0xCF: "SOF15", 0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS",
    0xDB: "DQT", 0xDC: "DNL", 0xDD: "DRI", 0xDE: "DHP", 0xDF: "EXP", 0xFE: "COM",
}
_SOF_PROCESS = {
    0xC0: "baseline", 0xC1: "extended sequential", 0xC2: "progressive", 0xC3: "lossless",
    0xC9: "extended sequential (arithmetic)", 0xCA: "progressive (arithmetic)",
}
MAX_SEGMENTS = 4096


def marker_name(marker: int) -> str:
    if 0xE0 <= marker <= 0xEF:
        return f"APP{marker - 0xE0}"
    if 0xD0 <= marker <= 0xD7:
        return f"RST{marker - 0xD0}"
    return _MARKER_NAMES.get(marker, f"0x{marker:02X}")


SOF_MARKERS = frozenset((0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                         0xCF))
"""Frame headers SOF0..SOF15 (DHT C4, JPG C8 and DAC CC share the range but are no frames)."""


@dataclass(frozen=True)
class Segment:
    """One marker segment found by :func:`iter_segments`."""

    marker: int
    """The marker code (``0xDB`` for DQT...)."""
    offset: int
    """Offset of the 0xFF just before the marker code (fill bytes before it are skipped)."""
    length: int
    """The declared length (its own two bytes included); 0 for markers without one (SOI,
    EOI, RSTn, TEM)."""

    @property
    def name(self) -> str:
        return marker_name(self.marker)

    @property
    def end(self) -> int:
        """Where the segment ends by its declared length (may lie past a truncated file)."""
        return self.offset + 2 + self.length

    def body(self, data: bytes) -> bytes:
        """The payload after the length field (empty for markers without one); cut short
        where the file ends, which only a lenient walk lets through."""
        return data[self.offset + 4:self.end] if self.length else b""


def iter_segments(data: bytes, *, lenient: bool = False,
                  problems: list[str] | None = None) -> Iterator[Segment]:
    """The one JPEG marker walk: every segment from SOI up to and including the first SOS
    (or EOI), at most :data:`MAX_SEGMENTS` of them (SOI included). Only marker headers are
    read, never entropy-coded data.

    ``lenient=False`` (strict) is the structure reader's walk: a byte that is not a marker
    where one must start, a file ending inside a marker header, or a length running past
    the end of the file is appended to ``problems`` and ends the walk.

    ``lenient=True`` is best effort for readers that only want the segments, and follows
    libjpeg's ``jdmarker.c`` (``next_marker``): bytes between segments are skipped up to the
    next 0xFF, ``FF 00`` (a stuffed zero) is passed over as a marker without a length, and a
    segment is taken at its declared length even when that runs past the end (its body is
    then cut short and the walk ends there). Problems are still appended, but do not stop it.
    In both modes fill bytes (0xFF repeated) before a marker code are skipped.
    """
    found = problems if problems is not None else []
    if not data.startswith(b"\xff\xd8"):
        found.append("no SOI marker")
        return
    yield Segment(0xD8, 0, 0)
    count, pos, n = 1, 2, len(data)
    no_length = (0x00, 0x01, 0xD8) if lenient else (0x01, 0xD8)
    while pos < n and count < MAX_SEGMENTS:
        if data[pos] != 0xFF:
            if not lenient:
                found.append(f"expected a marker at offset {pos}")
                return
            nxt = data.find(b"\xff", pos)
            found.append(f"{(nxt if nxt >= 0 else n) - pos} bytes that are no marker at "
                         f"offset {pos}")
            if nxt < 0:
                return
            pos = nxt
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= n:
            return
        marker = data[pos]
        pos += 1
        count += 1
        if marker in no_length or 0xD0 <= marker <= 0xD7:
            yield Segment(marker, pos - 2, 0)
            continue
        if marker == 0xD9:
            yield Segment(marker, pos - 2, 0)
            return
        if pos + 2 > n:
            found.append("file ends inside a marker header")
            return
        length = int.from_bytes(data[pos:pos + 2], "big")
        if length < 2 or pos + length > n:
            found.append(f"{marker_name(marker)} at offset {pos - 2} runs past the end")
            if not lenient:
                return
        yield Segment(marker, pos - 2, length)
        if marker == 0xDA:
            return
        pos += length


def walk_segments(data: bytes) -> dict[str, Any]:
    """Walk a JPEG's marker segments up to the first SOS (:func:`iter_segments`, strict).

    Returns ``segments`` (marker, offset, length, identifier for APPn), ``comments``,
    the SOF ``process``, ``width``/``height``/``components`` and sampling factors,
    ``restart_interval``, ``eoi_offset`` and ``trailing_bytes`` after the last EOI,
    ``problems`` (strings) for structural damage found on the way, and ``tables_sha1``:
    ``{"dqt", "dht"}``, the SHA-1 of every DQT (quantization) / DHT (Huffman) segment body in
    file order, or null when there is none (the encoder's fingerprint the release analysis
    compares across files: two encoders rarely write the same tables byte for byte).
    """
    out: dict[str, Any] = {
        "segments": [], "comments": [], "process": None, "width": None, "height": None,
        "components": None, "sampling": None, "restart_interval": None,
        "eoi_offset": None, "trailing_bytes": 0, "problems": [],
        "tables_sha1": {"dqt": None, "dht": None},
    }
    if not data.startswith(b"\xff\xd8"):
        out["problems"].append("no SOI marker")
        return out
    end = 2
    tables = {0xDB: hashlib.sha1(usedforsecurity=False), 0xC4: hashlib.sha1(usedforsecurity=False)}
    seen: set[int] = set()
    for s in iter_segments(data, problems=out["problems"]):
        seg: dict[str, Any] = {"marker": s.name, "offset": s.offset, "length": s.length}
        end = max(end, s.end)
        body = s.body(data)
        if 0xE0 <= s.marker <= 0xEF:
            seg["identifier"] = _app_identifier(body)
        elif s.marker == 0xFE:
            out["comments"].append(body.decode("utf-8", "replace")[:2000])
        elif s.marker in SOF_MARKERS:
            _read_sof(s.marker, body, out)
        elif s.marker == 0xDD and len(body) >= 2:
            out["restart_interval"] = int.from_bytes(body[:2], "big")
        elif s.marker in tables:
            tables[s.marker].update(body)
            seen.add(s.marker)
        out["segments"].append(seg)
    out["tables_sha1"] = {name: tables[m].hexdigest() if m in seen else None
                          for name, m in (("dqt", 0xDB), ("dht", 0xC4))}
    n = len(data)
    eoi = data.rfind(b"\xff\xd9")
    if eoi < 0 or eoi < end:
        out["problems"].append("no EOI marker: the file is truncated")
    else:
        out["eoi_offset"] = eoi
        out["trailing_bytes"] = n - (eoi + 2)
    return out


def _app_identifier(body: bytes) -> str:
    head = body[:40]
    nul = head.find(b"\x00")
    ident = head[:nul] if nul >= 0 else head[:12]
    return ident.decode("latin-1").strip() or body[:4].hex()


def _read_sof(marker: int, body: bytes, out: dict[str, Any]) -> None:
    if len(body) < 6:
        return
    out["process"] = _SOF_PROCESS.get(marker, marker_name(marker))
    out["height"] = int.from_bytes(body[1:3], "big")
    out["width"] = int.from_bytes(body[3:5], "big")
    ncomp = body[5]
    out["components"] = ncomp
    factors = []
    for i in range(ncomp):
        j = 6 + 3 * i
        if j + 2 < len(body):
            factors.append([body[j + 1] >> 4, body[j + 1] & 0x0F])
    out["sampling"] = factors
    out["subsampling"] = subsampling_name(factors)


def subsampling_name(factors: Sequence[Sequence[int]]) -> str | None:
    """Name the chroma subsampling from per-component (h, v) sampling factors."""
    if len(factors) == 1:
        return "grayscale"
    if len(factors) < 3:
        return None
    (h0, v0), (h1, v1) = factors[0], factors[1]
    if (h1, v1) != tuple(factors[2]) or h1 == 0 or v1 == 0:
        return "unusual"
    ratio = (h0 // h1, v0 // v1)
    return {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (1, 2): "4:4:0",
            (4, 1): "4:1:1"}.get(ratio, "unusual")


def ijg_table(base: Sequence[int], quality: int) -> list[int]:
    """The IJG (libjpeg ``jpeg_quality_scaling``) table for ``quality`` in 1..100."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return [min(255, max(1, (b * scale + 50) // 100)) for b in base]


def estimate_quality(tables: Mapping[int, Sequence[int]]) -> dict[str, Any] | None:
    """Estimate the IJG quality (1..100) whose tables best explain the file's tables.

    Returns ``quality``, ``exact`` (the tables equal IJG tables at that quality: the mark of
    libjpeg-based encoders such as Pillow, GIMP or ImageMagick) and ``mean_abs_error`` of the
    fit. Camera tables are not IJG-scaled, so ``exact`` is false for most camera originals.
    """
    if not tables:
        return None
    lum = np.asarray(list(tables.get(0) or next(iter(tables.values())))[:64], dtype=np.int64)
    chrom = np.asarray(list(tables[1])[:64], dtype=np.int64) if 1 in tables else None
    lum_ref, chrom_ref = _ijg_tables()
    err = np.abs(lum_ref[:, :lum.size] - lum).sum(axis=1)
    count = lum.size
    if chrom is not None:
        err = err + np.abs(chrom_ref[:, :chrom.size] - chrom).sum(axis=1)
        count += chrom.size
    q = int(np.argmin(err))  # first minimum: lowest quality among ties
    return {"quality": q + 1, "exact": bool(err[q] == 0),
            "mean_abs_error": round(float(err[q]) / max(1, count), 3)}


@lru_cache(maxsize=1)
def _ijg_tables() -> tuple[np.ndarray, np.ndarray]:
    """IJG luminance and chrominance tables for qualities 1..100 (rows 0..99)."""
    lum = np.array([ijg_table(IJG_LUMINANCE, q) for q in range(1, 101)], dtype=np.int64)
    chrom = np.array([ijg_table(IJG_CHROMINANCE, q) for q in range(1, 101)], dtype=np.int64)
    return lum, chrom
