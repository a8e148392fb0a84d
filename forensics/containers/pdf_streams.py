"""Bounded reading of PDF streams and PDF text values (pikepdf objects in, bytes/str out).

qpdf inflates a stream in one go when asked for its data, whatever it inflates to: a
FlateDecode stream of 1 MB can hold 1 GB of zeros. Every stream this package reads goes
through :func:`read_stream`, which knows the decoded size before qpdf is asked (a capped
``zlib`` pass for FlateDecode, the worst-case ratio of the other filters) and refuses a
stream over the per-stream cap or over what is left of the per-file cap.

Lab notes:

* zlib's worst case is about 1032:1 (a run of one byte), RunLength 128:1, LZW about
  4096:1 (a code can stand for a string of up to 4096 bytes); the ASCII filters shrink.
  A Flate stream that is the first filter applied is measured exactly (inflated with
  ``max_length`` in 1 MiB steps and thrown away); later ones are bounded by the ratio.
* PDF dates are ``D:YYYYMMDDHHmmSSOHH'mm`` with every part after the year optional
  (ISO 32000-1 7.9.4); ``Z`` and ``+HH'mm`` are offsets, a missing offset is local time
  (we give no offset). Real files add a trailing ``'``, spaces, or write ``D:`` twice.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

_RATIO = {"/FlateDecode": 1032, "/Fl": 1032, "/LZWDecode": 4096, "/LZW": 4096,
          "/RunLengthDecode": 128, "/RL": 128, "/ASCIIHexDecode": 1, "/AHx": 1,
          "/ASCII85Decode": 1, "/A85": 1, "/Crypt": 1}
GENERAL_FILTERS = frozenset(_RATIO)
"""Filters that are lossless byte transforms (qpdf's *generalized* decode level)."""
IMAGE_FILTERS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF",
                           "/JBIG2Decode"})


class StreamCapError(Exception):
    """A stream would inflate past a cap (its decoded size, or the estimate, is in args)."""


@dataclass
class InflateBudget:
    """The bytes a file's streams may inflate to, together and each."""

    per_stream: int
    per_file: int
    used: int = 0
    refused: int = 0

    def left(self) -> int:
        return max(0, self.per_file - self.used)


def filters(stream: Any) -> list[str]:
    """The stream's filter names, in the order they are applied to decode it."""
    f = stream.get("/Filter")
    if f is None:
        return []
    import pikepdf

    try:
        items = list(f) if isinstance(f, pikepdf.Array) else [f]
    except Exception:  # noqa: BLE001 - a hostile /Filter value
        return ["?"]
    return [str(x) for x in items]


def raw_length(stream: Any) -> int:
    try:
        return len(stream.read_raw_bytes())
    except Exception:  # noqa: BLE001
        return 0


def _inflated_size(raw: bytes, cap: int) -> int:
    """Bytes ``raw`` inflates to (zlib or raw deflate), stopping past ``cap``."""
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        d = zlib.decompressobj(wbits)
        total = 0
        data = raw
        try:
            while data and total <= cap:
                out = d.decompress(data, 1 << 20)
                total += len(out)
                data = d.unconsumed_tail
            return total
        except zlib.error:
            if total:
                return total  # qpdf, like readers, keeps what inflated before the damage
            continue
    return len(raw)


def decoded_size_bound(stream: Any, cap: int, *, stop_at_image: bool = True) -> int:
    """An upper bound of the stream's size once its general filters are applied (exact
    for a first FlateDecode), without inflating more than ``cap`` + 1 MiB."""
    raw = stream.read_raw_bytes()
    names = filters(stream)
    bound = len(raw)
    for i, name in enumerate(names):
        if name in IMAGE_FILTERS and stop_at_image:
            break
        if i == 0 and name in ("/FlateDecode", "/Fl"):
            bound = _inflated_size(raw, cap)
        else:
            bound *= _RATIO.get(name, 1)
        if bound > cap:
            return bound
    return bound


def read_stream(stream: Any, budget: InflateBudget, *, general_only: bool = False) -> bytes:
    """The stream's data decoded (``general_only``: its lossless filters only, so a
    DCTDecode image stays the JPEG it is), refused with :class:`StreamCapError` when it
    would pass the per-stream cap or what is left of the per-file cap."""
    import pikepdf

    names = filters(stream)
    if not names:
        raw = stream.read_raw_bytes()
        return raw
    cap = min(budget.per_stream, budget.left())
    bound = decoded_size_bound(stream, cap)
    if bound > cap:
        budget.refused += 1
        raise StreamCapError(bound, cap)
    level = pikepdf.StreamDecodeLevel.generalized if general_only \
        else pikepdf.StreamDecodeLevel.specialized
    try:
        data = stream.read_bytes(level)
    except pikepdf.PdfError:
        # qpdf refuses a damaged deflate stream outright; readers keep what inflates
        if not general_only or any(n not in ("/FlateDecode", "/Fl") for n in names
                                   if n not in IMAGE_FILTERS):
            raise
        data = inflate_capped(stream.read_raw_bytes(), cap)
        for _ in names[1:]:
            if _ in IMAGE_FILTERS:
                break
            data = inflate_capped(data, cap)
    budget.used += len(data)
    return data


def inflate_capped(raw: bytes, cap: int) -> bytes:
    """``raw`` inflated (zlib or raw deflate) as far as it goes, at most ``cap`` bytes."""
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        d = zlib.decompressobj(wbits)
        out = bytearray()
        try:
            out += d.decompress(raw, cap)
        except zlib.error:
            if out:
                return bytes(out)
            continue
        return bytes(out)
    raise StreamCapError(0, cap)


# --------------------------------------------------------------------------- values

_PDF_DATE = re.compile(
    r"^\s*(?:D:)+\s*(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*"
    r"(Z|[+-]\s*\d{2}(?:'?\s*\d{2})?)?")


def pdf_date(raw: Any) -> str | None:
    """A PDF date string as ISO 8601 (with its offset when it has one), or ``None``."""
    text = to_text(raw)
    if not text:
        return None
    m = _PDF_DATE.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else default for g, default in
                          zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True))
    try:
        from datetime import datetime

        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    if y < 1900:
        return None
    out = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}"
    off = m.group(7)
    if off:
        off = off.replace(" ", "").replace("'", "")
        if off == "Z":
            out += "Z"
        else:
            hh, mm = off[1:3], (off[3:5] or "00")
            if int(hh) <= 14 and int(mm) < 60:
                out += f"{off[0]}{hh}:{mm}"
    return out


MAX_TEXT_VALUE = 2000


def to_text(value: Any, limit: int = MAX_TEXT_VALUE) -> str | None:
    """A pikepdf value (String, Name, number) as plain text, clipped; ``None`` if absent."""
    if value is None:
        return None
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - undecodable string objects
        try:
            text = bytes(value).decode("latin-1")
        except Exception:  # noqa: BLE001
            return None
    text = text.replace("\x00", "").strip()
    return text[:limit] if text else None
